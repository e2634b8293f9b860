"""The Flask glue of `app.disclosures.documents`: each app's document store, built once from
its configuration, is the one services and queries find while that app runs."""

from __future__ import annotations

from flask import Flask, current_app

from app.disclosures.documents import DocumentStore, provide_store_with, store_from_config


def app_document_store() -> DocumentStore:
    app = current_app._get_current_object()
    store = app.extensions.get("document_store")
    if store is None:
        store = app.extensions["document_store"] = store_from_config(app.config)
    return store


def install_document_store(app: Flask) -> None:
    store_from_config(app.config)  # a misconfigured store fails at start, not at first upload
    provide_store_with(app_document_store)
