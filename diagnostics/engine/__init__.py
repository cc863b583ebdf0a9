"""The diagnostics engine: pure functions from one request to one comparable statement.

    request = parse_request(raw_json_object)       # DiagnoseInputError on bad input
    result = diagnose(request)                     # DiagnosisResult, Decimals throughout

No database, no I/O beyond the cached, validated data files (diagnostics/reference.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from diagnostics.engine.ageing import Forecast, infer_usage
from diagnostics.engine.grading import grade_pack
from diagnostics.engine.inputs import DiagnoseRequest
from diagnostics.engine.inputs import parse_request as _parse_request
from diagnostics.engine.normalise import Reading, combine, reading_from
from diagnostics.engine.valuation import (
    MetalPrice,
    RecyclingValue,
    recycling_value,
    residual_value,
)
from diagnostics.reference import ReferenceData, reference_data

__all__ = [
    "DiagnoseRequest",
    "MetalPrice",
    "DiagnosisResult",
    "diagnose",
    "diagnose_readings",
    "parse_request",
]

THRESHOLD_70 = Decimal(70)
THRESHOLD_60 = Decimal(60)


@dataclass(frozen=True)
class DiagnosisResult:
    soh_pct: Decimal
    soh_low_pct: Decimal
    soh_high_pct: Decimal
    grade: str
    recommended_use: str
    years_to_70_pct: Decimal | None
    years_to_60_pct: Decimal | None
    residual_value_jpy: Decimal
    u95_pp: Decimal
    conflict: bool
    breakdown: dict
    forecast: Forecast
    recycling: RecyclingValue | None = None

    def as_dict(self) -> dict[str, Any]:
        """The output object of the diagnose interface (DESIGN.md), keys in that order."""
        return {
            "soh_pct": self.soh_pct,
            "soh_low_pct": self.soh_low_pct,
            "soh_high_pct": self.soh_high_pct,
            "grade": self.grade,
            "recommended_use": self.recommended_use,
            "years_to_70_pct": self.years_to_70_pct,
            "years_to_60_pct": self.years_to_60_pct,
            "residual_value_jpy": self.residual_value_jpy,
            "breakdown": self.breakdown,
        }


def parse_request(data: Any, reference: ReferenceData | None = None) -> DiagnoseRequest:
    return _parse_request(data, reference or reference_data())


def diagnose(
    request: DiagnoseRequest,
    reference: ReferenceData | None = None,
    *,
    metal_prices: dict[str, MetalPrice] | None = None,
) -> DiagnosisResult:
    """`metal_prices`: reference prices for the recycling-value floor (None: not estimated)."""
    reference = reference or reference_data()
    readings = [
        reading_from(item, reference.methods[item.method], request.rated_capacity_kwh)
        for item in request.measurements
    ]
    return diagnose_readings(request, readings, reference, metal_prices=metal_prices)


def diagnose_readings(
    request: DiagnoseRequest,
    readings: list[Reading],
    reference: ReferenceData | None = None,
    *,
    metal_prices: dict[str, MetalPrice] | None = None,
) -> DiagnosisResult:
    """`diagnose` on readings built by the caller: certificates carry the uncertainty their
    provider registered, and a pack's assessment combines several stored certificates."""
    reference = reference or reference_data()
    recycling = recycling_value(
        chemistry=request.chemistry,
        rated_capacity_kwh=request.rated_capacity_kwh,
        metal_prices=metal_prices,
        valuation=reference.valuation,
    )
    estimate = combine(readings)
    graded = grade_pack(
        soh_pct=estimate.soh_pct,
        soh_low_pct=estimate.soh_low_pct,
        resistance_increase_pct=request.resistance_increase_pct,
        safety_flags=request.safety_flags,
        methods_used={reading.method.code for reading in readings},
        grading=reference.grading,
    )

    model_name, is_proxy = reference.ageing.chemistries[request.chemistry]
    usage = infer_usage(
        rated_capacity_kwh=request.rated_capacity_kwh,
        age_years=request.age_years,
        cycles=request.cycles,
        odometer_km=request.odometer_km,
        ageing=reference.ageing,
    )
    forecast = Forecast(
        model=reference.ageing.models[model_name],
        ageing=reference.ageing,
        soh_pct=estimate.soh_pct,
        age_years=request.age_years,
        usage=usage,
    )
    thresholds = {THRESHOLD_70, THRESHOLD_60} | {
        app.end_of_life_soh_pct.value for app in reference.valuation.applications.values()
    }
    years = {threshold: forecast.years_to(threshold) for threshold in sorted(thresholds)}
    valued = residual_value(
        grade=graded.grade,
        rated_capacity_kwh=request.rated_capacity_kwh,
        soh_pct=estimate.soh_pct,
        u95_pp=estimate.u95_pp,
        remaining_years_by_threshold=years,
        valuation=reference.valuation,
        recycling=recycling,
    )

    ageing_breakdown = forecast.describe()
    ageing_breakdown["chemistry"] = request.chemistry
    ageing_breakdown["chemistry_model_is_proxy"] = is_proxy
    ageing_breakdown["years_to_70_pct_band"] = {
        "from_soh_low": forecast.years_to(THRESHOLD_70, start_pct=estimate.soh_low_pct),
        "from_soh_high": forecast.years_to(THRESHOLD_70, start_pct=estimate.soh_high_pct),
    }
    breakdown = {
        "data_versions": reference.versions,
        "input": request.as_dict(),
        **estimate.breakdown,
        "grading": graded.breakdown,
        "ageing": ageing_breakdown,
        "valuation": valued.breakdown,
    }
    return DiagnosisResult(
        soh_pct=estimate.soh_pct,
        soh_low_pct=estimate.soh_low_pct,
        soh_high_pct=estimate.soh_high_pct,
        grade=graded.grade,
        recommended_use=graded.recommended_use,
        years_to_70_pct=years[THRESHOLD_70],
        years_to_60_pct=years[THRESHOLD_60],
        residual_value_jpy=valued.residual_value_jpy,
        u95_pp=estimate.u95_pp,
        conflict=estimate.conflict,
        breakdown=breakdown,
        forecast=forecast,
        recycling=recycling,
    )
