"""The shape of the loaded compliance rules: constants and frozen row objects."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
RULE_FILES = (
    "sources.yaml",
    "countries.yaml",
    "deadlines.yaml",
    "documents.yaml",
    "materials.yaml",
    "rules.yaml",
)
CONFIDENCES = ("confirmed", "secondary", "inference")
# The material codes of the stable pre-check interface (DESIGN.md); the data must define
# each of them and may not invent others, or the command and the API would disagree.
MATERIAL_CODES = (
    "used_ev",
    "used_pack_for_reuse",
    "end_of_life_pack",
    "damaged_pack",
    "black_mass",
)
REGIMES = (
    "domestic",
    "product",
    "oecd_green",
    "oecd_amber",
    "basel_pic",
    "bilateral",
    "prohibited",
)
CONSENT_ROLES = ("export", "import", "transit")
OECD_LISTS = ("green", "amber")
CODE_SCHEMES = ("basel", "eu_low", "hs")
DEADLINE_UNITS = ("calendar_days", "working_days")
# Deadlines the case workflow computes movement dates and alerts from (services/movements.py).
MOVEMENT_DEADLINE_IDS = (
    "consent_validity_default",
    "consent_expiry_alert_lead",
    "receipt_expected_after_shipment",
    "receipt_confirmation",
    "recovery_completion_after_receipt",
    "recovery_confirmation_after_completion",
)
BLOCK_OUTCOMES = ("prohibited", "review")
# Sets the engine's generic predicates need (Basel party status and the OECD agreement).
REQUIRED_SETS = ("BASEL_NON_PARTIES", "OECD_WASTE_DECISION")

COUNTRY_LIST_KEYS = (
    "origin_in",
    "origin_not_in",
    "destination_in",
    "destination_not_in",
    "transit_all_in",
    "any_party_in",
)
BOOLEAN_KEYS = (
    "waste",
    "domestic",
    "basel_nonparty_without_agreement",
    "agreement_covers_route",
)
CONDITION_KEYS = frozenset(
    {
        *COUNTRY_LIST_KEYS,
        *BOOLEAN_KEYS,
        "material",
        "material_oecd_list",
        "regime",
        "date_from",
        "date_until",
        "assay_spec",
    }
)
ELEMENT_PATTERN = re.compile(r"^[A-Z][a-z]?$")
ROW_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


# --- Frozen rule objects ---------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    location: str
    confidence: str

    def citation(self) -> str:
        return f"{self.id}: {self.title} ({self.location})"


@dataclass(frozen=True)
class CountrySet:
    id: str
    members: frozenset[str]
    note: str
    source: tuple[str, ...]
    confidence: str


@dataclass(frozen=True)
class Agreement:
    id: str
    routes: frozenset[tuple[str, str]]
    note: str
    source: tuple[str, ...]
    confidence: str


@dataclass(frozen=True)
class Deadline:
    id: str
    days: int
    unit: str
    note: str
    source: tuple[str, ...]
    confidence: str


@dataclass(frozen=True)
class Document:
    id: str
    label: str
    source: tuple[str, ...]
    confidence: str


@dataclass(frozen=True)
class CodeEntry:
    scheme: str
    code: str
    country: str | None
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    note: str
    source: tuple[str, ...]
    confidence: str

    def valid_on(self, on: datetime.date) -> bool:
        return _within(on, self.valid_from, self.valid_until)


@dataclass(frozen=True)
class TransportEntry:
    un_number: str | None
    special_provisions: tuple[str, ...]
    packing_instruction: str | None
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    note: str
    source: tuple[str, ...]
    confidence: str

    def valid_on(self, on: datetime.date) -> bool:
        return _within(on, self.valid_from, self.valid_until)


@dataclass(frozen=True)
class Material:
    id: str
    label: str
    is_waste: bool
    oecd_list: str | None
    codes: tuple[CodeEntry, ...]
    transport: tuple[TransportEntry, ...]
    documents: tuple[str, ...]
    note: str
    source: tuple[str, ...]
    confidence: str

    def transport_on(self, on: datetime.date) -> TransportEntry | None:
        return next((entry for entry in self.transport if entry.valid_on(on)), None)


@dataclass(frozen=True)
class AssayLimit:
    elements: tuple[str, ...]
    min_pct: Decimal | None
    max_pct: Decimal | None


@dataclass(frozen=True)
class AssayVariant:
    name: str
    limits: tuple[AssayLimit, ...]


@dataclass(frozen=True)
class AssaySpec:
    id: str
    material: str
    standard: str
    variants: tuple[AssayVariant, ...]
    note: str
    source: tuple[str, ...]
    confidence: str


@dataclass(frozen=True)
class ConsentRule:
    role: str
    deadline: str | None
    tacit_only_if_in: str | None


@dataclass(frozen=True)
class Rule:
    """A blocking, regime or overlay rule. `when` holds resolved values (country codes)."""

    kind: str
    id: str
    when: dict[str, Any]
    reason: str
    source: tuple[str, ...]
    confidence: str
    outcome: str | None = None
    regime: str | None = None
    consents: tuple[ConsentRule, ...] = ()
    documents: tuple[str, ...] = ()
    when_text: str = ""


@dataclass(frozen=True)
class ClassificationRow:
    id: str
    values: dict[str, Any]
    note: str
    source: tuple[str, ...]
    confidence: str


@dataclass(frozen=True)
class Ruleset:
    version: str
    effective_from: datetime.date
    directory: Path
    file_rows: dict[str, int]
    sources: dict[str, Source]
    country_sets: dict[str, CountrySet]
    agreements: tuple[Agreement, ...]
    deadlines: dict[str, Deadline]
    documents: dict[str, Document]
    materials: dict[str, Material]
    assay_specs: dict[str, AssaySpec]
    classification: dict[str, ClassificationRow]
    blocking_rules: tuple[Rule, ...]
    regime_rules: tuple[Rule, ...]
    overlay_rules: tuple[Rule, ...]
    fallback: Rule
    agreement_routes: frozenset[tuple[str, str]] = field(default=frozenset())

    def citation(self, source_ids: tuple[str, ...]) -> str:
        """The sources of a row as one readable string, in the order the row cites them."""
        return "; ".join(self.sources[source_id].citation() for source_id in source_ids)

    def members(self, set_id: str) -> frozenset[str]:
        return self.country_sets[set_id].members


def _within(
    on: datetime.date, valid_from: datetime.date | None, valid_until: datetime.date | None
) -> bool:
    return (valid_from is None or on >= valid_from) and (valid_until is None or on <= valid_until)
