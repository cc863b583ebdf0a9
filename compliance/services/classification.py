"""Which material type is a listing, for trade-compliance purposes?

A pure function over plain values, so the catalogue can call it without this app knowing
its models. The criteria (which test methods count as functional evidence, how old a
certificate may be, which grades are reusable) come from materials.yaml `classification`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from compliance.ruleset import Ruleset, get_ruleset
from compliance.texts import Text, message, render
from marketplace.core.exceptions import DomainError


class ClassificationInputError(DomainError):
    code = "invalid_classification_input"


@dataclass(frozen=True)
class Classification:
    material: str
    is_waste: bool
    codes: list[dict[str, Any]]
    transport: dict[str, Any]
    reasons: list[str]
    needs_officer_review: bool
    rules_version: str
    applied_rows: list[str] = field(default_factory=list)
    # The reasons as structure (compliance.texts), for a check explained in any language.
    reason_texts: list[Text] = field(default_factory=list)


def classify_listing(
    *,
    listing_type: str,
    soh_certificate_date: datetime.date | None = None,
    soh_method: str | None = None,
    grade: str | None = None,
    safety_flags: Iterable[str] = (),
    packaging_ok: bool = False,
    on: datetime.date | None = None,
    ruleset: Ruleset | None = None,
) -> Classification:
    """Material code, applicable codes (Basel, EU LoW, HS) and transport entry for a listing.

    listing_type is one of the catalogue's types (used_ev, pack, module, black_mass).
    A pack or module is a product for reuse only with recent functional-test evidence, a
    reuse grade, no safety flags and proper packaging; with safety flags it is a damaged
    pack; otherwise it is end-of-life waste.
    """
    ruleset = ruleset or get_ruleset()
    on = on or timezone.localdate()
    listing_types = ruleset.classification["LISTING-TYPE-MAP"].values["listing_types"]
    if listing_type not in listing_types:
        raise ClassificationInputError(
            _("Unknown listing type %(value)s; expected one of %(choices)s.")
            % {"value": repr(listing_type), "choices": ", ".join(listing_types)},
            fields={"listing_type": [_("Unknown listing type.")]},
        )
    flags = sorted(set(safety_flags))
    applied = ["LISTING-TYPE-MAP"]
    reasons: list[Text] = []
    needs_review = False
    target = listing_types[listing_type]

    if target == "battery":
        evidence_row = ruleset.classification["REUSE-EVIDENCE"]
        applied.append(evidence_row.id)
        needs_review |= evidence_row.confidence == "inference"
        if flags:
            material_code = "damaged_pack"
            reasons.append(
                message(
                    gettext_noop("Safety flags (%(flags)s) make the pack damaged or defective."),
                    flags=", ".join(flags),
                )
            )
        else:
            missing = _missing_reuse_evidence(
                evidence_row.values, soh_certificate_date, soh_method, grade, packaging_ok, on
            )
            material_code = "end_of_life_pack" if missing else "used_pack_for_reuse"
            reasons.extend(missing)
            if not missing:
                reasons.append(
                    message(
                        gettext_noop("Recent functional test, reuse grade and proper packaging.")
                    )
                )
    else:
        material_code = target
        if flags and material_code == "used_ev":
            # A damaged vehicle still ships as UN3556, but carriers may impose conditions.
            needs_review = True
            reasons.append(
                message(
                    gettext_noop(
                        "Safety flags (%(flags)s) on a vehicle: an officer checks the transport."
                    ),
                    flags=", ".join(flags),
                )
            )

    material = ruleset.materials[material_code]
    codes = []
    for entry in material.codes:
        if entry.valid_on(on):
            codes.append(
                {
                    "scheme": entry.scheme,
                    "code": entry.code,
                    "country": entry.country,
                    "confidence": entry.confidence,
                    "source": ruleset.citation(entry.source),
                }
            )
            needs_review |= entry.confidence == "inference"
    transport_entry = material.transport_on(on)
    transport = {"un_number": None, "special_provisions": [], "packing_instruction": None}
    if transport_entry is not None:
        transport = {
            "un_number": transport_entry.un_number,
            "special_provisions": list(transport_entry.special_provisions),
            "packing_instruction": transport_entry.packing_instruction,
        }
        needs_review |= transport_entry.confidence == "inference"
    return Classification(
        material=material_code,
        is_waste=material.is_waste,
        codes=codes,
        transport=transport,
        reasons=[render(reason) for reason in reasons],
        reason_texts=reasons,
        needs_officer_review=needs_review,
        rules_version=ruleset.version,
        applied_rows=applied,
    )


def _missing_reuse_evidence(
    criteria: dict[str, Any],
    certificate_date: datetime.date | None,
    method: str | None,
    grade: str | None,
    packaging_ok: bool,
    on: datetime.date,
) -> list[Text]:
    missing: list[Text] = []
    max_age_days = criteria["max_certificate_age_days"]
    if certificate_date is None:
        missing.append(message(gettext_noop("No SOH certificate.")))
    elif certificate_date > on:
        missing.append(message(gettext_noop("The SOH certificate is dated in the future.")))
    elif (on - certificate_date).days > max_age_days:
        missing.append(
            message(
                gettext_noop("The SOH certificate is older than %(days)s days."),
                days=str(max_age_days),
            )
        )
    if method not in criteria["functional_test_methods"]:
        missing.append(
            message(
                gettext_noop("Method %(method)s is not a functional test."), method=method or "-"
            )
        )
    if grade not in criteria["reuse_grades"]:
        missing.append(
            message(gettext_noop("Grade %(grade)s is not a reuse grade."), grade=grade or "-")
        )
    if not packaging_ok:
        missing.append(message(gettext_noop("Packaging is not confirmed as protective.")))
    return missing
