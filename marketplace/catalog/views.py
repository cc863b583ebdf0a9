"""Catalog web pages: the same selectors and services as the API, rendered as HTML."""

from django.http import FileResponse, HttpRequest

from marketplace.catalog import selectors


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Files are never a public media URL: a draft's SDS is the seller's business."""
    attachment = selectors.attachment_get_for_user(user=request.user, pk=pk)
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=attachment.original_name,
    )
