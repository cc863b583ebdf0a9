import uuid
from unittest import mock

import psycopg
import pytest
from django.core.management import call_command
from django.db import connections


def _exists(name: str) -> bool:
    settings_dict = connections["default"].settings_dict
    with psycopg.connect(
        dbname="postgres",
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"],
        autocommit=True,
    ) as connection:
        return bool(
            connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        )


@pytest.mark.needs_postgres
def test_ensure_database_creates_a_missing_database_once(capsys):
    name = f"ensure_{uuid.uuid4().hex[:10]}"
    with mock.patch.dict(connections["default"].settings_dict, {"NAME": name}):
        call_command("ensure_database")
        call_command("ensure_database")

    try:
        assert _exists(name)
        assert capsys.readouterr().out == f"Created database {name}.\n"
    finally:
        settings_dict = connections["default"].settings_dict
        with psycopg.connect(
            dbname="postgres",
            host=settings_dict["HOST"],
            port=settings_dict["PORT"] or None,
            user=settings_dict["USER"],
            autocommit=True,
        ) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
