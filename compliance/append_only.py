"""The database half of the audit trail's append-only rule: a trigger on the events table.

PostgreSQL refuses UPDATE and DELETE of a CaseEvent row (TRUNCATE, the test runner's
flush, stays possible). SQLite refuses UPDATE only: Django flushes SQLite tables with
DELETE FROM, which a delete trigger would break; the model layer refuses deletes there, and
`verify_audit` detects any that happen. Installed by migration 0004 (and by the test
suite, which builds its schema without migrations).
"""

from django.db.backends.base.base import BaseDatabaseWrapper

TRIGGER = "compliance_caseevent_append_only"

_POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'compliance_caseevent is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    f"DROP TRIGGER IF EXISTS {TRIGGER} ON compliance_caseevent",
    f"""
    CREATE TRIGGER {TRIGGER}
        BEFORE UPDATE OR DELETE ON compliance_caseevent
        FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()
    """,
]
_POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS {TRIGGER} ON compliance_caseevent",
    f"DROP FUNCTION IF EXISTS {TRIGGER}()",
]
_SQLITE_INSTALL = [
    f"DROP TRIGGER IF EXISTS {TRIGGER}",
    f"""
    CREATE TRIGGER {TRIGGER}
    BEFORE UPDATE ON compliance_caseevent
    BEGIN
        SELECT RAISE(ABORT, 'compliance_caseevent is append-only: UPDATE refused');
    END
    """,
]
_SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {TRIGGER}"]


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def is_installed(connection: BaseDatabaseWrapper) -> bool:
    if connection.vendor == "postgresql":
        query = "SELECT 1 FROM pg_trigger WHERE tgname = %s"
    elif connection.vendor == "sqlite":
        query = "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s"
    else:
        return False
    with connection.cursor() as cursor:
        cursor.execute(query, [TRIGGER])
        return cursor.fetchone() is not None


def install(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "postgresql":
        _run(connection, _POSTGRES_INSTALL)
    elif connection.vendor == "sqlite":
        _run(connection, _SQLITE_INSTALL)


def drop(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "postgresql":
        _run(connection, _POSTGRES_DROP)
    elif connection.vendor == "sqlite":
        _run(connection, _SQLITE_DROP)
