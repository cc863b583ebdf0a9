"""`make test`: choose the database and broker, say which, and run pytest.

DATABASE_URL / REDIS_URL win when set. Otherwise PostgreSQL and Redis on 127.0.0.1 are
used when they answer, else SQLite, and the tests that need a real server are skipped
with the reason (pytest's summary lists them).
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/marketplace"
LOCAL_REDIS = "redis://127.0.0.1:6379/1"


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def main() -> int:
    env = dict(os.environ)
    if not env.get("DATABASE_URL") and answers(5432):
        env["DATABASE_URL"] = LOCAL_POSTGRES
    if not env.get("REDIS_URL") and answers(6379):
        env["REDIS_URL"] = LOCAL_REDIS
    print(f"database: {env.get('DATABASE_URL') or 'SQLite (embedded)'}", flush=True)
    print(f"broker:   {env.get('REDIS_URL') or 'none: Redis/worker tests will be skipped'}")
    # Tests never write to the developer's var/: uploads and the embedded broker go to a
    # scratch folder of this run.
    env.setdefault("MARKETPLACE_VAR_DIR", str(ROOT / "var" / "test"))
    command = [sys.executable, "-m", "pytest", *sys.argv[1:]]
    return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
