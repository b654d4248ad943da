"""Reading the signed tokens our emailed links carry (Django's signing, one salt per purpose).

A good signature says only that the payload was signed with SECRET_KEY, not that it has the shape
today's code expects: a token signed by an older version, or by someone holding a leaked key (or
the development default), may carry "abc" where an id goes, a list where a dict goes, or bytes that
are not JSON at all. Each of those would reach a query or a comparison and answer 500. Here every
such token is refused exactly like a bad signature, so a link answers 404 (or its page's own
refusal) and never a server error.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import timedelta

from django.core import signing


def read_signed(token: str, *, salt: str, shape: Mapping[str, type], max_age: timedelta | None = None) -> dict | None:
    """The token's payload if its signature is good (and recent, with `max_age`) and it is a dict
    holding each key of `shape` with a value of that type (an int is never a bool); else None."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, zlib.error):
        # ValueError: base64 or JSON that does not decode; zlib.error: "compressed" bytes that are not.
        return None
    if not isinstance(data, dict):
        return None
    for key, kind in shape.items():
        value = data.get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return None
    return data
