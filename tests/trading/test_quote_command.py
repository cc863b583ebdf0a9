"""`manage.py quote_black_mass`: the DESIGN.md interface, exact JSON out, exit 2 on bad input."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

MANAGE = Path(settings.BASE_DIR) / "manage.py"
INPUT = {
    "wet_kg": 1000,
    "moisture_pct": 5,
    "assay_pct": {"Ni": 20, "Co": 10, "Li": 4, "Cu": 2.5},
    "payables_pct": {"Ni": 75, "Co": 75, "Li": 5},
    "prices_jpy_per_kg": {"Ni": 2300, "Co": 5000, "Li": 9600},
    "penalties": [{"element": "Cu", "threshold_pct": 2, "jpy_per_dry_tonne_per_pct_over": 10000}],
}
EXPECTED_JSON = (
    '{"dry_kg": 950, "contained_kg": {"Ni": 190, "Co": 95, "Li": 38, "Cu": 23.75}, '
    '"value_jpy": 697490, "lines": ['
    '{"element": "Ni", "assay_pct": 20, "contained_kg": 190, "payable_pct": 75, '
    '"price_jpy_per_kg": 2300, "payable_value_jpy": 327750, "penalty_threshold_pct": null, '
    '"penalty_jpy_per_dry_tonne_per_pct_over": null, "penalty_jpy": 0, "value_jpy": 327750}, '
    '{"element": "Co", "assay_pct": 10, "contained_kg": 95, "payable_pct": 75, '
    '"price_jpy_per_kg": 5000, "payable_value_jpy": 356250, "penalty_threshold_pct": null, '
    '"penalty_jpy_per_dry_tonne_per_pct_over": null, "penalty_jpy": 0, "value_jpy": 356250}, '
    '{"element": "Li", "assay_pct": 4, "contained_kg": 38, "payable_pct": 5, '
    '"price_jpy_per_kg": 9600, "payable_value_jpy": 18240, "penalty_threshold_pct": null, '
    '"penalty_jpy_per_dry_tonne_per_pct_over": null, "penalty_jpy": 0, "value_jpy": 18240}, '
    '{"element": "Cu", "assay_pct": 2.5, "contained_kg": 23.75, "payable_pct": null, '
    '"price_jpy_per_kg": null, "payable_value_jpy": 0, "penalty_threshold_pct": 2, '
    '"penalty_jpy_per_dry_tonne_per_pct_over": 10000, "penalty_jpy": 4750, "value_jpy": -4750}]}'
)


def run_command(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(MANAGE), "quote_black_mass", *args],
        input=stdin,
        # Messages are asserted in English whatever the deployment's default language is.
        env={**os.environ, "DEFAULT_LANGUAGE": "en"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_json_output_is_exact(tmp_path):
    path = tmp_path / "lot.json"
    path.write_text(json.dumps(INPUT))
    out = StringIO()

    call_command("quote_black_mass", "--json", str(path), stdout=out)

    assert out.getvalue().strip() == EXPECTED_JSON


def test_reads_stdin_and_keeps_decimal_digits_that_floats_would_lose():
    # 0.1 + 0.2 style inputs: 1000 kg dry, Ni 0.1 % = 1 kg; Co 0.2 % = 2 kg.
    lot = {
        "wet_kg": 1000,
        "moisture_pct": 0,
        "assay_pct": {"Ni": 0.1, "Co": 0.2},
        "payables_pct": {"Ni": 33.3, "Co": 33.3},
        "prices_jpy_per_kg": {"Ni": 1000.01, "Co": 1000.01},
    }

    result = run_command("--json", "-", stdin=json.dumps(lot))

    output = json.loads(result.stdout, parse_float=str)
    assert result.returncode == 0
    # 3 kg × 33.3 % × 1000.01 = 999.009990 (exact) → 999
    assert output["value_jpy"] == 999
    assert [line["value_jpy"] for line in output["lines"]] == ["333.00333", "666.00666"]


def test_without_json_prints_a_readable_table(tmp_path):
    path = tmp_path / "lot.json"
    path.write_text(json.dumps(INPUT))
    out = StringIO()

    call_command("quote_black_mass", str(path), stdout=out)

    text = out.getvalue()
    assert "Dry weight: 950 kg" in text
    assert (
        "Ni            20           190         75          2300       327750            0" in text
    )
    assert "Value: 697,490 JPY" in text


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("{not json", "Malformed JSON"),
        ("[1, 2]", "one JSON object"),
        (json.dumps({k: v for k, v in INPUT.items() if k != "assay_pct"}), "Missing key(s)"),
        (json.dumps({**INPUT, "wet_kg": -5}), "wet_kg"),
        (json.dumps({**INPUT, "moisture_pct": 100}), "moisture_pct"),
        (json.dumps({**INPUT, "assay_pct": {"Ni": 70, "Co": 31}}), "more than 100"),
        (json.dumps({**INPUT, "payables_pct": {"Ni": 101}}), "payables_pct.Ni"),
        (json.dumps({**INPUT, "assay_pct": {"Unobtainium": 1}}), "Unknown element"),
        (json.dumps({**INPUT, "prices_jpy_per_kg": {"Ni": 2300}}), "prices_jpy_per_kg.Co"),
        ('{"wet_kg": NaN}', "Malformed JSON"),
    ],
)
def test_bad_input_is_a_one_line_error_with_return_code_2(stdin, message, monkeypatch):
    monkeypatch.setattr("sys.stdin", StringIO(stdin))
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("quote_black_mass", "--json", "-", stdout=out)

    assert raised.value.returncode == 2
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    assert out.getvalue() == ""


def test_bad_input_process_exits_2_with_one_line_on_stderr_and_no_traceback():
    result = run_command("--json", "-", stdin=json.dumps({**INPUT, "moisture_pct": 100}))

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "CommandError: moisture_pct: Moisture must be below 100 %.\n"


def test_missing_file_and_missing_argument_exit_2_with_one_line():
    for args in (("--json", "/no/such/file.json"), ("--json",), ()):
        result = run_command(*args)

        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1
