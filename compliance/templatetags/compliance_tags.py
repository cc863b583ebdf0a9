from django import template

from compliance import labels, selectors

register = template.Library()


@register.simple_tag
def compliance_queue_counts() -> dict[str, int]:
    """Counts for the officer panel, so a dashboard can include it without a view change."""
    return selectors.officer_queue_counts()


# Codes shown on pages as their labels, in the reader's language (compliance.labels).
register.filter("regime_label", labels.regime_label)
register.filter("material_label", labels.material_label)
register.filter("document_label", labels.document_label)
register.filter("consent_role_label", labels.consent_role_label)
register.filter("status_label", labels.status_label)


@register.filter
def event_reason(event) -> str:
    """An audit event's reason in the reader's language: a check result is rendered from the
    structure its details keep; any other reason (a person's words) is shown as written."""
    from compliance.choices import EventKind
    from compliance.texts import render

    details = event.details or {}
    if details.get("explanation_text") is not None:
        check = details.get("check", "")
        return f"{labels.check_label(check)}: {render(details['explanation_text'])}"
    if event.kind == EventKind.CHECK:
        return labels.check_label(event.reason)
    if event.kind == EventKind.DOCUMENT:
        # `<document code>` or `<document code> (<file name>)`
        code, _, rest = event.reason.partition(" ")
        label = labels.document_label(code)
        if label != code:
            return f"{label} {rest}".strip()
    if event.kind == EventKind.STATUS:
        return order_reference(event.reason)
    return event.reason


@register.filter
def risk_reason(reason: str) -> str:
    """`material:<code>` or `inference:<rule id>` (ShipmentCase.risk_reasons), as a reader
    sees it."""
    from django.utils.translation import gettext

    kind, _, value = reason.partition(":")
    if kind == "material":
        return labels.material_label(value)
    if kind == "inference":
        return gettext("rule %(rule)s rests on an inference") % {"rule": value}
    return reason


@register.filter
def order_reference(reference: str) -> str:
    """`order <id>`, the reference trading gives a case, as the order's display name."""
    import re

    from django.utils.translation import gettext

    match = re.fullmatch(r"order (\d+)", reference or "")
    return gettext("Order #%(number)s") % {"number": match[1]} if match else reference


register.filter("effect_label", labels.effect_label)


@register.filter
def applied_text(line) -> str:
    """An applied rule row's text (precheck.AppliedRule) in the reader's language."""
    from compliance.texts import render

    return render(line.message)


@register.filter
def rule_ids_label(rule_ids) -> str:
    """The rule rows a check cites, once each, deadline rows by their label."""
    return ", ".join(labels.rule_label(rule_id) for rule_id in dict.fromkeys(rule_ids or []))
