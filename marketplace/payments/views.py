from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from marketplace.core.api.errors import error_body
from marketplace.payments import services
from marketplace.payments.clients.stripe_client import InvalidWebhook


@csrf_exempt  # Stripe cannot send our CSRF token; the signature authenticates it instead.
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    try:
        created = services.webhook_receive(
            payload=request.body, signature_header=request.headers.get("Stripe-Signature")
        )
    except InvalidWebhook as error:
        return JsonResponse(error_body(error.code, error.message), status=400)
    return JsonResponse({"received": True, "duplicate": not created})
