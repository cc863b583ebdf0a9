"""Login and password reset with lock-out and rate limits (HTML front door)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from marketplace.core import ratelimit

# Per account: 5 wrong passwords lock it for the rest of a 15-minute window. Per address:
# a wider limit against one client trying many accounts.
ACCOUNT_FAILURES = ratelimit.Limit("login-account", settings.LOGIN_MAX_FAILURES, 15 * 60)
ADDRESS_ATTEMPTS = ratelimit.Limit("login-address", 30, 15 * 60)
PASSWORD_RESETS = ratelimit.Limit("password-reset", 5, 60 * 60)


def _too_many(request, template: str, form, retry_after: int) -> HttpResponse:
    minutes = max(1, retry_after // 60)
    form.add_error(
        None,
        _("Too many attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes},
    )
    response = render(request, template, {"form": form}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "").strip().lower()
        address = ratelimit.client_ip(request)
        wait = ratelimit.hit(ADDRESS_ATTEMPTS, address) or ratelimit.exceeded(
            ACCOUNT_FAILURES, username
        )
        if wait:
            return _too_many(request, self.template_name, self.get_form(), wait)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        username = self.request.POST.get("username", "").strip().lower()
        if username:
            ratelimit.hit(ACCOUNT_FAILURES, username)
        return super().form_invalid(form)

    def form_valid(self, form):
        ratelimit.reset(ACCOUNT_FAILURES, form.get_user().get_username().lower())
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    def post(self, request, *args, **kwargs):
        wait = ratelimit.hit(PASSWORD_RESETS, ratelimit.client_ip(request))
        if wait:
            return _too_many(request, self.template_name, self.get_form(), wait)
        return super().post(request, *args, **kwargs)
