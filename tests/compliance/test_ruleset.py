from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from compliance.ruleset import RULE_FILES, get_ruleset, load_ruleset


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_rules_load_with_one_version_and_row_counts():
    ruleset = get_ruleset()

    assert ruleset.version == "2026.11.24-draft.2"
    assert str(ruleset.effective_from) == "2026-11-22"
    assert set(ruleset.file_rows) == set(RULE_FILES)
    assert ruleset.file_rows["rules.yaml"] == (
        len(ruleset.blocking_rules) + len(ruleset.regime_rules) + len(ruleset.overlay_rules) + 1
    )


def test_derived_country_set_removes_non_operational_members():
    ruleset = get_ruleset()

    assert "CO" in ruleset.members("OECD")
    assert "CO" not in ruleset.members("OECD_WASTE_DECISION")
    assert len(ruleset.members("OECD_WASTE_DECISION")) == 37
    # A bare NO in YAML 1.1 is false; the file quotes Norway.
    assert "NO" in ruleset.members("OECD")


def test_every_row_cites_known_sources():
    ruleset = get_ruleset()

    rows = [*ruleset.blocking_rules, *ruleset.regime_rules, *ruleset.overlay_rules]
    for row in rows:
        assert row.source
        assert all(source_id in ruleset.sources for source_id in row.source)
        assert row.confidence in {"confirmed", "secondary", "inference"}


def test_rules_are_cached_until_cleared():
    assert get_ruleset() is get_ruleset()


@pytest.mark.parametrize(
    ("file_name", "old", "new", "expected"),
    [
        (
            "countries.yaml",
            "members: [RU]",
            "members: [RX]",
            "country_sets[9] (id SANCTIONED_DESTINATIONS_JP_VEHICLES): "
            "unknown country code 'RX' (ISO 3166-1 alpha-2 expected)",
        ),
        (
            "rules.yaml",
            "when: {material: [used_ev], origin_in: [JP], destination_in: "
            '[SANCTIONED_DESTINATIONS_JP_VEHICLES], date_from: "2023-08-09"}',
            "when: {material: [used_car], origin_in: [JP]}",
            "blocking_rules[1] (id SANC-JP-RU-VEHICLES): "
            "`material` names unknown material 'used_car'",
        ),
        (
            "rules.yaml",
            '    reason: "Japan bans all exports to this destination."\n    source: [R-KP]\n',
            '    reason: "Japan bans all exports to this destination."\n',
            "blocking_rules[0] (id EMBARGO-JP-KP): missing source",
        ),
        (
            "deadlines.yaml",
            "    source: [S19]\n    confidence: secondary",
            "    source: [S19]\n    confidence: likely",
            "deadlines[1] (id oecd_amber_tacit_consent): `confidence` must be "
            "one of confirmed, secondary, inference, not 'likely'",
        ),
        (
            "rules.yaml",
            'date_from: "2023-08-09"}',
            'date_from: "2023-02-30"}',
            "blocking_rules[1] (id SANC-JP-RU-VEHICLES): "
            "`date_from` must be a date YYYY-MM-DD, not '2023-02-30'",
        ),
        (
            "rules.yaml",
            "destination_in: [EMBARGOED_DESTINATIONS_JP]",
            "destination_in: [EMBARGOED_EVERYWHERE]",
            "blocking_rules[0] (id EMBARGO-JP-KP): `destination_in` names unknown "
            "country set 'EMBARGOED_EVERYWHERE'",
        ),
        (
            "rules.yaml",
            "source: [S32b]",
            "source: [S999]",
            "blocking_rules[2] (id SANC-JP-RU-LUXURY-CARS): unknown source 'S999'",
        ),
    ],
    ids=[
        "unknown-country",
        "unknown-material",
        "missing-source",
        "bad-confidence",
        "bad-date",
        "unknown-set",
        "unknown-source",
    ],
)
def test_malformed_rules_name_the_file_and_the_row(rules_copy, file_name, old, new, expected):
    _replace(rules_copy / file_name, old, new)

    with pytest.raises(ImproperlyConfigured) as raised:
        load_ruleset(rules_copy)

    assert str(raised.value) == f"Compliance rules file {rules_copy / file_name}, {expected}"


def test_invalid_yaml_names_the_file(rules_copy):
    (rules_copy / "materials.yaml").write_text("version: [unclosed\n", encoding="utf-8")

    with pytest.raises(ImproperlyConfigured, match=r"materials\.yaml is not valid YAML"):
        load_ruleset(rules_copy)


def test_mixed_versions_are_refused(rules_copy):
    _replace(rules_copy / "documents.yaml", 'version: "2026.11.24-draft.2"', 'version: "2"')

    with pytest.raises(ImproperlyConfigured, match=r"mix versions .*documents\.yaml=2"):
        load_ruleset(rules_copy)


def test_broken_rules_directory_stops_app_start_up(rules_copy, settings):
    # Given the rules directory setting points at a copy with a bad row
    _replace(rules_copy / "countries.yaml", "members: [RU]", "members: [RX]")
    settings.COMPLIANCE_RULES_DIR = str(rules_copy)

    # When the app starts, then start-up fails with the file and the row
    with pytest.raises(ImproperlyConfigured, match=r"countries\.yaml, country_sets\[9\]"):
        apps.get_app_config("compliance").ready()
