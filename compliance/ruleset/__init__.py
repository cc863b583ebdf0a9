"""Load and validate the versioned compliance rules in compliance/rules/*.yaml.

The rules are data: country sets, agreements, deadlines, documents, material types and the
pre-check rules themselves, each row citing its sources and a confidence mark. Code here
does not know any country; it checks structure and references and hands out a frozen
`Ruleset`. A malformed file raises ImproperlyConfigured naming the file and the row, and
`ComplianceConfig.ready()` loads the rules so a bad file stops start-up.

The directory can be overridden with settings.COMPLIANCE_RULES_DIR (tests point it at a
broken copy). Loaded rules are cached per directory; `clear_ruleset_cache()` forgets them.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings

from compliance.ruleset.loader import load_ruleset
from compliance.ruleset.model import (
    CONSENT_ROLES,
    DEFAULT_RULES_DIR,
    ELEMENT_PATTERN,
    MATERIAL_CODES,
    REGIMES,
    RULE_FILES,
    AssaySpec,
    Rule,
    Ruleset,
)


def rules_directory() -> Path:
    return Path(getattr(settings, "COMPLIANCE_RULES_DIR", DEFAULT_RULES_DIR))


def get_ruleset() -> Ruleset:
    """The active rules, loaded once per rules directory."""
    return _cached_ruleset(rules_directory().resolve())


@functools.lru_cache(maxsize=8)
def _cached_ruleset(directory: Path) -> Ruleset:
    return load_ruleset(directory)


def clear_ruleset_cache() -> None:
    _cached_ruleset.cache_clear()


__all__ = [
    "CONSENT_ROLES",
    "DEFAULT_RULES_DIR",
    "ELEMENT_PATTERN",
    "MATERIAL_CODES",
    "REGIMES",
    "RULE_FILES",
    "AssaySpec",
    "Rule",
    "Ruleset",
    "clear_ruleset_cache",
    "get_ruleset",
    "load_ruleset",
    "rules_directory",
]
