"""Pages show labels where the data holds codes, in the reader's language; the stored rows
and the API keep the codes."""

import pytest
from django.utils import translation

from compliance import labels
from compliance.templatetags.compliance_tags import order_reference, risk_reason, rule_ids_label
from diagnostics.models import method_name
from diagnostics.templatetags.diagnostics_tags import application_label
from marketplace.catalog.models import ListingEvent
from marketplace.trading.models import OrderEvent


@pytest.mark.parametrize(
    ("reason", "english", "japanese"),
    [
        ("created", "Listing created", "出品を作成"),
        ("sale cancelled", "Sale cancelled", "販売をキャンセル"),
        ("sale 12 awarded (auction)", "Sale 12: auction won", "販売 12: オークションで落札"),
        ("sale 12: reserve not met", "Sale 12: reserve not met", "販売 12: 最低落札価格に未到達"),
        ("relisted from listing 3", "Listed again from listing 3", "出品 3 から再出品"),
        ("Buyer withdrew", "Buyer withdrew", "Buyer withdrew"),  # a person's words, as typed
    ],
)
def test_listing_history_reasons_written_by_the_services_are_translated(reason, english, japanese):
    event = ListingEvent(reason=reason, to_status="draft")

    with translation.override("en"):
        assert event.reason_display == english
    with translation.override("ja"):
        assert event.reason_display == japanese


@pytest.mark.parametrize(
    ("reason", "english", "japanese"),
    [
        ("auction", "Auction won", "オークションで落札"),
        ("payment 7 received", "Payment 7 received", "支払い 7 を受領"),
        (
            "compliance case approved",
            "Compliance case approved",
            "コンプライアンス案件が承認されました",
        ),
        (
            "compliance case 4 is rejected: licence lapsed",
            "Compliance case 4: Rejected: licence lapsed",
            "コンプライアンス案件 4: 却下: licence lapsed",
        ),
        ("Goods damaged in transit", "Goods damaged in transit", "Goods damaged in transit"),
    ],
)
def test_order_history_reasons_written_by_the_services_are_translated(reason, english, japanese):
    event = OrderEvent(reason=reason, to_status="on_hold")

    with translation.override("en"):
        assert event.reason_display == english
    with translation.override("ja"):
        assert event.reason_display == japanese


def test_a_sale_opened_reason_names_the_format():
    event = ListingEvent(reason="english_auction sale opened", to_status="in_sale")

    with translation.override("en"):
        assert event.reason_display == "English auction sale opened"


def test_a_method_code_shows_the_catalogue_name():
    with translation.override("en"):
        assert method_name("full_discharge") == "Full discharge capacity test"
    with translation.override("ja"):
        assert method_name("full_discharge") != "Full discharge capacity test"
    assert method_name("retired_method") == "retired_method"


def test_a_valuation_use_shows_its_label():
    with translation.override("en"):
        assert application_label("small_mobility") == "forklifts, AGVs and small mobility"
        assert application_label("unknown") == "unknown"


def test_compliance_codes_show_their_labels_in_japanese():
    with translation.override("ja"):
        assert labels.regime_label("oecd_amber") == "OECD アンバーリスト: 通告と同意"
        assert labels.regime_label("prohibited") == "禁止"
        assert labels.material_label("black_mass").startswith("ブラックマス")
        assert labels.document_label("notification_document").startswith("通告書")
        assert labels.consent_role_label("import") == "輸入"
        assert labels.status_label("awaiting_officer") == "担当者の判断待ち"
        assert labels.status_label("missing") == "未受領"
        assert rule_ids_label(["oecd_amber_tacit_consent", "oecd_amber_tacit_consent"]) == (
            "OECD アンバーリストの黙示の同意"
        )
        assert order_reference("order 7") == "注文 #7"
        assert risk_reason("inference:REUSE-EVIDENCE") == "ルール REUSE-EVIDENCE は推論に基づく"


def test_one_english_word_two_meanings():
    with translation.override("ja"):
        assert translation.pgettext("consent role", "Import") == "輸入国"
        assert translation.pgettext("button", "Import") == "取り込む"
        assert translation.pgettext("offer maker", "From") == "提案者"
        assert translation.pgettext("status history", "From") == "変更前"
