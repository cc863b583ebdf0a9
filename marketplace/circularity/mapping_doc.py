"""docs/passport-mapping.md, generated from data/passport_mapping.yaml.

`python manage.py passport_mapping_doc` writes it; a test fails when the two disagree, so
the document cannot drift from the data the exporter and importer actually use.
"""

from marketplace.circularity import reference

HEADER = """# Battery passport mapping

<!-- Generated from marketplace/circularity/data/passport_mapping.yaml by
     `python manage.py passport_mapping_doc`. Edit the YAML, not this file. -->

Mapping version **{version}**, passport schema version **{schema_version}**.
Data model: {name} {model_version} ({standard}), {repository} at `{commit}`.

## How to read it

- **Export** (`GET /api/v1/circularity/packs/{{id}}/passport/`, the passport page
  `/circularity/passport/<passport_id>/` and its JSON download) writes each attribute at
  its path. Attributes without a value are left out; nothing is estimated except the
  clearly marked `materialComposition.x-estimatedContainedMaterials`.
- **Access**: `public` attributes are in every passport. `legitimate_interest` ones (SOH/SOCE,
  its band, grade and certificates, date into service, safety documents) only reach persons
  with a legitimate interest (EU 2023/1542 Art. 77(2), Annex VII; Battery Pass longlist
  access rights): signed-in members of verified organisations, the pack's owner and staff.
- **Import** (`POST /api/v1/circularity/passport/import/`, HTML `/circularity/passport/import/`)
  reads the attributes marked *yes* and returns the catalog's listing-create input. Errors
  are keyed by attribute path. Quantities are JSON numbers in the unit shown, or
  `{{"value": n, "unit": "<accepted unit>"}}`; they are rounded half-up to the precision the
  catalog stores. Plain numbers above a plausibility ceiling (e.g. an energy above 2000 kWh)
  are refused as probably given in the smaller unit.
- Keys starting with `x-` are platform extensions, not Battery Pass attributes.
"""


def _cell(text: object) -> str:
    return str(text if text not in (None, "") else "—").replace("|", "\\|").replace("\n", " ")


def render() -> str:
    mapping = reference.mapping()
    model = mapping.data_model
    lines = [
        HEADER.format(
            version=mapping.version,
            schema_version=mapping.schema_version,
            name=model["name"],
            model_version=model["version"],
            standard=model["standard"],
            repository=model["repository"],
            commit=model["commit"],
        )
    ]
    for group, meta in mapping.groups.items():
        lines.append(f"## {meta['title']} (`{group}`)\n")
        if meta.get("aspect"):
            lines.append(f"Aspect: `{meta['aspect']}`\n")
        lines.append(
            "| Our field | Attribute path | Unit | Accepted units | Access | Import | Source |"
        )
        lines.append("|---|---|---|---|---|---|---|")
        for attribute in mapping.attributes:
            if attribute.group != group:
                continue
            ours = attribute.field or f"({attribute.computed})"
            if attribute.field_on_import:
                ours = f"({attribute.computed}) → {attribute.field_on_import}"
            units = ", ".join(unit for unit, _factor in attribute.accepted_units)
            source = attribute.source + (f". {attribute.note}" if attribute.note else "")
            lines.append(
                f"| `{ours}` | `{attribute.path}` | {_cell(attribute.unit)} | {_cell(units)} | "
                f"{attribute.access} | {'yes' if attribute.imported else 'no'} | {_cell(source)} |"
            )
        lines.append("")
    lines.append("## Not mapped\n")
    lines.append("Left out of the export and ignored on import.\n")
    lines.append("| Attribute path | Why |")
    lines.append("|---|---|")
    lines.extend(f"| `{item['path']}` | {_cell(item['reason'])} |" for item in mapping.unmapped)
    lines.append("")
    lines.append("## Chemistry names accepted on import\n")
    lines.append("| Our code | Clear name (exported) | Also accepted |")
    lines.append("|---|---|---|")
    lines.extend(
        f"| `{chemistry.code}` | {chemistry.clear_name} | {_cell(', '.join(chemistry.aliases))} |"
        for chemistry in mapping.chemistries.values()
    )
    lines.append("")
    ambiguous = ", ".join(mapping.ambiguous_chemistries)
    lines.append(f"Refused as ambiguous (the ratio decides the metal content): {ambiguous}.\n")
    lines.extend(_estimate_section())
    return "\n".join(lines)


def _estimate_section() -> list[str]:
    data = reference.reference()
    symbols = list(reference.mapping().materials)
    lines = [
        "## Material estimate (`materialComposition.x-estimatedContainedMaterials`)\n",
        "grams = kg per kWh × rated energy (kWh) × 1000, for the elements the reference data "
        "give; chemistries without data (LTO, OTHER) get no estimate. From "
        f"`marketplace/circularity/data/reference.yaml` version {data.version}.\n",
        "| Chemistry | " + " | ".join(f"{s} kg/kWh" for s in symbols) + " |",
        "|---|" + "---|" * len(symbols),
    ]
    for chemistry, elements in data.metal_content_kg_per_kwh.items():
        cells = [
            f"{elements[s].value} ({elements[s].quality})" if s in elements else "—"
            for s in symbols
        ]
        lines.append(f"| {chemistry} | " + " | ".join(cells) + " |")
    used = sorted(
        {
            item.source
            for elements in data.metal_content_kg_per_kwh.values()
            for item in elements.values()
        }
    )
    lines.append("")
    lines.extend(
        f"- `{key}`: {data.sources[key]['title']}"
        + (f" <{data.sources[key]['url']}>" if data.sources[key].get("url") else "")
        for key in used
    )
    lines.append("")
    return lines
