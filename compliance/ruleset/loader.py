"""Read and validate the rules files; every error names the file and the row."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

import yaml
from django.core.exceptions import ImproperlyConfigured
from django_countries.data import COUNTRIES

from compliance.ruleset.model import (
    BLOCK_OUTCOMES,
    BOOLEAN_KEYS,
    CODE_SCHEMES,
    CONDITION_KEYS,
    CONFIDENCES,
    CONSENT_ROLES,
    COUNTRY_LIST_KEYS,
    DEADLINE_UNITS,
    ELEMENT_PATTERN,
    MATERIAL_CODES,
    MOVEMENT_DEADLINE_IDS,
    OECD_LISTS,
    REGIMES,
    REQUIRED_SETS,
    ROW_ID_PATTERN,
    RULE_FILES,
    Agreement,
    AssayLimit,
    AssaySpec,
    AssayVariant,
    ClassificationRow,
    CodeEntry,
    ConsentRule,
    CountrySet,
    Deadline,
    Document,
    Material,
    Rule,
    Ruleset,
    Source,
    TransportEntry,
)


def load_ruleset(directory: Path | str) -> Ruleset:
    """Read and validate every rules file in `directory`; raise ImproperlyConfigured."""
    return _Loader(Path(directory)).load()


class _Loader:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path: Path = directory
        self.sources: dict[str, Source] = {}
        self.country_sets: dict[str, CountrySet] = {}
        self.deadlines: dict[str, Deadline] = {}
        self.documents: dict[str, Document] = {}
        self.materials: dict[str, Material] = {}
        self.assay_specs: dict[str, AssaySpec] = {}

    # Errors name the file and the row so the person editing the data can find it.
    def fail(self, where: str, problem: str) -> NoReturn:
        raise ImproperlyConfigured(f"Compliance rules file {self.path}, {where}: {problem}")

    def load(self) -> Ruleset:
        if not self.directory.is_dir():
            raise ImproperlyConfigured(
                f"Compliance rules directory {self.directory} does not exist "
                "(settings.COMPLIANCE_RULES_DIR)."
            )
        headers: dict[str, tuple[str, datetime.date]] = {}
        file_rows: dict[str, int] = {}
        documents_by_file: dict[str, dict] = {}
        for name in RULE_FILES:
            self.path = self.directory / name
            document = self._read(self.path)
            headers[name] = self._header(document)
            documents_by_file[name] = document

        versions = {version for version, _ in headers.values()}
        if len(versions) != 1:
            detail = ", ".join(f"{name}={version}" for name, (version, _) in headers.items())
            raise ImproperlyConfigured(
                f"Compliance rules in {self.directory} mix versions ({detail}); "
                "every file must carry the same `version`."
            )

        self.path = self.directory / "sources.yaml"
        file_rows["sources.yaml"] = self._load_sources(documents_by_file["sources.yaml"])
        self.path = self.directory / "countries.yaml"
        agreements = self._load_countries(documents_by_file["countries.yaml"])
        file_rows["countries.yaml"] = len(self.country_sets) + len(agreements)
        self.path = self.directory / "deadlines.yaml"
        file_rows["deadlines.yaml"] = self._load_deadlines(documents_by_file["deadlines.yaml"])
        self.path = self.directory / "documents.yaml"
        file_rows["documents.yaml"] = self._load_documents(documents_by_file["documents.yaml"])
        self.path = self.directory / "materials.yaml"
        classification = self._load_materials(documents_by_file["materials.yaml"])
        file_rows["materials.yaml"] = (
            len(self.materials) + len(self.assay_specs) + len(classification)
        )
        self.path = self.directory / "rules.yaml"
        blocking, regimes, overlays, fallback = self._load_rules(documents_by_file["rules.yaml"])
        file_rows["rules.yaml"] = len(blocking) + len(regimes) + len(overlays) + 1

        routes = frozenset(route for agreement in agreements for route in agreement.routes)
        return Ruleset(
            version=versions.pop(),
            effective_from=max(effective for _, effective in headers.values()),
            directory=self.directory,
            file_rows=file_rows,
            sources=self.sources,
            country_sets=self.country_sets,
            agreements=tuple(agreements),
            deadlines=self.deadlines,
            documents=self.documents,
            materials=self.materials,
            assay_specs=self.assay_specs,
            classification=classification,
            blocking_rules=tuple(blocking),
            regime_rules=tuple(regimes),
            overlay_rules=tuple(overlays),
            fallback=fallback,
            agreement_routes=routes,
        )

    # --- files and headers -------------------------------------------------------------

    def _read(self, path: Path) -> dict:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ImproperlyConfigured(f"Compliance rules file {path} is missing.") from None
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ImproperlyConfigured(
                f"Compliance rules file {path} is not valid YAML: {error}"
            ) from None
        if not isinstance(document, dict):
            self.fail("top level", "expected a mapping with `version` and `effective_from`")
        return document

    def _header(self, document: dict) -> tuple[str, datetime.date]:
        version = document.get("version")
        if not isinstance(version, str) or not version.strip():
            self.fail("top level", "`version` must be a non-empty string")
        effective_from = self._date(document.get("effective_from"), "top level", "effective_from")
        if effective_from is None:
            self.fail("top level", "`effective_from` is required")
        return version, effective_from

    def _sections(self, document: dict, allowed: tuple[str, ...]) -> None:
        unknown = set(document) - {"version", "effective_from", *allowed}
        if unknown:
            self.fail("top level", f"unknown section(s) {sorted(unknown)}")
        for name in allowed:
            if name not in document:
                self.fail("top level", f"section `{name}` is missing")

    def _rows(self, document: dict, section: str) -> list[tuple[str, dict]]:
        rows = document.get(section)
        if not isinstance(rows, list):
            self.fail(section, "expected a list of rows")
        located = []
        seen: set[str] = set()
        for index, row in enumerate(rows):
            where = f"{section}[{index}]"
            if not isinstance(row, dict):
                self.fail(where, "expected a mapping")
            row_id = row.get("id")
            if not isinstance(row_id, str) or not ROW_ID_PATTERN.match(row_id):
                self.fail(where, "`id` is missing or not a plain identifier")
            where = f"{section}[{index}] (id {row_id})"
            if row_id in seen:
                self.fail(where, "duplicate id")
            seen.add(row_id)
            located.append((where, row))
        return located

    # --- field helpers -----------------------------------------------------------------

    def _keys(self, row: dict, where: str, required: set[str], optional: set[str]) -> None:
        missing = required - set(row)
        if missing:
            self.fail(where, f"missing {', '.join(sorted(missing))}")
        unknown = set(row) - required - optional
        if unknown:
            self.fail(where, f"unknown field(s) {', '.join(sorted(unknown))}")

    def _confidence(self, row: dict, where: str) -> str:
        value = row.get("confidence")
        if value not in CONFIDENCES:
            self.fail(where, f"`confidence` must be one of {', '.join(CONFIDENCES)}, not {value!r}")
        return value

    def _source_ids(self, row: dict, where: str) -> tuple[str, ...]:
        value = row.get("source")
        if not isinstance(value, list) or not value:
            self.fail(where, "`source` must be a non-empty list of source ids")
        for source_id in value:
            if source_id not in self.sources:
                self.fail(where, f"unknown source {source_id!r}")
        return tuple(value)

    def _text(self, row: dict, key: str, where: str, *, required: bool = False) -> str:
        value = row.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"`{key}` must be a non-empty string")
        return value

    def _date(self, value: Any, where: str, key: str) -> datetime.date | None:
        if value is None:
            return None
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(where, f"`{key}` must be a date YYYY-MM-DD, not {value!r}")
        return None  # not reached: fail() raises

    def _decimal(self, value: Any, where: str, key: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(where, f"`{key}` must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(where, f"`{key}` must be a number, not {value!r}")
        if not number.is_finite() or not (0 <= number <= 100):
            self.fail(where, f"`{key}` must be a percentage between 0 and 100")
        return number

    def _country_code(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or value not in COUNTRIES:
            self.fail(where, f"unknown country code {value!r} (ISO 3166-1 alpha-2 expected)")
        return value

    def _countries(self, values: Any, where: str, key: str) -> frozenset[str]:
        """A list of set ids and ISO codes, resolved to ISO codes."""
        if not isinstance(values, list):
            self.fail(where, f"`{key}` must be a list of country codes or set ids")
        codes: set[str] = set()
        for value in values:
            if isinstance(value, str) and value in self.country_sets:
                codes |= self.country_sets[value].members
            elif isinstance(value, str) and len(value) > 2:
                self.fail(where, f"`{key}` names unknown country set {value!r}")
            else:
                codes.add(self._country_code(value, where))
        return frozenset(codes)

    def _id_list(self, values: Any, where: str, key: str, known: dict | tuple) -> tuple[str, ...]:
        if not isinstance(values, list):
            self.fail(where, f"`{key}` must be a list")
        for value in values:
            if value not in known:
                self.fail(where, f"`{key}` names unknown {key.rstrip('s')} {value!r}")
        return tuple(values)

    # --- sections ----------------------------------------------------------------------

    def _load_sources(self, document: dict) -> int:
        self._sections(document, ("sources",))
        for where, row in self._rows(document, "sources"):
            self._keys(row, where, {"id", "title", "source", "confidence"}, set())
            location = row["source"]
            if not isinstance(location, str) or not location.strip():
                self.fail(where, "`source` must say where the text can be found")
            self.sources[row["id"]] = Source(
                id=row["id"],
                title=self._text(row, "title", where, required=True),
                location=location,
                confidence=self._confidence(row, where),
            )
        return len(self.sources)

    def _load_countries(self, document: dict) -> list[Agreement]:
        self._sections(document, ("country_sets", "agreements"))
        common = {"id", "source", "confidence"}
        for where, row in self._rows(document, "country_sets"):
            self._keys(row, where, common, {"members", "union", "minus", "note"})
            if "members" not in row and "union" not in row:
                self.fail(where, "a set needs `members` or `union`")
            members = set(self._countries(row.get("members", []), where, "members"))
            for key in ("union", "minus"):
                for set_id in row.get(key, []) or []:
                    if set_id not in self.country_sets:
                        self.fail(where, f"`{key}` names unknown or later country set {set_id!r}")
            for set_id in row.get("union", []) or []:
                members |= self.country_sets[set_id].members
            for set_id in row.get("minus", []) or []:
                members -= self.country_sets[set_id].members
            self.country_sets[row["id"]] = CountrySet(
                id=row["id"],
                members=frozenset(members),
                note=self._text(row, "note", where),
                source=self._source_ids(row, where),
                confidence=self._confidence(row, where),
            )
        for set_id in REQUIRED_SETS:
            if set_id not in self.country_sets:
                self.fail("country_sets", f"required set {set_id} is missing")

        agreements = []
        for where, row in self._rows(document, "agreements"):
            self._keys(row, where, {*common, "from", "to", "both_ways"}, {"note"})
            origins = self._countries(row["from"], where, "from")
            destinations = self._countries(row["to"], where, "to")
            if not isinstance(row["both_ways"], bool):
                self.fail(where, "`both_ways` must be true or false")
            routes = {(o, d) for o in origins for d in destinations}
            if row["both_ways"]:
                routes |= {(d, o) for o, d in routes}
            agreements.append(
                Agreement(
                    id=row["id"],
                    routes=frozenset(routes),
                    note=self._text(row, "note", where),
                    source=self._source_ids(row, where),
                    confidence=self._confidence(row, where),
                )
            )
        return agreements

    def _load_deadlines(self, document: dict) -> int:
        self._sections(document, ("deadlines",))
        for where, row in self._rows(document, "deadlines"):
            self._keys(row, where, {"id", "days", "unit", "source", "confidence"}, {"note"})
            days = row["days"]
            if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
                self.fail(where, "`days` must be a positive whole number")
            if row["unit"] not in DEADLINE_UNITS:
                self.fail(where, f"`unit` must be one of {', '.join(DEADLINE_UNITS)}")
            self.deadlines[row["id"]] = Deadline(
                id=row["id"],
                days=days,
                unit=row["unit"],
                note=self._text(row, "note", where),
                source=self._source_ids(row, where),
                confidence=self._confidence(row, where),
            )
        missing = [name for name in MOVEMENT_DEADLINE_IDS if name not in self.deadlines]
        if missing:
            self.fail("deadlines", f"the case workflow needs deadlines {', '.join(missing)}")
        return len(self.deadlines)

    def _load_documents(self, document: dict) -> int:
        self._sections(document, ("documents",))
        for where, row in self._rows(document, "documents"):
            self._keys(row, where, {"id", "label", "source", "confidence"}, set())
            self.documents[row["id"]] = Document(
                id=row["id"],
                label=self._text(row, "label", where, required=True),
                source=self._source_ids(row, where),
                confidence=self._confidence(row, where),
            )
        return len(self.documents)

    def _load_materials(self, document: dict) -> dict[str, ClassificationRow]:
        self._sections(document, ("materials", "assay_specs", "classification"))
        for where, row in self._rows(document, "materials"):
            self._keys(
                row,
                where,
                {"id", "label", "waste", "oecd_list", "codes", "transport", "documents"},
                {"note", "source", "confidence"},
            )
            if row["id"] not in MATERIAL_CODES:
                self.fail(where, f"unknown material {row['id']!r}; expected {MATERIAL_CODES}")
            if not isinstance(row["waste"], bool):
                self.fail(where, "`waste` must be true or false")
            if row["oecd_list"] is not None and row["oecd_list"] not in OECD_LISTS:
                self.fail(where, f"`oecd_list` must be null or one of {', '.join(OECD_LISTS)}")
            if not isinstance(row["transport"], list) or not row["transport"]:
                self.fail(where, "`transport` must list at least one entry")
            self.materials[row["id"]] = Material(
                id=row["id"],
                label=self._text(row, "label", where, required=True),
                is_waste=row["waste"],
                oecd_list=row["oecd_list"],
                codes=tuple(self._code_entry(entry, where) for entry in row["codes"] or []),
                transport=tuple(self._transport_entry(entry, where) for entry in row["transport"]),
                documents=self._id_list(row["documents"], where, "documents", self.documents),
                note=self._text(row, "note", where),
                source=self._source_ids(row, where),
                confidence=self._confidence(row, where),
            )
        missing = set(MATERIAL_CODES) - set(self.materials)
        if missing:
            self.fail("materials", f"material(s) {', '.join(sorted(missing))} not defined")

        for where, row in self._rows(document, "assay_specs"):
            self._keys(
                row,
                where,
                {"id", "material", "variants", "source", "confidence"},
                {"standard", "note"},
            )
            if row["material"] not in self.materials:
                self.fail(where, f"unknown material {row['material']!r}")
            if not isinstance(row["variants"], list) or not row["variants"]:
                self.fail(where, "`variants` must list at least one variant")
            self.assay_specs[row["id"]] = AssaySpec(
                id=row["id"],
                material=row["material"],
                standard=self._text(row, "standard", where),
                variants=tuple(self._assay_variant(v, where) for v in row["variants"]),
                note=self._text(row, "note", where),
                source=self._source_ids(row, where),
                confidence=self._confidence(row, where),
            )

        classification = {}
        for where, row in self._rows(document, "classification"):
            values = {
                k: v for k, v in row.items() if k not in {"id", "note", "source", "confidence"}
            }
            classification[row["id"]] = ClassificationRow(
                id=row["id"],
                values=values,
                note=self._text(row, "note", where),
                source=self._source_ids(row, where),
                confidence=self._confidence(row, where),
            )
        self._check_classification(classification)
        return classification

    def _check_classification(self, rows: dict[str, ClassificationRow]) -> None:
        where = "classification"
        mapping = rows.get("LISTING-TYPE-MAP")
        evidence = rows.get("REUSE-EVIDENCE")
        if mapping is None or evidence is None:
            self.fail(where, "rows LISTING-TYPE-MAP and REUSE-EVIDENCE are required")
        listing_types = mapping.values.get("listing_types")
        if not isinstance(listing_types, dict) or not listing_types:
            self.fail(f"{where} (id LISTING-TYPE-MAP)", "`listing_types` must be a mapping")
        for listing_type, target in listing_types.items():
            if target != "battery" and target not in self.materials:
                self.fail(
                    f"{where} (id LISTING-TYPE-MAP)",
                    f"listing type {listing_type!r} maps to unknown material {target!r}",
                )
        age = evidence.values.get("max_certificate_age_days")
        if isinstance(age, bool) or not isinstance(age, int) or age <= 0:
            self.fail(f"{where} (id REUSE-EVIDENCE)", "`max_certificate_age_days` must be > 0")
        for key in ("functional_test_methods", "reuse_grades"):
            value = evidence.values.get(key)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.fail(f"{where} (id REUSE-EVIDENCE)", f"`{key}` must be a list of codes")

    def _code_entry(self, entry: Any, where: str) -> CodeEntry:
        inner = f"{where} codes"
        if not isinstance(entry, dict):
            self.fail(inner, "expected a mapping")
        self._keys(
            entry,
            inner,
            {"scheme", "code", "source", "confidence"},
            {"country", "valid_from", "valid_until", "note"},
        )
        if entry["scheme"] not in CODE_SCHEMES:
            self.fail(inner, f"`scheme` must be one of {', '.join(CODE_SCHEMES)}")
        country = entry.get("country")
        return CodeEntry(
            scheme=entry["scheme"],
            code=self._text(entry, "code", inner, required=True),
            country=self._country_code(country, inner) if country is not None else None,
            valid_from=self._date(entry.get("valid_from"), inner, "valid_from"),
            valid_until=self._date(entry.get("valid_until"), inner, "valid_until"),
            note=self._text(entry, "note", inner),
            source=self._source_ids(entry, inner),
            confidence=self._confidence(entry, inner),
        )

    def _transport_entry(self, entry: Any, where: str) -> TransportEntry:
        inner = f"{where} transport"
        if not isinstance(entry, dict):
            self.fail(inner, "expected a mapping")
        self._keys(
            entry,
            inner,
            {"un_number", "special_provisions", "packing_instruction", "source", "confidence"},
            {"valid_from", "valid_until", "note"},
        )
        un_number = entry["un_number"]
        if un_number is not None and not re.fullmatch(r"UN\d{4}", str(un_number)):
            self.fail(inner, f"`un_number` must look like UN3480 or be null, not {un_number!r}")
        provisions = entry["special_provisions"]
        if not isinstance(provisions, list) or not all(isinstance(p, str) for p in provisions):
            self.fail(inner, "`special_provisions` must be a list")
        packing = entry["packing_instruction"]
        if packing is not None and not isinstance(packing, str):
            self.fail(inner, "`packing_instruction` must be a string or null")
        return TransportEntry(
            un_number=un_number,
            special_provisions=tuple(provisions),
            packing_instruction=packing,
            valid_from=self._date(entry.get("valid_from"), inner, "valid_from"),
            valid_until=self._date(entry.get("valid_until"), inner, "valid_until"),
            note=self._text(entry, "note", inner),
            source=self._source_ids(entry, inner),
            confidence=self._confidence(entry, inner),
        )

    def _assay_variant(self, variant: Any, where: str) -> AssayVariant:
        inner = f"{where} variants"
        if not isinstance(variant, dict):
            self.fail(inner, "expected a mapping")
        self._keys(variant, inner, {"name", "limits"}, set())
        limits = []
        for limit in variant["limits"] or []:
            if not isinstance(limit, dict):
                self.fail(inner, "each limit must be a mapping")
            self._keys(limit, inner, {"elements"}, {"min_pct", "max_pct"})
            elements = limit["elements"]
            if not isinstance(elements, list) or not all(
                isinstance(e, str) and ELEMENT_PATTERN.match(e) for e in elements
            ):
                self.fail(inner, f"`elements` must be element symbols, not {elements!r}")
            if "min_pct" not in limit and "max_pct" not in limit:
                self.fail(inner, "a limit needs `min_pct` or `max_pct`")
            limits.append(
                AssayLimit(
                    elements=tuple(elements),
                    min_pct=self._decimal(limit["min_pct"], inner, "min_pct")
                    if "min_pct" in limit
                    else None,
                    max_pct=self._decimal(limit["max_pct"], inner, "max_pct")
                    if "max_pct" in limit
                    else None,
                )
            )
        if not limits:
            self.fail(inner, "a variant needs at least one limit")
        return AssayVariant(name=str(variant["name"]), limits=tuple(limits))

    def _load_rules(self, document: dict) -> tuple[list[Rule], list[Rule], list[Rule], Rule]:
        self._sections(document, ("blocking_rules", "regime_rules", "overlay_rules", "fallback"))
        base = {"id", "when", "source", "confidence"}
        blocking = []
        for where, row in self._rows(document, "blocking_rules"):
            self._keys(row, where, {*base, "outcome", "reason"}, set())
            if row["outcome"] not in BLOCK_OUTCOMES:
                self.fail(where, f"`outcome` must be one of {', '.join(BLOCK_OUTCOMES)}")
            blocking.append(self._rule("block", row, where, outcome=row["outcome"]))
        regimes = []
        for where, row in self._rows(document, "regime_rules"):
            self._keys(row, where, {*base, "regime", "reason", "consents", "documents"}, set())
            if row["regime"] not in REGIMES or row["regime"] == "prohibited":
                self.fail(where, f"`regime` must be one of {', '.join(REGIMES[:-1])}")
            regimes.append(
                self._rule(
                    "regime",
                    row,
                    where,
                    regime=row["regime"],
                    consents=self._consents(row["consents"], where),
                    documents=self._id_list(row["documents"], where, "documents", self.documents),
                )
            )
        overlays = []
        for where, row in self._rows(document, "overlay_rules"):
            self._keys(row, where, {*base, "documents"}, {"reason"})
            overlays.append(
                self._rule(
                    "overlay",
                    row,
                    where,
                    documents=self._id_list(row["documents"], where, "documents", self.documents),
                )
            )
        fallback_row = document["fallback"]
        if not isinstance(fallback_row, dict):
            self.fail("fallback", "expected a mapping")
        self._keys(fallback_row, "fallback", {"id", "reason", "source", "confidence"}, set())
        fallback = self._rule("block", {**fallback_row, "when": {}}, "fallback")
        return blocking, regimes, overlays, fallback

    def _consents(self, consents: Any, where: str) -> tuple[ConsentRule, ...]:
        if not isinstance(consents, list):
            self.fail(where, "`consents` must be a list")
        rules = []
        for consent in consents:
            if not isinstance(consent, dict):
                self.fail(where, "each consent must be a mapping")
            self._keys(consent, where, {"role", "deadline"}, {"tacit_only_if_in"})
            if consent["role"] not in CONSENT_ROLES:
                self.fail(where, f"consent `role` must be one of {', '.join(CONSENT_ROLES)}")
            deadline = consent["deadline"]
            if deadline is not None and deadline not in self.deadlines:
                self.fail(where, f"consent names unknown deadline {deadline!r}")
            waiver_set = consent.get("tacit_only_if_in")
            if waiver_set is not None and waiver_set not in self.country_sets:
                self.fail(where, f"consent names unknown country set {waiver_set!r}")
            rules.append(ConsentRule(consent["role"], deadline, waiver_set))
        return tuple(rules)

    def _rule(self, kind: str, row: dict, where: str, **extra: Any) -> Rule:
        return Rule(
            kind=kind,
            id=row["id"],
            when=self._when(row["when"], where),
            reason=self._text(row, "reason", where, required=kind != "overlay"),
            source=self._source_ids(row, where),
            confidence=self._confidence(row, where),
            when_text=_describe_when(row["when"]),
            **extra,
        )

    def _when(self, when: Any, where: str) -> dict[str, Any]:
        if not isinstance(when, dict):
            self.fail(where, "`when` must be a mapping")
        unknown = set(when) - CONDITION_KEYS
        if unknown:
            self.fail(where, f"unknown condition(s) {', '.join(sorted(unknown))}")
        resolved: dict[str, Any] = {}
        for key, value in when.items():
            if key in COUNTRY_LIST_KEYS:
                resolved[key] = self._countries(value, where, key)
            elif key in BOOLEAN_KEYS:
                if not isinstance(value, bool):
                    self.fail(where, f"`{key}` must be true or false")
                resolved[key] = value
            elif key == "material":
                resolved[key] = frozenset(self._id_list(value, where, "material", self.materials))
            elif key == "material_oecd_list":
                resolved[key] = frozenset(self._id_list(value, where, key, OECD_LISTS))
            elif key == "regime":
                resolved[key] = frozenset(self._id_list(value, where, key, REGIMES))
            elif key in ("date_from", "date_until"):
                resolved[key] = self._date(value, where, key)
            elif key == "assay_spec":
                if (
                    not isinstance(value, dict)
                    or set(value) != {"spec", "met"}
                    or value["spec"] not in self.assay_specs
                    or not isinstance(value["met"], bool)
                ):
                    self.fail(where, "`assay_spec` must be {spec: <known spec id>, met: bool}")
                resolved[key] = (value["spec"], value["met"])
        starts, ends = resolved.get("date_from"), resolved.get("date_until")
        if starts and ends and starts > ends:
            self.fail(where, "`date_from` is after `date_until`")
        return resolved


def _describe_when(when: Any) -> str:
    """The condition as written in the file, for the rules page."""
    if not isinstance(when, dict) or not when:
        return "always"
    parts = []
    for key, value in when.items():
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else value
        if isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items())
        parts.append(f"{key}: {shown}")
    return "; ".join(parts)
