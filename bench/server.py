"""gunicorn as a subprocess of the benchmark: started on a free loopback port, always stopped."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench import BenchError
from bench.environment import BASE_DIR, HOST, VAR

WORKERS = 2
STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`gunicorn coachhub.wsgi -w 2 -b 127.0.0.1:<port>` with the benchmark's environment (or
    another WSGI app, answering 200 at `ready_path`: the ceiling app)."""

    def __init__(
        self, environment: dict[str, str], *, app: str = "coachhub.wsgi", ready_path: str = "/healthz", name: str = "",
    ):
        self.environment = environment
        self.app = app
        self.ready_path = ready_path
        self.port = free_port()
        self.log_path: Path = VAR / f"gunicorn-{name or app.replace(':', '.')}.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable, "-m", "gunicorn", self.app,
            "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
        ]
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            command, cwd=BASE_DIR, env={**os.environ, **self.environment, "PORT": str(self.port)},
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopped together, and only it
        )
        log.close()
        deadline = time.monotonic() + STARTUP_SECONDS
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with status {self.process.returncode}.\n{self.log_tail()}")
            try:
                status, body = self.get(self.ready_path, host="localhost", timeout=2)
                if status == 200:
                    return
                last = f"status {status}: {body[:200]!r}"
            except OSError as error:
                last = str(error)
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer {self.ready_path} within {STARTUP_SECONDS} s ({last}).\n{self.log_tail()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            process.send_signal(signal.SIGTERM)  # the master stops its workers gracefully
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group gunicorn leads, nothing else
            process.wait(timeout=5)

    def get(self, path: str, *, host: str = HOST, timeout: float = 10) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path, headers={"Host": host})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def smoke(self, path: str) -> bytes:
        """One request before the load: anything but 2xx stops the benchmark."""
        try:
            status, body = self.get(path)
        except OSError as error:
            raise BenchError(f"GET {path} (Host {HOST}) failed: {error}") from error
        if not 200 <= status < 300:
            raise BenchError(
                f"GET {path} (Host {HOST}) answered {status}, not 2xx: {body[:300]!r}\n{self.log_tail()}"
            )
        return body

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return "(no gunicorn log)"
        return "gunicorn log (last lines):\n" + "\n".join(f"  | {line}" for line in text)
