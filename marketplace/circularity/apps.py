from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CircularityConfig(AppConfig):
    name = "marketplace.circularity"
    label = "circularity"
    verbose_name = _("Circularity and passport")
