from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Compliance")

    def ready(self) -> None:
        # A malformed rules file must stop start-up: a pre-check answered from half-valid
        # rules could let a banned shipment through. load raises ImproperlyConfigured.
        from compliance.ruleset import get_ruleset

        get_ruleset()
