"""Every 4xx from the API has one shape: {"error": {"code", "message", "fields"}}."""

import pytest


@pytest.mark.django_db
def test_unknown_api_path_answers_json_not_html(api_client):
    response = api_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


@pytest.mark.django_db
def test_method_not_allowed_has_the_error_shape(api_client, seller):
    api_client.force_authenticate(seller)

    response = api_client.delete("/api/v1/me/")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_malformed_json_is_a_400_with_the_error_shape(api_client, seller):
    api_client.force_authenticate(seller)

    response = api_client.post("/api/v1/tokens/", data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


@pytest.mark.django_db
def test_nested_validation_errors_are_flattened_to_field_paths(api_client, staff):
    api_client.force_authenticate(staff)

    response = api_client.post("/api/v1/auth/signup/", {"legal_name": ""}, format="json")

    error = response.json()["error"]
    assert response.status_code == 400
    assert error["fields"]["legal_name"] == ["This field may not be blank."]
    assert error["message"] == "legal_name: This field may not be blank."


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/organisations/" in schema.content
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
