import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from marketplace.core.api.errors import error_body
from marketplace.core.selectors import heartbeat_latest


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "core/home.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and operators: the database answers; when did a worker last run."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    heartbeat = heartbeat_latest()
    return JsonResponse(
        {
            "status": "ok",
            "time": timezone.now().isoformat(),
            "worker_last_seen": heartbeat.recorded_at.isoformat() if heartbeat else None,
        }
    )


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("bad_request", _("Bad request.")), status=400)
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = str(exception) if str(exception) else _("You do not have permission to do this.")
    if _is_api(request):
        return JsonResponse(error_body("permission_denied", message), status=403)
    return render(request, "errors/403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return render(request, "errors/404.html", status=404)


# What a lost or refused database connection raises; a failed query (a bug) is DatabaseError
# too, so these two subclasses are picked out instead.
DATABASE_OUTAGE: tuple[type[DatabaseError], ...] = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the database went away (restart, failover); the client may retry.

    Nothing is half-saved: requests are not atomic as a whole, but every service that writes
    runs in its own transaction, which PostgreSQL rolls back when the connection drops.
    """
    message = _("The service cannot reach its database for a moment. Please try again.")
    if _is_api(request):
        response = JsonResponse(error_body("service_unavailable", message), status=503)
    else:
        response = render(request, "errors/503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls the 500 handler inside its `except` block, so the exception is at hand.
    if isinstance(sys.exc_info()[1], DATABASE_OUTAGE):
        return database_unavailable(request)
    if _is_api(request):
        return JsonResponse(error_body("server_error", _("Server error.")), status=500)
    return render(request, "errors/500.html", status=500)
