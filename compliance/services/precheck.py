"""Can this lot legally move from origin to destination, and what will that take?

`precheck()` is pure: validated input and a `Ruleset` in, a `PrecheckResult` out, no I/O.
Every country, date and threshold comes from compliance/rules/*.yaml; this module only
knows how to evaluate the `when` conditions those rules are written in. The result's
`as_dict()` is the stable interface of DESIGN.md (command and REST API); `explanation`
lists every rule applied, with its source and confidence, for people to read.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_countries.data import COUNTRIES

from compliance.labels import consent_role_message
from compliance.ruleset import (
    ELEMENT_PATTERN,
    MATERIAL_CODES,
    AssaySpec,
    Rule,
    Ruleset,
    get_ruleset,
)
from compliance.texts import message, render_english
from marketplace.core.exceptions import DomainError


class PrecheckInputError(DomainError):
    code = "invalid_precheck_input"


@dataclass(frozen=True)
class PrecheckInput:
    material: str
    origin: str
    destination: str
    transit: tuple[str, ...]
    on: datetime.date
    assay: Mapping[str, Decimal]


@dataclass(frozen=True)
class AppliedRule:
    """One line of the explanation: which row was applied, what it did and on what basis."""

    rule_id: str
    effect: str
    text: str
    source: str
    confidence: str
    # The text as structure (compliance.texts), for a reader in another language; a rule's
    # own text (its reason in the rules files) is a message as it stands.
    text_parts: Any = None

    @property
    def message(self) -> Any:
        return self.text_parts if self.text_parts is not None else {"msgid": self.text}


@dataclass
class PrecheckResult:
    allowed: bool
    regime: str
    blocks: list[dict[str, str]]
    consents_required: list[dict[str, Any]]
    documents: list[str]
    transport: dict[str, Any]
    needs_officer_review: bool
    rules_version: str
    explanation: list[AppliedRule] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Exactly the fields of the DESIGN.md interface, in its order."""
        return {
            "allowed": self.allowed,
            "regime": self.regime,
            "blocks": [dict(block) for block in self.blocks],
            "consents_required": [dict(consent) for consent in self.consents_required],
            "documents": list(self.documents),
            "transport": {
                "un_number": self.transport["un_number"],
                "special_provisions": list(self.transport["special_provisions"]),
                "packing_instruction": self.transport["packing_instruction"],
            },
            "needs_officer_review": self.needs_officer_review,
            "rules_version": self.rules_version,
        }


# --- Input ---------------------------------------------------------------------------


def parse_precheck_input(
    *,
    material: Any,
    origin: Any,
    destination: Any,
    transit: Iterable[Any] | None = None,
    on: Any = None,
    assay: Mapping[Any, Any] | None = None,
) -> PrecheckInput:
    """Validate raw values (strings from a form, a command line or JSON).

    Raises PrecheckInputError with one message per bad field, so both front doors can show
    field-level errors.
    """
    errors: dict[str, list[str]] = {}
    if material not in MATERIAL_CODES:
        errors["material"] = [
            _("Unknown material %(value)s; expected one of %(choices)s.")
            % {"value": repr(material), "choices": ", ".join(MATERIAL_CODES)}
        ]
    origin_code = _country(origin, "origin", errors)
    destination_code = _country(destination, "destination", errors)
    transit_codes = tuple(_country(code, "transit", errors) for code in (transit or ()))
    date_value = _date(on, errors)
    assay_values = _assay(assay or {}, errors)
    if errors:
        fields = ", ".join(errors)
        raise PrecheckInputError(
            _("Invalid pre-check input (%(fields)s): %(message)s")
            % {"fields": fields, "message": next(iter(errors.values()))[0]},
            fields=errors,
        )
    return PrecheckInput(
        material=material,
        origin=origin_code,
        destination=destination_code,
        transit=tuple(dict.fromkeys(transit_codes)),
        on=date_value,
        assay=assay_values,
    )


def _country(value: Any, name: str, errors: dict[str, list[str]]) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in COUNTRIES:
        errors.setdefault(name, []).append(
            _("%(value)s is not an ISO 3166-1 alpha-2 country code.") % {"value": repr(value)}
        )
    return code


def _date(value: Any, errors: dict[str, list[str]]) -> datetime.date:
    if value is None or value == "":
        return timezone.localdate()
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    errors["date"] = [_("%(value)s is not a date YYYY-MM-DD.") % {"value": repr(value)}]
    return timezone.localdate()


