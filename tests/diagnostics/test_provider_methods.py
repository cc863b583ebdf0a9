"""Diagnostics providers register the methods and instruments they use."""

import pytest

from diagnostics.models import RegisteredMethod
from marketplace.accounts.choices import Role, VerificationStatus
from tests.factories import UserFactory

URL = "/api/v1/diagnostics/provider-methods/"
REGISTRATION = {
    "method_code": "full_discharge",
    "instrument_make": "Hioki",
    "instrument_model": "BT4560",
    "calibration_date": "2026-03-01",
    "accreditation": "ISO/IEC 17025 JAB RL0000",
    "stated_u95_pp": "1.50",
}


@pytest.fixture
def provider(db):
    return UserFactory(
        username="provider",
        role=Role.DIAGNOSTICS_PROVIDER,
        organisation__legal_name="Kyushu Battery Lab",
    )


def test_provider_registers_a_method_on_an_instrument(api_client, provider):
    api_client.force_authenticate(provider)

    response = api_client.post(URL, REGISTRATION, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["method_code"] == "full_discharge"
    assert body["stated_u95_pp"] == 1.5
    assert body["organisation"] == provider.organisation_id
    assert body["is_active"] is True
    registration = RegisteredMethod.objects.get()
    assert registration.registered_by == provider


def test_lists_only_own_organisation(api_client, provider):
    other = UserFactory(role=Role.DIAGNOSTICS_PROVIDER)
    api_client.force_authenticate(other)
    api_client.post(URL, REGISTRATION, format="json")
    api_client.force_authenticate(provider)
    api_client.post(
        URL, {**REGISTRATION, "method_code": "hppc", "stated_u95_pp": None}, format="json"
    )

    response = api_client.get(URL)

    assert response.status_code == 200
    assert [item["method_code"] for item in response.json()["results"]] == ["hppc"]


def test_unknown_method_is_a_field_error(api_client, provider):
    api_client.force_authenticate(provider)

    response = api_client.post(URL, {**REGISTRATION, "method_code": "dowsing"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["method_code"]
    assert RegisteredMethod.objects.count() == 0


def test_no_soh_uncertainty_for_a_resistance_method(api_client, provider):
    api_client.force_authenticate(provider)

    response = api_client.post(URL, {**REGISTRATION, "method_code": "eis"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["stated_u95_pp"]
    assert RegisteredMethod.objects.count() == 0


def test_duplicate_active_registration_conflicts(api_client, provider):
    api_client.force_authenticate(provider)
    api_client.post(URL, REGISTRATION, format="json")

    response = api_client.post(URL, REGISTRATION, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert RegisteredMethod.objects.count() == 1


def test_retire_then_register_again(api_client, provider):
    api_client.force_authenticate(provider)
    created = api_client.post(URL, REGISTRATION, format="json").json()

    retired = api_client.post(f"{URL}{created['id']}/retire/")
    again = api_client.post(f"{URL}{created['id']}/retire/")
    renewed = api_client.post(URL, REGISTRATION, format="json")

    assert retired.status_code == 200
    assert retired.json()["is_active"] is False
    assert again.status_code == 409
    assert renewed.status_code == 201
    assert RegisteredMethod.objects.filter(is_active=True).count() == 1


def test_other_roles_cannot_register(api_client, seller):
    api_client.force_authenticate(seller)

    response = api_client.post(URL, REGISTRATION, format="json")

    assert response.status_code == 403
    assert RegisteredMethod.objects.count() == 0


def test_unverified_provider_cannot_register(api_client, db):
    newcomer = UserFactory(
        role=Role.DIAGNOSTICS_PROVIDER,
        organisation__verification_status=VerificationStatus.PENDING,
        organisation__verified_at=None,
    )
    api_client.force_authenticate(newcomer)

    response = api_client.post(URL, REGISTRATION, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "organisation_not_verified"
    assert RegisteredMethod.objects.count() == 0


def test_cannot_retire_another_organisations_registration(api_client, provider):
    other = UserFactory(role=Role.DIAGNOSTICS_PROVIDER)
    api_client.force_authenticate(other)
    created = api_client.post(URL, REGISTRATION, format="json").json()
    api_client.force_authenticate(provider)

    response = api_client.post(f"{URL}{created['id']}/retire/")

    assert response.status_code == 404
    assert RegisteredMethod.objects.get().is_active is True


def test_list_query_count_does_not_grow_with_rows(api_client, provider, django_assert_num_queries):
    api_client.force_authenticate(provider)
    for number in range(5):
        api_client.post(URL, {**REGISTRATION, "instrument_serial": f"SN-{number}"}, format="json")

    with django_assert_num_queries(2):  # page count + page rows
        response = api_client.get(URL)

    assert response.json()["count"] == 5
