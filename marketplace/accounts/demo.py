"""Demo organisations and people: one of each role, Japanese and foreign."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from marketplace.accounts import services
from marketplace.accounts.choices import PermitKind, Role, VerificationStatus
from marketplace.accounts.models import Organisation, Permit, User

DEMO_PASSWORD = "battery-demo-2026"  # noqa: S105 - printed by `make run` on purpose


@dataclass(frozen=True)
class DemoOrganisation:
    username: str
    role: str
    legal_name: str
    country: str
    region: str
    address: str
    registration_number: str
    verified: bool = True
    permits: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)


DEMO_ORGANISATIONS = (
    DemoOrganisation(
        "dealer",
        Role.DEALER,
        "Hakata EV Motors K.K.",
        "JP",
        "Fukuoka",
        "2-1 Hakata-ekimae, Hakata-ku, Fukuoka-shi",
        "7290001000001",
        permits=((PermitKind.SECOND_HAND_DEALER, "Fukuoka Prefectural Police", "901010000123"),),
    ),
    DemoOrganisation(
        "recycler",
        Role.RECYCLER,
        "Kitakyushu Eco Metals K.K.",
        "JP",
        "Fukuoka",
        "1-2 Hibikimachi, Wakamatsu-ku, Kitakyushu-shi",
        "2290801000002",
        permits=((PermitKind.WASTE_HANDLING, "City of Kitakyushu", "06520012345"),),
    ),
    DemoOrganisation(
        "refiner_kr",
        Role.RECYCLER,
        "Pohang Battery Materials Co., Ltd.",
        "KR",
        "Gyeongsangbuk-do",
        "55 Cheolgang-ro, Nam-gu, Pohang",
        "506-81-12345",
        permits=(
            (PermitKind.WASTE_HANDLING, "Ministry of Environment (Korea)", "KR-WH-2024-0871"),
        ),
    ),
    DemoOrganisation(
        "reuse",
        Role.REUSE_MAKER,
        "Kyushu Energy Storage K.K.",
        "JP",
        "Kumamoto",
        "3-5 Kumamoto Technopolis, Kikuyo-machi",
        "3330001000003",
    ),
    DemoOrganisation(
        "reuse_de",
        Role.REUSE_MAKER,
        "Zweites Leben Speicher GmbH",
        "DE",
        "Bayern",
        "Energiestraße 7, 80331 München",
        "HRB 245871",
    ),
    DemoOrganisation(
        "diagnostics",
        Role.DIAGNOSTICS_PROVIDER,
        "Nishi-Nihon Battery Diagnostics K.K.",
        "JP",
        "Fukuoka",
        "4-8 Momochihama, Sawara-ku, Fukuoka-shi",
        "4290001000004",
    ),
    DemoOrganisation(
        "officer",
        Role.COMPLIANCE_OFFICER,
        "Battery Market Compliance K.K.",
        "JP",
        "Tokyo",
        "1-1 Marunouchi, Chiyoda-ku, Tokyo",
        "0100001000005",
    ),
    DemoOrganisation(
        "newdealer",
        Role.DEALER,
        "Chikugo Auto Dismantling",
        "JP",
        "Fukuoka",
        "12 Nishi-machi, Kurume-shi",
        "6290001000006",
        verified=False,
    ),
)


def seed_staff() -> tuple[User, bool]:
    staff = User.objects.filter(username="staff").first()
    if staff:
        return staff, False
    staff = User.objects.create_superuser(
        username="staff", email="staff@battery-market.example", password=DEMO_PASSWORD
    )
    return staff, True


@transaction.atomic
def seed_organisation(spec: DemoOrganisation, *, staff: User) -> bool:
    """Create one organisation with its user and permits; True if anything was created."""
    organisation, created = Organisation.objects.get_or_create(
        country=spec.country,
        business_registration_number=spec.registration_number,
        defaults={"legal_name": spec.legal_name, "region": spec.region, "address": spec.address},
    )
    if created:
        organisation.events.create(to_status=VerificationStatus.PENDING, reason="demo data")
        if spec.verified:
            services.organisation_verify(organisation=organisation, actor=staff)
    if not User.objects.filter(username=spec.username).exists():
        User.objects.create_user(
            username=spec.username,
            email=f"{spec.username}@demo.battery-market.example",
            password=DEMO_PASSWORD,
            organisation=organisation,
            role=spec.role,
            is_organisation_admin=True,
        )
        created = True
    for kind, authority, number in spec.permits:
        _, permit_created = Permit.objects.get_or_create(
            organisation=organisation,
            kind=kind,
            number=number,
            defaults={
                "issuing_authority": authority,
                "valid_from": date(2024, 4, 1),
                "expires_on": date(2029, 3, 31),
            },
        )
        created = created or permit_created
    return created
