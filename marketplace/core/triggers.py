"""Row guards the database itself enforces, for rules a CHECK constraint cannot state because
they look at another table (a bid needs an open sale; a cross-border payout an approved case).

The services already refuse these moves; the trigger is the last guard against a code path
that forgets, a raw SQL fix or a race. Installed by migrations; PostgreSQL and SQLite.
A refused row raises IntegrityError.
"""

from dataclasses import dataclass
from importlib import import_module

from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class RowGuard:
    name: str
    table: str
    events: str  # e.g. "INSERT" or "INSERT OR UPDATE"
    refuse_when: str  # an SQL condition on NEW.* that both databases understand
    message: str

    def _postgres(self) -> list[str]:
        return [
            f"""
            CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF {self.refuse_when} THEN
                    RAISE EXCEPTION '{self.message}' USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
            END;
            $$
            """,
            f"DROP TRIGGER IF EXISTS {self.name} ON {self.table}",
            f"""
            CREATE TRIGGER {self.name} BEFORE {self.events} ON {self.table}
                FOR EACH ROW EXECUTE FUNCTION {self.name}()
            """,
        ]

    def _sqlite(self) -> list[str]:
        # SQLite names one event per trigger.
        statements = []
        for event in self.events.split(" OR "):
            name = f"{self.name}_{event.lower()}"
            statements += [
                f"DROP TRIGGER IF EXISTS {name}",
                f"""
                CREATE TRIGGER {name} BEFORE {event} ON {self.table}
                WHEN {self.refuse_when}
                BEGIN SELECT RAISE(ABORT, '{self.message}'); END
                """,
            ]
        return statements

    def install(self, connection: BaseDatabaseWrapper) -> None:
        if connection.vendor == "postgresql":
            statements = self._postgres()
        elif connection.vendor == "sqlite":
            statements = self._sqlite()
        else:
            return
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def drop(self, connection: BaseDatabaseWrapper) -> None:
        if connection.vendor == "postgresql":
            statements = [
                f"DROP TRIGGER IF EXISTS {self.name} ON {self.table}",
                f"DROP FUNCTION IF EXISTS {self.name}()",
            ]
        elif connection.vendor == "sqlite":
            statements = [
                f"DROP TRIGGER IF EXISTS {self.name}_{event.lower()}"
                for event in self.events.split(" OR ")
            ]
        else:
            return
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def guards_migration(module: str):
    """The migration operation that installs the ``GUARDS`` of ``module`` (and drops them when
    the migration is reversed)."""
    from django.db import migrations

    def install(apps, schema_editor):
        for guard in import_module(module).GUARDS:
            guard.install(schema_editor.connection)

    def drop(apps, schema_editor):
        for guard in import_module(module).GUARDS:
            guard.drop(schema_editor.connection)

    return migrations.RunPython(install, drop)


def without_guards(module: str, operations: list) -> list:
    """``operations`` with the ``GUARDS`` of ``module`` dropped before and installed after.

    SQLite alters a table by building a new one and renaming it, and a trigger of another
    table that names it stops the rename ("no such table" inside the trigger)."""
    from django.db import migrations

    install = guards_migration(module)
    lift = migrations.RunPython(install.reverse_code, install.code)
    return [lift, *operations, install]
