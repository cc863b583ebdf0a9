"""Value a black-mass lot on payables, from a JSON input.

    python manage.py quote_black_mass --json FILE|-     one JSON object on stdout
    python manage.py quote_black_mass FILE|-            a readable table

Input: {wet_kg, moisture_pct, assay_pct: {El: pct}, payables_pct: {El: pct},
prices_jpy_per_kg: {El: price}, penalties?: [{element, threshold_pct,
jpy_per_dry_tonne_per_pct_over}]}. Output: {dry_kg, contained_kg: {El: kg}, value_jpy, lines: [..]}.
Numbers are read as exact decimals and written as JSON numbers from their exact decimal text
(no float anywhere, trailing zeros dropped); value_jpy is an integer (ROUND_HALF_UP).
Bad input: exit code 2 and one line on stderr.
"""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from marketplace.trading.pricing import (
    Quote,
    QuoteInputError,
    decimal_text,
    dumps_exact,
    loads_exact,
    quote_black_mass,
)

REQUIRED_KEYS = ("wet_kg", "moisture_pct", "assay_pct", "payables_pct", "prices_jpy_per_kg")
OPTIONAL_KEYS = ("penalties",)
BAD_INPUT = 2


class Command(BaseCommand):
    help = "Value a black-mass lot on payables (DESIGN.md interface). Bad input exits with 2."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def one_line_error(message: str) -> None:
            # argparse would print the whole usage block; the interface promises one line.
            if parser.called_from_command_line:
                sys.stderr.write(f"quote_black_mass: {message}\n")
                sys.exit(BAD_INPUT)
            raise CommandError(message, returncode=BAD_INPUT)

        parser.error = one_line_error  # type: ignore[method-assign]
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "table_input", nargs="?", metavar="FILE|-", help="Input JSON; print a readable table."
        )
        parser.add_argument(
            "--json",
            dest="json_input",
            metavar="FILE|-",
            help="Input JSON file, or - for stdin; print the result as one JSON object.",
        )

    def handle(
        self, *args: Any, table_input: str | None, json_input: str | None, **options: Any
    ) -> None:
        if (table_input is None) == (json_input is None):
            raise _bad_input(_("Give the input as --json FILE|- (JSON out) or FILE|- (table)."))
        data = _read(json_input or table_input or "-")
        try:
            quote = quote_black_mass(
                **{key: data[key] for key in (*REQUIRED_KEYS, *OPTIONAL_KEYS) if key in data}
            )
        except QuoteInputError as error:
            raise _bad_input(error.message) from None
        if json_input is not None:
            self.stdout.write(dumps_exact(quote.as_dict()))
        else:
            self.stdout.write(_table(quote, data))


def _bad_input(message: str) -> CommandError:
    """Exit code 2; Django prints "CommandError: <message>" as one line on stderr."""
    return CommandError(" ".join(str(message).split()), returncode=BAD_INPUT)


def _read(source: str) -> dict[str, Any]:
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as error:
        raise _bad_input(
            _("Cannot read %(source)s: %(reason)s") % {"source": source, "reason": error.strerror}
        ) from None
    except UnicodeDecodeError:
        raise _bad_input(_("%(source)s is not UTF-8 text.") % {"source": source}) from None
    try:
        data = loads_exact(text)
    except ValueError as error:
        raise _bad_input(_("Malformed JSON: %(reason)s") % {"reason": error}) from None
    if not isinstance(data, dict):
        raise _bad_input(_("The input must be one JSON object."))
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise _bad_input(_("Missing key(s): %(keys)s") % {"keys": ", ".join(missing)})
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise _bad_input(_("Unknown key(s): %(keys)s") % {"keys": ", ".join(unknown)})
    return data


def _table(quote: Quote, data: dict[str, Any]) -> str:
    def cell(value: Any) -> str:
        return "-" if value is None else decimal_text(value)

    headers = [
        _("Element"),
        _("Assay %"),
        _("Contained kg"),
        _("Payable %"),
        _("Price JPY/kg"),
        _("Payable JPY"),
        _("Penalty JPY"),
    ]
    rows = [
        [
            line.element,
            cell(line.assay_pct),
            cell(line.contained_kg),
            cell(line.payable_pct),
            cell(line.price_jpy_per_kg),
            cell(line.payable_value_jpy),
            cell(line.penalty_jpy),
        ]
        for line in quote.lines
    ]
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    rendered = [
        "  ".join(
            text.ljust(width) if i == 0 else text.rjust(width)
            for i, (text, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in [headers, *rows]
    ]
    return "\n".join(
        [
            _("Dry weight: %(dry)s kg (wet %(wet)s kg, moisture %(moisture)s %%)")
            % {
                "dry": decimal_text(quote.dry_kg),
                "wet": data["wet_kg"],
                "moisture": data["moisture_pct"],
            },
            "",
            *rendered,
            "",
            _("Value: %(value)s JPY (exact %(exact)s, rounded half up to whole yen)")
            % {"value": f"{quote.value_jpy:,}", "exact": decimal_text(quote.exact_value_jpy)},
        ]
    )