def _assay(values: Mapping[Any, Any], errors: dict[str, list[str]]) -> dict[str, Decimal]:
    parsed: dict[str, Decimal] = {}
    messages: list[str] = []
    for raw_element, raw_pct in values.items():
        element = raw_element.strip().capitalize() if isinstance(raw_element, str) else ""
        if not ELEMENT_PATTERN.match(element):
            messages.append(_("%(value)s is not an element symbol.") % {"value": repr(raw_element)})
            continue
        try:
            pct = Decimal(str(raw_pct).strip()) if not isinstance(raw_pct, bool) else None
        except InvalidOperation:
            pct = None
        if pct is None or not pct.is_finite() or not (0 <= pct <= 100):
            messages.append(
                _("%(element)s: %(value)s is not a percentage between 0 and 100.")
                % {"element": element, "value": repr(raw_pct)}
            )
            continue
        parsed[element] = pct
    if messages:
        errors["assay"] = messages
    return parsed


# --- Evaluation ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    request: PrecheckInput
    ruleset: Ruleset
    is_waste: bool
    oecd_list: str | None
    is_domestic: bool
    regime: str | None = None

    @property
    def parties(self) -> tuple[str, ...]:
        request = self.request
        return (request.origin, request.destination, *request.transit)


def _within_dates(facts: _Facts, value: datetime.date, key: str) -> bool:
    if key == "date_from":
        return facts.request.on >= value
    return facts.request.on <= value


def _nonparty_without_agreement(facts: _Facts, expected: bool) -> bool:
    # Basel Art 4(5)/11: a Party may trade Basel waste with a non-Party only under an
    # agreement; among OECD_WASTE_DECISION members the OECD Decision is that agreement.
    request, ruleset = facts.request, facts.ruleset
    nonparties = ruleset.members("BASEL_NON_PARTIES")
    if (request.origin in nonparties) == (request.destination in nonparties):
        return expected is False
    return (not _route_has_agreement(facts)) is expected


def _route_has_agreement(facts: _Facts) -> bool:
    request, ruleset = facts.request, facts.ruleset
    oecd = ruleset.members("OECD_WASTE_DECISION")
    if all(party in oecd for party in facts.parties):
        return True
    return (request.origin, request.destination) in ruleset.agreement_routes


def assay_meets_spec(spec: AssaySpec, assay: Mapping[str, Decimal]) -> bool:
    """True if the assay meets every limit of at least one variant of the spec.

    A missing element fails its limit: conformity has to be shown by the assay.
    """
    for variant in spec.variants:
        if all(_meets_limit(limit, assay) for limit in variant.limits):
            return True
    return False


def _meets_limit(limit: Any, assay: Mapping[str, Decimal]) -> bool:
    if any(element not in assay for element in limit.elements):
        return False
    total = sum((assay[element] for element in limit.elements), Decimal(0))
    if limit.min_pct is not None and total < limit.min_pct:
        return False
    return not (limit.max_pct is not None and total > limit.max_pct)


_PREDICATES: dict[str, Callable[[_Facts, Any, str], bool]] = {
    "material": lambda f, v, k: f.request.material in v,
    "waste": lambda f, v, k: f.is_waste is v,
    "material_oecd_list": lambda f, v, k: f.oecd_list in v,
    "domestic": lambda f, v, k: f.is_domestic is v,
    "regime": lambda f, v, k: f.regime in v,
    "origin_in": lambda f, v, k: f.request.origin in v,
    "origin_not_in": lambda f, v, k: f.request.origin not in v,
    "destination_in": lambda f, v, k: f.request.destination in v,
    "destination_not_in": lambda f, v, k: f.request.destination not in v,
    "transit_all_in": lambda f, v, k: all(code in v for code in f.request.transit),
    "any_party_in": lambda f, v, k: any(code in v for code in f.parties),
    "date_from": _within_dates,
    "date_until": _within_dates,
    "assay_spec": lambda f, v, k: (
        assay_meets_spec(f.ruleset.assay_specs[v[0]], f.request.assay) is v[1]
    ),
    "basel_nonparty_without_agreement": lambda f, v, k: _nonparty_without_agreement(f, v),
    "agreement_covers_route": lambda f, v, k: _route_has_agreement(f) is v,
}


def _matches(rule: Rule, facts: _Facts) -> bool:
    return all(_PREDICATES[key](facts, value, key) for key, value in rule.when.items())


