import pytest
from django.urls import reverse

PRECHECK_URL = "/api/v1/compliance/precheck/"
RULES_URL = "/api/v1/compliance/rules/"


def test_urls_are_where_the_interface_says():
    assert reverse("api-compliance-precheck") == PRECHECK_URL
    assert reverse("api-compliance-rules") == RULES_URL


def test_precheck_returns_the_same_object_as_the_service(api_client, buyer):
    api_client.force_authenticate(buyer)

    response = api_client.post(
        PRECHECK_URL,
        {
            "material": "black_mass",
            "origin": "JP",
            "destination": "CN",
            "date": "2026-01-15",
            "assay": {"Ni": "15", "Co": "6.1", "Li": "3.8", "P": "0.4", "F": "0.2"},
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is False
    assert body["regime"] == "prohibited"
    assert [block["code"] for block in body["blocks"]] == ["CN-IMPORT-BLACK-MASS-OFFSPEC"]
    assert body["rules_version"] == "2026.11.24-draft.2"


def test_precheck_with_transit_lists_the_transit_consent(api_client, outsider):
    api_client.force_authenticate(outsider)

    response = api_client.post(
        PRECHECK_URL,
        {
            "material": "end_of_life_pack",
            "origin": "DE",
            "destination": "NO",
            "transit": ["SE"],
            "date": "2026-12-01",
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["consents_required"] == [
        {"country": "DE", "role": "export", "tacit_after_days": 30},
        {"country": "NO", "role": "import", "tacit_after_days": 30},
        {"country": "SE", "role": "transit", "tacit_after_days": 30},
    ]


def test_precheck_needs_a_logged_in_user(api_client):
    response = api_client.post(
        PRECHECK_URL,
        {"material": "black_mass", "origin": "JP", "destination": "KR"},
        format="json",
    )

    assert response.status_code in (401, 403)
    assert "allowed" not in response.json()


def test_bad_precheck_input_gives_field_errors_in_the_standard_shape(api_client, buyer):
    api_client.force_authenticate(buyer)

    response = api_client.post(
        PRECHECK_URL,
        {
            "material": "black_mass",
            "origin": "JP",
            "destination": "CN",
            "assay": {"Ni": "lots", "Li": "3.8"},
        },
        format="json",
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"] == {"assay.Ni": ["A valid number is required."]}


def test_country_errors_come_back_per_field(api_client, buyer):
    api_client.force_authenticate(buyer)

    response = api_client.post(
        PRECHECK_URL,
        {"material": "black_mass", "origin": "XX", "destination": "KR", "transit": ["JPN"]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "origin": ["'XX' is not an ISO 3166-1 alpha-2 country code."],
        "transit": ["'JPN' is not an ISO 3166-1 alpha-2 country code."],
    }


def test_unknown_material_and_bad_date_are_field_errors(api_client, buyer):
    api_client.force_authenticate(buyer)

    response = api_client.post(
        PRECHECK_URL,
        {"material": "cars", "origin": "JP", "destination": "KR", "date": "2026-02-30"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"material", "date"}


@pytest.mark.parametrize("person", ["officer", "staff"])
def test_officers_and_staff_see_the_active_rules_version(api_client, request, person):
    api_client.force_authenticate(request.getfixturevalue(person))

    response = api_client.get(RULES_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "2026.11.24-draft.2"
    assert body["effective_from"] == "2026-11-22"
    assert [f["name"] for f in body["files"]] == [
        "sources.yaml",
        "countries.yaml",
        "deadlines.yaml",
        "documents.yaml",
        "materials.yaml",
        "rules.yaml",
    ]
    assert body["total_rows"] == sum(f["rows"] for f in body["files"])


def test_dealer_may_not_see_the_rules_summary(api_client, seller):
    api_client.force_authenticate(seller)

    response = api_client.get(RULES_URL)

    assert response.status_code == 403
    assert "version" not in response.json()
