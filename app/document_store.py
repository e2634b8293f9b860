"""The Flask glue of `app.disclosures.documents`: each app's document store, built once from
its configuration, is the one services and queries find while that app runs; and the size
bound an upload of a disclosure gets before its form is read (API and pages alike)."""

from __future__ import annotations

from flask import Flask, current_app, request

from app.disclosures.documents import DocumentStore, provide_store_with, store_from_config
from app.disclosures.services import MAX_ATTACHMENTS, MAX_BODY_BYTES

# Room for the form's framing and its other text fields beside the files and the body.
FORM_OVERHEAD_BYTES = 64 * 1024


def app_document_store() -> DocumentStore:
    app = current_app._get_current_object()
    store = app.extensions.get("document_store")
    if store is None:
        store = app.extensions["document_store"] = store_from_config(app.config)
    return store


def install_document_store(app: Flask) -> None:
    store_from_config(app.config)  # a misconfigured store fails at start, not at first upload
    provide_store_with(app_document_store)


def bound_upload() -> None:
    """Before a disclosure's form is read: refuse (413, RequestEntityTooLarge) a request
    larger than its files and body may be, so that it is not spooled whole first."""
    store = app_document_store()
    request.max_content_length = (
        MAX_ATTACHMENTS * store.max_attachment_bytes + MAX_BODY_BYTES + FORM_OVERHEAD_BYTES
    )
    request.max_form_memory_size = MAX_BODY_BYTES + FORM_OVERHEAD_BYTES
