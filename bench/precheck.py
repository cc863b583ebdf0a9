"""Compliance pre-checks per second, in process, with the rules loaded once.

Each call parses raw input (as the API and the command do) and evaluates the pure precheck()
against the one loaded Ruleset; the inputs rotate over materials, destinations and assays so
no single branch is measured alone.
"""

from __future__ import annotations

import itertools
import time

from compliance.ruleset import MATERIAL_CODES, get_ruleset
from compliance.services.precheck import parse_precheck_input, precheck

DESTINATIONS = ("JP", "KR", "CN", "DE", "US", "VN", "IN", "TH", "MY", "FR")
TRANSITS: tuple[tuple[str, ...], ...] = ((), ("SG",), ("KR", "CN"))
ASSAYS = (
    {},
    {"Ni": "18.4", "Co": "6.2", "Mn": "5.8", "Li": "3.6", "Cu": "1.2", "Al": "0.9", "F": "2.1"},
    {"Li": "2.4", "Fe": "19.0", "P": "10.6", "Cu": "0.8", "Al": "1.5"},
)


def precheck_rate(*, seconds: float = 3.0, max_calls: int = 200_000) -> dict:
    ruleset = get_ruleset()  # loaded once; every call below reuses it
    combinations = itertools.cycle(
        list(itertools.product(MATERIAL_CODES, DESTINATIONS, TRANSITS, ASSAYS))
    )
    allowed = calls = 0
    started = time.perf_counter()
    deadline = started + seconds
    while calls < max_calls and time.perf_counter() < deadline:
        material, destination, transit, assay = next(combinations)
        request = parse_precheck_input(
            material=material,
            origin="JP",
            destination=destination,
            transit=transit,
            on="2026-12-01",
            assay=assay,
        )
        allowed += precheck(request, ruleset=ruleset).allowed
        calls += 1
    elapsed = time.perf_counter() - started
    return {"calls": calls, "seconds": round(elapsed, 3), "per_s": round(calls / elapsed, 1)}
