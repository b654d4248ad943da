"""Rate limits for anonymous writes (booking a chemistry call), counted in the cache.

A rate reads like "10/h": at most 10 uses per clock-aligned hour (also `s`, `m`, `d`, and a
multiple such as "5/15m"). Counters live in Redis through Django's cache, whose key function
already puts the current practice in every key, so one practice's visitors never use up
another's allowance. Keys carry a digest of what is counted (an address, an email), never the
value itself.

If the cache is unreachable, booking goes on without the limit (and the failure is logged):
refusing every leader because Redis blinked would be worse than a short unmetered spell.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        match = _RATE.match(str(text))
        if not match or int(match[1]) < 1 or match[2] == "0":
            raise ValueError(f"{text!r} is not a rate such as '10/h' or '5/15m'.")
        return cls(limit=int(match[1]), period=int(match[2] or 1) * _UNITS[match[3]])


def rate_setting(name: str, default: str) -> Rate:
    """The rate in setting `name` (a string like "10/h"), or `default` when it is not set."""
    value = getattr(settings, name, default)
    try:
        return Rate.parse(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"Setting {name}: {error}") from None


def client_network(ip: str) -> str:
    """What one client is, for counting: its IPv4 address, or its IPv6 /64 (one home or
    office usually holds a whole /64, and could rotate through it)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def hit(scope: str, key: str, rate: Rate) -> int | None:
    """Count one use of `scope` by `key`. Returns None while within `rate`, else the seconds
    until the current window ends (for a Retry-After header)."""
    now = time.time()
    window = int(now // rate.period)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}:{rate.period}:{window}"
    try:
        cache.add(cache_key, 0, timeout=rate.period + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr: a fresh window
            cache.set(cache_key, 1, timeout=rate.period + 1)
            count = 1
    except (RedisError, OSError):
        logger.warning("rate limit %s not applied: the cache is unreachable", scope, exc_info=True)
        return None
    if count <= rate.limit:
        return None
    return max(1, math.ceil((window + 1) * rate.period - now))