def precheck(request: PrecheckInput, *, ruleset: Ruleset | None = None) -> PrecheckResult:
    """Evaluate the rules for one movement. See compliance/rules/rules.yaml for the order."""
    ruleset = ruleset or get_ruleset()
    material = ruleset.materials[request.material]
    is_domestic = all(code == request.origin for code in (request.destination, *request.transit))
    facts = _Facts(
        request=request,
        ruleset=ruleset,
        is_waste=material.is_waste,
        oecd_list=material.oecd_list,
        is_domestic=is_domestic,
    )
    explanation: list[AppliedRule] = []
    blocks: list[dict[str, str]] = []

    def apply(
        rule_id: str,
        effect: str,
        text: str,
        source: tuple[str, ...],
        confidence: str,
        text_parts: Any = None,
    ):
        explanation.append(
            AppliedRule(rule_id, effect, text, ruleset.citation(source), confidence, text_parts)
        )

    # Blocking rules concern crossing a border; every match applies so an officer sees
    # all the reasons at once, not only the first.
    if not is_domestic:
        for rule in ruleset.blocking_rules:
            if _matches(rule, facts):
                effect = "block" if rule.outcome == "prohibited" else "review"
                apply(rule.id, effect, rule.reason, rule.source, rule.confidence)
                if rule.outcome == "prohibited":
                    blocks.append(
                        {
                            "code": rule.id,
                            "reason": rule.reason,
                            "source": ruleset.citation(rule.source),
                        }
                    )

    regime_rule = None
    if not blocks:
        regime_rule = next((r for r in ruleset.regime_rules if _matches(r, facts)), None)
        if regime_rule is None:
            fallback = ruleset.fallback
            apply(fallback.id, "block", fallback.reason, fallback.source, fallback.confidence)
            blocks.append(
                {
                    "code": fallback.id,
                    "reason": fallback.reason,
                    "source": ruleset.citation(fallback.source),
                }
            )

    consents: list[dict[str, Any]] = []
    documents: list[str] = []
    if regime_rule is not None:
        apply(
            regime_rule.id,
            "regime",
            regime_rule.reason,
            regime_rule.source,
            regime_rule.confidence,
        )
        consents = _consents(regime_rule, request, ruleset, apply)
        documents = list(regime_rule.documents) + list(material.documents)
        regime_facts = _Facts(
            request=request,
            ruleset=ruleset,
            is_waste=material.is_waste,
            oecd_list=material.oecd_list,
            is_domestic=is_domestic,
            regime=regime_rule.regime,
        )
        for overlay in ruleset.overlay_rules:
            if _matches(overlay, regime_facts):
                labels = "; ".join(ruleset.documents[d].label for d in overlay.documents)
                apply(
                    overlay.id,
                    "documents",
                    overlay.reason or labels,
                    overlay.source,
                    overlay.confidence,
                )
                documents.extend(overlay.documents)

    transport_entry = material.transport_on(request.on)
    transport: dict[str, Any] = {
        "un_number": None,
        "special_provisions": [],
        "packing_instruction": None,
    }
    if transport_entry is not None:
        transport = {
            "un_number": transport_entry.un_number,
            "special_provisions": list(transport_entry.special_provisions),
            "packing_instruction": transport_entry.packing_instruction,
        }
        apply(
            f"TRANSPORT-{material.id}",
            "transport",
            transport_entry.note or str(transport_entry.un_number),
            transport_entry.source,
            transport_entry.confidence,
        )

    return PrecheckResult(
        allowed=not blocks,
        regime=regime_rule.regime if regime_rule is not None else "prohibited",
        blocks=blocks,
        consents_required=consents,
        documents=list(dict.fromkeys(documents)),
        transport=transport,
        needs_officer_review=any(line.confidence == "inference" for line in explanation),
        rules_version=ruleset.version,
        explanation=explanation,
    )


def _consents(
    rule: Rule, request: PrecheckInput, ruleset: Ruleset, apply: Callable[..., None]
) -> list[dict[str, Any]]:
    countries_by_role = {
        "export": [request.origin],
        "import": [request.destination],
        "transit": [c for c in request.transit if c not in (request.origin, request.destination)],
    }
    consents = []
    for consent in rule.consents:
        for country in countries_by_role[consent.role]:
            tacit_after_days = None
            if consent.deadline is not None and (
                consent.tacit_only_if_in is None
                or country in ruleset.members(consent.tacit_only_if_in)
            ):
                deadline = ruleset.deadlines[consent.deadline]
                tacit_after_days = deadline.days
                text = message(
                    gettext_noop("Tacit consent of %(country)s (%(role)s) after %(days)s days."),
                    country=country,
                    role=consent_role_message(consent.role),
                    days=str(deadline.days),
                )
                apply(
                    deadline.id,
                    "deadline",
                    render_english(text),
                    deadline.source,
                    deadline.confidence,
                    text,
                )
            consents.append(
                {"country": country, "role": consent.role, "tacit_after_days": tacit_after_days}
            )
    return consents


def precheck_from_raw(**raw: Any) -> PrecheckResult:
    """Parse raw values and run the pre-check against the active rules."""
    return precheck(parse_precheck_input(**raw), ruleset=get_ruleset())
