"""`manage.py diagnose --json FILE|-`: exact JSON out; bad input exits 2 with one stderr line."""

import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from diagnostics import jsonio

pytestmark = pytest.mark.django_db  # the command reads the reference metal prices

REPO = Path(__file__).resolve().parents[2]
LFP_PACK = {
    "chemistry": "LFP",
    "rated_capacity_kwh": 60,
    "measured_capacity_kwh": 54,
    "method": "full_discharge",
    "age_years": 4,
    "cycles": 200,
    "safety_flags": [],
}


def run_command(path: str, stdin_text: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    if stdin_text is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin_text))
    try:
        call_command("diagnose", "--json", path, stdout=stdout, stderr=stderr)
    except SystemExit as exit_:
        return int(exit_.code), stdout.getvalue(), stderr.getvalue()
    return 0, stdout.getvalue(), stderr.getvalue()


def test_prints_the_exact_output_object(tmp_path):
    source = tmp_path / "pack.json"
    source.write_text(json.dumps(LFP_PACK), encoding="utf-8")

    code, out, err = run_command(str(source))

    assert (code, err) == (0, "")
    result = jsonio.loads(out)
    assert list(result) == [
        "soh_pct",
        "soh_low_pct",
        "soh_high_pct",
        "grade",
        "recommended_use",
        "years_to_70_pct",
        "years_to_60_pct",
        "residual_value_jpy",
        "breakdown",
    ]
    breakdown = result.pop("breakdown")
    assert result == {
        "soh_pct": Decimal("90.0"),
        "soh_low_pct": Decimal("88.0"),
        "soh_high_pct": Decimal("92.0"),
        "grade": "A",
        "recommended_use": "EV reuse",
        "years_to_70_pct": Decimal("17.5"),
        "years_to_60_pct": Decimal("29.0"),
        "residual_value_jpy": 576824,
    }
    # Decimals are written as their own text, never through float
    assert out.startswith(
        '{\n  "soh_pct": 90.0,\n  "soh_low_pct": 88.0,\n  "soh_high_pct": 92.0,\n'
    )
    assert '\n  "residual_value_jpy": 576824,\n' in out
    assert '"gross_jpy": 865089.72,' in out
    assert breakdown["valuation"]["f_risk"] == Decimal("0.9889")
    assert breakdown["combination"]["conflict"] is False


def test_reads_standard_input(monkeypatch):
    code, out, err = run_command(
        "-", json.dumps({**LFP_PACK, "safety_flags": ["leakage"]}), monkeypatch
    )

    assert (code, err) == (0, "")
    assert jsonio.loads(out)["recommended_use"] == "recycling"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({k: v for k, v in LFP_PACK.items() if k != "method"}, "method: This field is required."),
        ({**LFP_PACK, "chemistry": "NiMH"}, "chemistry: Unknown chemistry NiMH"),
        ({**LFP_PACK, "method": "tea_leaves"}, "method: Unknown method tea_leaves"),
        (
            {**LFP_PACK, "measured_capacity_kwh": -5},
            "measured_capacity_kwh: Must be greater than zero.",
        ),
        (
            {**LFP_PACK, "measured_capacity_kwh": 61.3},
            "measured_capacity_kwh: Must not exceed rated_capacity_kwh by more than the "
            "uncertainty of full_discharge (2 pp): at most 61.2 kWh.",
        ),
        (
            {**LFP_PACK, "soh_pct": 90},
            "Give exactly one of measured_capacity_kwh, soce_pct or soh_pct.",
        ),
        ({**LFP_PACK, "safety_flags": ["smoke"]}, "safety_flags: Unknown safety flag(s) smoke"),
        ({**LFP_PACK, "odometre_km": 1000}, "odometre_km: Unknown field."),
        ([LFP_PACK], "The input must be a JSON object."),
    ],
)
def test_bad_input_exits_2_with_one_line(monkeypatch, payload, message):
    code, out, err = run_command("-", json.dumps(payload), monkeypatch)

    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("diagnose: ")
    assert message in err


def test_malformed_json_exits_2(monkeypatch):
    code, out, err = run_command("-", '{"chemistry": "LFP",', monkeypatch)

    assert (code, out) == (2, "")
    assert err == (
        "diagnose: malformed JSON in standard input: "
        "Expecting property name enclosed in double quotes (line 1, column 21)\n"
    )


def test_unreadable_file_exits_2(tmp_path):
    code, out, err = run_command(str(tmp_path / "missing.json"))

    assert (code, out) == (2, "")
    assert err == f"diagnose: cannot read {tmp_path / 'missing.json'}: No such file or directory\n"


def test_real_process_exit_code_and_single_stderr_line():
    completed = subprocess.run(
        [sys.executable, "manage.py", "diagnose", "--json", "-"],
        input='{"chemistry": "LFP"}',
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=60,
    )

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert len(completed.stderr.splitlines()) == 1
    assert "Traceback" not in completed.stderr
    assert completed.stderr.startswith(
        "diagnose: invalid input: rated_capacity_kwh: This field is required."
    )


def test_missing_argument_exits_2_with_one_line():
    completed = subprocess.run(
        [sys.executable, "manage.py", "diagnose"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=60,
    )

    assert completed.returncode == 2
    assert completed.stderr == "diagnose: the following arguments are required: --json\n"
