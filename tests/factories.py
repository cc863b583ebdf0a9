"""factory_boy factories for the people and organisations every test needs."""

import factory
from django.utils import timezone

from marketplace.accounts.choices import PermitKind, Role, VerificationStatus
from marketplace.accounts.models import Organisation, Permit, User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Test Trading {n} K.K.")
    country = "JP"
    region = "Fukuoka"
    address = "1-1 Hakata-ekimae, Hakata-ku, Fukuoka"
    business_registration_number = factory.Sequence(lambda n: f"T{n:013d}")
    verification_status = VerificationStatus.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.jp")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.DEALER
    is_organisation_admin = True
    password = factory.django.Password("correct-horse-battery-staple")


class StaffFactory(UserFactory):
    organisation = None
    role = ""
    is_staff = True
    is_organisation_admin = False


class PermitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Permit

    organisation = factory.SubFactory(OrganisationFactory)
    kind = PermitKind.WASTE_HANDLING
    number = factory.Sequence(lambda n: f"40-{n:06d}")
    issuing_authority = "Fukuoka Prefecture"
    valid_from = factory.LazyFunction(lambda: timezone.localdate().replace(year=2024))
    expires_on = factory.LazyFunction(
        lambda: timezone.localdate().replace(year=timezone.localdate().year + 3)
    )
