"""A user of one organisation cannot read or change another organisation's private data."""

import pytest
from django.urls import reverse

from tests.factories import PermitFactory


@pytest.mark.django_db
def test_api_lists_only_the_users_own_organisation(api_client, seller, outsider):
    api_client.force_authenticate(seller)

    response = api_client.get("/api/v1/organisations/")

    assert [row["legal_name"] for row in response.json()["results"]] == ["Hakata EV"]


@pytest.mark.django_db
def test_api_hides_another_organisations_details(api_client, seller, outsider):
    api_client.force_authenticate(seller)

    response = api_client.get(f"/api/v1/organisations/{outsider.organisation_id}/")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


@pytest.mark.django_db
def test_api_refuses_to_change_another_organisation(api_client, seller, outsider):
    api_client.force_authenticate(seller)

    response = api_client.patch(
        f"/api/v1/organisations/{outsider.organisation_id}/", {"phone": "000"}, format="json"
    )

    assert response.status_code == 404
    outsider.organisation.refresh_from_db()
    assert outsider.organisation.phone == ""


@pytest.mark.django_db
def test_api_hides_and_protects_another_organisations_permits(api_client, seller, outsider):
    permit = PermitFactory(organisation=outsider.organisation)
    api_client.force_authenticate(seller)

    listed = api_client.get("/api/v1/permits/").json()["results"]
    read = api_client.get(f"/api/v1/permits/{permit.pk}/")
    deleted = api_client.delete(f"/api/v1/permits/{permit.pk}/")

    assert listed == []
    assert (read.status_code, deleted.status_code) == (404, 404)
    assert outsider.organisation.permits.count() == 1


@pytest.mark.django_db
def test_html_permit_delete_of_another_organisation_is_not_found(client, seller, outsider):
    permit = PermitFactory(organisation=outsider.organisation)
    client.force_login(seller)

    response = client.post(reverse("permit-delete", args=[permit.pk]))

    assert response.status_code == 404
    assert outsider.organisation.permits.count() == 1


@pytest.mark.django_db
def test_html_organisation_page_shows_only_the_users_own_organisation(client, seller, outsider):
    PermitFactory(organisation=outsider.organisation, number="SECRET-PERMIT-1")
    client.force_login(seller)

    page = client.get(reverse("organisation")).content.decode()

    assert "Hakata EV" in page
    assert "SECRET-PERMIT-1" not in page
    assert outsider.organisation.business_registration_number not in page


@pytest.mark.django_db
def test_html_staff_pages_are_forbidden_to_members(client, seller, outsider):
    client.force_login(seller)

    queue = client.get(reverse("staff-organisations"))
    review = client.get(reverse("staff-organisation-review", args=[outsider.organisation_id]))
    decide = client.post(
        reverse("staff-organisation-review", args=[outsider.organisation_id]),
        {"decision": "reject", "reason": "spite"},
    )

    assert (queue.status_code, review.status_code, decide.status_code) == (403, 403, 403)
    outsider.organisation.refresh_from_db()
    assert outsider.organisation.verification_status == "verified"


@pytest.mark.django_db
def test_anonymous_api_access_is_refused_with_the_error_shape(api_client):
    response = api_client.get("/api/v1/organisations/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_anonymous_html_access_redirects_to_login(client):
    response = client.get(reverse("organisation"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
