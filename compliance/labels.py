"""Display labels for the compliance codes a page shows: regimes, materials, documents,
consent roles, deadlines, case statuses. The API and the stored rows keep the codes (a
stable interface); pages show these, translated (templatetags `compliance_tags`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop

from compliance.choices import (
    AlertKind,
    CaseStatus,
    CheckCode,
    CheckOutcome,
    ConsentRole,
    ConsentStatus,
    Material,
    MovementKind,
)
from compliance.texts import message

REGIME_LABELS = {
    "domestic": gettext_noop("Domestic: no transboundary movement"),
    "product": gettext_noop("Product, not waste"),
    "oecd_green": gettext_noop("OECD green list"),
    "oecd_amber": gettext_noop("OECD amber list: notification and consent"),
    "basel_pic": gettext_noop("Basel prior informed consent"),
    "bilateral": gettext_noop("Agreement under Basel Art 11"),
    "prohibited": gettext_noop("Prohibited"),
}

# Deadline rows (deadlines.yaml) cited in explanations of tacit consent.
DEADLINE_LABELS = {
    "basel_transit_tacit_consent": gettext_noop("Basel tacit consent of a transit state"),
    "oecd_amber_tacit_consent": gettext_noop("OECD amber-list tacit consent"),
    "oecd_preconsented_objection": gettext_noop("OECD pre-consented facility: objection period"),
}

# The role in a running sentence ("KR (import)"), where the choices' label names the column.
CONSENT_ROLE_WORDS = {
    ConsentRole.EXPORT: gettext_noop("export"),
    ConsentRole.IMPORT: gettext_noop("import"),
    ConsentRole.TRANSIT: gettext_noop("transit"),
}


def _ruleset():
    from compliance.ruleset import get_ruleset

    return get_ruleset()


def regime_message(code: str) -> Any:
    return message(REGIME_LABELS[code]) if code in REGIME_LABELS else code


def regime_label(code: str) -> str:
    return gettext(REGIME_LABELS[code]) if code in REGIME_LABELS else code


def consent_role_message(code: str) -> Any:
    return message(CONSENT_ROLE_WORDS[code]) if code in CONSENT_ROLE_WORDS else code


def consent_role_label(code: str) -> str:
    return gettext(CONSENT_ROLE_WORDS[code]) if code in CONSENT_ROLE_WORDS else code


def material_label(code: str) -> str:
    material = _ruleset().materials.get(code)
    return gettext(material.label) if material is not None else code


def document_label(code: str) -> str:
    document = _ruleset().documents.get(code)
    return gettext(document.label) if document is not None else code


# Code schemes of materials.yaml `codes`, as their names (proper names, not translated).
CODE_SCHEME_NAMES = {"basel": "Basel", "eu_low": "EU LoW", "hs": "HS"}

# States the audit trail records besides the choices' (documents, checks, information).
EVENT_STATES = {
    "missing": gettext_noop("missing"),
    "received": gettext_noop("received"),
    "uploaded": gettext_noop("uploaded"),
    "commented": gettext_noop("commented"),
    "acknowledged": gettext_noop("acknowledged"),
    "requested": gettext_noop("requested"),
    "answered": gettext_noop("answered"),
}


def status_label(code: str) -> str:
    """A from/to state of an audit event (case status, check outcome, consent status,
    material, movement, alert, document state), by its label."""
    if not code:
        return ""
    if code in EVENT_STATES:
        return gettext(EVENT_STATES[code])
    for choices in (
        CaseStatus,
        CheckOutcome,
        ConsentStatus,
        Material,
        MovementKind,
        AlertKind,
    ):
        if code in choices.values:
            return str(choices(code).label)
    return code


def check_label(code: str) -> str:
    return str(CheckCode(code).label) if code in CheckCode.values else code


def rule_label(rule_id: str) -> str:
    """A rule row id as cited on a check: a deadline row by its label, others by their id."""
    return gettext(DEADLINE_LABELS[rule_id]) if rule_id in DEADLINE_LABELS else rule_id


# What an applied rule row did (precheck.AppliedRule.effect).
EFFECT_LABELS = {
    "block": gettext_noop("blocks"),
    "review": gettext_noop("officer review"),
    "regime": gettext_noop("regime"),
    "deadline": gettext_noop("deadline"),
    "documents": gettext_noop("documents"),
    "transport": gettext_noop("transport"),
}


def effect_label(code: str) -> str:
    return gettext(EFFECT_LABELS[code]) if code in EFFECT_LABELS else code
