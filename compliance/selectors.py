"""Reads of the active compliance rules, shaped for the rules page and the API."""

from dataclasses import dataclass

from compliance.ruleset import Rule, Ruleset


@dataclass(frozen=True)
class RuleRow:
    kind: str
    id: str
    condition: str
    effect: str
    reason: str
    source: str
    confidence: str


def ruleset_summary(*, ruleset: Ruleset) -> dict:
    files = [{"name": name, "rows": rows} for name, rows in ruleset.file_rows.items()]
    return {
        "version": ruleset.version,
        "effective_from": ruleset.effective_from,
        "files": files,
        "total_rows": sum(rows for rows in ruleset.file_rows.values()),
    }


def ruleset_rule_rows(*, ruleset: Ruleset) -> list[RuleRow]:
    """Every pre-check rule in evaluation order, with its sources spelled out."""
    rules: list[Rule] = [
        *ruleset.blocking_rules,
        *ruleset.regime_rules,
        ruleset.fallback,
        *ruleset.overlay_rules,
    ]
    rows = []
    for rule in rules:
        if rule.kind == "block":
            effect = rule.outcome or "prohibited"
        elif rule.kind == "regime":
            effect = rule.regime or ""
        else:
            effect = ", ".join(rule.documents)
        rows.append(
            RuleRow(
                kind=rule.kind,
                id=rule.id,
                condition=rule.when_text,
                effect=effect,
                reason=rule.reason,
                source=ruleset.citation(rule.source),
                confidence=rule.confidence,
            )
        )
    return rows
