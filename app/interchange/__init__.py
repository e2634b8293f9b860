"""Registers in and out: CSV and OCF imports, snapshot renderings (JSON, CSV, OCF, HTML)."""
