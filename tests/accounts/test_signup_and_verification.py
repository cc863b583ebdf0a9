import pytest
from django.urls import reverse

from marketplace.accounts import services
from marketplace.accounts.choices import Role, VerificationStatus
from marketplace.accounts.models import Organisation, OrganisationEvent, User
from marketplace.core.exceptions import InvalidTransition, PermissionDeniedError
from tests.conftest import PASSWORD
from tests.factories import OrganisationFactory

SIGNUP = {
    "legal_name": "Kurume Dismantling K.K.",
    "country": "JP",
    "region": "Fukuoka",
    "address": "12 Nishi-machi, Kurume-shi",
    "business_registration_number": "6290001000099",
    "role": Role.DEALER,
    "username": "kurume",
    "email": "ops@kurume.example.jp",
    "password": PASSWORD,
}


@pytest.mark.django_db
def test_api_sign_up_creates_a_pending_organisation_with_an_admin_user(api_client):
    response = api_client.post("/api/v1/auth/signup/", SIGNUP, format="json")

    assert response.status_code == 201
    assert response.json()["organisation"]["verification_status"] == "pending"
    assert response.json()["organisation"]["can_trade"] is False
    user = User.objects.get(username="kurume")
    assert user.is_organisation_admin is True
    assert user.organisation.legal_name == "Kurume Dismantling K.K."
    assert list(user.organisation.events.values_list("to_status", flat=True)) == ["pending"]


@pytest.mark.django_db
def test_api_sign_up_reports_every_bad_field(api_client):
    bad = {**SIGNUP, "country": "XX", "role": "pirate", "password": "123"}

    response = api_client.post("/api/v1/auth/signup/", bad, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"country", "role"}
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_api_sign_up_rejects_a_weak_password(api_client):
    response = api_client.post("/api/v1/auth/signup/", {**SIGNUP, "password": "12345678"})

    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]
    assert not User.objects.filter(username="kurume").exists()


@pytest.mark.django_db
def test_second_sign_up_with_the_same_registration_number_conflicts(api_client):
    api_client.post("/api/v1/auth/signup/", SIGNUP, format="json")

    response = api_client.post(
        "/api/v1/auth/signup/", {**SIGNUP, "username": "other"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {
        "business_registration_number": [
            "An organisation with this registration number is already registered."
        ]
    }
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_html_sign_up_logs_the_user_in_and_shows_the_pending_dashboard(client):
    response = client.post(reverse("signup"), SIGNUP, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "is not verified yet" in response.content.decode()


@pytest.mark.django_db
def test_staff_verifies_through_the_api_and_an_event_records_who(api_client, staff):
    organisation = OrganisationFactory(verification_status=VerificationStatus.PENDING)
    api_client.force_authenticate(staff)

    response = api_client.post(f"/api/v1/organisations/{organisation.pk}/verify/")

    assert response.status_code == 200
    assert response.json()["verification_status"] == "verified"
    event = OrganisationEvent.objects.get(organisation=organisation)
    assert (event.from_status, event.to_status, event.actor) == ("pending", "verified", staff)


@pytest.mark.django_db
def test_a_member_cannot_verify_their_own_organisation(api_client, unverified_dealer):
    api_client.force_authenticate(unverified_dealer)
    organisation = unverified_dealer.organisation

    response = api_client.post(f"/api/v1/organisations/{organisation.pk}/verify/")

    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.verification_status == "pending"
    assert not organisation.events.exists()


@pytest.mark.django_db
def test_rejection_needs_a_reason(api_client, staff):
    organisation = OrganisationFactory(verification_status=VerificationStatus.PENDING)
    api_client.force_authenticate(staff)

    response = api_client.post(
        f"/api/v1/organisations/{organisation.pk}/reject/", {"reason": ""}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["reason"]
    organisation.refresh_from_db()
    assert organisation.verification_status == "pending"


@pytest.mark.django_db
def test_verifying_twice_is_refused_and_leaves_one_event(staff):
    organisation = OrganisationFactory(verification_status=VerificationStatus.PENDING)
    services.organisation_verify(organisation=organisation, actor=staff)

    with pytest.raises(InvalidTransition):
        services.organisation_verify(organisation=organisation, actor=staff)

    assert organisation.events.count() == 1


@pytest.mark.django_db
def test_changing_the_registration_number_sends_a_verified_organisation_back(seller):
    organisation = seller.organisation

    services.organisation_update(
        organisation=organisation, actor=seller, business_registration_number="9999999999999"
    )

    organisation.refresh_from_db()
    assert organisation.verification_status == "pending"
    assert organisation.can_trade() is False
    assert organisation.events.last().reason == "identity details changed; to be verified again"


@pytest.mark.django_db
def test_changing_the_phone_number_keeps_verification(seller):
    services.organisation_update(organisation=seller.organisation, actor=seller, phone="092-000")

    seller.organisation.refresh_from_db()
    assert seller.organisation.verification_status == "verified"


@pytest.mark.django_db
def test_a_member_who_is_not_admin_cannot_edit_the_organisation(seller):
    colleague = User.objects.create_user(
        username="colleague", organisation=seller.organisation, role=Role.DEALER
    )

    with pytest.raises(PermissionDeniedError):
        services.organisation_update(organisation=seller.organisation, actor=colleague, phone="1")

    seller.organisation.refresh_from_db()
    assert seller.organisation.phone == ""


@pytest.mark.django_db
def test_staff_review_page_verifies_an_organisation(client, staff):
    organisation = OrganisationFactory(verification_status=VerificationStatus.PENDING)
    client.force_login(staff)

    response = client.post(
        reverse("staff-organisation-review", args=[organisation.pk]), {"decision": "verify"}
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.verification_status == "verified"


@pytest.mark.django_db
def test_staff_review_page_refuses_rejection_without_reason(client, staff):
    organisation = OrganisationFactory(verification_status=VerificationStatus.PENDING)
    client.force_login(staff)

    response = client.post(
        reverse("staff-organisation-review", args=[organisation.pk]), {"decision": "reject"}
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.verification_status == "pending"
