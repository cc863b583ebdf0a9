from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from marketplace.circularity import mapping_doc

TARGET = Path(settings.BASE_DIR) / "docs" / "passport-mapping.md"


class Command(BaseCommand):
    help = "Write docs/passport-mapping.md from marketplace/circularity/data/passport_mapping.yaml."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Fail if the file is out of date; write nothing."
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        text = mapping_doc.render()
        if check:
            if not TARGET.is_file() or TARGET.read_text(encoding="utf-8") != text:
                raise CommandError(f"{TARGET} is out of date; run passport_mapping_doc.")
            return
        TARGET.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {TARGET}")
