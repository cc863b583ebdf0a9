"""Load the versioned circularity data: data/passport_mapping.yaml and data/reference.yaml.

Both are read once per process. A broken file fails loudly naming the file and the key,
e.g. `passport_mapping.yaml: attributes[3].access: expected public or legitimate_interest`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
MAPPING_FILE = DATA_DIR / "passport_mapping.yaml"
REFERENCE_FILE = DATA_DIR / "reference.yaml"

PUBLIC = "public"
LEGITIMATE_INTEREST = "legitimate_interest"
ACCESS_LEVELS = (PUBLIC, LEGITIMATE_INTEREST)
BATTERY_PASS_GROUPS = (
    "generalProductInformation",
    "performanceAndDurability",
    "carbonFootprint",
    "circularity",
    "materialComposition",
)
EXTENSION_GROUP = "x-batteryMarket"


class ReferenceDataError(Exception):
    """A data file is broken; the message names the file and the key."""


@dataclass(frozen=True)
class Sourced:
    value: Decimal
    source: str
    quality: str


@dataclass(frozen=True)
class Attribute:
    path: str
    access: str
    field: str | None = None
    computed: str | None = None
    field_on_import: str | None = None
    type: str = "string"
    unit: str | None = None
    accepted_units: tuple[tuple[str, Decimal], ...] = ()
    plain_number_max: Decimal | None = None
    plain_number_hint: str | None = None
    dynamic: bool = False
    imported: bool = False
    source: str = ""
    note: str = ""

    @property
    def group(self) -> str:
        return self.path.split(".", 1)[0]

    @property
    def is_public(self) -> bool:
        return self.access == PUBLIC


@dataclass(frozen=True)
class Chemistry:
    code: str
    clear_name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Material:
    symbol: str
    name: str
    cas: str
    critical_raw_material: bool


@dataclass(frozen=True)
class Mapping:
    version: str
    schema_version: str
    data_model: dict[str, str]
    groups: dict[str, dict[str, Any]]
    attributes: tuple[Attribute, ...]
    unmapped: tuple[dict[str, str], ...]
    chemistries: dict[str, Chemistry]
    ambiguous_chemistries: tuple[str, ...]
    materials: dict[str, Material]

    def by_field(self) -> dict[str, Attribute]:
        return {a.field: a for a in self.attributes if a.field}


@dataclass(frozen=True)
class Reference:
    version: str
    sources: dict[str, dict[str, Any]]
    metal_content_kg_per_kwh: dict[str, dict[str, Sourced]]
    new_pack_footprint_kg_co2e_per_kwh: Sourced
    score_weights: dict[str, Decimal]
    score_source: str
    score_quality: str
    score_per_sale_scale: Decimal
    public_min_sales_per_cell: int


_FOLD = re.compile(r"[\s\-_./()\[\]]+")


def fold_name(name: str) -> str:
    """ "NCM 8-1-1", "ncm811" and "NCM(811)" compare equal."""
    return _FOLD.sub("", name).casefold()


def _decimal(file: str, key: str, value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ReferenceDataError(f"{file}: {key}: expected a number, got {value!r}") from None


def _require(file: str, data: dict, key: str, where: str) -> Any:
    if key not in data:
        raise ReferenceDataError(f"{file}: {where}{key}: missing")
    return data[key]


def _attribute(file: str, index: int, raw: dict) -> Attribute:
    where = f"attributes[{index}]."
    access = _require(file, raw, "access", where)
    if access not in ACCESS_LEVELS:
        raise ReferenceDataError(f"{file}: {where}access: expected public or legitimate_interest")
    path = _require(file, raw, "path", where)
    if path.split(".", 1)[0] not in (*BATTERY_PASS_GROUPS, EXTENSION_GROUP):
        raise ReferenceDataError(f"{file}: {where}path: unknown group in {path}")
    if not (raw.get("field") or raw.get("computed")):
        raise ReferenceDataError(f"{file}: {where}: give field or computed")
    units = tuple(
        (unit, _decimal(file, f"{where}accepted_units.{unit}", factor))
        for unit, factor in (raw.get("accepted_units") or {}).items()
    )
    plain_max = raw.get("plain_number_max")
    return Attribute(
        path=path,
        access=access,
        field=raw.get("field"),
        computed=raw.get("computed"),
        field_on_import=raw.get("field_on_import"),
        type=raw.get("type", "string"),
        unit=raw.get("unit"),
        accepted_units=units,
        plain_number_max=_decimal(file, f"{where}plain_number_max", plain_max)
        if plain_max is not None
        else None,
        plain_number_hint=raw.get("plain_number_hint"),
        dynamic=bool(raw.get("dynamic", False)),
        imported=bool(raw.get("import", False)),
        source=_require(file, raw, "source", where),
        note=raw.get("note", ""),
    )


@functools.cache
def mapping() -> Mapping:
    file = MAPPING_FILE.name
    raw = yaml.safe_load(MAPPING_FILE.read_text(encoding="utf-8"))
    attributes = tuple(
        _attribute(file, index, item) for index, item in enumerate(raw["attributes"])
    )
    chemistries = {
        code: Chemistry(
            code=code,
            clear_name=_require(file, item, "clear_name", f"chemistries.{code}."),
            aliases=tuple(str(alias) for alias in item.get("aliases", [])),
        )
        for code, item in raw["chemistries"].items()
    }
    materials = {
        symbol: Material(
            symbol=symbol,
            name=item["name"],
            cas=str(item["cas"]),
            critical_raw_material=bool(item["critical_raw_material"]),
        )
        for symbol, item in raw["materials"].items()
    }
    return Mapping(
        version=str(raw["version"]),
        schema_version=str(raw["schema_version"]),
        data_model={k: str(v) for k, v in raw["data_model"].items()},
        groups=raw["groups"],
        attributes=attributes,
        unmapped=tuple(raw.get("unmapped", [])),
        chemistries=chemistries,
        ambiguous_chemistries=tuple(raw.get("ambiguous_chemistries", [])),
        materials=materials,
    )


def _sourced(file: str, key: str, raw: dict, sources: dict) -> Sourced:
    source = _require(file, raw, "source", f"{key}.")
    if source not in sources:
        raise ReferenceDataError(f"{file}: {key}.source: unknown source {source!r}")
    return Sourced(
        value=_decimal(file, f"{key}.value", _require(file, raw, "value", f"{key}.")),
        source=source,
        quality=_require(file, raw, "quality", f"{key}."),
    )


@functools.cache
def reference() -> Reference:
    file = REFERENCE_FILE.name
    raw = yaml.safe_load(REFERENCE_FILE.read_text(encoding="utf-8"))
    sources = raw["sources"]
    metals = {
        chemistry: {
            element: _sourced(
                file, f"metal_content_kg_per_kwh.{chemistry}.{element}", item, sources
            )
            for element, item in elements.items()
        }
        for chemistry, elements in raw["metal_content_kg_per_kwh"].items()
    }
    score = raw["circularity_score"]
    if score["source"] not in sources:
        raise ReferenceDataError(f"{file}: circularity_score.source: unknown source")
    return Reference(
        version=str(raw["version"]),
        sources=sources,
        metal_content_kg_per_kwh=metals,
        new_pack_footprint_kg_co2e_per_kwh=_sourced(
            file,
            "new_pack_footprint_kg_co2e_per_kwh",
            raw["new_pack_footprint_kg_co2e_per_kwh"],
            sources,
        ),
        score_weights={
            outcome: _decimal(file, f"circularity_score.weights.{outcome}", weight)
            for outcome, weight in score["weights"].items()
        },
        score_source=score["source"],
        score_per_sale_scale=_decimal(
            file,
            "circularity_score.per_sale_scale",
            _require(file, score, "per_sale_scale", "circularity_score."),
        ),
        score_quality=score["quality"],
        public_min_sales_per_cell=_min_cell(file, raw),
    )


def _min_cell(file: str, raw: dict) -> int:
    report = _require(file, raw, "public_report", "")
    value = _require(file, report, "min_sales_per_cell", "public_report.")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ReferenceDataError(f"{file}: public_report.min_sales_per_cell: a whole number ≥ 1")
    return value
