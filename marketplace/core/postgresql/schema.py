"""SQL that only PostgreSQL is given (functions, triggers): the other databases take the paths
that do without it."""

from django.db.backends.base.base import BaseDatabaseWrapper


def execute_on_postgresql(connection: BaseDatabaseWrapper, sql: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql)
