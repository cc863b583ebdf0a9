"""Elements that carry a reference price, and the other assay constituents we recognise."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Element(models.TextChoices):
    """Metals with a staff-maintained reference price (JPY per kg of contained metal)."""

    NICKEL = "Ni", _("Nickel (Ni)")
    COBALT = "Co", _("Cobalt (Co)")
    LITHIUM = "Li", _("Lithium (Li)")
    MANGANESE = "Mn", _("Manganese (Mn)")
    COPPER = "Cu", _("Copper (Cu)")


# Display and output order of payable elements: by typical contribution to NCM black-mass value.
PAYABLE_ELEMENTS: tuple[str, ...] = tuple(Element.values)

# Assay constituents that are not paid for but may be penalised (diagnostics.md 4.4) or simply
# reported: Al/Cu foil, F from electrolyte and binder, Fe/P from LFP, graphite, heavy metals named
# in China's 2025 import rules, and common process contaminants.
IMPURITY_ELEMENTS: tuple[str, ...] = (
    "Al",
    "Fe",
    "F",
    "P",
    "C",
    "Zn",
    "Pb",
    "Cd",
    "Si",
    "Na",
    "Mg",
    "Ca",
    "S",
    "Cl",
)
ASSAY_ELEMENTS: frozenset[str] = frozenset(PAYABLE_ELEMENTS + IMPURITY_ELEMENTS)

# Moisture is not an assay constituent (assays are on a dry basis) but can carry a penalty.
MOISTURE = "H2O"
PENALTY_ELEMENTS: frozenset[str] = ASSAY_ELEMENTS | {MOISTURE}
