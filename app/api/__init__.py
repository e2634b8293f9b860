"""The JSON API (`/api/v1`): flask-smorest blueprints and marshmallow schemas."""
