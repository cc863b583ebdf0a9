import shutil
from pathlib import Path

import pytest

from compliance.ruleset import DEFAULT_RULES_DIR, clear_ruleset_cache


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped rules that a test may break."""
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


@pytest.fixture(autouse=True)
def _fresh_rules_cache():
    clear_ruleset_cache()
    yield
    clear_ruleset_cache()
