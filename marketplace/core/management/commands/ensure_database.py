"""Create the configured PostgreSQL database if it does not exist yet (SQLite: nothing to do).

`make run` calls it before migrating, so DATABASE_URL may name a database that a fresh
server does not have yet.
"""

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from psycopg import sql


class Command(BaseCommand):
    help = "Create the PostgreSQL database named by DATABASE_URL if it is missing."

    def handle(self, *args, **options):
        if connections["default"].vendor != "postgresql":
            return
        settings_dict = connections["default"].settings_dict
        name = settings_dict["NAME"]
        params = {
            "host": settings_dict.get("HOST") or None,
            "port": settings_dict.get("PORT") or None,
            "user": settings_dict.get("USER") or None,
            "password": settings_dict.get("PASSWORD") or None,
        }
        try:
            with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
                exists = connection.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [name]
                ).fetchone()
                if not exists:
                    connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                    self.stdout.write(f"Created database {name}.")
        except psycopg.OperationalError as error:
            raise CommandError(f"cannot reach PostgreSQL: {str(error).strip()}") from None
