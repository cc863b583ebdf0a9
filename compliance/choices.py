"""Shipment-case vocabularies and the map of allowed case transitions."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseStatus(models.TextChoices):
    OPENED = "opened", _("Opened")
    CHECKING = "checking", _("Checks running")
    AWAITING_OFFICER = "awaiting_officer", _("Awaiting officer")
    AWAITING_SECOND_OFFICER = "awaiting_second_officer", _("Awaiting a second officer")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    BLOCKED = "blocked", _("Blocked")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A blocked case (a rule prohibits the movement) may still be reviewed: the officer can
# reject it, ask the parties for information or send it back for a re-check (e.g. after
# correcting the material), never approve it. A high-risk case's first approval moves it to
# awaiting_second_officer; only a different officer's approval makes it approved. A party's
# answer to a request for information sends the case back to checking. Approved cases may
# only be withdrawn (the deal fell through).
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.OPENED: frozenset({CaseStatus.CHECKING, CaseStatus.WITHDRAWN}),
    CaseStatus.CHECKING: frozenset(
        {CaseStatus.AWAITING_OFFICER, CaseStatus.BLOCKED, CaseStatus.WITHDRAWN}
    ),
    CaseStatus.AWAITING_OFFICER: frozenset(
        {
            CaseStatus.APPROVED,
            CaseStatus.AWAITING_SECOND_OFFICER,
            CaseStatus.REJECTED,
            CaseStatus.INFORMATION_REQUESTED,
            CaseStatus.CHECKING,
            CaseStatus.WITHDRAWN,
        }
    ),
    CaseStatus.AWAITING_SECOND_OFFICER: frozenset(
        {
            CaseStatus.APPROVED,
            CaseStatus.REJECTED,
            CaseStatus.INFORMATION_REQUESTED,
            CaseStatus.CHECKING,
            CaseStatus.WITHDRAWN,
        }
    ),
    CaseStatus.INFORMATION_REQUESTED: frozenset(
        {CaseStatus.CHECKING, CaseStatus.REJECTED, CaseStatus.WITHDRAWN}
    ),
    CaseStatus.BLOCKED: frozenset(
        {
            CaseStatus.REJECTED,
            CaseStatus.INFORMATION_REQUESTED,
            CaseStatus.CHECKING,
            CaseStatus.WITHDRAWN,
        }
    ),
    CaseStatus.APPROVED: frozenset({CaseStatus.WITHDRAWN}),
    CaseStatus.REJECTED: frozenset(),
    CaseStatus.WITHDRAWN: frozenset(),
}

# A case in these states no longer stands for the movement: a new one may be opened.
CLOSED_CASE_STATUSES = frozenset({CaseStatus.REJECTED, CaseStatus.WITHDRAWN})
# The officer's queue.
DECIDABLE_CASE_STATUSES = frozenset(
    {CaseStatus.AWAITING_OFFICER, CaseStatus.AWAITING_SECOND_OFFICER, CaseStatus.BLOCKED}
)
# A case whose route or material may still change (the checks then run again).
CHANGEABLE_CASE_STATUSES = frozenset(
    {
        CaseStatus.AWAITING_OFFICER,
        CaseStatus.AWAITING_SECOND_OFFICER,
        CaseStatus.BLOCKED,
        CaseStatus.INFORMATION_REQUESTED,
    }
)


class RiskLevel(models.TextChoices):
    STANDARD = "standard", _("Standard")
    # Any inference rule behind a check, a damaged pack or black mass: two officers approve.
    HIGH = "high", _("High (two officers approve)")


class CheckCode(models.TextChoices):
    SANCTIONS = "sanctions", _("Sanctions and embargoes")
    EXPORT_BANS = "export_bans", _("Export and import bans")
    WASTE_CLASSIFICATION = "waste_classification", _("Waste classification")
    REGIME = "regime", _("Regime")
    CONSENTS = "consents", _("Consents")
    DOCUMENTS = "documents", _("Documents")
    TRANSPORT = "transport", _("Transport class")
    COUNTERPARTY_PERMITS = "counterparty_permits", _("Counterparty permits")


class CheckOutcome(models.TextChoices):
    PASS = "pass", _("Pass")
    REVIEW = "review", _("Officer review")
    FAIL = "fail", _("Fail")


class ConsentRole(models.TextChoices):
    EXPORT = "export", pgettext_lazy("consent role", "Export")
    IMPORT = "import", pgettext_lazy("consent role", "Import")
    TRANSIT = "transit", pgettext_lazy("consent role", "Transit")


class ConsentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    DEEMED_GRANTED = "deemed_granted", _("Deemed granted (tacit)")
    EXPIRED = "expired", _("Expired")


CONSENT_TRANSITIONS: dict[str, frozenset[str]] = {
    ConsentStatus.REQUESTED: frozenset(
        {ConsentStatus.GRANTED, ConsentStatus.REFUSED, ConsentStatus.DEEMED_GRANTED}
    ),
    # A consent is valid for a window (deadlines.yaml consent_validity_*); past it, expired.
    ConsentStatus.GRANTED: frozenset({ConsentStatus.EXPIRED}),
    ConsentStatus.REFUSED: frozenset(),
    ConsentStatus.DEEMED_GRANTED: frozenset({ConsentStatus.EXPIRED}),
    ConsentStatus.EXPIRED: frozenset(),
}
CONSENT_GRANTED_STATUSES = frozenset({ConsentStatus.GRANTED, ConsentStatus.DEEMED_GRANTED})


class EventKind(models.TextChoices):
    STATUS = "status", _("Status")
    CONSENT = "consent", _("Consent")
    DOCUMENT = "document", _("Document")
    CHECK = "check", _("Check acknowledged")
    MATERIAL = "material", _("Material overridden")
    CHECK_RESULT = "check_result", _("Check result")
    DECISION = "decision", _("Decision")
    INFORMATION = "information", _("Information")
    ROUTE = "route", _("Route changed")
    MOVEMENT = "movement", _("Movement")
    ALERT = "alert", _("Alert")


class MovementKind(models.TextChoices):
    """What happens to the goods after approval, in order (Basel Art 6(9); EU WSR Art 16)."""

    SHIPMENT_LEFT = "shipment_left", _("Shipment left")
    RECEIPT_CONFIRMED = "receipt_confirmed", _("Receipt confirmed")
    RECOVERY_CONFIRMED = "recovery_confirmed", _("Recovery confirmed")


class AlertKind(models.TextChoices):
    CONSENT_EXPIRING = "consent_expiring", _("Consent expiring")
    RECEIPT_OVERDUE = "receipt_overdue", _("Receipt confirmation overdue")
    RECOVERY_OVERDUE = "recovery_overdue", _("Recovery confirmation overdue")


class Material(models.TextChoices):
    """The pre-check's material codes (compliance/ruleset MATERIAL_CODES), labelled."""

    USED_EV = "used_ev", _("Used EV (pack installed)")
    USED_PACK_FOR_REUSE = "used_pack_for_reuse", _("Used pack or module for reuse")
    END_OF_LIFE_PACK = "end_of_life_pack", _("End-of-life pack or module (waste)")
    DAMAGED_PACK = "damaged_pack", _("Damaged or defective pack or module")
    BLACK_MASS = "black_mass", _("Black mass")


class ExtraDocument(models.TextChoices):
    """Documents an officer may add to a case's checklist beyond what the rules require."""

    SDS = "sds", _("Safety data sheet (SDS)")
    UN38_3_SUMMARY = "un38_3_summary", _("UN38.3 test summary")
    SALES_CONTRACT = "sales_contract", _("Sales contract")
    PACKING_LIST = "packing_list", _("Packing list")
    OTHER = "other", _("Other document")
