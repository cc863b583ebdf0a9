"""Parse and validate a diagnose request (the `diagnose` command, the API and the HTML form).

Input (DESIGN.md): {chemistry, rated_capacity_kwh, measured_capacity_kwh | soce_pct | soh_pct,
method, age_years, odometer_km?, cycles?, resistance_increase_pct?, safety_flags: [..]}.
Extension: `measurements?: [{method, measured_capacity_kwh | soce_pct | soh_pct}, ..]` adds
further results for the same pack, combined with the first one.
Unknown keys are refused so that a misspelt optional field is not silently ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from diagnostics.exceptions import DiagnoseInputError
from diagnostics.reference import ReferenceData

VALUE_FIELDS = ("measured_capacity_kwh", "soce_pct", "soh_pct")
TOP_LEVEL_FIELDS = frozenset(
    {
        "chemistry",
        "rated_capacity_kwh",
        *VALUE_FIELDS,
        "method",
        "age_years",
        "odometer_km",
        "cycles",
        "resistance_increase_pct",
        "safety_flags",
        "measurements",
    }
)
MEASUREMENT_FIELDS = frozenset({"method", *VALUE_FIELDS})
# An SOH is a share of the rating: a percentage above 100 is an entry error. A measured
# capacity may read above the rating by at most the method's uncertainty (u95): within it, it is
# measurement noise on a healthy pack (the headline is then capped at 100 %, normalise.py);
# beyond it, a unit or entry error.
MAX_PCT = Decimal("100")
HUNDRED = Decimal("100")
MAX_EXTRA_MEASUREMENTS = 20
# Plausibility ceilings: far beyond any real pack, low enough that the ageing model's floats
# stay finite. A value above one is an entry error, not a battery.
MAXIMUMS = {
    "rated_capacity_kwh": Decimal("100000"),
    "age_years": Decimal("100"),
    "odometer_km": Decimal("10000000"),
    "cycles": Decimal("100000"),
    "resistance_increase_pct": Decimal("1000"),
}


@dataclass(frozen=True)
class Measurement:
    method: str
    value_field: str  # one of VALUE_FIELDS
    value: Decimal


@dataclass(frozen=True)
class DiagnoseRequest:
    chemistry: str
    rated_capacity_kwh: Decimal
    measurements: tuple[Measurement, ...]
    age_years: Decimal
    odometer_km: Decimal | None
    cycles: Decimal | None
    resistance_increase_pct: Decimal | None
    safety_flags: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        first = self.measurements[0]
        data: dict[str, Any] = {
            "chemistry": self.chemistry,
            "rated_capacity_kwh": self.rated_capacity_kwh,
            first.value_field: first.value,
            "method": first.method,
            "age_years": self.age_years,
            "odometer_km": self.odometer_km,
            "cycles": self.cycles,
            "resistance_increase_pct": self.resistance_increase_pct,
            "safety_flags": list(self.safety_flags),
        }
        if len(self.measurements) > 1:
            data["measurements"] = [
                {"method": item.method, item.value_field: item.value}
                for item in self.measurements[1:]
            ]
        return data


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def number(
        self, data: Mapping, field: str, path: str, *, required: bool, minimum: Decimal | None
    ) -> Decimal | None:
        name = f"{path}{field}"
        if field not in data or data[field] is None:
            if required:
                self.add(name, _("This field is required."))
            return None
        value = _to_decimal(data[field])
        if value is None:
            self.add(name, _("A number is required."))
            return None
        if minimum is not None and value < minimum:
            self.add(name, _("Must be at least %(minimum)s.") % {"minimum": minimum})
            return None
        maximum = MAXIMUMS.get(field)
        if maximum is not None and value > maximum:
            self.add(name, _("Must be at most %(maximum)s.") % {"maximum": maximum})
            return None
        return value


def _to_decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return None
        raw = repr(raw)  # shortest text that round-trips, so 52.3 stays 52.3
    if isinstance(raw, int | Decimal | str):
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            return None
        return value if value.is_finite() else None
    return None


def _measurement(
    data: Mapping, path: str, rated: Decimal | None, errors: _Errors, reference: ReferenceData
) -> Measurement | None:
    method = data.get("method")
    method_ok = False
    if method is None:
        errors.add(f"{path}method", _("This field is required."))
    elif not isinstance(method, str) or method not in reference.methods:
        errors.add(
            f"{path}method",
            _("Unknown method %(method)s; known methods: %(known)s.")
            % {"method": method, "known": ", ".join(reference.methods)},
        )
    elif not reference.methods[method].gives_headline_soh:
        errors.add(
            f"{path}method",
            _(
                "Method %(method)s does not measure capacity or energy, so it cannot give a "
                "headline SOH; send its resistance result as resistance_increase_pct."
            )
            % {"method": method},
        )
    else:
        method_ok = True

    given = [field for field in VALUE_FIELDS if data.get(field) is not None]
    if len(given) != 1:
        errors.add(
            f"{path}{VALUE_FIELDS[0]}",
            _("Give exactly one of measured_capacity_kwh, soce_pct or soh_pct."),
        )
        return None
    field = given[0]
    value = errors.number(data, field, path, required=True, minimum=None)
    if value is None:
        return None
    if value <= 0:
        errors.add(f"{path}{field}", _("Must be greater than zero."))
        return None
    if field == "measured_capacity_kwh":
        if method_ok and rated is not None:
            u95_pp = reference.methods[method].u95_pp.value
            limit = rated * (HUNDRED + u95_pp) / HUNDRED
            if value > limit:
                errors.add(
                    f"{path}{field}",
                    _(
                        "Must not exceed rated_capacity_kwh by more than the uncertainty of "
                        "%(method)s (%(u95)s pp): at most %(limit)s kWh."
                    )
                    % {"method": method, "u95": u95_pp, "limit": limit},
                )
                return None
    elif value > MAX_PCT:
        errors.add(
            f"{path}{field}", _("Must not be more than 100: an SOH is a share of the rating.")
        )
        return None
    if not method_ok or (field == "measured_capacity_kwh" and rated is None):
        return None
    return Measurement(method=method, value_field=field, value=value)


def parse_request(data: Any, reference: ReferenceData) -> DiagnoseRequest:
    """Validate raw input (a JSON object) or raise DiagnoseInputError with field errors."""
    if not isinstance(data, Mapping):
        raise DiagnoseInputError(_("The input must be a JSON object."))
    errors = _Errors()
    for key in sorted(set(data) - TOP_LEVEL_FIELDS, key=str):
        errors.add(str(key), _("Unknown field."))

    chemistry = data.get("chemistry")
    if chemistry is None:
        errors.add("chemistry", _("This field is required."))
    elif not isinstance(chemistry, str) or chemistry.upper() not in reference.ageing.chemistries:
        errors.add(
            "chemistry",
            _("Unknown chemistry %(chemistry)s; known chemistries: %(known)s.")
            % {"chemistry": chemistry, "known": ", ".join(reference.ageing.chemistries)},
        )
        chemistry = None
    else:
        chemistry = chemistry.upper()

    rated = errors.number(data, "rated_capacity_kwh", "", required=True, minimum=None)
    if rated is not None and rated <= 0:
        errors.add("rated_capacity_kwh", _("Must be greater than zero."))
        rated = None
    measurements = [_measurement(data, "", rated, errors, reference)]
    extra = data.get("measurements")
    if extra is not None:
        if not isinstance(extra, list) or len(extra) > MAX_EXTRA_MEASUREMENTS:
            errors.add(
                "measurements",
                _("Must be a list of at most %(count)s measurements.")
                % {"count": MAX_EXTRA_MEASUREMENTS},
            )
        else:
            for index, item in enumerate(extra):
                path = f"measurements.{index}."
                if not isinstance(item, Mapping):
                    errors.add(f"measurements.{index}", _("Must be an object."))
                    continue
                for key in sorted(set(item) - MEASUREMENT_FIELDS, key=str):
                    errors.add(f"{path}{key}", _("Unknown field."))
                measurements.append(_measurement(item, path, rated, errors, reference))

    zero = Decimal(0)
    age = errors.number(data, "age_years", "", required=True, minimum=zero)
    odometer = errors.number(data, "odometer_km", "", required=False, minimum=zero)
    cycles = errors.number(data, "cycles", "", required=False, minimum=zero)
    resistance = errors.number(data, "resistance_increase_pct", "", required=False, minimum=zero)
    flags = _safety_flags(data, errors, reference)

    if errors.fields:
        raise DiagnoseInputError(fields=errors.fields)
    return DiagnoseRequest(
        chemistry=chemistry,
        rated_capacity_kwh=rated,
        measurements=tuple(measurements),
        age_years=age,
        odometer_km=odometer,
        cycles=cycles,
        resistance_increase_pct=resistance,
        safety_flags=flags,
    )


def _safety_flags(data: Mapping, errors: _Errors, reference: ReferenceData) -> tuple[str, ...]:
    known = reference.grading.safety_flags.value
    if "safety_flags" not in data or data["safety_flags"] is None:
        errors.add("safety_flags", _("This field is required; send [] when there are none."))
        return ()
    flags = data["safety_flags"]
    if not isinstance(flags, list) or not all(isinstance(flag, str) for flag in flags):
        errors.add("safety_flags", _("Must be a list of flag names."))
        return ()
    unknown = [flag for flag in flags if flag not in known]
    if unknown:
        errors.add(
            "safety_flags",
            _("Unknown safety flag(s) %(flags)s; known flags: %(known)s.")
            % {"flags": ", ".join(unknown), "known": ", ".join(known)},
        )
    return tuple(dict.fromkeys(flags))
