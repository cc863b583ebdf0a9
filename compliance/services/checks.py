"""Turn a pre-check result and a classification into the seven explained checks of a case.

Pure: no database. Each check says what it found (`explanation`), under which rule rows
(`rule_ids`), on what basis (`sources`), how sure the basis is (`confidence`, the weakest
of the rows it rests on) and for which rules version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from compliance.choices import CheckCode, CheckOutcome
from compliance.labels import (
    CODE_SCHEME_NAMES,
    DEADLINE_LABELS,
    consent_role_message,
    regime_message,
)
from compliance.ruleset import Ruleset
from compliance.services.classification import Classification
from compliance.services.precheck import AppliedRule, PrecheckResult
from compliance.texts import Text, joined, message, render_english

# Weakest first: a check is only as sure as the least sure row it rests on.
_CONFIDENCE_ORDER = ("inference", "secondary", "confirmed")
# Blocking rules that concern who may receive goods at all, not what the goods are.
_SANCTION_PREFIXES = ("SANC-", "EMBARGO-")


@dataclass
class CheckResult:
    """`text` is the explanation as structure (compliance.texts): stored with the check and
    rendered in the reader's language; `explanation` is its canonical English, whatever
    language the caller (a web request, the Celery worker) runs in."""

    code: str
    outcome: str
    text: Text
    rule_ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    confidence: str = "confirmed"

    @property
    def explanation(self) -> str:
        return render_english(self.text)


def _line(line: AppliedRule) -> Text:
    """One applied rule row: its id and its text. A deadline row is named by its label."""
    if line.rule_id in DEADLINE_LABELS:
        return joined(": ", [message(DEADLINE_LABELS[line.rule_id]), line.message])
    return joined(": ", [line.rule_id, line.message])


def _lines(lines: list[AppliedRule]) -> list[Text]:
    return [_line(line) for line in lines]


def weakest_confidence(confidences: Iterable[str], default: str = "confirmed") -> str:
    values = [value for value in confidences if value in _CONFIDENCE_ORDER]
    if not values:
        return default
    return min(values, key=_CONFIDENCE_ORDER.index)


def _from_lines(code: str, lines: list[AppliedRule], *, empty_text: Text) -> CheckResult:
    if not lines:
        return CheckResult(code=code, outcome=CheckOutcome.PASS, text=empty_text)
    if any(line.effect == "block" for line in lines):
        outcome = CheckOutcome.FAIL
    elif any(line.effect == "review" or line.confidence == "inference" for line in lines):
        outcome = CheckOutcome.REVIEW
    else:
        outcome = CheckOutcome.PASS
    return CheckResult(
        code=code,
        outcome=outcome,
        text=joined("\n", _lines(lines)),
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
            empty_text=message(gettext_noop("No sanction or embargo rule applies to this route.")),
        ),
        _from_lines(
            CheckCode.EXPORT_BANS,
            bans,
            empty_text=message(
                gettext_noop("No export or import ban applies to this material on this route.")
            ),
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
    label = message(ruleset.materials[material].label)
    if material != classification.material:
        return CheckResult(
            code=CheckCode.WASTE_CLASSIFICATION,
            outcome=CheckOutcome.PASS,
            text=message(
                gettext_noop(
                    "An officer set the material to %(label)s (classified as %(classified)s): "
                    "%(reason)s"
                ),
                label=label,
                classified=message(ruleset.materials[classification.material].label),
                reason=override_reason,
            ),
            rule_ids=list(classification.applied_rows),
            sources=[],
            confidence="officer",
        )
    codes = [
        f"{CODE_SCHEME_NAMES.get(code['scheme'], code['scheme'])} {code['code']}"
        for code in classification.codes
    ]
    parts: list[Text] = [
        message(
            gettext_noop("Classified as %(label)s (%(waste)s)."),
            label=label,
            waste=message(
                gettext_noop("waste") if classification.is_waste else gettext_noop("not waste")
            ),
        )
    ]
    if codes:
        parts.append(message(gettext_noop("Codes: %(codes)s."), codes=", ".join(codes)))
    parts += classification.reason_texts
    return CheckResult(
        code=CheckCode.WASTE_CLASSIFICATION,
        outcome=(CheckOutcome.REVIEW if classification.needs_officer_review else CheckOutcome.PASS),
        text=joined(" ", parts),
        rule_ids=list(classification.applied_rows),
        sources=list(dict.fromkeys(code["source"] for code in classification.codes)),
        confidence=weakest_confidence(code["confidence"] for code in classification.codes),
    )


def _regime_check(result: PrecheckResult, lines: list[AppliedRule], fallback_id: str):
    regime_lines = [line for line in lines if line.effect == "regime"]
    fallback = [line for line in lines if line.rule_id == fallback_id]
    if regime_lines or fallback:
        check = _from_lines(CheckCode.REGIME, regime_lines + fallback, empty_text="")
        check.text = joined(". ", [regime_message(result.regime), check.text])
        return check
    return CheckResult(
        code=CheckCode.REGIME,
        outcome=CheckOutcome.FAIL,
        text=message(
            gettext_noop("No regime applies: the movement is prohibited (%(codes)s)."),
            codes=", ".join(block["code"] for block in result.blocks),
        ),
        rule_ids=[block["code"] for block in result.blocks],
        sources=list(dict.fromkeys(block["source"] for block in result.blocks)),
    )


def _consents_check(result: PrecheckResult, lines: list[AppliedRule]) -> CheckResult:
    if not result.consents_required:
        text = message(gettext_noop("No consent is required."))
    else:
        parts: list[Text] = []
        for consent in result.consents_required:
            role = consent_role_message(consent["role"])
            if consent.get("tacit_after_days"):
                parts.append(
                    message(
                        gettext_noop("%(country)s (%(role)s): tacit after %(days)s days"),
                        country=consent["country"],
                        role=role,
                        days=str(consent["tacit_after_days"]),
                    )
                )
            else:
                parts.append(
                    message(
                        gettext_noop("%(country)s (%(role)s): written consent"),
                        country=consent["country"],
                        role=role,
                    )
                )
        text = message(gettext_noop("Consents required: %(list)s."), list=joined("; ", parts))
    check = _from_lines(CheckCode.CONSENTS, lines, empty_text=text)
    if lines:
        check.text = joined("\n", [text, check.text])
    return check


def _documents_check(
    result: PrecheckResult, lines: list[AppliedRule], ruleset: Ruleset
) -> CheckResult:
    documents = [ruleset.documents[code] for code in result.documents]
    if not documents:
        return CheckResult(
            code=CheckCode.DOCUMENTS,
            outcome=CheckOutcome.PASS,
            text=message(gettext_noop("No document is required.")),
        )
    text = message(
        gettext_noop("Documents required: %(list)s."),
        list=joined("; ", [message(document.label) for document in documents]),
    )
    confidence = weakest_confidence(
        [document.confidence for document in documents] + [line.confidence for line in lines]
    )
    sources = [ruleset.citation(document.source) for document in documents]
    sources += [line.source for line in lines]
    return CheckResult(
        code=CheckCode.DOCUMENTS,
        outcome=CheckOutcome.REVIEW if confidence == "inference" else CheckOutcome.PASS,
        text=joined("\n", [text, *_lines(lines)]),
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
        no_number = message(
            gettext_noop(
                "No UN number on file for this material: the officer classifies the transport."
            )
        )
        check.text = joined("\n", [no_number, check.text]) if lines else no_number
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
        check.text = joined("\n", [summary, check.text])
    return check


def counterparty_permits_check(
    *, material_is_waste: bool, permits: list[tuple[str, str, str]], material_label: str
) -> CheckResult:
    # `material_label` is the rules' English label, a message of the rules' catalogue.
    label = message(material_label)
    """Does the buyer hold what receiving this material takes? A product needs no permit; a
    waste needs a consignee authorised to manage it (Basel Art 4(2)(e), 4(8): environmentally
    sound management). `permits` are the buyer's valid waste-handling permits on file as
    (number, authority, expires_on); none on file sends the check to an officer, who reads
    the consignee's authorisation off the contract (a foreign permit is rarely on file)."""
    if not material_is_waste:
        return CheckResult(
            code=CheckCode.COUNTERPARTY_PERMITS,
            outcome=CheckOutcome.PASS,
            text=message(
                gettext_noop(
                    "%(material)s is a product: the buyer needs no waste-handling permit."
                ),
                material=label,
            ),
        )
    if permits:
        return CheckResult(
            code=CheckCode.COUNTERPARTY_PERMITS,
            outcome=CheckOutcome.PASS,
            text=message(
                gettext_noop("The buyer holds a valid waste-handling permit: %(permits)s."),
                permits="; ".join(
                    f"{number} ({authority}, {expires})" for number, authority, expires in permits
                ),
            ),
            sources=[gettext_noop("Permits on file with the buyer organisation")],
        )
    return CheckResult(
        code=CheckCode.COUNTERPARTY_PERMITS,
        outcome=CheckOutcome.REVIEW,
        text=message(
            gettext_noop(
                "%(material)s is waste and the buyer has no valid waste-handling permit on "
                "file: check the consignee's authorisation to recover it (Basel Art 4(2)(e) "
                "and 4(8))."
            ),
            material=label,
        ),
    )
