"""python manage.py verify_audit

Re-computes the hash chain of the compliance audit trail (every CaseEvent, in insert order).
Exit 0 and "audit chain intact: N events", or exit 1 naming the first broken event.
"""

import sys
from typing import Any

from django.core.management.base import BaseCommand

from compliance.audit import verify_chain

TAMPERED_EXIT_CODE = 1


class Command(BaseCommand):
    help = "Verify that no compliance audit event was altered, deleted or re-ordered."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.intact:
            self.stdout.write(f"audit chain intact: {report.events} events")
            return
        self.stderr.write(
            f"audit chain broken after {report.events} intact events: {report.problem}"
        )
        sys.exit(TAMPERED_EXIT_CODE)
