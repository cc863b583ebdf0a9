"""What a listing accepts as a photo or a document: extension, real content, size.

The extension alone proves nothing, so the first bytes must match the format too
(a renamed executable is refused). Limits are per kind: photos are for the browse page,
documents (SDS, UN38.3 summary, assay report) are scanned PDFs.
"""

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from marketplace.catalog.choices import AttachmentKind
from marketplace.core.exceptions import DomainError

MB = 1024 * 1024
PHOTO_MAX_BYTES = 5 * MB
DOCUMENT_MAX_BYTES = 10 * MB
IMPORT_MAX_BYTES = 5 * MB

# extension → (content type, test on the first bytes)
FORMATS = {
    "pdf": ("application/pdf", lambda head: head.startswith(b"%PDF-")),
    "png": ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "webp": ("image/webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
}
PHOTO_EXTENSIONS = ("png", "jpg", "jpeg", "webp")
DOCUMENT_EXTENSIONS = ("pdf", "png", "jpg", "jpeg")


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _read_head(upload: UploadedFile, size: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _refuse(message: str) -> None:
    raise DomainError(message, code="invalid_file", fields={"file": [message]})


def check_upload(*, kind: str, upload: UploadedFile) -> str:
    """Return the content type of an acceptable upload, else raise DomainError on `file`."""
    if kind not in AttachmentKind.values:
        raise DomainError(_("Choose a valid kind."), fields={"kind": [_("Choose a valid kind.")]})
    is_photo = kind == AttachmentKind.PHOTO
    allowed = PHOTO_EXTENSIONS if is_photo else DOCUMENT_EXTENSIONS
    limit = PHOTO_MAX_BYTES if is_photo else DOCUMENT_MAX_BYTES
    extension = _extension(upload.name or "")
    if extension not in allowed:
        _refuse(_("Upload a file of type %(types)s.") % {"types": ", ".join(allowed).upper()})
    if upload.size > limit:
        _refuse(_("The file is larger than %(limit)d MB.") % {"limit": limit // MB})
    content_type, matches = FORMATS[extension]
    if not matches(_read_head(upload)):
        _refuse(_("The file's content is not a %(type)s file.") % {"type": extension.upper()})
    return content_type


def check_import_file(*, upload: UploadedFile) -> str:
    """Return "csv" or "json" for an acceptable import file, else raise DomainError."""
    extension = _extension(upload.name or "")
    if extension not in ("csv", "json"):
        _refuse(_("Upload a CSV or JSON file."))
    if upload.size > IMPORT_MAX_BYTES:
        _refuse(_("The file is larger than %(limit)d MB.") % {"limit": IMPORT_MAX_BYTES // MB})
    head = _read_head(upload, 4096)
    if b"\x00" in head:
        _refuse(_("The file is not text."))
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # A multi-byte character may be cut at the 4096th byte; only earlier errors count.
        if error.start < len(head) - 3:
            _refuse(_("The file must be UTF-8 text."))
    return extension
