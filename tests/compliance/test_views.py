import pytest

PRECHECK_PAGE = "/compliance/precheck/"
RULES_PAGE = "/compliance/rules/"


@pytest.mark.parametrize("person", ["officer", "staff"])
def test_rules_page_lists_version_rules_sources_and_confidence(client, request, person):
    client.force_login(request.getfixturevalue(person))

    response = client.get(RULES_PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "2026.11.24-draft.2" in page
    assert "SANC-JP-RU-VEHICLES" in page
    assert "S32: NHK - Japan Russia export ban expansion" in page
    assert 'class="badge rejected">inference<' in page


def test_dealer_gets_403_on_the_rules_page(client, seller):
    client.force_login(seller)

    response = client.get(RULES_PAGE)

    assert response.status_code == 403
    assert "SANC-JP-RU-VEHICLES" not in response.content.decode()


def test_rules_page_sends_anonymous_visitors_to_log_in(client):
    response = client.get(RULES_PAGE)

    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_precheck_page_shows_an_empty_form_first(client, buyer):
    client.force_login(buyer)

    response = client.get(PRECHECK_PAGE)

    assert response.status_code == 200
    assert response.context["result"] is None


def test_precheck_page_renders_the_explained_result(client, buyer):
    client.force_login(buyer)

    response = client.get(
        PRECHECK_PAGE,
        {
            "material": "black_mass",
            "origin": "JP",
            "destination": "IN",
            "transit": "SG",
            "date": "2026-01-15",
        },
    )

    assert response.status_code == 200
    result = response.context["result"]
    assert (result.allowed, result.regime) == (True, "basel_pic")
    page = response.content.decode()
    assert "written consent required" in page
    assert "MOE environmental confirmation (non-OECD destination)" in page
    assert "BAN-AMENDMENT-GENERIC" in page


def test_precheck_page_puts_bad_assay_on_its_field(client, buyer):
    client.force_login(buyer)

    response = client.get(
        PRECHECK_PAGE,
        {"material": "black_mass", "origin": "JP", "destination": "CN", "assay": "Ni=lots"},
    )

    assert response.status_code == 200
    assert response.context["result"] is None
    assert response.context["form"].errors == {
        "assay": ["Ni: 'lots' is not a percentage between 0 and 100."]
    }


def test_precheck_page_needs_login(client):
    response = client.get(PRECHECK_PAGE)

    assert response.status_code == 302
