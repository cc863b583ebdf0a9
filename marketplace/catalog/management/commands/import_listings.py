"""python manage.py import_listings FILE --user USERNAME

Creates draft listings for the user's organisation from a CSV or JSON file, all or
nothing. Errors: one line per problem on stderr ("row 3, pack.chemistry: ..."), exit 1.
Unusable arguments (missing file, unknown user): one line, exit 2. No tracebacks.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from marketplace.accounts.models import User
from marketplace.catalog import importing
from marketplace.core.exceptions import DomainError

USAGE_ERROR = 2


class Command(BaseCommand):
    help = "Import listings (drafts) from a CSV or JSON file; nothing is imported on any error."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv or .json file, see docs/examples/")
        parser.add_argument(
            "--user", required=True, help="username whose organisation will own the listings"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file: str, user: str, no_progress: bool, **options) -> None:
        path = Path(file)
        file_format = path.suffix.lower().lstrip(".")
        if file_format not in ("csv", "json"):
            raise CommandError(f"{file}: expected a .csv or .json file", returncode=USAGE_ERROR)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}", returncode=USAGE_ERROR) from None
        try:
            actor = User.objects.select_related("organisation").get(username=user)
        except User.DoesNotExist:
            raise CommandError(f"no user named {user!r}", returncode=USAGE_ERROR) from None

        def progress(rows):
            return tqdm(rows, desc="Importing", unit="row", disable=no_progress)

        try:
            rows = importing.parse(content=content, file_format=file_format)
            created = importing.import_listings(actor=actor, rows=rows, progress=progress)
        except importing.ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(f"{file}: {error}")
            raise CommandError(failure.message) from None
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Imported {created} draft listing(s).")
