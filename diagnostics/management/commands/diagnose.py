"""`python manage.py diagnose --json FILE|-`: one diagnosis as one JSON object (DESIGN.md).

Numbers are JSON numbers written from Decimal text, never through float (diagnostics/jsonio.py).
Bad input, an unreadable file or malformed JSON: exit code 2 and one line on stderr.
"""

import sys
from json import JSONDecodeError
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError
from django.utils import translation

from diagnostics import jsonio
from diagnostics.engine import diagnose, parse_request
from diagnostics.exceptions import DiagnoseInputError
from diagnostics.reference import ReferenceDataError
from diagnostics.selectors import metal_prices_on

BAD_INPUT = 2
BROKEN_DATA = 1


class _InputProblem(Exception):
    pass


class Command(BaseCommand):
    help = "Normalise one diagnostic result and print SOH band, grade, remaining life and value."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def one_line_error(message: str) -> NoReturn:
            sys.stderr.write(f"diagnose: {message}\n")
            sys.exit(BAD_INPUT)

        parser.error = one_line_error
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json",
            required=True,
            metavar="FILE",
            dest="json_path",
            help="input JSON file, or - for standard input",
        )

    def handle(self, *args, json_path: str, **options) -> None:
        # Scripts read this tool's messages; keep them in one language whatever the site default.
        with translation.override("en"):
            self._run(json_path)

    def _run(self, json_path: str) -> None:
        try:
            data = _read_json(json_path)
            request = parse_request(data)
            result = diagnose(request, metal_prices=_metal_prices())
        except _InputProblem as problem:
            self._fail(str(problem), BAD_INPUT)
        except DiagnoseInputError as error:
            self._fail(f"invalid input: {error.one_line()}", BAD_INPUT)
        except ReferenceDataError as error:
            self._fail(f"diagnostics data error: {error}", BROKEN_DATA)
        self.stdout.write(jsonio.dumps(result.as_dict()))

    def _fail(self, message: str, code: int) -> NoReturn:
        self.stderr.write("diagnose: " + " ".join(message.split()))
        sys.exit(code)


def _metal_prices():
    """The reference metal prices for the recycling floor, or None without a database (a
    bare checkout): the value then has no floor and its breakdown says so."""
    try:
        return metal_prices_on()
    except DatabaseError:
        return None


def _read_json(path: str) -> object:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as error:
        raise _InputProblem(f"cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise _InputProblem(f"cannot read {path}: not UTF-8 text") from error
    try:
        return jsonio.loads(text)
    except JSONDecodeError as error:
        where = "standard input" if path == "-" else path
        raise _InputProblem(
            f"malformed JSON in {where}: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from error
    except RecursionError as error:
        raise _InputProblem("malformed JSON: nested too deeply") from error
