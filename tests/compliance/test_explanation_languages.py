"""A check's explanation is written once, by the Celery worker in its default language
(Japanese in production), and read by officers in theirs. The stored text is canonical
English (the API's stable value); the case page renders the same explanation in the
reader's language from the structure kept beside it."""

import pytest
from django.urls import reverse
from django.utils import translation

from compliance import tasks
from compliance.services import cases

WASTE_LABEL_EN = "Intact end-of-life pack or module sent for recycling (waste)"
WASTE_LABEL_JA = "リサイクル向けに送られる無傷の使用済みパック・モジュール（廃棄物）"
NO_PERMIT_EN = (
    f"{WASTE_LABEL_EN} is waste and the buyer has no valid waste-handling permit on file: "
    "check the consignee's authorisation to recover it (Basel Art 4(2)(e) and 4(8))."
)
NO_PERMIT_JA = (
    f"{WASTE_LABEL_JA} は廃棄物ですが、買い手の有効な廃棄物処理の許可が登録されていません。"
    "荷受人が再生処理する権限を確認してください（バーゼル条約第 4 条 2(e) および 4 条 8）。"
)


@pytest.fixture
def case_checked_by_a_japanese_worker(pack_listing, korean_buyer, settings):
    settings.LANGUAGE_CODE = "ja"  # the worker's default, as in production
    case = cases.case_open(
        listing=pack_listing, buyer_organisation=korean_buyer.organisation, destination="KR"
    )
    with translation.override("ja"):
        tasks.run_case_checks.delay(case.pk).get()
    settings.LANGUAGE_CODE = "en"
    return case


def case_page(client, officer, case, language: str) -> str:
    client.force_login(officer)
    response = client.get(
        reverse("compliance:case-detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_worker_stores_english_whatever_its_language(case_checked_by_a_japanese_worker):
    checks = {check.code: check for check in case_checked_by_a_japanese_worker.checks.all()}

    assert checks["counterparty_permits"].explanation == NO_PERMIT_EN
    assert checks["documents"].explanation.startswith("Documents required: ")
    assert checks["consents"].explanation.startswith(
        "Consents required: JP (export): tacit after 30 days; KR (import): tacit after 30 days."
    )
    assert "OECD amber-list tacit consent: Tacit consent of JP (export) after 30 days." in (
        checks["consents"].explanation
    )


def test_an_english_officer_reads_english(client, officer, case_checked_by_a_japanese_worker):
    page = case_page(client, officer, case_checked_by_a_japanese_worker, "en")

    assert NO_PERMIT_EN.replace("'", "&#x27;") in page
    assert "Consents required: JP (export): tacit after 30 days" in page
    assert "買い手" not in page


def test_a_japanese_officer_reads_japanese(client, officer, case_checked_by_a_japanese_worker):
    page = case_page(client, officer, case_checked_by_a_japanese_worker, "ja")

    assert NO_PERMIT_JA in page
    assert "必要な同意: JP（輸出）: 30 日後に黙示の同意; KR（輸入）: 30 日後に黙示の同意" in page
    assert "OECD アンバーリストの黙示の同意: 30 日後に JP（輸出）の黙示の同意が成立します。" in page
    assert "is waste and the buyer" not in page


def test_the_api_keeps_the_english_text(api_client, officer, case_checked_by_a_japanese_worker):
    api_client.force_authenticate(officer)
    response = api_client.get(
        f"/api/v1/compliance/cases/{case_checked_by_a_japanese_worker.pk}/",
        HTTP_ACCEPT_LANGUAGE="ja",
    )

    assert response.status_code == 200
    checks = {check["code"]: check for check in response.json()["checks"]}
    assert checks["counterparty_permits"]["explanation"] == NO_PERMIT_EN
