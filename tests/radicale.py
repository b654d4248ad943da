"""A real CalDAV server for tests: Radicale on loopback, in a temporary folder, with plain-text
users (any test adds its own); calendars and events are set up and read with the caldav client,
as a calendar app would. Also a tiny misbehaving HTTP server for the bad-input cases (never answers,
breaks off, huge) and one that serves a subscription."""

from __future__ import annotations

import itertools
import socket
import ssl
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import caldav

from tests.polling import wait_for

_numbers = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Radicale:
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def users_file(self) -> Path:
        return self.folder / "users"

    def start(self) -> Radicale:
        self.users_file.touch()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", f"--storage-filesystem-folder={self.folder / 'collections'}",
             f"--server-hosts=127.0.0.1:{self.port}", "--auth-type=htpasswd",
             f"--auth-htpasswd-filename={self.users_file}", "--auth-htpasswd-encryption=plain",
             "--logging-level=warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        if wait_for(self._listening, timeout=20):
            return self
        self.stop()
        raise RuntimeError("Radicale did not start")

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None

    def add_user(self, password: str = "app-password-1") -> tuple[str, str]:
        name = f"coach{next(_numbers)}-{self.port}"
        with self.users_file.open("a") as users:
            users.write(f"{name}:{password}\n")
        return name, password

    def make_calendar(self, username: str, password: str, name: str, cal_id: str | None = None) -> RadicaleCalendar:
        principal = caldav.DAVClient(self.url, username=username, password=password, timeout=10).principal()
        return RadicaleCalendar(principal.make_calendar(name=name, cal_id=cal_id or name.lower().replace(" ", "-")))


class RadicaleCalendar:
    """One calendar on the test server, as a calendar app (the caldav client) sees it."""

    def __init__(self, calendar: caldav.Calendar):
        self.calendar = calendar

    @property
    def url(self) -> str:
        return str(self.calendar.url)

    def save_event(self, ics: str) -> None:
        self.calendar.save_event(ics)

    def delete(self, uid: str) -> None:
        self.calendar.event_by_uid(uid).delete()

    def events(self) -> list[str]:
        """The iCalendar text of every object in the calendar."""
        return [event.data for event in self.calendar.events()]


class NastyServer:
    """HTTP on loopback that misbehaves on purpose: `mode` is "silent" (accepts, never answers),
    "break" (sends half a calendar, then closes), "huge" (announces and streams 50 MB)."""

    def __init__(self, mode: str):
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/calendar.ics"

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            if self.mode == "silent":
                self.stopped.wait(60)
            elif self.mode == "break":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: 100000\r\n\r\n"
                             b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n")
            elif self.mode == "huge":
                size = 50 * 1024 * 1024
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n"
                             + f"Content-Length: {size}\r\n\r\n".encode() + b"BEGIN:VCALENDAR\r\n")
                chunk = b"X" * 65536
                for _ in range(size // len(chunk)):
                    conn.sendall(chunk)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()


class IcsServer:
    """Serves iCalendar text at a secret-looking address on loopback, like a provider's subscription link.
    Keeps the Host header of each request it answers (and with `tls`, the name asked for by SNI);
    with `location` set it redirects there instead."""

    def __init__(self, tls: ssl.SSLContext | None = None):
        import http.server

        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the standard library's name
                server.hosts.append(self.headers.get("Host", ""))
                if server.location:
                    self.send_response(302)
                    self.send_header("Location", server.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = server.body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.body = ""
        self.location = ""
        self.hosts: list[str] = []
        self.server_names: list[str] = []
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.scheme = "http"
        if tls is not None:
            tls.sni_callback = lambda _socket, name, _context: self.server_names.append(name)
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/secret-token/basic.ics"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
