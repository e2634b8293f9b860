"""The base of the schemas that load a command's typed request (app/register/requests.py)."""

from __future__ import annotations

from typing import Any, ClassVar

import marshmallow as ma


class RequestSchema(ma.Schema):
    """Loads `request_type(**fields)`: the schema's field names are the request's."""

    request_type: ClassVar[type]

    @ma.post_load
    def _request(self, data: dict[str, Any], **_kwargs: object) -> Any:
        return self.make(data)

    def make(self, data: dict[str, Any]) -> Any:
        return self.request_type(**data)
