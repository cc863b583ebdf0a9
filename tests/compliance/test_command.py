import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

REPO = Path(__file__).resolve().parents[2]


def run_command(*args: str) -> subprocess.CompletedProcess:
    """Run manage.py as a script would: its own process, its own exit code."""
    env = {**os.environ, "DEFAULT_LANGUAGE": "en"}
    return subprocess.run(
        [sys.executable, "manage.py", "compliance_precheck", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_json_output_is_one_object_with_the_interface_fields():
    out = StringIO()

    call_command(
        "compliance_precheck",
        "--material=black_mass",
        "--origin=JP",
        "--destination=KR",
        "--date=2026-12-01",
        "--json",
        stdout=out,
    )

    result = json.loads(out.getvalue())
    assert list(result) == [
        "allowed",
        "regime",
        "blocks",
        "consents_required",
        "documents",
        "transport",
        "needs_officer_review",
        "rules_version",
    ]
    assert result["regime"] == "oecd_amber"
    assert result["consents_required"] == [
        {"country": "JP", "role": "export", "tacit_after_days": 30},
        {"country": "KR", "role": "import", "tacit_after_days": 30},
    ]


def test_assay_and_transit_arguments_reach_the_check():
    out = StringIO()

    call_command(
        "compliance_precheck",
        "--material",
        "black_mass",
        "--origin",
        "JP",
        "--destination",
        "CN",
        "--transit",
        "KR",
        "--date",
        "2026-01-15",
        "--assay",
        "Ni=20.5",
        "Co=6.1",
        "Li=3.8",
        "--assay",
        "P=0.4",
        "F=0.2",
        "--json",
        stdout=out,
    )

    assert json.loads(out.getvalue())["regime"] == "product"


def test_text_output_explains_the_block_and_its_rule():
    out = StringIO()

    call_command(
        "compliance_precheck",
        "--material=used_ev",
        "--origin=JP",
        "--destination=RU",
        "--date=2024-01-01",
        stdout=out,
    )

    text = out.getvalue()
    assert "Allowed: no; regime: prohibited; officer review needed: no" in text
    assert "Blocked by SANC-JP-RU-VEHICLES" in text
    assert "S32: NHK" in text


def test_bad_input_through_call_command_raises_with_exit_code_2():
    with pytest.raises(CommandError) as raised:
        call_command("compliance_precheck", "--material=cars", "--origin=JP", "--destination=KR")

    assert raised.value.returncode == 2
    assert str(raised.value).startswith("material: Unknown material 'cars'")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--material", "cars", "--origin", "JP", "--destination", "KR"],
            "material: Unknown material 'cars'",
        ),
        (
            ["--material", "black_mass", "--origin", "XX", "--destination", "KR"],
            "origin: 'XX' is not an ISO 3166-1 alpha-2 country code.",
        ),
        (
            [
                "--material",
                "black_mass",
                "--origin",
                "JP",
                "--destination",
                "KR",
                "--date",
                "1/2/26",
            ],
            "date: '1/2/26' is not a date YYYY-MM-DD.",
        ),
        (
            ["--material", "black_mass", "--origin", "JP", "--destination", "CN", "--assay", "Ni"],
            "assay: 'Ni' is not ELEMENT=PERCENT",
        ),
        (
            [
                "--material",
                "black_mass",
                "--origin",
                "JP",
                "--destination",
                "CN",
                "--assay",
                "Ni=x",
            ],
            "assay: Ni: 'x' is not a percentage between 0 and 100.",
        ),
        (
            ["--material", "black_mass", "--origin", "JP"],
            "the following arguments are required: --destination",
        ),
    ],
    ids=["material", "country", "date", "assay-shape", "assay-number", "missing-argument"],
)
def test_bad_input_exits_2_with_one_line_on_stderr(args, message):
    completed = run_command(*args, "--json")

    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert message in lines[0]
    assert "Traceback" not in completed.stderr


def test_the_rule_texts_for_translation_are_up_to_date():
    out = StringIO()

    call_command("compliance_rule_messages", "--check", stdout=out)

    assert out.getvalue() == "messages.py is up to date\n"
    from compliance.ruleset.messages import MESSAGES

    assert "Korean MOE import permit for waste batteries; black mass declared under HS 2620" in (
        MESSAGES
    )
    assert "No rule covers this movement; a compliance officer must decide." in MESSAGES
