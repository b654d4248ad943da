"""Load with wrk: requests/s and latency percentiles (p95 through a small Lua `done` hook, as
wrk's own --latency table stops at 50/75/90/99)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from bench import BenchError
from bench.environment import HOST, VAR

THREADS = 2
CONNECTIONS = 16
PERCENTILES = (50, 90, 95, 99)

_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("@bench requests %d\\n", summary.requests))
  io.write(string.format("@bench duration_us %d\\n", summary.duration))
  io.write(string.format("@bench non2xx %d\\n", e.status))
  io.write(string.format("@bench socket_errors %d\\n", e.connect + e.read + e.write + e.timeout))
  for _, p in ipairs({PERCENTILES}) do
    io.write(string.format("@bench p%d_us %d\\n", p, latency:percentile(p)))
  end
end
""".replace("PERCENTILES", ", ".join(str(p) for p in PERCENTILES))


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    non2xx: int
    socket_errors: int
    percentiles_ms: dict[int, float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise BenchError(
            "wrk is not installed: `sudo apt-get install -y wrk` (Debian/Ubuntu), then run the benchmark again."
        )
    return path


def ensure_wrk(say) -> None:
    """Install Debian's wrk when missing and we are root; otherwise say how."""
    import os

    if shutil.which("wrk"):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        say("wrk is missing: installing it (apt-get install -y -qq wrk)")
        done = subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True, text=True)
        if done.returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    wrk_path()


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _rotation(requests: list[tuple[str, str, str]]) -> str:
    """Lua for wrk: each connection's next request is the next of `requests` (path, Host, Cookie),
    every thread starting at its own place in the list."""
    rows = ",\n".join(
        f"  wrk.format(\"GET\", {_lua(path)}, {{Host = {_lua(host)}{f', Cookie = {_lua(cookie)}' if cookie else ''}}})"
        for path, host, cookie in requests
    )
    return f"""
local threads = 0
setup = function(thread)
  thread:set("start", threads * 7919)
  threads = threads + 1
end
local requests, at
init = function(args)
  requests = {{
{rows}
  }}
  at = start or 0
end
request = function()
  at = at + 1
  return requests[(at % #requests) + 1]
end
"""


def run_wrk(
    url: str, seconds: float, *, threads: int = THREADS, connections: int = CONNECTIONS, host: str = HOST,
    cookie: str = "", requests: list[tuple[str, str, str]] | None = None,
) -> LoadResult:
    """wrk on `url` for `seconds`; with `requests` (path, Host, Cookie), it loads those in turn instead."""
    script = VAR / "wrk-report.lua"
    script.write_text((_rotation(requests) if requests else "") + _REPORT)
    command = [
        wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
        "--timeout", "10s", "-H", f"Host: {host}", *(["-H", f"Cookie: {cookie}"] if cookie else []), "-s", str(script), url,
    ]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=seconds + 30)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    values: dict[str, int] = {}
    for line in done.stdout.splitlines():
        if line.startswith("@bench "):
            _, key, value = line.split()
            values[key] = int(value)
    try:
        return LoadResult(
            requests=values["requests"], seconds=values["duration_us"] / 1e6,
            non2xx=values["non2xx"], socket_errors=values["socket_errors"],
            percentiles_ms={p: values[f"p{p}_us"] / 1000 for p in PERCENTILES},
        )
    except KeyError as missing:
        raise BenchError(f"wrk's output lacks {missing}:\n{done.stdout}") from None
