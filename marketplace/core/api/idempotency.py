"""`Idempotency-Key` for POSTs that must not happen twice (bids, purchases, offers).

The key is recorded in the same transaction as the work: a retry after a lost response
finds the record and gets the first answer again; a retry racing the first request waits on
the unique row, then does the same. Only successful answers are stored: a refused request
rolls back with its record, so the client may fix it and send it again under the same key.
"""

import hashlib
import json
from functools import wraps

from django.db import transaction
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from marketplace.core.exceptions import DomainError
from marketplace.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 422


def _fingerprint(request) -> str:
    payload = f"{request.method} {request.path}\n".encode() + request.body
    return hashlib.sha256(payload).hexdigest()


def idempotent(view_method):
    """Decorate an APIView's `post`: honour the Idempotency-Key header when it is sent."""

    @wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            message = f"{HEADER} is at most {MAX_KEY_LENGTH} characters."
            raise DomainError(message, fields={HEADER: [message]})
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            record, created = IdempotencyRecord.objects.select_for_update().get_or_create(
                user=request.user,
                key=key,
                defaults={"request_fingerprint": fingerprint, "status_code": 0, "body": {}},
            )
            if not created:
                if record.request_fingerprint != fingerprint:
                    raise IdempotencyKeyReused(
                        f"This {HEADER} was already used for a different request."
                    )
                replay = Response(record.body, status=record.status_code)
                replay["Idempotent-Replayed"] = "true"
                return replay
            response = view_method(self, request, *args, **kwargs)
            record.status_code = response.status_code
            record.body = json.loads(JSONRenderer().render(response.data) or b"null")
            record.save(update_fields=["status_code", "body"])
            return response

    return wrapper
