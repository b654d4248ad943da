"""Which PostgreSQL and Redis to use: explicit URLs, else the system servers, else embedded ones."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent

DATABASE_VARIABLES = ("DATABASE_URL", "DATABASE_OWNER_URL", "DATABASE_ADMIN_URL")
# settings.py's defaults: the system servers on loopback.
SYSTEM_POSTGRES = ("127.0.0.1", 5432)
SYSTEM_REDIS = ("127.0.0.1", 6379)


class ServerError(Exception):
    """An explicitly configured server does not answer: the message names the variable to fix."""


@dataclass(frozen=True)
class Choice:
    embedded: bool
    # Why: "DATABASE_URL is set", "nothing answers on 127.0.0.1:6379", "EMBEDDED=1", …
    reason: str
    where: str = ""


def configured() -> dict[str, str]:
    """The developer's variables as settings.py sees them: the environment over `.env`."""
    import environ

    found: dict[str, str] = {}
    path = BASE_DIR / ".env"
    if path.exists():
        saved = dict(os.environ)
        try:
            environ.Env.read_env(path, overwrite=False)
            found = {key: value for key, value in os.environ.items() if key not in saved}
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return {**found, **os.environ}


def _answers(host: str, port: int | str) -> str | None:
    """None when something accepts a TCP connection at host:port, else why not."""
    try:
        with socket.create_connection((host, int(port)), timeout=3):
            return None
    except OSError as error:
        return error.strerror or str(error)


def _explicit(variables: dict[str, str], names: tuple[str, ...], default_port: int) -> Choice | None:
    named = [name for name in names if variables.get(name)]
    where = ""
    for name in named:
        url = urlsplit(variables[name])
        # host:port only: the URL may carry a password, which is never printed.
        where = f"{url.hostname or '127.0.0.1'}:{url.port or default_port}"
        if (failure := _answers(*where.rsplit(":", 1))) is not None:
            raise ServerError(
                f"{name} points at {where}, where nothing answers ({failure}). "
                f"Start that server or fix {name}; unset it to let `make` pick a server itself."
            )
    if not named:
        return None
    return Choice(embedded=False, reason=f"{', '.join(named)} set", where=where)


def choose_postgres(variables: dict[str, str], embedded: str) -> Choice:
    """`embedded` is EMBEDDED's value: "1" forces the embedded server, "0" forbids it."""
    if explicit := _explicit(variables, DATABASE_VARIABLES, 5432):
        return explicit
    if embedded == "1":
        return Choice(embedded=True, reason="EMBEDDED=1")
    import psycopg2

    host, port = SYSTEM_POSTGRES
    try:
        psycopg2.connect(f"postgres://postgres@{host}:{port}/postgres", connect_timeout=3).close()
        return Choice(embedded=False, reason=f"answers on {host}:{port}", where=f"{host}:{port}")
    except psycopg2.OperationalError as error:
        failure = _answers(host, port)
        reason = (
            f"nothing answers on {host}:{port}"
            if failure
            else f"PostgreSQL on {host}:{port} does not let `postgres` in without a password "
            f"({str(error).strip().splitlines()[-1]}); set DATABASE_URL, DATABASE_OWNER_URL and "
            "DATABASE_ADMIN_URL to use it"
        )
    if embedded == "0":
        raise ServerError(f"EMBEDDED=0, but {reason}.")
    return Choice(embedded=True, reason=reason)


def choose_redis(variables: dict[str, str], embedded: str) -> Choice:
    if explicit := _explicit(variables, ("REDIS_URL",), 6379):
        return explicit
    if embedded == "1":
        return Choice(embedded=True, reason="EMBEDDED=1")
    reason = _redis_refuses(*SYSTEM_REDIS)
    if reason is None:
        return Choice(embedded=False, reason="answers on 127.0.0.1:6379", where="127.0.0.1:6379")
    if embedded == "0":
        raise ServerError(f"EMBEDDED=0, but {reason}.")
    return Choice(embedded=True, reason=reason)


def _redis_refuses(host: str, port: int) -> str | None:
    """None when a Redis at host:port answers PING without a password, else why not."""
    try:
        with socket.create_connection((host, port), timeout=3) as connection:
            connection.sendall(b"PING\r\n")
            answer = connection.recv(64)
    except OSError:
        return f"nothing answers on {host}:{port}"
    if answer.startswith(b"+PONG"):
        return None
    return f"Redis on {host}:{port} does not answer PING ({answer.decode(errors='replace').strip()}); set REDIS_URL to use it"
