"""Reads for passports: which pack a user may open, and what they may see of it.

EU Battery Regulation 2023/1542 Art. 77(2) and Annex VII: SOH and usage history are for
persons with a legitimate interest. On the platform that is platform staff, members of the
pack's owner organisation, and signed-in members of verified organisations; everyone else
(anonymous visitors included) sees the public passport.

By pack id (API), a pack is found when the user may see one of its listings, owns it or is
staff; ids are enumerable and a draft is the seller's business. By passport identifier
(the QR code), the random identifier itself is the key: whoever holds it reads the public
passport, also after the listing has ended.
"""

from django.core.exceptions import ValidationError
from django.http import Http404

from marketplace.accounts.models import User
from marketplace.catalog.models import BatteryPack
from marketplace.catalog.selectors import listings_for_user
from marketplace.circularity.models import PassportRecord
from marketplace.circularity.reference import LEGITIMATE_INTEREST, PUBLIC


def audience_for(*, user: User, pack: BatteryPack) -> str:
    if not user.is_authenticated:
        return PUBLIC
    if user.is_staff:
        return LEGITIMATE_INTEREST
    organisation = user.organisation
    if organisation is None:
        return PUBLIC
    if pack.owner_id == organisation.pk or organisation.can_trade():
        return LEGITIMATE_INTEREST
    return PUBLIC


def pack_get_for_user(*, user: User, pk: int) -> BatteryPack:
    pack = BatteryPack.objects.filter(pk=pk).first()
    if pack is None:
        raise Http404
    if user.is_authenticated and (user.is_staff or pack.owner_id == user.organisation_id):
        return pack
    if not listings_for_user(user=user).filter(pack=pack).exists():
        raise Http404
    return pack


def passport_record_get(*, passport_id) -> PassportRecord:
    try:
        return PassportRecord.objects.select_related("pack").get(passport_id=passport_id)
    except (PassportRecord.DoesNotExist, ValidationError) as error:
        raise Http404 from error


def live_listing_of(*, pack: BatteryPack, user: User):
    """The newest listing of the pack that the user may open, for a link back; or None."""
    return listings_for_user(user=user).filter(pack=pack).order_by("-created_at", "-pk").first()
