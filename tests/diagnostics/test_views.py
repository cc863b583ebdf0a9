"""HTML pages: the method catalogue and the estimate form with its forecast plot."""

from decimal import Decimal

import pytest
from django.utils import translation

from diagnostics.labels import DATA_TEXTS
from diagnostics.reference import reference_data

ESTIMATE = {
    "chemistry": "LFP",
    "rated_capacity_kwh": "60",
    "value_kind": "measured_capacity_kwh",
    "value": "54",
    "method": "full_discharge",
    "age_years": "4",
    "cycles": "200",
}


@pytest.mark.django_db
def test_method_page_lists_every_method_with_uncertainty_and_source(client):
    response = client.get("/diagnostics/methods/")

    assert response.status_code == 200
    html = response.content.decode()
    for code in (
        "full_discharge",
        "hppc",
        "eis",
        "bms_readout",
        "partial_charge",
        "model_estimate",
    ):
        assert f'id="method-{code}"' in html
    assert "± 8 pp" in html
    assert "OBD dongle or OEM cloud API" in html
    assert 'id="source-research_notes_thirdparty"' in html
    assert "no headline SOH" in html


def test_estimate_needs_a_signed_in_user(client):
    response = client.get("/diagnostics/estimate/", ESTIMATE)

    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_estimate_shows_result_breakdown_and_svg_plot(client, buyer):
    client.force_login(buyer)

    response = client.get("/diagnostics/estimate/", ESTIMATE)

    assert response.status_code == 200
    html = response.content.decode()
    result = response.context["result"]
    assert (result.soh_pct, result.grade, result.residual_value_jpy) == (
        Decimal("90.0"),
        "A",
        Decimal("576824"),
    )
    assert "¥576,824" in html
    # The exchange rates are unsourced; the breakdown says so next to them.
    assert "Assumption, not a sourced rate (chosen 2026-11-24)" in html
    assert "<svg" in html
    assert "<polyline" in html
    assert "70 %" in html
    assert "60 %" in html
    assert "<script" not in html.split("<main>")[1].split("</main>")[0]
    assert 'id="breakdown"' in html
    plot = response.context["plot"]
    assert plot.start_label == "90.0"
    assert len(plot.points.split(" ")) == 31  # years 0..30: 60 % is beyond 28 years


def test_safety_flag_on_the_form_sends_to_recycling(client, buyer):
    client.force_login(buyer)

    response = client.get("/diagnostics/estimate/", {**ESTIMATE, "safety_flags": ["swelling"]})

    assert response.context["result"].grade == "R"
    assert "A safety finding sends this pack to recycling." in response.content.decode()


def test_engine_errors_land_on_the_form_field(client, buyer):
    client.force_login(buyer)

    response = client.get("/diagnostics/estimate/", {**ESTIMATE, "value": "61.5"})

    assert "result" not in response.context
    assert response.context["form"].errors == {
        "value": [
            "Must not exceed rated_capacity_kwh by more than the uncertainty of full_discharge "
            "(2 pp): at most 61.2 kWh."
        ]
    }


def test_empty_form_shows_no_result(client, buyer):
    client.force_login(buyer)

    response = client.get("/diagnostics/estimate/")

    assert response.status_code == 200
    assert "result" not in response.context
    assert response.context["form"].errors == {}


def test_every_data_text_is_marked_for_translation():
    data = reference_data()
    texts = set()
    for method in data.methods.values():
        texts |= {method.name, method.typical_duration.value, method.equipment.value}
        texts.add(method.reproducibility)
    texts |= {rule.recommended_use for rule in data.grading.grades}
    texts.add(data.grading.recycling_use)

    assert texts - DATA_TEXTS == set()


def test_japanese_page_renders(client):
    with translation.override("ja"):
        response = client.get("/diagnostics/methods/", HTTP_ACCEPT_LANGUAGE="ja")

    assert response.status_code == 200


def test_second_result_is_combined_and_a_conflict_is_shown(client, buyer):
    client.force_login(buyer)

    response = client.get(
        "/diagnostics/estimate/",
        {
            **ESTIMATE,
            "rated_capacity_kwh": "100",
            "value": "80",
            "second_method": "bms_readout",
            "second_value_kind": "soh_pct",
            "second_value": "92",
        },
    )

    result = response.context["result"]
    assert (result.soh_pct, result.conflict) == (Decimal("80.7"), True)
    assert "The results conflict" in response.content.decode()


def test_second_result_without_a_value_is_a_field_error(client, buyer):
    client.force_login(buyer)

    response = client.get("/diagnostics/estimate/", {**ESTIMATE, "second_method": "bms_readout"})

    assert "result" not in response.context
    assert response.context["form"].errors == {
        "second_value": ["Give exactly one of measured_capacity_kwh, soce_pct or soh_pct."]
    }
