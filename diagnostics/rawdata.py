"""The raw data file of a certificate: a CSV time series of the test.

Accepted: a `.csv` file of UTF-8 text up to RAW_DATA_MAX_BYTES whose header names a time, a
voltage and a current column (e.g. `time_s,voltage_v,current_a`), followed by at least one
row in which those columns are numbers. Anything else is refused with a message on
`raw_data`, so a certificate never points at a file nobody can read back.
"""

import csv
import hashlib
import io
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from marketplace.core.exceptions import DomainError

MB = 1024 * 1024
RAW_DATA_MAX_BYTES = 5 * MB
REQUIRED_COLUMNS = ("time", "voltage", "current")
ROWS_CHECKED = 1000  # enough to catch a wrong file; the rest is the provider's record


def _refuse(message: str) -> DomainError:
    return DomainError(message, code="invalid_file", fields={"raw_data": [message]})


def _column_index(header: list[str], name: str) -> int | None:
    """`time` matches time, time_s, timestamp; `voltage` voltage_v; `current` current_a."""
    for index, column in enumerate(header):
        if column.strip().lower().startswith(name):
            return index
    return None


def check_raw_data(upload: UploadedFile) -> tuple[bytes, str]:
    """Return (content, sha256 hex) of an acceptable CSV, else raise DomainError."""
    name = upload.name or ""
    if not name.lower().endswith(".csv"):
        raise _refuse(_("Upload the raw data as a CSV file."))
    if upload.size is None or upload.size > RAW_DATA_MAX_BYTES:
        raise _refuse(
            _("The raw data file is larger than %(limit)d MB.")
            % {"limit": RAW_DATA_MAX_BYTES // MB}
        )
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    if b"\x00" in content:
        raise _refuse(_("The raw data file is not text."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refuse(_("The raw data file must be UTF-8 text.")) from error
    try:
        _check_rows(text)
    except csv.Error as error:
        raise _refuse(_("The raw data file is not a readable CSV file.")) from error
    return content, hashlib.sha256(content).hexdigest()


def _check_rows(text: str) -> None:
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None) or []
    indexes = {column: _column_index(header, column) for column in REQUIRED_COLUMNS}
    missing = [column for column, index in indexes.items() if index is None]
    if missing:
        raise _refuse(
            _("The CSV header must name time, voltage and current columns; missing: %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    data_rows = 0
    for line_number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        for column, index in indexes.items():
            cell = row[index].strip() if index < len(row) else ""
            try:
                Decimal(cell)
            except InvalidOperation as error:
                raise _refuse(
                    _("Line %(line)d: %(column)s is not a number.")
                    % {"line": line_number, "column": column}
                ) from error
        data_rows += 1
        if data_rows >= ROWS_CHECKED:
            break
    if data_rows == 0:
        raise _refuse(_("The CSV file has a header but no data rows."))
