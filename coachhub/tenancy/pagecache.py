"""Whole pages cached per viewer, for the pages people load most.

A page is kept under a key made of everything it depends on: the practice and platform
generations (any write in the practice, or to people and practices, renews them: see
freshness), the viewer and their roles, their time zone, the full address, htmx's
headers, and the current minute (pages that say what is upcoming or due stay right to the
minute). The CSRF token is rendered as a placeholder and filled in per response, so a cached
form posts like a fresh one. Pages with flash messages are neither served from nor put in the
cache. `PAGE_CACHE=false` turns it off.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from coachhub.tenancy import freshness

logger = logging.getLogger(__name__)

CSRF_PLACEHOLDER = "csrfPlaceholderOfTheCachedPage0000000000000000000000000000000000"
TIMEOUT = 120
_RENDERING_FOR_CACHE = "_rendering_for_page_cache"


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor (after Django's csrf one): the placeholder while a page is rendered
    for the cache."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, _RENDERING_FOR_CACHE, False) else {}


def _key(request: HttpRequest) -> str:
    practice = getattr(request, "practice", None)
    platform_generation, practice_generation = freshness.generations(practice.pk if practice else None)
    user = request.user
    viewer = f"u{user.pk}:{','.join(sorted(getattr(request, 'roles', ())))}" if user.is_authenticated else "anon"
    htmx = f"{request.headers.get('HX-Request', '')}:{request.headers.get('HX-Target', '')}"
    minute = int(timezone.now().timestamp() // 60)
    varies = (
        f"{platform_generation}:{practice_generation}:{viewer}:{timezone.get_current_timezone_name()}:"
        f"{minute}:{htmx}:{request.scheme}://{request.get_host()}{request.get_full_path()}"
    )
    return f"page:{hashlib.sha256(varies.encode()).hexdigest()}"


def _has_messages(request: HttpRequest) -> bool:
    # len() loads the pending messages without marking them shown.
    return bool(len(get_messages(request)))


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a GET from the cache when nothing it depends on has changed; cache its 200s."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.PAGE_CACHE or request.method != "GET" or _has_messages(request):
            return view(request, *args, **kwargs)
        try:
            key = _key(request)
            entry = cache.get(key)
        except Exception:
            logger.warning("Page cache unavailable", exc_info=True)
            return view(request, *args, **kwargs)
        if entry is not None:
            headers, body = entry
            return HttpResponse(body.replace(CSRF_PLACEHOLDER, get_token(request)), headers=headers)

        setattr(request, _RENDERING_FOR_CACHE, True)
        try:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        finally:
            setattr(request, _RENDERING_FOR_CACHE, False)
        if response.streaming:
            return response
        body = response.content.decode(response.charset)
        cacheable = response.status_code == 200 and not response.cookies and not _has_messages(request)
        if cacheable:
            try:
                cache.set(key, (dict(response.headers), body), TIMEOUT)
            except Exception:
                logger.warning("Could not cache a page", exc_info=True)
        if CSRF_PLACEHOLDER in body:
            response.content = body.replace(CSRF_PLACEHOLDER, get_token(request))
        return response

    return wrapper
