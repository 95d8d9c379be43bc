"""Bearer tokens: the admin endpoints' and, when one is configured, the feedback endpoint's."""

from __future__ import annotations

import hmac

from flask import request

from .errors import APIError


def require_bearer(token: str, realm: str) -> None:
    """401 without a bearer token, 403 with another one than ``token``."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise APIError(401, "unauthorized", f"send Authorization: Bearer <{realm} token>",
                       {"WWW-Authenticate": f'Bearer realm="tagger {realm}"'})
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise APIError(403, "forbidden", f"the {realm} token is wrong")
