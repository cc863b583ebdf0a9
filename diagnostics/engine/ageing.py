"""Remaining-life forecast: NREL BLAST-Lite calendar + cycle capacity terms, calibrated.

    loss(t, EFC) = Q_cal(t) + Q_cyc(EFC)            (t in days, EFC full equivalent cycles)
    scalar       = max(floor, (1 - s_m) / loss(t0, EFC0))           (diagnostics.md 2.3 step 2)
    q(t0 + d)    = s_m - scalar * (loss(t0 + d, EFC0 + rate * d) - loss(t0, EFC0))

The pack keeps its own observed usage rate (EFC0 / age) at the reference conditions of
ageing.yaml. Conditions are constant, so BLAST-Lite's equivalent-time update reduces to this
closed form. Floats are used only inside the model; results leave as rounded Decimals.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from diagnostics.reference import Ageing, AgeingModel

DAYS_PER_YEAR = 365.0  # the note's illustrative outputs use 365-day years
KELVIN_OFFSET = 273.15
YEARS_STEP = Decimal("0.1")
SCALAR_STEP = Decimal("0.0001")
EFC_STEP = Decimal("0.1")
_BISECTION_STEPS = 80


def anode_potential(soc: float) -> float:
    """Graphite anode potential Ua(SOC), Safari & Delacourt 2011, as used by BLAST-Lite."""
    xa = 0.0085 + soc * (0.78 - 0.0085)
    return (
        0.6379
        + 0.5416 * math.exp(-305.5309 * xa)
        + 0.044 * math.tanh(-(xa - 0.1958) / 0.1088)
        - 0.1978 * math.tanh((xa - 1.0571) / 0.0854)
        - 0.6875 * math.tanh((xa + 0.0117) / 0.0529)
        - 0.0175 * math.tanh((xa - 0.5692) / 0.0875)
    )


@dataclass(frozen=True)
class Conditions:
    temperature_k: float
    soc: float
    dod: float
    c_rate: float

    @classmethod
    def from_data(cls, ageing: Ageing) -> Conditions:
        values = {key: float(item.value) for key, item in ageing.conditions.items()}
        return cls(
            temperature_k=values["temperature_c"] + KELVIN_OFFSET,
            soc=values["soc_mean"],
            dod=values["depth_of_discharge"],
            c_rate=values["c_rate"],
        )


LossTerm = Callable[[float], float]


def loss_terms(model: AgeingModel, conditions: Conditions) -> tuple[LossTerm, LossTerm]:
    """(calendar loss of t_days, cycle loss of EFC) as fractions of rated capacity."""
    p = model.param
    temp = conditions.temperature_k
    if model.form == "lfp_blast":
        ua = anode_potential(conditions.soc)
        k_cal = p("p1") * math.exp(p("p2") / temp) * math.exp(p("p3") * ua / temp)
        k_cyc = (p("p4") + p("p5") * conditions.dod + p("p6") * conditions.c_rate) * (
            math.exp(p("p7") / temp) + math.exp(-p("p8") / temp)
        )
        return (lambda days: k_cal * days ** p("pcal")), (lambda efc: k_cyc * efc ** p("pcyc"))
    if model.form == "nmc_kokam_blast":
        tn = temp / 308.15
        ua_n = anode_potential(conditions.soc) / 0.123
        q1 = p("q1_0") * math.exp(p("q1_1") / tn) * math.exp(p("q1_2") * ua_n / tn)
        q3 = (
            p("q3_0") * math.exp(p("q3_1") / tn) * math.exp(p("q3_2") * math.exp(conditions.dod**2))
        )
        return (lambda days: q1 * days ** p("q2")), (lambda efc: q3 * efc ** p("q4"))
    if model.form == "lmo_leaf_blast":
        k_cal = p("a") * math.exp(p("b") / temp) * math.exp(p("c") * conditions.soc / temp)
        return (lambda days: k_cal * days ** p("pcal")), (lambda efc: p("d") * efc ** p("pcyc"))
    raise ValueError(f"unknown ageing model form {model.form!r}")  # the loader prevents this


@dataclass(frozen=True)
class Usage:
    efc_to_date: float
    efc_per_year: float
    basis: str


def infer_usage(
    *,
    rated_capacity_kwh: Decimal,
    age_years: Decimal,
    cycles: Decimal | None,
    odometer_km: Decimal | None,
    ageing: Ageing,
) -> Usage:
    """Cycles so far and per year: counted cycles, else odometer, else the default rate."""
    default_rate = float(ageing.default_efc_per_year.value)
    if cycles is not None:
        efc, basis = float(cycles), "cycles"
    elif odometer_km is not None:
        consumption = ageing.consumption_kwh_per_km.value
        efc = float(odometer_km * consumption / rated_capacity_kwh)
        basis = "odometer_km * consumption_kwh_per_km / rated_capacity_kwh"
    else:
        return Usage(default_rate * float(age_years), default_rate, "default_efc_per_year")
    rate = efc / float(age_years) if age_years > 0 else default_rate
    return Usage(efc, rate, basis)


class Forecast:
    """A calibrated capacity trajectory for one pack from its measured SOH onwards."""

    def __init__(
        self,
        *,
        model: AgeingModel,
        ageing: Ageing,
        soh_pct: Decimal,
        age_years: Decimal,
        usage: Usage,
    ) -> None:
        self.model = model
        self.ageing = ageing
        self.usage = usage
        self.start = float(soh_pct) / 100
        self.age_days = float(age_years) * DAYS_PER_YEAR
        self.calendar, self.cycle = loss_terms(model, Conditions.from_data(ageing))
        self.model_loss_to_date = self.calendar(self.age_days) + self.cycle(usage.efc_to_date)
        floor = float(ageing.scalar_floor.value)
        measured_loss = 1 - self.start
        if self.model_loss_to_date > 0:
            self.calibrated_scalar = measured_loss / self.model_loss_to_date
        else:
            self.calibrated_scalar = floor
        self.scalar = max(self.calibrated_scalar, floor)
        self.horizon_years = float(ageing.horizon_years.value)

    def with_usage_rate(self, multiplier: Decimal) -> Forecast:
        """The same calibrated pack used `multiplier` times as hard from now on (the
        calibration looks only at the past, so it is unchanged)."""
        changed = copy.copy(self)
        changed.usage = Usage(
            self.usage.efc_to_date,
            self.usage.efc_per_year * float(multiplier),
            f"{self.usage.basis} * {multiplier}",
        )
        return changed

    def capacity_after(self, years: float, *, start: float | None = None) -> float:
        """Remaining capacity fraction `years` from now."""
        days = self.age_days + years * DAYS_PER_YEAR
        efc = self.usage.efc_to_date + self.usage.efc_per_year * years
        added = self.calendar(days) + self.cycle(efc) - self.model_loss_to_date
        return (self.start if start is None else start) - self.scalar * added

    def years_to(
        self, threshold_pct: Decimal, *, start_pct: Decimal | None = None
    ) -> Decimal | None:
        """Years until capacity falls to the threshold, rounded down to 0.1; None if not
        within the horizon. Rounded down so the platform never states more life than modelled."""
        start = self.start if start_pct is None else float(start_pct) / 100
        target = float(threshold_pct) / 100
        if start <= target:
            return Decimal("0.0")
        if self.capacity_after(self.horizon_years, start=start) > target:
            return None
        low, high = 0.0, self.horizon_years
        for _step in range(_BISECTION_STEPS):
            middle = (low + high) / 2
            if self.capacity_after(middle, start=start) > target:
                low = middle
            else:
                high = middle
        return Decimal(repr(round(high, 6))).quantize(YEARS_STEP, rounding=ROUND_DOWN)

    def curve(self, until_years: int) -> list[tuple[int, Decimal]]:
        """(years from now, SOH %) at whole years, for the forecast plot."""
        return [
            (year, to_decimal(max(self.capacity_after(year), 0.0) * 100, YEARS_STEP))
            for year in range(until_years + 1)
        ]

    def describe(self) -> dict:
        conditions = self.ageing.conditions
        return {
            "data_version": self.ageing.version,
            "model": self.model.name,
            "model_file": self.model.file,
            "equations": self.model.equations,
            "parameters": {key: item.describe() for key, item in self.model.params.items()},
            "conditions": {key: item.describe() for key, item in conditions.items()},
            "usage_basis": self.usage.basis,
            "efc_to_date": to_decimal(self.usage.efc_to_date, EFC_STEP),
            "efc_per_year": to_decimal(self.usage.efc_per_year, EFC_STEP),
            "model_loss_to_date_pct": to_decimal(self.model_loss_to_date * 100, Decimal("0.01")),
            "calibrated_scalar": to_decimal(self.calibrated_scalar, SCALAR_STEP),
            "scalar_used": to_decimal(self.scalar, SCALAR_STEP),
            "scalar_floor": self.ageing.scalar_floor.describe(),
            "horizon_years": self.ageing.horizon_years.value,
            "rounding": "years rounded down to 0.1; null = not reached within horizon_years",
        }


def to_decimal(value: float, step: Decimal) -> Decimal:
    return Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP)
