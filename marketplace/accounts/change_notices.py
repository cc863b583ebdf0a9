"""PostgreSQL says when a row that API authentication reads has changed.

Every API call reads its token with the token's user and organisation (one round trip per
request). accounts.token_cache keeps those rows per connection, and needs to hear of every
change that could make a kept row wrong, however it is written: a service's ``update()``, a
``save()``, the admin, raw SQL, a migration, a cascade. Triggers on the three tables send a
notice on CHANNEL when one of their rows is changed or deleted, or a table is truncated; the
notice is delivered when the writing transaction commits, to every session that listens.

An update that moves nothing but a bookkeeping column (a token's ``last_used_at``, written
once a minute by authentication itself; a user's ``last_login``) sends no notice: no check
reads those, and a notice for each would empty every cache once a minute per token in use.
Inserted rows send none either: a cache only holds rows that existed when it read them.

Migration accounts 0002 installs this text; tests install it on their migration-less database.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

from marketplace.core.postgresql.schema import execute_on_postgresql

CHANNEL = "accounts_auth_change"

# table → the one column whose change alone is not announced ('' for none)
WATCHED = {
    "accounts_apitoken": "last_used_at",
    "accounts_user": "last_login",
    "accounts_organisation": "",
}

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION accounts_notify_auth_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(OLD) - TG_ARGV[0]) IS NOT DISTINCT FROM (to_jsonb(NEW) - TG_ARGV[0]) THEN
        RETURN NULL;
    END IF;
    -- The same notice within one transaction is delivered once.
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END $$;
"""


def _triggers(table: str, ignored: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_auth_change_row ON {table};
DROP TRIGGER IF EXISTS {table}_auth_change_statement ON {table};
CREATE TRIGGER {table}_auth_change_row AFTER UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION accounts_notify_auth_change('{ignored}');
CREATE TRIGGER {table}_auth_change_statement AFTER DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_notify_auth_change('');
"""


CREATE = _FUNCTION + "".join(_triggers(table, ignored) for table, ignored in WATCHED.items())

DROP = (
    "".join(
        f"DROP TRIGGER IF EXISTS {table}_auth_change_row ON {table};\n"
        f"DROP TRIGGER IF EXISTS {table}_auth_change_statement ON {table};\n"
        for table in WATCHED
    )
    + "DROP FUNCTION IF EXISTS accounts_notify_auth_change();\n"
)


def install(connection: BaseDatabaseWrapper) -> None:
    """Create or replace the function and the triggers (PostgreSQL; elsewhere nothing is kept)."""
    execute_on_postgresql(connection, CREATE)


def drop(connection: BaseDatabaseWrapper) -> None:
    execute_on_postgresql(connection, DROP)
