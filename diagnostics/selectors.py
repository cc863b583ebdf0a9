"""Reads of the diagnostics reference data, shaped for both front doors."""

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
