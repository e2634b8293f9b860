"""The base of the schemas that load a body into one typed request of `app.register.requests`.

The schema's field names are the request's, so loading is `request_type(**data)`; a field the
URL carries (the class being amended, the holder ceasing) is taken from the route's arguments
rather than repeated in the body.
"""

from __future__ import annotations

from typing import Any, ClassVar

import marshmallow as ma
from flask import request


class RequestSchema(ma.Schema):
    request_type: ClassVar[type]
    # Request fields named by the route (e.g. "holder_id" in /holders/<holder_id>).
    path_fields: ClassVar[tuple[str, ...]] = ()

    @ma.post_load
    def _make_request(self, data: dict[str, Any], **_kwargs: object) -> Any:
        path = {name: request.view_args[name] for name in self.path_fields}
        return self.make(data | path)

    def make(self, data: dict[str, Any]) -> Any:
        """Build the request; a schema whose body is shaped differently overrides this."""
        return self.request_type(**data)
