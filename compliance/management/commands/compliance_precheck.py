"""python manage.py compliance_precheck --material M --origin CC --destination CC [--json]

A stable interface (DESIGN.md): `--json` prints exactly one JSON object; bad input exits
with status 2 and one readable line on stderr, never a traceback.
"""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from compliance.ruleset import MATERIAL_CODES, get_ruleset
from compliance.services.precheck import (
    PrecheckInput,
    PrecheckInputError,
    PrecheckResult,
    parse_precheck_input,
    precheck,
)

BAD_INPUT_EXIT_CODE = 2


class OneLineErrorParser(CommandParser):
    """argparse prints the whole usage block on error; scripts want one line and status 2."""

    def error(self, message: str) -> None:
        if self.called_from_command_line:
            sys.stderr.write(f"{self.prog}: {message}\n")
            sys.exit(BAD_INPUT_EXIT_CODE)
        raise CommandError(message, returncode=BAD_INPUT_EXIT_CODE)


class Command(BaseCommand):
    help = _("Check whether a lot may move from one country to another, and what it takes.")

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # BaseCommand has no hook for the parser class; swap it for one-line errors.
        parser.__class__ = OneLineErrorParser
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        # Materials are checked by the service, not by argparse `choices`, so every bad
        # value gets the same one-line message whichever door it came through.
        parser.add_argument("--material", required=True, help=", ".join(MATERIAL_CODES))
        parser.add_argument("--origin", required=True, help=_("ISO country code, e.g. JP"))
        parser.add_argument("--destination", required=True, help=_("ISO country code"))
        parser.add_argument(
            "--transit", nargs="+", action="extend", default=[], help=_("Transit countries")
        )
        parser.add_argument("--date", default=None, help=_("Shipment date YYYY-MM-DD (today)"))
        parser.add_argument(
            "--assay",
            nargs="+",
            action="extend",
            default=[],
            metavar="EL=PCT",
            help=_("Assay percentages, e.g. Ni=20.5 Li=3.8"),
        )
        parser.add_argument("--json", action="store_true", help=_("Print one JSON object"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            request = parse_precheck_input(
                material=options["material"],
                origin=options["origin"],
                destination=options["destination"],
                transit=options["transit"],
                on=options["date"],
                assay=_assay_pairs(options["assay"]),
            )
        except PrecheckInputError as error:
            messages = [f"{name}: {text}" for name, texts in error.fields.items() for text in texts]
            raise CommandError(" ".join(messages), returncode=BAD_INPUT_EXIT_CODE) from None

        result = precheck(request, ruleset=get_ruleset())
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(explain(request, result))


def _assay_pairs(pairs: list[str]) -> dict[str, str]:
    assay: dict[str, str] = {}
    for pair in pairs:
        element, separator, pct = pair.partition("=")
        if not separator or not element.strip():
            raise CommandError(
                _("assay: %(value)s is not ELEMENT=PERCENT, e.g. Ni=20.5") % {"value": repr(pair)},
                returncode=BAD_INPUT_EXIT_CODE,
            )
        assay[element.strip()] = pct.strip()
    return assay


def explain(request: PrecheckInput, result: PrecheckResult) -> str:
    """A short plain-text account of the result for people at a terminal."""
    yes_no = {True: _("yes"), False: _("no")}
    route = " → ".join([request.origin, *request.transit, request.destination])
    lines = [
        _("%(material)s %(route)s on %(date)s (rules %(version)s)")
        % {
            "material": request.material,
            "route": route,
            "date": request.on.isoformat(),
            "version": result.rules_version,
        },
        _("Allowed: %(allowed)s; regime: %(regime)s; officer review needed: %(review)s")
        % {
            "allowed": yes_no[result.allowed],
            "regime": result.regime,
            "review": yes_no[result.needs_officer_review],
        },
    ]
    for block in result.blocks:
        lines.append(_("Blocked by %(code)s: %(reason)s") % block)
    for consent in result.consents_required:
        tacit = consent["tacit_after_days"]
        lines.append(
            _("Consent: %(country)s (%(role)s), %(kind)s")
            % {
                **consent,
                "kind": _("tacit after %(days)s days") % {"days": tacit}
                if tacit
                else _("written consent required"),
            }
        )
    if result.documents:
        lines.append(_("Documents: %(documents)s") % {"documents": ", ".join(result.documents)})
    transport = result.transport
    lines.append(
        _("Transport: %(un)s; special provisions: %(sp)s; packing: %(pi)s")
        % {
            "un": transport["un_number"] or _("to be classified"),
            "sp": ", ".join(transport["special_provisions"]) or "-",
            "pi": transport["packing_instruction"] or "-",
        }
    )
    lines.append(_("Rules applied:"))
    for line in result.explanation:
        lines.append(f"  [{line.effect}] {line.rule_id} ({line.confidence}): {line.text}")
        lines.append(f"      {line.source}")
    return "\n".join(lines)
