"""Catalog vocabularies and the listing workflow map."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListingType(models.TextChoices):
    USED_EV = "used_ev", _("Used EV")
    BATTERY_PACK = "battery_pack", _("Battery pack")
    MODULE_LOT = "module_lot", _("Module lot")
    BLACK_MASS = "black_mass", _("Black-mass lot")


class Chemistry(models.TextChoices):
    """Codes as the diagnostics app's data files spell them (diagnostics/data/ageing.yaml)."""

    NMC111 = "NMC111", "NMC111"
    NMC532 = "NMC532", "NMC532"
    NMC622 = "NMC622", "NMC622"
    NMC811 = "NMC811", "NMC811"
    NCA = "NCA", "NCA"
    LFP = "LFP", "LFP"
    LMO = "LMO", "LMO"
    LTO = "LTO", "LTO"
    OTHER = "OTHER", _("Other / mixed")


class Grade(models.TextChoices):
    """Reuse grades as diagnostics assigns them (diagnostics/data/grading.yaml).

    After the 4R Energy convention (diagnostics.md §1.7): the SOH thresholds are an
    industry rule of thumb, not a standard, and live in diagnostics' data file.
    """

    A = "A", _("A — EV reuse (replacement EV pack)")
    B1 = "B1", _("B1 — forklifts, AGVs and small mobility")
    B2 = "B2", _("B2 — stationary storage")
    C = "C", _("C — backup power and other low-demand uses")
    R = "R", _("R — recycling")


class SohSource(models.TextChoices):
    SELF_DECLARED = "self_declared", _("Declared by the seller")
    CERTIFICATE = "certificate", _("From an SOH certificate")


class ModuleFormat(models.TextChoices):
    PRISMATIC = "prismatic", _("Prismatic cells")
    POUCH = "pouch", _("Pouch cells")
    CYLINDRICAL = "cylindrical", _("Cylindrical cells")
    CELL_TO_PACK = "cell_to_pack", _("Cell-to-pack (no modules)")
    OTHER = "other", _("Other")


class ModuleCondition(models.TextChoices):
    UNUSED = "unused", _("Unused / new old stock")
    USED_TESTED = "used_tested", _("Used, tested")
    USED_UNTESTED = "used_untested", _("Used, untested")
    DAMAGED = "damaged", _("Damaged or defective")


class BlackMassForm(models.TextChoices):
    POWDER = "powder", _("Powder")
    GRANULES = "granules", _("Granules")
    BRIQUETTES = "briquettes", _("Briquettes / pellets")
    FILTER_CAKE = "filter_cake", _("Filter cake / slurry")


class SaleFormat(models.TextChoices):
    """The trading app implements the formats; the catalog only records the choice."""

    FIXED_PRICE = "fixed_price", _("Fixed price")
    ENGLISH_AUCTION = "english_auction", _("English auction")
    SEALED_TENDER = "sealed_tender", _("Sealed tender")


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    IN_SALE = "in_sale", _("In sale")
    SOLD = "sold", _("Sold")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# An auction or tender that ends without an award returns the listing to PUBLISHED;
# a running sale cannot be withdrawn by the seller (bidders rely on it), only closed.
LISTING_TRANSITIONS: dict[str, frozenset[str]] = {
    ListingStatus.DRAFT: frozenset({ListingStatus.PUBLISHED, ListingStatus.WITHDRAWN}),
    ListingStatus.PUBLISHED: frozenset(
        {ListingStatus.IN_SALE, ListingStatus.SOLD, ListingStatus.WITHDRAWN}
    ),
    ListingStatus.IN_SALE: frozenset(
        {ListingStatus.SOLD, ListingStatus.PUBLISHED, ListingStatus.CLOSED}
    ),
    ListingStatus.SOLD: frozenset({ListingStatus.CLOSED}),
    ListingStatus.CLOSED: frozenset(),
    ListingStatus.WITHDRAWN: frozenset(),
}

# A listing in these states no longer offers its item: the item may be listed again
# (after a withdrawal) or has changed hands (closed after a sale).
ENDED_STATUSES = frozenset({ListingStatus.CLOSED, ListingStatus.WITHDRAWN})

# Anyone may look at these; drafts, closed and withdrawn listings stay with the seller.
PUBLIC_STATUSES = frozenset({ListingStatus.PUBLISHED, ListingStatus.IN_SALE, ListingStatus.SOLD})

# The seller may change the specs while the listing is a draft or merely published;
# once a sale runs, bidders rely on what they saw.
EDITABLE_STATUSES = frozenset({ListingStatus.DRAFT, ListingStatus.PUBLISHED})


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    SDS = "sds", _("Safety data sheet (SDS)")
    UN38_3 = "un38_3", _("UN38.3 test summary")
    ASSAY_REPORT = "assay_report", _("Assay report")
    OTHER_DOCUMENT = "other_document", _("Other document")


DOCUMENT_KINDS = frozenset(
    {
        AttachmentKind.SDS,
        AttachmentKind.UN38_3,
        AttachmentKind.ASSAY_REPORT,
        AttachmentKind.OTHER_DOCUMENT,
    }
)

# Assay elements of a black-mass lot: model field suffix → element symbol.
ASSAY_ELEMENTS: dict[str, str] = {
    "ni": "Ni",
    "co": "Co",
    "mn": "Mn",
    "li": "Li",
    "cu": "Cu",
    "al": "Al",
    "fe": "Fe",
    "p": "P",
    "f": "F",
    "c": "C",
}
