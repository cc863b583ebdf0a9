"""Shipment-case pages: the officer's queue and case page, the parties' read-only view."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from compliance.choices import CaseStatus, CheckOutcome, ConsentStatus
from compliance.models import CaseEvent, ConsentRequest
from compliance.services import cases
from tests.factories import UserFactory


@pytest.fixture
def case(pack_listing, korean_buyer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        opened = cases.case_open(
            listing=pack_listing, buyer_organisation=korean_buyer.organisation, destination="KR"
        )
    opened.refresh_from_db()
    return opened


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_officer_queue_lists_the_case_with_its_deadline_countdown(client, officer, case):
    korea = case.consents.get(country="KR")
    ConsentRequest.objects.filter(pk=korea.pk).update(
        notification_sent_on=datetime.date(2099, 1, 1), tacit_deadline=datetime.date(2099, 1, 31)
    )

    response = page(client, officer, "/compliance/cases/?status=awaiting_officer")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/compliance/cases/{case.pk}/"' in html
    assert "2099-01-31" in html
    assert 'data-countdown="2099-02-01T00:00:00+09:00"' in html
    assert "1 case awaiting an officer" in html


def test_queue_highlights_overdue_consents(client, officer, case):
    japan = case.consents.get(country="JP")
    ConsentRequest.objects.filter(pk=japan.pk).update(
        notification_sent_on=datetime.date(2026, 1, 1), tacit_deadline=datetime.date(2026, 1, 31)
    )

    html = page(client, officer, "/compliance/cases/").content.decode()

    assert '<tr class="overdue">' in html
    assert "1 overdue" in html
    assert "1 consent past its tacit deadline" in html


def test_queue_filter_hides_other_statuses(client, officer, case):
    html = page(client, officer, "/compliance/cases/?status=approved").content.decode()

    assert f'href="/compliance/cases/{case.pk}/"' not in html
    assert "No cases." in html


def test_case_page_explains_every_check_for_the_officer(client, officer, case):
    html = page(client, officer, f"/compliance/cases/{case.pk}/").content.decode()

    assert "REGIME-OECD-AMBER" in html
    assert "S15: " in html
    assert "2026.11.24-draft.2" in html
    assert f'action="/compliance/cases/{case.pk}/decide/"' in html
    assert "Record consent" in html


def test_parties_see_the_case_read_only(client, seller, korean_buyer, case):
    for party in (seller, korean_buyer):
        response = page(client, party, f"/compliance/cases/{case.pk}/")

        assert response.status_code == 200
        html = response.content.decode()
        assert "REGIME-OECD-AMBER" in html
        assert "/decide/" not in html
        assert "Record consent" not in html


def test_outsider_gets_404(client, outsider, case):
    assert page(client, outsider, f"/compliance/cases/{case.pk}/").status_code == 404
    assert (
        f"/compliance/cases/{case.pk}/"
        not in page(client, outsider, "/compliance/cases/").content.decode()
    )


def test_seller_cannot_decide_by_posting(client, seller, case):
    client.force_login(seller)

    response = client.post(
        f"/compliance/cases/{case.pk}/decide/", {"decision": "reject", "reason": "mine"}
    )

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_OFFICER


def test_conflicted_officer_gets_403(client, seller, case):
    conflicted = UserFactory(role="compliance_officer", organisation=seller.organisation)
    client.force_login(conflicted)

    response = client.post(
        f"/compliance/cases/{case.pk}/decide/", {"decision": "reject", "reason": "rival"}
    )

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_OFFICER


def test_reject_without_reason_shows_the_error_on_the_form(client, officer, case):
    client.force_login(officer)

    response = client.post(f"/compliance/cases/{case.pk}/decide/", {"decision": "reject"})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_OFFICER


def test_officer_approves_through_the_pages(client, officer, second_officer, case):
    client.force_login(officer)
    for consent in case.consents.all():
        prefix = f"consent-{consent.pk}"
        response = client.post(
            f"/compliance/cases/{case.pk}/consents/{consent.pk}/",
            {f"{prefix}-status": "granted", f"{prefix}-reference_number": "R-1"},
        )
        assert response.status_code == 302
    for document in case.documents.all():
        response = client.post(
            f"/compliance/cases/{case.pk}/documents/{document.pk}/",
            {f"document-{document.pk}-received": "on"},
        )
        assert response.status_code == 302
    review = case.checks.filter(outcome=CheckOutcome.REVIEW).values_list("pk", flat=True)

    response = client.post(
        f"/compliance/cases/{case.pk}/decide/",
        {"decision": "approve", "reason": "In order", "acknowledge": [str(pk) for pk in review]},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_SECOND_OFFICER
    html = client.get(f"/compliance/cases/{case.pk}/").content.decode()
    assert "a second officer, not the one who gave the first approval" in html

    client.force_login(second_officer)
    response = client.post(
        f"/compliance/cases/{case.pk}/decide/", {"decision": "approve", "reason": "In order"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert case.consents.filter(status=ConsentStatus.GRANTED).count() == 2
    html = client.get(f"/compliance/cases/{case.pk}/").content.decode()
    assert "In order" in html
    approved = CaseEvent.objects.filter(case=case, to_status="approved", actor=second_officer)
    assert approved.count() == 1


def test_approval_with_missing_documents_explains_why(client, officer, case):
    client.force_login(officer)

    response = client.post(
        f"/compliance/cases/{case.pk}/decide/", {"decision": "approve", "reason": "hurry"}
    )

    assert response.status_code == 400
    assert "Document not received" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_OFFICER


def test_document_file_is_served_only_to_those_who_see_the_case(
    client, officer, seller, outsider, case
):
    document = case.documents.first()
    client.force_login(officer)
    client.post(
        f"/compliance/cases/{case.pk}/documents/{document.pk}/",
        {
            f"document-{document.pk}-received": "on",
            f"document-{document.pk}-file": SimpleUploadedFile(
                "notice.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png"
            ),
        },
    )
    url = f"/compliance/cases/{case.pk}/documents/{document.pk}/file/"

    assert client.get(url).status_code == 200
    client.force_login(seller)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_officer_panel_snippet_counts_the_queue(case):
    html = render_to_string("compliance/_officer_panel.html", {})

    assert "1 case awaiting an officer" in html
    assert "0 blocked cases" in html
    assert "/compliance/cases/?status=awaiting_officer" in html


def test_staff_can_look_a_case_up_in_the_admin(client, staff, case):
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    client.force_login(staff)

    response = client.get(f"/admin/compliance/shipmentcase/{case.pk}/change/")

    assert response.status_code == 200
    assert "REGIME-OECD-AMBER" in response.content.decode()


def test_officer_adds_a_un38_3_summary_on_the_case_page(client, officer, case):
    client.force_login(officer)

    response = client.post(f"/compliance/cases/{case.pk}/documents/", {"kind": "un38_3_summary"})

    assert response.status_code == 302
    assert case.documents.filter(code="un38_3_summary", required_by_rules=False).count() == 1
    assert "UN38.3 test summary" in client.get(f"/compliance/cases/{case.pk}/").content.decode()


def test_blocked_case_page_says_it_cannot_be_approved(
    client, officer, pack_listing, django_capture_on_commit_callbacks
):
    from tests.factories import OrganisationFactory

    chinese = OrganisationFactory(legal_name="Shenzhen Metals", country="CN")
    with django_capture_on_commit_callbacks(execute=True):
        blocked = cases.case_open(
            listing=pack_listing, buyer_organisation=chinese, destination="CN"
        )

    html = page(client, officer, f"/compliance/cases/{blocked.pk}/").content.decode()

    assert "CN-IMPORT-WASTE-PACKS" in html
    assert "can be rejected or checked again, not approved" in html
