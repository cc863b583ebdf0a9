"""Grade and recommended use from the headline SOH, its band, resistance and safety flags.

Grades are tried best first (grading.yaml); the first whose gates all pass wins. A grade
that fails only its resistance or lower-bound gate therefore falls to the next one, which
is how "B1 that fails the power gate" becomes B2 (diagnostics.md 1.9). Any safety flag
forces recycling: a damaged pack is not graded on its capacity at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from diagnostics.reference import GradeRule, Grading


@dataclass(frozen=True)
class GradeResult:
    grade: str
    recommended_use: str
    breakdown: dict


def _failed_gates(
    rule: GradeRule,
    *,
    soh_pct: Decimal,
    soh_low_pct: Decimal,
    resistance_increase_pct: Decimal | None,
    methods_used: set[str],
) -> list[str]:
    failed = []
    if soh_pct < rule.soh_min_pct.value:
        failed.append(f"soh_pct {soh_pct} < {rule.soh_min_pct.value}")
    if rule.soh_low_min_pct is not None and soh_low_pct < rule.soh_low_min_pct.value:
        failed.append(f"soh_low_pct {soh_low_pct} < {rule.soh_low_min_pct.value}")
    limit = rule.resistance_increase_max_pct
    measured = resistance_increase_pct
    if limit is not None and measured is not None and measured > limit.value:
        failed.append(f"resistance_increase_pct {resistance_increase_pct} > {limit.value}")
    excluded = rule.not_from_methods_alone
    if excluded is not None and methods_used <= set(excluded.value):
        failed.append(f"not from {', '.join(sorted(methods_used))} alone")
    return failed


def grade_pack(
    *,
    soh_pct: Decimal,
    soh_low_pct: Decimal,
    resistance_increase_pct: Decimal | None,
    safety_flags: tuple[str, ...],
    methods_used: set[str],
    grading: Grading,
) -> GradeResult:
    not_checked = ["within_calendar_expiry", "traceability_data", "knee_detection"]
    if resistance_increase_pct is None:
        not_checked.insert(0, "resistance_increase_pct (not measured)")
    breakdown: dict = {
        "data_version": grading.version,
        "safety_flags": list(safety_flags),
        "gates": [],
        "not_checked": not_checked,
    }
    if safety_flags:
        breakdown["reason"] = "safety flag(s) force recycling: " + ", ".join(safety_flags)
        return GradeResult(grading.recycling_code, grading.recycling_use, breakdown)

    for rule in grading.grades:
        failed = _failed_gates(
            rule,
            soh_pct=soh_pct,
            soh_low_pct=soh_low_pct,
            resistance_increase_pct=resistance_increase_pct,
            methods_used=methods_used,
        )
        breakdown["gates"].append(
            {
                "grade": rule.code,
                "soh_min_pct": rule.soh_min_pct.value,
                "source": rule.soh_min_pct.source,
                "passed": not failed,
                "failed": failed,
            }
        )
        if not failed:
            breakdown["reason"] = f"first grade whose gates all pass: {rule.code}"
            return GradeResult(rule.code, rule.recommended_use, breakdown)
    breakdown["reason"] = "below every reuse grade"
    return GradeResult(grading.recycling_code, grading.recycling_use, breakdown)
