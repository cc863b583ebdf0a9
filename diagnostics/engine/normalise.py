"""Headline SOH and its uncertainty band; combination of several results for one pack.

Every method's `u95_pp` is an expanded (95 %, k = 2) uncertainty in percentage points, so the
standard uncertainty is sigma = u95 / 2 (diagnostics.md 1.9). Several results combine by the
inverse-variance weighted mean, s = sum(s_i / sigma_i^2) / sum(1 / sigma_i^2), with
sigma_s = sum(1 / sigma_i^2)^-1/2; a result conflicts when
|s_i - s| > 2 * sqrt(sigma_i^2 + sigma_s^2).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from diagnostics.engine.inputs import Measurement
from diagnostics.reference import MethodSpec

HUNDRED = Decimal(100)
TWO = Decimal(2)
SOH_STEP = Decimal("0.1")  # reported precision; no method is better than 1 pp at u95

MEASURANDS = {
    "measured_capacity_kwh": "SOH_E",  # measured / rated, both in kWh
    "soce_pct": "SOCE",
    "soh_pct": "SOH",  # as reported by the provider; definition not stated
}


@dataclass(frozen=True)
class Reading:
    method: MethodSpec
    measurand: str
    input_field: str
    input_value: Decimal
    soh_pct: Decimal  # unrounded
    u95_pp: Decimal

    @property
    def sigma_pp(self) -> Decimal:
        return self.u95_pp / TWO


@dataclass(frozen=True)
class Estimate:
    soh_pct: Decimal  # rounded to SOH_STEP
    u95_pp: Decimal  # rounded to SOH_STEP
    soh_low_pct: Decimal
    soh_high_pct: Decimal
    conflict: bool
    breakdown: dict


def round_pct(value: Decimal) -> Decimal:
    return value.quantize(SOH_STEP, rounding=ROUND_HALF_UP)


def reading_from(measurement: Measurement, method: MethodSpec, rated_kwh: Decimal) -> Reading:
    if measurement.value_field == "measured_capacity_kwh":
        # Input validation allowed at most u95 above the rating: noise on a healthy pack,
        # so the SOH is 100 %, not more (inputs.py).
        soh = min(measurement.value / rated_kwh * HUNDRED, HUNDRED)
    else:
        soh = measurement.value
    return Reading(
        method=method,
        measurand=MEASURANDS[measurement.value_field],
        input_field=measurement.value_field,
        input_value=measurement.value,
        soh_pct=soh,
        u95_pp=method.u95_pp.value,
    )


def combine(readings: list[Reading]) -> Estimate:
    """One headline from one or more readings of the same pack."""
    if len(readings) == 1:
        mean, sigma = readings[0].soh_pct, readings[0].sigma_pp
    else:
        weights = [1 / (reading.sigma_pp**2) for reading in readings]
        total = sum(weights, Decimal(0))
        mean = sum((w * r.soh_pct for w, r in zip(weights, readings, strict=True)), Decimal(0))
        mean = mean / total
        sigma = (1 / total).sqrt()

    conflicts = []
    residuals = []
    for reading in readings:
        residual = abs(reading.soh_pct - mean)
        allowed = TWO * (reading.sigma_pp**2 + sigma**2).sqrt()
        residuals.append({"method": reading.method.code, "residual_pp": round_pct(residual)})
        if len(readings) > 1 and residual > allowed:
            conflicts.append(
                {
                    "method": reading.method.code,
                    "soh_pct": round_pct(reading.soh_pct),
                    "residual_pp": round_pct(residual),
                    "allowed_pp": round_pct(allowed),
                }
            )

    soh = round_pct(mean)
    u95 = round_pct(TWO * sigma)
    low = max(soh - u95, Decimal("0.0"))
    high = soh + u95
    breakdown = {
        "measurements": [_describe(reading) for reading in readings],
        "combination": {
            "method": "single" if len(readings) == 1 else "inverse_variance_weighted_mean",
            "rule": (
                "s = sum(s_i/sigma_i^2)/sum(1/sigma_i^2); sigma_s = sum(1/sigma_i^2)^-1/2; "
                "sigma_i = u95_i/2; conflict if |s_i - s| > 2*sqrt(sigma_i^2 + sigma_s^2)"
            ),
            "soh_pct": soh,
            "u95_pp": u95,
            "band": "soh_pct +/- u95_pp (95 %)",
            "residuals": residuals if len(readings) > 1 else [],
            "conflict": bool(conflicts),
            "conflicts": conflicts,
        },
    }
    return Estimate(
        soh_pct=soh,
        u95_pp=u95,
        soh_low_pct=low,
        soh_high_pct=high,
        conflict=bool(conflicts),
        breakdown=breakdown,
    )


def _describe(reading: Reading) -> dict:
    method = reading.method
    return {
        "method": method.code,
        "method_name": method.name,
        "measurand": reading.measurand,
        "input": {reading.input_field: reading.input_value},
        "soh_pct": round_pct(reading.soh_pct),
        "u95_pp": reading.u95_pp,
        "u95_source": method.u95_pp.source,
        "u95_quality": method.u95_pp.quality,
    }
