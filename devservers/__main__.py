"""`python -m devservers COMMAND…`: run COMMAND against the chosen PostgreSQL and Redis.

Prints one line saying which servers are in use. Embedded servers are shared by every command
running at once (`make run` in one terminal, `make test` in another) and stopped when the last
of them ends; a server left over by a killed command is reused.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from devservers.choose import Choice, ServerError, choose_postgres, choose_redis, configured
from devservers.embedded import VAR, EmbeddedPostgres, EmbeddedRedis, _alive, ensure_installed

USERS = VAR / "servers" / "users"


@contextmanager
def _locked():
    USERS.mkdir(parents=True, exist_ok=True)
    with (VAR / "servers" / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _live_users() -> list[Path]:
    return [path for path in USERS.iterdir() if path.name.isdigit() and _alive(int(path.name))]


def _start(server: EmbeddedPostgres | EmbeddedRedis) -> int:
    return server.running_port() or server.start()


def _describe(name: str, choice: Choice, port: int | None) -> str:
    if choice.embedded:
        home = (VAR / ("postgres" if name == "PostgreSQL" else "redis")).relative_to(VAR.parent)
        return f"{name} embedded in {home}/ on 127.0.0.1:{port} ({choice.reason})"
    return f"{name} at {choice.where} ({choice.reason})"


def _with_database(url: str, number: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{number}"))


def prepare() -> tuple[dict[str, str], list[EmbeddedPostgres | EmbeddedRedis]]:
    """Start what is needed; the variables to run the command with and the embedded servers used."""
    variables = configured()
    wanted = os.environ.get("EMBEDDED", "").strip()
    postgres, redis = choose_postgres(variables, wanted), choose_redis(variables, wanted)
    environment: dict[str, str] = {}
    servers: list[EmbeddedPostgres | EmbeddedRedis] = []
    postgres_port = redis_port = None
    if postgres.embedded or redis.embedded:
        ensure_installed()
    if postgres.embedded:
        servers.append(embedded := EmbeddedPostgres())
        postgres_port = _start(embedded)
        at = f"127.0.0.1:{postgres_port}"
        environment |= {
            "DATABASE_URL": f"postgres://coachhub_app@{at}/coachhub",
            "DATABASE_OWNER_URL": f"postgres://coachhub@{at}/coachhub",
            "DATABASE_ADMIN_URL": f"postgres://postgres@{at}/postgres",
        }
    if redis.embedded:
        servers.append(embedded := EmbeddedRedis())
        redis_port = _start(embedded)
        environment["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    # The tests use their own Redis database (TEST_REDIS_DB) on the same server as the app.
    redis_url = environment.get("REDIS_URL") or variables.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    environment["TEST_REDIS_URL"] = _with_database(redis_url, os.environ.get("TEST_REDIS_DB", "15"))
    print(f"Servers: {_describe('PostgreSQL', postgres, postgres_port)}; "
          f"{_describe('Redis', redis, redis_port)}", flush=True)
    return environment, servers


def main(command: list[str]) -> int:
    if not command:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        with _locked():
            environment, servers = prepare()
            if servers:
                (USERS / str(os.getpid())).touch()
    except ServerError as error:
        print(f"make: {error}", file=sys.stderr)
        return 1
    child = subprocess.Popen(command, env={**os.environ, **environment})
    # Ctrl-C reaches the command from the terminal; this process waits for it to finish, then
    # stops the servers. A handler (not SIG_IGN, which the command would inherit) swallows it here.
    signal.signal(signal.SIGINT, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    status = child.wait()
    if servers:
        with _locked():
            (USERS / str(os.getpid())).unlink(missing_ok=True)
            if not _live_users():
                for server in servers:
                    server.stop()
                print("Embedded servers stopped.", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
