"""The hashed content of a certificate: canonical JSON and its SHA-256.

canonical JSON = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
with Decimals as plain decimal text without trailing zeros (`37.5`, `100`), dates and times in
ISO 8601 (times in UTC), and safety flags sorted. content_sha256 = SHA-256 of its UTF-8 bytes.
The status is not content: superseding or revoking a certificate does not change its hash.
"""

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

MEASURED_FIELDS = (
    "measured_energy_kwh",
    "measured_capacity_ah",
    "soce_pct",
    "resistance_mohm",
    "resistance_increase_pct",
    "cell_voltage_spread_mv",
    "temperature_min_c",
    "temperature_max_c",
    "cycle_count",
    "equivalent_full_cycles",
    "odometer_km",
    "age_years",
)
CONDITION_FIELDS = (
    "test_temperature_c",
    "test_c_rate",
    "test_soc_window",
    "balanced_before_test",
    "test_notes",
)
RESULT_FIELDS = (
    "soh_pct",
    "soh_low_pct",
    "soh_high_pct",
    "u95_pp",
    "measurand",
    "grade",
    "recommended_use",
    "years_to_70_pct",
    "years_to_60_pct",
    "residual_value_jpy",
)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def certificate_content(certificate) -> dict[str, Any]:
    """Everything the certificate states, as plain JSON values."""
    return {
        "uuid": str(certificate.uuid),
        "provider_id": certificate.provider_id,
        "issued_by_id": certificate.issued_by_id,
        "registered_method_id": certificate.registered_method_id,
        "method_code": certificate.method_code,
        "subject": {
            "kind": "pack" if certificate.pack_id else "module_lot",
            "id": certificate.pack_id or certificate.module_lot_id,
            "label": certificate.subject_label,
        },
        "supersedes": str(certificate.supersedes.uuid) if certificate.supersedes_id else None,
        "tested_on": _plain(certificate.tested_on),
        "issued_at": _plain(certificate.issued_at),
        "measured": {name: _plain(getattr(certificate, name)) for name in MEASURED_FIELDS},
        "conditions": {name: _plain(getattr(certificate, name)) for name in CONDITION_FIELDS},
        "safety_flags": sorted(certificate.safety_flags),
        "raw_data_sha256": certificate.raw_data_sha256,
        "result": {name: _plain(getattr(certificate, name)) for name in RESULT_FIELDS},
        "data_versions": certificate.data_versions,
    }


def canonical_json(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_sha256(certificate) -> str:
    return hashlib.sha256(canonical_json(certificate_content(certificate)).encode()).hexdigest()
