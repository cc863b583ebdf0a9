"""Django's PostgreSQL backend with a health check that costs no round trip when it need not.

With CONN_HEALTH_CHECKS Django sends ``SELECT 1`` before the first query of every request
that reuses a connection: on the bid path that is one round trip in five, and on a loaded
machine each round trip costs two context switches and a wait for a core. A connection the
server has closed (a restart, ``pg_terminate_backend``, an idle timeout) has something to
read while we sent nothing: the server's goodbye or the end of the stream. So the check first
looks at the socket without blocking; only when it has something to read, or cannot be looked
at, does it ask the server as Django does. A connection that is merely idle is reused as it is.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self._nothing_to_read()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _nothing_to_read(self) -> bool:
        """True when the idle connection's socket is open and silent (nothing was sent to us
        since the last result was read)."""
        try:
            idle = self.connection.info.transaction_status == TransactionStatus.IDLE
            if self.connection.closed or not idle:
                return False  # closed, or not idle: let Django decide
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable
