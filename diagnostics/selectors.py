"""Reads of the diagnostics reference data, shaped for both front doors."""

from django.db.models import QuerySet
from django.http import Http404

from diagnostics.models import RegisteredMethod
from diagnostics.reference import reference_data


def method_catalogue() -> dict:
    """{version, methods: [...]} with every sourced value as {value, source, quality}."""
    data = reference_data()
    return {
        "version": data.methods_version,
        "methods": [
            {
                "code": method.code,
                "name": method.name,
                "reference_code": method.reference_code,
                "measures": {**method.measures.describe(), "value": list(method.measures.value)},
                "typical_duration": method.typical_duration.describe(),
                "equipment": method.equipment.describe(),
                "u95_pp": method.u95_pp.describe(),
                "gives_headline_soh": method.gives_headline_soh,
                "reproducibility": method.reproducibility,
            }
            for method in data.methods.values()
        ],
    }


def sources() -> dict[str, dict]:
    """Source key -> {title, url}, for citing values on the pages."""
    return reference_data().sources


def registered_methods_for_user(*, user) -> QuerySet[RegisteredMethod]:
    """The caller's own organisation's registrations, active and retired."""
    if not user.is_authenticated or user.organisation_id is None:
        return RegisteredMethod.objects.none()
    return RegisteredMethod.objects.filter(organisation_id=user.organisation_id).select_related(
        "organisation"
    )


def registered_method_get_for_user(*, user, pk: int) -> RegisteredMethod:
    try:
        return registered_methods_for_user(user=user).get(pk=pk)
    except RegisteredMethod.DoesNotExist as error:
        raise Http404 from error


def active_methods_of_organisation(*, organisation_id: int) -> QuerySet[RegisteredMethod]:
    """What a provider offers: public, for buyers comparing certificates."""
    return RegisteredMethod.objects.filter(organisation_id=organisation_id, is_active=True)
