"""Load and validate the versioned diagnostics data in diagnostics/data/*.yaml.

Every sourced value is written `{value, source, quality}`; `source` must be a key of
sources.yaml and `quality` one of QUALITIES. A broken file fails loudly with the file and the
dotted key, e.g. `diagnostics/data/methods.yaml: methods.hppc.u95_pp: expected a number`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
# "assumption": a value nobody has sourced (e.g. the exchange rates); it must carry `as_of`.
QUALITIES = frozenset({"primary", "secondary", "vendor", "estimate", "proposal", "assumption"})
MEASURES = frozenset({"capacity", "energy", "power_resistance", "safety"})
MODEL_FORMS = frozenset({"lfp_blast", "nmc_kokam_blast", "lmo_leaf_blast"})
# YAML 1.1 reads `8.37e4` (no sign in the exponent) as a string, so numeric text is accepted.
_NUMBER_TEXT = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


class ReferenceDataError(Exception):
    """The data files are broken; the message names the file and the key."""


@dataclass(frozen=True)
class Sourced:
    value: Any
    source: str
    quality: str
    as_of: str | None = None  # the date an unsourced assumption was chosen

    def describe(self) -> dict[str, Any]:
        described = {"value": self.value, "source": self.source, "quality": self.quality}
        if self.as_of is not None:
            described["as_of"] = self.as_of
        return described

    @property
    def is_assumption(self) -> bool:
        return self.quality == "assumption"


@dataclass(frozen=True)
class MethodSpec:
    code: str
    name: str
    reference_code: str
    measures: Sourced  # tuple[str, ...]
    typical_duration: Sourced
    equipment: Sourced
    u95_pp: Sourced  # Decimal | None
    reproducibility: str

    @property
    def gives_headline_soh(self) -> bool:
        return self.u95_pp.value is not None


@dataclass(frozen=True)
class GradeRule:
    code: str
    recommended_use: str
    soh_min_pct: Sourced
    soh_low_min_pct: Sourced | None
    resistance_increase_max_pct: Sourced | None
    not_from_methods_alone: Sourced | None


@dataclass(frozen=True)
class Grading:
    version: str
    grades: tuple[GradeRule, ...]
    recycling_code: str
    recycling_use: str
    safety_flags: Sourced  # tuple[str, ...]


@dataclass(frozen=True)
class AgeingModel:
    name: str
    form: str
    file: str
    equations: str
    params: dict[str, Sourced]

    def param(self, name: str) -> float:
        return float(self.params[name].value)


@dataclass(frozen=True)
class Ageing:
    version: str
    conditions: dict[str, Sourced]
    default_efc_per_year: Sourced
    consumption_kwh_per_km: Sourced
    scalar_floor: Sourced
    horizon_years: Sourced
    chemistries: dict[str, tuple[str, bool]]  # chemistry -> (model name, is a proxy)
    models: dict[str, AgeingModel]


@dataclass(frozen=True)
class Application:
    code: str
    label: str
    new_pack_price_usd_per_kwh: Sourced
    end_of_life_soh_pct: Sourced
    new_life_years: Sourced


@dataclass(frozen=True)
class Valuation:
    version: str
    usd_jpy: Sourced
    eur_jpy: Sourced
    applications: dict[str, Application]
    grade_applications: dict[str, str]
    z: Sourced
    a_trace: Sourced
    a_safety: Sourced
    repurpose_eur_per_kwh: Sourced
    test_jpy: Sourced
    logistics_jpy: Sourced
    factor_places: Sourced
    # Recycling value: metal per kWh by chemistry ({element: kg/kWh}) and payables (%).
    metal_kg_per_kwh: dict[str, Sourced]
    payable_pct: dict[str, Sourced]


@dataclass(frozen=True)
class GuaranteePricing:
    loading_factor: Sourced
    weight_low: Sourced
    weight_central: Sourced
    weight_high: Sourced
    usage_multiplier_low: Sourced
    usage_multiplier_high: Sourced
    max_term_years: Sourced


@dataclass(frozen=True)
class Assessment:
    version: str
    combination_window_days: Sourced
    guarantee_pricing: GuaranteePricing


@dataclass(frozen=True)
class ReferenceData:
    sources: dict[str, dict[str, Any]]
    methods: dict[str, MethodSpec]
    methods_version: str
    grading: Grading
    ageing: Ageing
    valuation: Valuation
    assessment: Assessment

    @property
    def versions(self) -> dict[str, str]:
        return {
            "methods": self.methods_version,
            "grading": self.grading.version,
            "ageing": self.ageing.version,
            "valuation": self.valuation.version,
        }


class _File:
    """Reads one YAML file; every complaint names the file and the dotted key."""

    def __init__(self, path: Path, source_keys: frozenset[str] | None = None) -> None:
        self.label = f"diagnostics/data/{path.name}"
        self.source_keys = source_keys
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ReferenceDataError(f"{self.label}: cannot be read ({error.strerror})") from error
        try:
            self.root = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ReferenceDataError(f"{self.label}: not valid YAML ({error})") from error
        if not isinstance(self.root, dict):
            raise ReferenceDataError(f"{self.label}: expected a mapping at the top level")

    def fail(self, key: str, problem: str) -> ReferenceDataError:
        return ReferenceDataError(f"{self.label}: {key}: {problem}")

    def get(self, node: dict, key: str, path: str, kind: type | tuple[type, ...]) -> Any:
        full = f"{path}.{key}" if path else key
        if not isinstance(node, dict) or key not in node:
            raise self.fail(full, "missing")
        value = node[key]
        if not isinstance(value, kind):
            raise self.fail(full, f"expected {_kind_name(kind)}, got {value!r}")
        return value

    def number(self, value: Any, key: str, *, allow_none: bool = False) -> Decimal | None:
        if value is None and allow_none:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.fail(key, f"expected a number, got {value!r}")
        text = str(value).strip()
        if not _NUMBER_TEXT.match(text):
            raise self.fail(key, f"expected a number, got {value!r}")
        number = Decimal(text)
        # Write 8.37e4 back as 83700, not 8.37E+4, wherever the value is shown.
        return Decimal(format(number, "f")) if number.as_tuple().exponent > 0 else number

    def sourced(self, node: dict, key: str, path: str, kind: str = "number") -> Sourced:
        full = f"{path}.{key}" if path else key
        entry = self.get(node, key, path, dict)
        if "value" not in entry:
            raise self.fail(f"{full}.value", "missing")
        source = self.get(entry, "source", full, str)
        quality = self.get(entry, "quality", full, str)
        if self.source_keys is not None and source not in self.source_keys:
            raise self.fail(f"{full}.source", f"unknown source key {source!r} (see sources.yaml)")
        if quality not in QUALITIES:
            raise self.fail(
                f"{full}.quality", f"{quality!r} is not one of {', '.join(sorted(QUALITIES))}"
            )
        raw = entry["value"]
        value: Any
        if kind == "number":
            value = self.number(raw, f"{full}.value")
        elif kind == "number_or_null":
            value = self.number(raw, f"{full}.value", allow_none=True)
        elif kind == "number_map":
            if not isinstance(raw, dict) or not raw:
                raise self.fail(f"{full}.value", f"expected a mapping of numbers, got {raw!r}")
            value = {
                str(name): self.number(item, f"{full}.value.{name}") for name, item in raw.items()
            }
        elif kind == "text":
            if not isinstance(raw, str) or not raw.strip():
                raise self.fail(f"{full}.value", f"expected text, got {raw!r}")
            value = raw
        else:  # "list"
            if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
                raise self.fail(f"{full}.value", f"expected a list of names, got {raw!r}")
            value = tuple(raw)
        as_of = entry.get("as_of")
        if as_of is not None:
            as_of = str(as_of)  # YAML reads 2026-11-24 as a date
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of):
                raise self.fail(f"{full}.as_of", f"expected a date YYYY-MM-DD, got {as_of!r}")
        if quality == "assumption" and as_of is None:
            raise self.fail(f"{full}.as_of", "an assumption needs the date it was chosen")
        return Sourced(value=value, source=source, quality=quality, as_of=as_of)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {dict: "a mapping", list: "a list", str: "text"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(item, item.__name__) for item in kinds)


def _load_sources(data_dir: Path) -> dict[str, dict[str, Any]]:
    file = _File(data_dir / "sources.yaml")
    sources = file.get(file.root, "sources", "", dict)
    for key, entry in sources.items():
        file.get(entry, "title", f"sources.{key}", str)
    return sources


def _load_methods(data_dir: Path, source_keys: frozenset[str]) -> tuple[str, dict]:
    file = _File(data_dir / "methods.yaml", source_keys)
    version = str(file.get(file.root, "version", "", str))
    methods: dict[str, MethodSpec] = {}
    for code, entry in file.get(file.root, "methods", "", dict).items():
        path = f"methods.{code}"
        measures = file.sourced(entry, "measures", path, "list")
        unknown = sorted(set(measures.value) - MEASURES)
        if unknown:
            raise file.fail(f"{path}.measures.value", f"unknown measure(s) {', '.join(unknown)}")
        u95 = file.sourced(entry, "u95_pp", path, "number_or_null")
        if u95.value is not None and u95.value <= 0:
            raise file.fail(f"{path}.u95_pp.value", "must be greater than zero")
        methods[code] = MethodSpec(
            code=code,
            name=file.get(entry, "name", path, str),
            reference_code=file.get(entry, "reference_code", path, str),
            measures=measures,
            typical_duration=file.sourced(entry, "typical_duration", path, "text"),
            equipment=file.sourced(entry, "equipment", path, "text"),
            u95_pp=u95,
            reproducibility=file.get(entry, "reproducibility", path, str),
        )
    if not methods:
        raise file.fail("methods", "no methods defined")
    return version, methods


def _load_grading(data_dir: Path, source_keys: frozenset[str], method_codes: set) -> Grading:
    file = _File(data_dir / "grading.yaml", source_keys)
    grades = []
    previous_min: Decimal | None = None
    for index, entry in enumerate(file.get(file.root, "grades", "", list)):
        path = f"grades.{index}"
        code = file.get(entry, "code", path, str)
        path = f"grades.{code}"
        soh_min = file.sourced(entry, "soh_min_pct", path)
        if previous_min is not None and soh_min.value >= previous_min:
            raise file.fail(f"{path}.soh_min_pct", "grades must be listed from best to worst")
        previous_min = soh_min.value
        optional = {
            name: (file.sourced(entry, name, path, kind) if name in entry else None)
            for name, kind in (
                ("soh_low_min_pct", "number"),
                ("resistance_increase_max_pct", "number"),
                ("not_from_methods_alone", "list"),
            )
        }
        excluded = optional["not_from_methods_alone"]
        if excluded is not None and set(excluded.value) - method_codes:
            raise file.fail(f"{path}.not_from_methods_alone", "names an unknown method code")
        grades.append(
            GradeRule(
                code=code,
                recommended_use=file.get(entry, "recommended_use", path, str),
                soh_min_pct=soh_min,
                **optional,
            )
        )
    recycling = file.get(file.root, "recycling", "", dict)
    return Grading(
        version=str(file.get(file.root, "version", "", str)),
        grades=tuple(grades),
        recycling_code=file.get(recycling, "code", "recycling", str),
        recycling_use=file.get(recycling, "recommended_use", "recycling", str),
        safety_flags=file.sourced(file.root, "safety_flags", "", "list"),
    )


def _load_ageing(data_dir: Path, source_keys: frozenset[str]) -> Ageing:
    file = _File(data_dir / "ageing.yaml", source_keys)
    root = file.root
    conditions_node = file.get(root, "reference_conditions", "", dict)
    conditions = {
        name: file.sourced(conditions_node, name, "reference_conditions")
        for name in ("temperature_c", "soc_mean", "depth_of_discharge", "c_rate")
    }
    usage = file.get(root, "usage", "", dict)
    calibration = file.get(root, "calibration", "", dict)
    models: dict[str, AgeingModel] = {}
    for name, entry in file.get(root, "models", "", dict).items():
        path = f"models.{name}"
        form = file.get(entry, "form", path, str)
        if form not in MODEL_FORMS:
            raise file.fail(f"{path}.form", f"unknown form {form!r}")
        params = {
            key: file.sourced(file.get(entry, "params", path, dict), key, f"{path}.params")
            for key in file.get(entry, "params", path, dict)
        }
        missing = sorted(_REQUIRED_PARAMS[form] - params.keys())
        if missing:
            raise file.fail(f"{path}.params", f"missing parameter(s) {', '.join(missing)}")
        models[name] = AgeingModel(
            name=name,
            form=form,
            file=file.get(entry, "file", path, str),
            equations=file.get(entry, "equations", path, str),
            params=params,
        )
    chemistries: dict[str, tuple[str, bool]] = {}
    for chemistry, entry in file.get(root, "chemistries", "", dict).items():
        path = f"chemistries.{chemistry}"
        model = file.get(entry, "model", path, str)
        if model not in models:
            raise file.fail(f"{path}.model", f"unknown model {model!r}")
        chemistries[str(chemistry).upper()] = (model, bool(file.get(entry, "proxy", path, bool)))
    return Ageing(
        version=str(file.get(root, "version", "", str)),
        conditions=conditions,
        default_efc_per_year=file.sourced(usage, "default_efc_per_year", "usage"),
        consumption_kwh_per_km=file.sourced(usage, "consumption_kwh_per_km", "usage"),
        scalar_floor=file.sourced(calibration, "scalar_floor", "calibration"),
        horizon_years=file.sourced(calibration, "horizon_years", "calibration"),
        chemistries=chemistries,
        models=models,
    )


_REQUIRED_PARAMS = {
    "lfp_blast": frozenset({"p1", "p2", "p3", "pcal", "p4", "p5", "p6", "p7", "p8", "pcyc"}),
    "nmc_kokam_blast": frozenset({"q1_0", "q1_1", "q1_2", "q2", "q3_0", "q3_1", "q3_2", "q4"}),
    "lmo_leaf_blast": frozenset({"a", "b", "c", "pcal", "d", "pcyc"}),
}


def _load_valuation(
    data_dir: Path, source_keys: frozenset[str], grade_codes: list[str]
) -> Valuation:
    file = _File(data_dir / "valuation.yaml", source_keys)
    root = file.root
    rates = file.get(root, "exchange_rates", "", dict)
    applications = {}
    for code, entry in file.get(root, "applications", "", dict).items():
        path = f"applications.{code}"
        applications[code] = Application(
            code=code,
            label=file.get(entry, "label", path, str),
            new_pack_price_usd_per_kwh=file.sourced(entry, "new_pack_price_usd_per_kwh", path),
            end_of_life_soh_pct=file.sourced(entry, "end_of_life_soh_pct", path),
            new_life_years=file.sourced(entry, "new_life_years", path),
        )
    grade_applications = file.get(root, "grade_applications", "", dict)
    for grade, application in grade_applications.items():
        if application not in applications:
            raise file.fail(f"grade_applications.{grade}", f"unknown application {application!r}")
    missing = sorted(set(grade_codes) - grade_applications.keys())
    if missing:
        raise file.fail("grade_applications", f"no application for grade(s) {', '.join(missing)}")
    # Valuation takes the best of a grade's use and every lower grade's (engine/valuation.py),
    # so the order here must be grading.yaml's order, best first.
    if [code for code in grade_applications if code in grade_codes] != grade_codes:
        order = ", ".join(grade_codes)
        raise file.fail("grade_applications", f"list the grades in grading.yaml's order: {order}")
    factors = file.get(root, "factors", "", dict)
    costs = file.get(root, "costs", "", dict)
    recycling = file.get(root, "recycling", "", dict)
    metals = file.get(recycling, "metal_kg_per_kwh", "recycling", dict)
    payables = file.get(recycling, "payable_pct", "recycling", dict)
    return Valuation(
        version=str(file.get(root, "version", "", str)),
        usd_jpy=file.sourced(rates, "usd_jpy", "exchange_rates"),
        eur_jpy=file.sourced(rates, "eur_jpy", "exchange_rates"),
        applications=applications,
        grade_applications=dict(grade_applications),
        z=file.sourced(factors, "z", "factors"),
        a_trace=file.sourced(factors, "a_trace", "factors"),
        a_safety=file.sourced(factors, "a_safety", "factors"),
        repurpose_eur_per_kwh=file.sourced(costs, "repurpose_eur_per_kwh", "costs"),
        test_jpy=file.sourced(costs, "test_jpy", "costs"),
        logistics_jpy=file.sourced(costs, "logistics_jpy", "costs"),
        factor_places=file.sourced(
            file.get(root, "rounding", "", dict), "factor_places", "rounding"
        ),
        metal_kg_per_kwh={
            chemistry: file.sourced(metals, chemistry, "recycling.metal_kg_per_kwh", "number_map")
            for chemistry in metals
        },
        payable_pct={
            element: file.sourced(payables, element, "recycling.payable_pct")
            for element in payables
        },
    )


def _load_assessment(data_dir: Path, source_keys: frozenset[str]) -> Assessment:
    file = _File(data_dir / "assessment.yaml", source_keys)
    root = file.root
    combination = file.get(root, "combination", "", dict)
    node = file.get(root, "guarantee_pricing", "", dict)
    pricing = GuaranteePricing(
        **{
            name: file.sourced(node, name, "guarantee_pricing")
            for name in GuaranteePricing.__dataclass_fields__
        }
    )
    total = pricing.weight_low.value + pricing.weight_central.value + pricing.weight_high.value
    if total != 1:
        raise file.fail("guarantee_pricing", f"weights must add up to 1, not {total}")
    return Assessment(
        version=str(file.get(root, "version", "", str)),
        combination_window_days=file.sourced(combination, "window_days", "combination"),
        guarantee_pricing=pricing,
    )


def load_reference_data(data_dir: Path = DATA_DIR) -> ReferenceData:
    """Read and validate every data file; raise ReferenceDataError naming file and key."""
    sources = _load_sources(data_dir)
    source_keys = frozenset(sources)
    methods_version, methods = _load_methods(data_dir, source_keys)
    grading = _load_grading(data_dir, source_keys, set(methods))
    ageing = _load_ageing(data_dir, source_keys)
    valuation = _load_valuation(data_dir, source_keys, [rule.code for rule in grading.grades])
    _check_recycling(ageing, valuation)
    return ReferenceData(
        sources=sources,
        methods=methods,
        methods_version=methods_version,
        grading=grading,
        ageing=ageing,
        valuation=valuation,
        assessment=_load_assessment(data_dir, source_keys),
    )


def _check_recycling(ageing: Ageing, valuation: Valuation) -> None:
    """Every chemistry the engine accepts has a metal content, every metal a payable."""
    label = "diagnostics/data/valuation.yaml"
    missing = sorted(set(ageing.chemistries) - set(valuation.metal_kg_per_kwh))
    if missing:
        raise ReferenceDataError(
            f"{label}: recycling.metal_kg_per_kwh: no entry for {', '.join(missing)}"
        )
    for chemistry, metals in valuation.metal_kg_per_kwh.items():
        unpaid = sorted(set(metals.value) - set(valuation.payable_pct))
        if unpaid:
            raise ReferenceDataError(
                f"{label}: recycling.metal_kg_per_kwh.{chemistry}: "
                f"no payable_pct for {', '.join(unpaid)}"
            )


@functools.cache
def reference_data() -> ReferenceData:
    """The shipped data, loaded once per process."""
    return load_reference_data()
