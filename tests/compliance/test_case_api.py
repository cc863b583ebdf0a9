"""Shipment-case API: who sees what, who may act, field errors, the audit trail."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from compliance.choices import CaseStatus, CheckOutcome, ConsentStatus
from compliance.models import CaseEvent, ShipmentCase
from compliance.services import cases
from tests.factories import OrganisationFactory, UserFactory

CASES_URL = "/api/v1/compliance/cases/"


@pytest.fixture
def case(pack_listing, korean_buyer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        opened = cases.case_open(
            listing=pack_listing, buyer_organisation=korean_buyer.organisation, destination="KR"
        )
    opened.refresh_from_db()
    return opened


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_urls_are_where_the_interface_says(case):
    assert reverse("api-compliance-case-list") == CASES_URL
    assert reverse("api-compliance-case-approve", args=[case.pk]) == (
        f"{CASES_URL}{case.pk}/approve/"
    )


def test_officer_sees_the_case_with_every_check_explained(api_client, officer, case):
    response = as_user(api_client, officer).get(f"{CASES_URL}{case.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "awaiting_officer"
    assert body["origin"] == "JP"
    assert body["destination"] == "KR"
    assert body["regime"] == "oecd_amber"
    assert [check["code"] for check in body["checks"]] == [
        "sanctions",
        "export_bans",
        "waste_classification",
        "regime",
        "consents",
        "documents",
        "transport",
        "counterparty_permits",
    ]
    regime = body["checks"][3]
    assert regime["rule_ids"] == ["REGIME-OECD-AMBER"]
    assert regime["confidence"] == "secondary"
    assert regime["rules_version"] == "2026.11.24-draft.2"
    assert [(c["country"], c["role"], c["status"]) for c in body["consents"]] == [
        ("JP", "export", "requested"),
        ("KR", "import", "requested"),
    ]
    assert len(body["documents"]) == 7
    assert [event["to_status"] for event in body["events"] if event["kind"] == "status"] == [
        "opened",
        "checking",
        "awaiting_officer",
    ]
    assert body["risk_level"] == "high"
    assert body["risk_reasons"] == ["inference:REUSE-EVIDENCE"]
    results = [event for event in body["events"] if event["kind"] == "check_result"]
    assert [event["details"]["check"] for event in results][:2] == ["sanctions", "export_bans"]
    assert all(len(event["hash"]) == 64 for event in body["events"])


def test_seller_and_buyer_see_their_case_read_only(api_client, seller, korean_buyer, case):
    for party in (seller, korean_buyer):
        client = as_user(api_client, party)
        assert client.get(f"{CASES_URL}{case.pk}/").status_code == 200
        assert [row["id"] for row in client.get(CASES_URL).json()["results"]] == [case.pk]

        response = client.post(f"{CASES_URL}{case.pk}/reject/", {"reason": "no"}, format="json")

        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_OFFICER


def test_outsider_gets_404_and_an_empty_list(api_client, outsider, case):
    client = as_user(api_client, outsider)

    assert client.get(f"{CASES_URL}{case.pk}/").status_code == 404
    assert client.post(f"{CASES_URL}{case.pk}/approve/", {}, format="json").status_code == 404
    assert client.get(CASES_URL).json()["results"] == []


def test_dealer_cannot_approve(api_client, seller, case):
    response = as_user(api_client, seller).post(
        f"{CASES_URL}{case.pk}/approve/", {"reason": "mine"}, format="json"
    )

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_OFFICER
    assert CaseEvent.objects.filter(case=case, actor=seller).count() == 0


def test_conflicted_officer_gets_403(api_client, korean_buyer, case):
    conflicted = UserFactory(role="compliance_officer", organisation=korean_buyer.organisation)

    response = as_user(api_client, conflicted).post(
        f"{CASES_URL}{case.pk}/reject/", {"reason": "rival"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "conflict_of_interest"
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_OFFICER


def test_reject_requires_a_reason(api_client, officer, case):
    response = as_user(api_client, officer).post(f"{CASES_URL}{case.pk}/reject/", {}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["reason"]
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_OFFICER


def test_officer_records_consents_documents_and_approves(api_client, officer, second_officer, case):
    client = as_user(api_client, officer)
    for consent in case.consents.all():
        response = client.patch(
            f"{CASES_URL}{case.pk}/consents/{consent.pk}/",
            {"status": "granted", "reference_number": f"REF-{consent.country}"},
            format="json",
        )
        assert response.status_code == 200
        assert response.json()["status"] == "granted"
    for document in case.documents.all():
        response = client.patch(
            f"{CASES_URL}{case.pk}/documents/{document.pk}/", {"received": True}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["received"] is True
    review = list(case.checks.filter(outcome=CheckOutcome.REVIEW).values_list("pk", flat=True))

    response = client.post(
        f"{CASES_URL}{case.pk}/approve/",
        {"reason": "Consents and documents in order", "acknowledge": review},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "awaiting_second_officer"
    assert body["first_approved_by"] == "officer"

    # The same officer cannot confirm their own first approval.
    response = client.post(f"{CASES_URL}{case.pk}/approve/", {"reason": "me again"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "second_officer_required"

    response = as_user(api_client, second_officer).post(
        f"{CASES_URL}{case.pk}/approve/", {"reason": "Confirmed"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved"
    assert body["decided_by"] == "second-officer"
    assert body["events"][-1]["to_status"] == "approved"
    assert body["events"][-1]["reason"] == "Confirmed"


def test_approval_with_a_pending_consent_is_a_409_and_changes_nothing(api_client, officer, case):
    response = as_user(api_client, officer).post(
        f"{CASES_URL}{case.pk}/approve/", {"reason": "hurry"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "approval_requirements_not_met"
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_OFFICER
    assert case.events.count() == 3 + 8  # transitions and first check results


def test_a_second_decision_is_a_409(api_client, officer, case):
    client = as_user(api_client, officer)
    assert (
        client.post(f"{CASES_URL}{case.pk}/reject/", {"reason": "no"}, format="json").status_code
        == 200
    )

    response = client.post(f"{CASES_URL}{case.pk}/reject/", {"reason": "again"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert case.events.filter(to_status=CaseStatus.REJECTED).count() == 1


def test_bad_consent_patch_is_a_field_error(api_client, officer, case):
    consent = case.consents.first()

    response = as_user(api_client, officer).patch(
        f"{CASES_URL}{case.pk}/consents/{consent.pk}/",
        {"status": "maybe", "notification_sent_on": "yesterday"},
        format="json",
    )

    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == ["notification_sent_on", "status"]
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.REQUESTED


def test_tacit_grant_before_the_deadline_is_a_field_error(api_client, officer, case):
    consent = case.consents.first()
    today = timezone.localdate()

    response = as_user(api_client, officer).patch(
        f"{CASES_URL}{case.pk}/consents/{consent.pk}/",
        {"status": "deemed_granted", "notification_sent_on": today.isoformat()},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["status"]
    consent.refresh_from_db()
    assert (consent.status, consent.notification_sent_on) == ("requested", None)


def test_document_upload_checks_the_type(api_client, officer, case):
    document = case.documents.first()
    fake = SimpleUploadedFile("permit.pdf", b"MZ not a pdf", content_type="application/pdf")

    response = as_user(api_client, officer).patch(
        f"{CASES_URL}{case.pk}/documents/{document.pk}/",
        {"received": "true", "file": fake},
        format="multipart",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["file"]
    document.refresh_from_db()
    assert (document.received, bool(document.file)) == (False, False)


def test_document_upload_is_stored(api_client, officer, case):
    document = case.documents.first()
    pdf = SimpleUploadedFile("notice.pdf", b"%PDF-1.7 notice", content_type="application/pdf")

    response = as_user(api_client, officer).patch(
        f"{CASES_URL}{case.pk}/documents/{document.pk}/",
        {"received": "true", "file": pdf},
        format="multipart",
    )

    assert response.status_code == 200
    assert response.json()["has_file"] is True
    assert response.json()["original_name"] == "notice.pdf"
    document.refresh_from_db()
    assert document.content_type == "application/pdf"


# --- Opening --------------------------------------------------------------------------


def test_buyer_opens_a_case_for_a_published_listing(
    api_client, korean_buyer, pack_listing, django_capture_on_commit_callbacks
):
    client = as_user(api_client, korean_buyer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CASES_URL, {"listing": pack_listing.pk, "destination": "kr"}, format="json"
        )

    assert response.status_code == 201
    assert response.json()["buyer_organisation"] == korean_buyer.organisation_id
    assert ShipmentCase.objects.get().status == CaseStatus.AWAITING_OFFICER

    again = client.post(CASES_URL, {"listing": pack_listing.pk, "destination": "KR"}, format="json")

    assert again.status_code == 200
    assert ShipmentCase.objects.count() == 1


def test_opening_with_bad_input_names_the_fields(api_client, officer, pack_listing, korean_buyer):
    client = as_user(api_client, officer)

    missing = client.post(CASES_URL, {"listing": 999999}, format="json")
    domestic = client.post(
        CASES_URL,
        {
            "listing": pack_listing.pk,
            "buyer_organisation": korean_buyer.organisation_id,
            "destination": "JP",
        },
        format="json",
    )
    no_buyer = client.post(
        CASES_URL, {"listing": pack_listing.pk, "destination": "KR"}, format="json"
    )

    assert missing.status_code == 400
    assert sorted(missing.json()["error"]["fields"]) == ["destination", "listing"]
    assert domestic.status_code == 400
    assert list(domestic.json()["error"]["fields"]) == ["destination"]
    assert no_buyer.status_code == 400
    assert list(no_buyer.json()["error"]["fields"]) == ["buyer_organisation"]
    assert ShipmentCase.objects.count() == 0


def test_a_buyer_cannot_open_for_another_organisation(api_client, buyer, pack_listing):
    other = OrganisationFactory(country="KR")

    response = as_user(api_client, buyer).post(
        CASES_URL,
        {"listing": pack_listing.pk, "buyer_organisation": other.pk, "destination": "KR"},
        format="json",
    )

    assert response.status_code == 403
    assert ShipmentCase.objects.count() == 0


# --- List -----------------------------------------------------------------------------


def test_list_filters_by_status_destination_and_material(
    api_client, officer, case, seller, django_capture_on_commit_callbacks
):
    from tests.catalog.factories import ListingFactory

    german = OrganisationFactory(legal_name="Hamburg Recycling", country="DE")
    other_listing = ListingFactory(seller=seller.organisation, created_by=seller)
    cases.case_open(listing=other_listing, buyer_organisation=german, destination="DE")
    client = as_user(api_client, officer)

    def ids(**params):
        return [row["id"] for row in client.get(CASES_URL, params).json()["results"]]

    assert ids(status="awaiting_officer") == [case.pk]
    assert ids(destination="de") == [ShipmentCase.objects.get(destination="DE").pk]
    assert ids(material="black_mass") == []
    assert client.get(CASES_URL, {"status": "nonsense"}).status_code == 400


def test_list_query_count_does_not_grow_with_cases(
    api_client, officer, seller, django_assert_max_num_queries
):
    from tests.catalog.factories import ListingFactory

    for index in range(5):
        buyer_organisation = OrganisationFactory(country="KR")
        listing = ListingFactory(seller=seller.organisation, created_by=seller, title=f"L{index}")
        cases.case_open(listing=listing, buyer_organisation=buyer_organisation, destination="KR")
    client = as_user(api_client, officer)

    with django_assert_max_num_queries(6):
        response = client.get(CASES_URL)

    assert len(response.json()["results"]) == 5


def test_officer_adds_an_sds_and_approval_waits_for_it(api_client, officer, case):
    client = as_user(api_client, officer)

    response = client.post(f"{CASES_URL}{case.pk}/documents/", {"kind": "sds"}, format="json")

    assert response.status_code == 201
    assert response.json()["label"] == "Safety data sheet (SDS)"
    assert response.json()["required_by_rules"] is False
    assert case.documents.count() == 8
    duplicate = client.post(f"{CASES_URL}{case.pk}/documents/", {"kind": "sds"}, format="json")
    assert duplicate.status_code == 400
    assert list(duplicate.json()["error"]["fields"]) == ["kind"]
    assert case.documents.count() == 8
    problems = cases.approval_problems(case=case, today=timezone.localdate())
    assert "Document not received: Safety data sheet (SDS)." in problems


def test_added_documents_survive_a_recheck(
    api_client, officer, case, django_capture_on_commit_callbacks
):
    cases.document_add(case=case, actor=officer, kind="other", label="Port permit")
    case.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        cases.case_request_recheck(case=case, actor=officer)

    assert case.documents.filter(code="other_port-permit", label="Port permit").count() == 1


def test_parties_cannot_add_documents(api_client, seller, case):
    response = as_user(api_client, seller).post(
        f"{CASES_URL}{case.pk}/documents/", {"kind": "sds"}, format="json"
    )

    assert response.status_code == 403
    assert case.documents.count() == 7


def test_officer_withdraws_an_approved_case_and_the_gate_closes(
    api_client, officer, second_officer, case
):
    from compliance.services.gates import shipment_cleared

    for consent in case.consents.all():
        cases.consent_record(consent=consent, actor=officer, status=ConsentStatus.GRANTED)
    for document in case.documents.all():
        cases.document_mark(document=document, actor=officer, received=True)
    review = list(case.checks.filter(outcome=CheckOutcome.REVIEW).values_list("pk", flat=True))
    cases.case_approve(case=case, actor=officer, reason="ok", acknowledge_check_ids=review)
    case.refresh_from_db()
    cases.case_approve(case=case, actor=second_officer, reason="confirmed")
    case.refresh_from_db()

    response = as_user(api_client, officer).post(
        f"{CASES_URL}{case.pk}/withdraw/", {"reason": "Buyer cancelled the order"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert (
        shipment_cleared(listing=case.listing, buyer_organisation=case.buyer_organisation) is False
    )
