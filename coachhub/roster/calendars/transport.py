"""A requests transport that connects only to addresses fetch.py has already checked.

Checking an address and then letting the HTTP library resolve the name again would leave a gap
(DNS rebinding): a name can resolve to a public address when checked and to 127.0.0.1 or
169.254.169.254 a moment later, when the connection is made. Here the checked socket addresses are
pinned per host and port, and a connection goes to them and nowhere else: the name is never looked
up again, and a host nobody pinned is never connected to. Only the TCP connection is pinned: the
Host header, TLS SNI and certificate verification still use the host name of the URL.
"""

from __future__ import annotations

import socket
import sys
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

# (family, sockaddr) as socket.getaddrinfo gives them.
SocketAddress = tuple[int, tuple]
Pins = dict[tuple[str, int], tuple[SocketAddress, ...]]


def _key(host: str, port: int) -> tuple[str, int]:
    return host.strip("[]").rstrip(".").lower(), port


class _PinnedConnectionMixin:
    def __init__(self, *args: Any, pins: Pins, **kwargs: Any):
        self._pins = pins
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        addresses = self._pins.get(_key(self.host, self.port))
        if not addresses:
            raise NewConnectionError(self, "Refused to connect: the address was not checked.")
        error: OSError | None = None
        for family, sockaddr in addresses:
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            try:
                for option in self.socket_options or ():
                    sock.setsockopt(*option)
                if isinstance(self.timeout, (int, float)):
                    sock.settimeout(self.timeout)
                sock.connect(sockaddr)
            except OSError as failed:
                sock.close()
                error = failed
                continue
            sys.audit("http.client.connect", self, self.host, self.port)
            return sock
        if isinstance(error, TimeoutError):
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from error
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}") from error


class PinnedHTTPConnection(_PinnedConnectionMixin, HTTPConnection):
    pass


class PinnedHTTPSConnection(_PinnedConnectionMixin, HTTPSConnection):
    pass


class _PinnedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = PinnedHTTPConnection


class _PinnedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = PinnedHTTPSConnection


class _PinnedPoolManager(PoolManager):
    def __init__(self, pins: Pins, **kwargs: Any):
        super().__init__(**kwargs)
        self._pins = pins
        self.pool_classes_by_scheme = {"http": _PinnedHTTPConnectionPool, "https": _PinnedHTTPSConnectionPool}

    def _new_pool(self, scheme: str, host: str, port: int, request_context: dict | None = None):
        # The pins reach each connection through the pool's connection arguments (not the pool key).
        context = dict(self.connection_pool_kw if request_context is None else request_context, pins=self._pins)
        return super()._new_pool(scheme, host, port, context)


class PinnedAdapter(HTTPAdapter):
    """Mount for http:// and https:// on a session whose every request goes to a pinned host;
    call `pin` with the checked addresses before each request (each redirect hop included)."""

    def __init__(self) -> None:
        self._pins: Pins = {}
        super().__init__()

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        self._pool_connections, self._pool_maxsize, self._pool_block = connections, maxsize, block
        self.poolmanager = _PinnedPoolManager(self._pins, num_pools=connections, maxsize=maxsize, block=block,
                                              **pool_kwargs)

    def pin(self, host: str, port: int, addresses: tuple[SocketAddress, ...]) -> None:
        key = _key(host, port)
        if self._pins.get(key) != addresses:
            self._pins[key] = addresses
            self.poolmanager.clear()  # no kept-alive connection to what was pinned before
