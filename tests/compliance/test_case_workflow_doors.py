"""The new case steps through both front doors: requests for information and the parties'
answers, route changes, movements, and the queue's risk, country and age filters."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from compliance.choices import CaseStatus, CheckOutcome, ConsentStatus
from compliance.models import ShipmentCase
from compliance.services import case_changes, cases
from tests.catalog.factories import ListingFactory

CASES_URL = "/api/v1/compliance/cases/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def open_checked(listing, buyer_organisation, capture):
    with capture(execute=True):
        case = cases.case_open(
            listing=listing, buyer_organisation=buyer_organisation, destination="KR"
        )
    case.refresh_from_db()
    return case


@pytest.fixture
def case(pack_listing, korean_buyer, django_capture_on_commit_callbacks):
    return open_checked(pack_listing, korean_buyer.organisation, django_capture_on_commit_callbacks)


@pytest.fixture
def ev_case(seller, korean_buyer, django_capture_on_commit_callbacks):
    listing = ListingFactory(seller=seller.organisation, created_by=seller, vehicle_listing=True)
    return open_checked(listing, korean_buyer.organisation, django_capture_on_commit_callbacks)


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


# --- Request for information: API ---------------------------------------------------------


def test_request_and_answer_through_the_api(
    api_client, officer, korean_buyer, case, django_capture_on_commit_callbacks
):
    response = as_user(api_client, officer).post(
        f"{CASES_URL}{case.pk}/request-information/",
        {"reason": "Send the Korean import permit."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "information_requested"

    client = as_user(api_client, korean_buyer)
    body = client.get(f"{CASES_URL}{case.pk}/").json()
    assert body["information_request"] == "Send the Korean import permit."
    permit = case.documents.get(code="kr_moe_import_permit")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{CASES_URL}{case.pk}/respond/",
            {
                "comment": "Permit attached.",
                "document": permit.pk,
                "file": SimpleUploadedFile("permit.pdf", PDF, content_type="application/pdf"),
            },
            format="multipart",
        )

    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_OFFICER
    permit.refresh_from_db()
    assert permit.original_name == "permit.pdf"


def test_a_request_needs_a_reason_field(api_client, officer, case):
    response = as_user(api_client, officer).post(
        f"{CASES_URL}{case.pk}/request-information/", {"reason": ""}, format="json"
    )

    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_OFFICER


def test_a_party_cannot_request_information_and_an_outsider_cannot_answer(
    api_client, korean_buyer, outsider, officer, case
):
    response = as_user(api_client, korean_buyer).post(
        f"{CASES_URL}{case.pk}/request-information/", {"reason": "please"}, format="json"
    )
    assert response.status_code == 403

    case_changes.case_request_information(case=case, actor=officer, reason="Send the permit.")
    response = as_user(api_client, outsider).post(
        f"{CASES_URL}{case.pk}/respond/", {"comment": "me"}, format="json"
    )
    assert response.status_code == 404
    response = as_user(api_client, officer).post(
        f"{CASES_URL}{case.pk}/respond/", {"comment": "me"}, format="json"
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.INFORMATION_REQUESTED


# --- Request for information: pages -------------------------------------------------------


def test_the_seller_sees_the_request_and_answers_on_the_case_page(
    client, officer, seller, case, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    response = client.post(
        f"/compliance/cases/{case.pk}/decide/",
        {"decision": "request_information", "reason": "Which test proves the pack's SOH?"},
    )
    assert response.status_code == 302

    client.force_login(seller)
    html = client.get(f"/compliance/cases/{case.pk}/").content.decode()
    assert "Which test proves the pack&#x27;s SOH?" in html
    assert "Send the answer" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/compliance/cases/{case.pk}/respond/", {"comment": "HPPC by JET, 2026-11-20."}
        )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_OFFICER
    assert case.events.get(kind="information").reason == "HPPC by JET, 2026-11-20."


def test_an_empty_answer_is_a_form_error(client, officer, seller, case):
    case_changes.case_request_information(case=case, actor=officer, reason="Send the report.")
    client.force_login(seller)

    response = client.post(f"/compliance/cases/{case.pk}/respond/", {"comment": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.INFORMATION_REQUESTED


# --- Route and movements ------------------------------------------------------------------


def test_the_buyer_changes_the_route_through_the_api(
    api_client, korean_buyer, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(api_client, korean_buyer).post(
            f"{CASES_URL}{case.pk}/route/",
            {"transit": ["SG"], "reason": "Via Singapore"},
            format="json",
        )

    assert response.status_code == 200
    case.refresh_from_db()
    assert case.transit == ["SG"]
    assert ("SG", "transit") in {(c.country.code, c.role) for c in case.consents.all()}


def test_the_seller_records_the_departure_through_the_api(
    api_client, officer, seller, korean_buyer, ev_case
):
    for document in ev_case.documents.all():
        cases.document_mark(document=document, actor=officer, received=True)
    review = [check.pk for check in ev_case.checks.filter(outcome=CheckOutcome.REVIEW)]
    cases.case_approve(case=ev_case, actor=officer, reason="ok", acknowledge_check_ids=review)
    today = timezone.localdate()

    refused = as_user(api_client, korean_buyer).post(
        f"{CASES_URL}{ev_case.pk}/movements/",
        {"kind": "shipment_left", "occurred_on": today.isoformat()},
        format="json",
    )
    bad = as_user(api_client, seller).post(
        f"{CASES_URL}{ev_case.pk}/movements/",
        {"kind": "teleported", "occurred_on": today.isoformat()},
        format="json",
    )
    response = as_user(api_client, seller).post(
        f"{CASES_URL}{ev_case.pk}/movements/",
        {"kind": "shipment_left", "occurred_on": today.isoformat(), "note": "B/L 7781"},
        format="json",
    )

    assert refused.status_code == 403
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["kind"])
    assert response.status_code == 200
    body = response.json()
    assert body["shipment_left_on"] == today.isoformat()
    assert body["receipt_due_on"] == (today + datetime.timedelta(days=60)).isoformat()


# --- The queue ----------------------------------------------------------------------------


def test_the_queue_filters_by_risk_country_and_age(api_client, officer, case, ev_case):
    client = as_user(api_client, officer)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in client.get(f"{CASES_URL}?{query}").json()["results"]]

    assert ids("risk_level=high") == [case.pk]
    assert ids("risk_level=standard") == [ev_case.pk]
    assert sorted(ids("country=kr")) == sorted([case.pk, ev_case.pk])
    assert ids("country=CN") == []
    ShipmentCase.objects.filter(pk=case.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=10)
    )
    assert ids("older_than_days=7") == [case.pk]


def test_the_queue_page_shows_and_filters_the_risk(client, officer, case, ev_case):
    client.force_login(officer)

    html = client.get("/compliance/cases/?risk_level=high").content.decode()

    assert f'href="/compliance/cases/{case.pk}/"' in html
    assert f'href="/compliance/cases/{ev_case.pk}/"' not in html
    assert "High (two officers approve)" in html


def test_the_case_page_shows_validity_notification_number_and_hash(client, officer, case):
    korea = case.consents.get(country="KR")
    cases.consent_record(
        consent=korea,
        actor=officer,
        status=ConsentStatus.GRANTED,
        decided_on=datetime.date(2026, 11, 2),
        reference_number="KR-2026-0042",
        today=datetime.date(2026, 11, 24),
    )
    client.force_login(officer)

    html = client.get(f"/compliance/cases/{case.pk}/").content.decode()

    assert "2026-11-02 – 2027-11-02" in html
    assert "KR-2026-0042" in html
    assert case.events.last().hash[:12] in html
