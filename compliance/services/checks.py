"""Turn a pre-check result and a classification into the seven explained checks of a case.

Pure: no database. Each check says what it found (`explanation`), under which rule rows
(`rule_ids`), on what basis (`sources`), how sure the basis is (`confidence`, the weakest
of the rows it rests on) and for which rules version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from compliance.choices import CheckCode, CheckOutcome
from compliance.ruleset import Ruleset
from compliance.services.classification import Classification
from compliance.services.precheck import AppliedRule, PrecheckResult

# Weakest first: a check is only as sure as the least sure row it rests on.
_CONFIDENCE_ORDER = ("inference", "secondary", "confirmed")
# Blocking rules that concern who may receive goods at all, not what the goods are.
_SANCTION_PREFIXES = ("SANC-", "EMBARGO-")


@dataclass
class CheckResult:
    code: str
    outcome: str
    explanation: str
    rule_ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    confidence: str = "confirmed"


def weakest_confidence(confidences: Iterable[str], default: str = "confirmed") -> str:
    values = [value for value in confidences if value in _CONFIDENCE_ORDER]
    if not values:
        return default
    return min(values, key=_CONFIDENCE_ORDER.index)


def _from_lines(code: str, lines: list[AppliedRule], *, empty_text: str) -> CheckResult:
    if not lines:
        return CheckResult(code=code, outcome=CheckOutcome.PASS, explanation=empty_text)
    if any(line.effect == "block" for line in lines):
        outcome = CheckOutcome.FAIL
    elif any(line.effect == "review" or line.confidence == "inference" for line in lines):
        outcome = CheckOutcome.REVIEW
    else:
        outcome = CheckOutcome.PASS
    return CheckResult(
        code=code,
        outcome=outcome,
        explanation="\n".join(f"{line.rule_id}: {line.text}" for line in lines),
        rule_ids=[line.rule_id for line in lines],
        sources=list(dict.fromkeys(line.source for line in lines)),
        confidence=weakest_confidence(line.confidence for line in lines),
    )


def build_checks(
    *,
    result: PrecheckResult,
    classification: Classification,
    material: str,
    override_reason: str,
    ruleset: Ruleset,
) -> list[CheckResult]:
    """The seven checks in the order an officer reads them."""
    lines = result.explanation
    fallback_id = ruleset.fallback.id
    blocking = [line for line in lines if line.effect in ("block", "review")]
    sanctions = [
        line
        for line in blocking
        if line.rule_id != fallback_id and line.rule_id.startswith(_SANCTION_PREFIXES)
    ]
    bans = [
        line
        for line in blocking
        if line.rule_id != fallback_id and not line.rule_id.startswith(_SANCTION_PREFIXES)
    ]
    return [
        _from_lines(
            CheckCode.SANCTIONS,
            sanctions,
            empty_text=_("No sanction or embargo rule applies to this route."),
        ),
        _from_lines(
            CheckCode.EXPORT_BANS,
            bans,
            empty_text=_("No export or import ban applies to this material on this route."),
        ),
        _classification_check(classification, material, override_reason, ruleset),
        _regime_check(result, lines, fallback_id),
        _consents_check(result, [line for line in lines if line.effect == "deadline"]),
        _documents_check(result, [line for line in lines if line.effect == "documents"], ruleset),
        _transport_check(result, [line for line in lines if line.effect == "transport"]),
    ]


def _classification_check(
    classification: Classification, material: str, override_reason: str, ruleset: Ruleset
) -> CheckResult:
    label = ruleset.materials[material].label
    if material != classification.material:
        return CheckResult(
            code=CheckCode.WASTE_CLASSIFICATION,
            outcome=CheckOutcome.PASS,
            explanation=_(
                "An officer set the material to %(label)s (classified as %(classified)s): "
                "%(reason)s"
            )
            % {"label": label, "classified": classification.material, "reason": override_reason},
            rule_ids=list(classification.applied_rows),
            sources=[],
            confidence="officer",
        )
    codes = [f"{code['scheme']} {code['code']}" for code in classification.codes]
    text = _("Classified as %(label)s (%(waste)s).") % {
        "label": label,
        "waste": _("waste") if classification.is_waste else _("not waste"),
    }
    if codes:
        text += " " + _("Codes: %(codes)s.") % {"codes": ", ".join(codes)}
    if classification.reasons:
        text += " " + " ".join(classification.reasons)
    return CheckResult(
        code=CheckCode.WASTE_CLASSIFICATION,
        outcome=(CheckOutcome.REVIEW if classification.needs_officer_review else CheckOutcome.PASS),
        explanation=text,
        rule_ids=list(classification.applied_rows),
        sources=list(dict.fromkeys(code["source"] for code in classification.codes)),
        confidence=weakest_confidence(code["confidence"] for code in classification.codes),
    )


def _regime_check(result: PrecheckResult, lines: list[AppliedRule], fallback_id: str):
    regime_lines = [line for line in lines if line.effect == "regime"]
    fallback = [line for line in lines if line.rule_id == fallback_id]
    if regime_lines or fallback:
        check = _from_lines(CheckCode.REGIME, regime_lines + fallback, empty_text="")
        check.explanation = f"{result.regime}. {check.explanation}"
        return check
    return CheckResult(
        code=CheckCode.REGIME,
        outcome=CheckOutcome.FAIL,
        explanation=_("No regime applies: the movement is prohibited (%(codes)s).")
        % {"codes": ", ".join(block["code"] for block in result.blocks)},
        rule_ids=[block["code"] for block in result.blocks],
        sources=list(dict.fromkeys(block["source"] for block in result.blocks)),
    )


def _consents_check(result: PrecheckResult, lines: list[AppliedRule]) -> CheckResult:
    if not result.consents_required:
        text = _("No consent is required.")
    else:
        parts = []
        for consent in result.consents_required:
            if consent.get("tacit_after_days"):
                parts.append(
                    _("%(country)s (%(role)s): tacit after %(days)s days")
                    % {
                        "country": consent["country"],
                        "role": consent["role"],
                        "days": consent["tacit_after_days"],
                    }
                )
            else:
                parts.append(
                    _("%(country)s (%(role)s): written consent")
                    % {"country": consent["country"], "role": consent["role"]}
                )
        text = _("Consents required: %(list)s.") % {"list": "; ".join(parts)}
    check = _from_lines(CheckCode.CONSENTS, lines, empty_text=text)
    if lines:
        check.explanation = f"{text}\n{check.explanation}"
    return check


def _documents_check(
    result: PrecheckResult, lines: list[AppliedRule], ruleset: Ruleset
) -> CheckResult:
    documents = [ruleset.documents[code] for code in result.documents]
    if not documents:
        return CheckResult(
            code=CheckCode.DOCUMENTS,
            outcome=CheckOutcome.PASS,
            explanation=_("No document is required."),
        )
    text = _("Documents required: %(list)s.") % {
        "list": "; ".join(document.label for document in documents)
    }
    confidence = weakest_confidence(
        [document.confidence for document in documents] + [line.confidence for line in lines]
    )
    sources = [ruleset.citation(document.source) for document in documents]
    sources += [line.source for line in lines]
    return CheckResult(
        code=CheckCode.DOCUMENTS,
        outcome=CheckOutcome.REVIEW if confidence == "inference" else CheckOutcome.PASS,
        explanation="\n".join([text, *(f"{line.rule_id}: {line.text}" for line in lines)]),
        rule_ids=[line.rule_id for line in lines],
        sources=list(dict.fromkeys(sources)),
        confidence=confidence,
    )


def _transport_check(result: PrecheckResult, lines: list[AppliedRule]) -> CheckResult:
    transport = result.transport
    if transport["un_number"] is None:
        check = _from_lines(CheckCode.TRANSPORT, lines, empty_text="")
        check.outcome = CheckOutcome.REVIEW
        check.confidence = "inference"
        check.explanation = _(
            "No UN number on file for this material: the officer classifies the transport."
        ) + (f"\n{check.explanation}" if check.explanation else "")
        return check
    summary = " · ".join(
        part
        for part in (
            transport["un_number"],
            ", ".join(transport["special_provisions"]),
            transport["packing_instruction"] or "",
        )
        if part
    )
    check = _from_lines(CheckCode.TRANSPORT, lines, empty_text=summary)
    if lines:
        check.explanation = f"{summary}\n{check.explanation}"
    return check


def counterparty_permits_check(
    *, material_is_waste: bool, permits: list[tuple[str, str, str]], material_label: str
) -> CheckResult:
    """Does the buyer hold what receiving this material takes? A product needs no permit; a
    waste needs a consignee authorised to manage it (Basel Art 4(2)(e), 4(8): environmentally
    sound management). `permits` are the buyer's valid waste-handling permits on file as
    (number, authority, expires_on); none on file sends the check to an officer, who reads
    the consignee's authorisation off the contract (a foreign permit is rarely on file)."""
    if not material_is_waste:
        return CheckResult(
            code=CheckCode.COUNTERPARTY_PERMITS,
            outcome=CheckOutcome.PASS,
            explanation=_("%(material)s is a product: the buyer needs no waste-handling permit.")
            % {"material": material_label},
        )
    if permits:
        return CheckResult(
            code=CheckCode.COUNTERPARTY_PERMITS,
            outcome=CheckOutcome.PASS,
            explanation=_("The buyer holds a valid waste-handling permit: %(permits)s.")
            % {
                "permits": "; ".join(
                    f"{number} ({authority}, {expires})" for number, authority, expires in permits
                )
            },
            sources=[_("Permits on file with the buyer organisation")],
        )
    return CheckResult(
        code=CheckCode.COUNTERPARTY_PERMITS,
        outcome=CheckOutcome.REVIEW,
        explanation=_(
            "%(material)s is waste and the buyer has no valid waste-handling permit on file: "
            "check the consignee's authorisation to recover it (Basel Art 4(2)(e) and 4(8))."
        )
        % {"material": material_label},
    )
