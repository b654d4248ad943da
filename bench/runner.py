"""What a bench gets: the data, the server (started on first use), load and figure helpers."""

from __future__ import annotations

import sys

from bench import BenchError
from bench.data import BenchData
from bench.environment import HOST
from bench.load import PERCENTILES, LoadResult, run_wrk
from bench.server import Server

WARMUP_SECONDS = 1


class Run:
    def __init__(self, *, environment: dict[str, str], data: BenchData, duration: float, scale: int = 0, out=sys.stdout):
        self.environment = environment
        self.data = data
        self.duration = duration
        self.scale = scale  # scaled practices the pages bench seeds first (0: the demo alone)
        self.out = out
        self._server: Server | None = None
        self._server_error: BenchError | None = None

    # --- output: figures as name=value, everything else as "# ..." ----------------------------

    def figure(self, name: str, value: float) -> None:
        if isinstance(value, float):
            value = round(value, 2 if abs(value) < 100 else 1)
        print(f"{name}={value}", file=self.out, flush=True)

    def say(self, text: str) -> None:
        for line in text.splitlines() or [""]:
            print(f"# {line}", file=self.out, flush=True)

    # --- the server -----------------------------------------------------------------------------

    @property
    def server(self) -> Server:
        if self._server_error is not None:
            raise self._server_error
        if self._server is None:
            server = Server(self.environment)
            self.say(f"starting gunicorn coachhub.wsgi, 2 workers, on 127.0.0.1:{server.port}")
            try:
                server.start()
            except BenchError as error:
                server.stop()
                self._server_error = error
                raise
            self._server = server
        return self._server

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    # --- load -------------------------------------------------------------------------------------

    def queries(self, path: str) -> int:
        """The SQL statements one GET of `path` runs, the whole request (middleware included),
        in-process through Django's test client."""
        from django.db import connection
        from django.test import Client

        client = Client(HTTP_HOST=HOST)
        client.get(path)  # warm: anything cached per process is cached
        statements: list[str] = []

        def count(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(path)
        if not 200 <= response.status_code < 300:
            raise BenchError(f"GET {path} answered {response.status_code} in-process, not 2xx.")
        return len(statements)

    def load(self, path: str, *, label: str) -> LoadResult:
        """Smoke-check `path` (2xx or stop), warm up, then wrk for `duration` seconds. Reports
        `<label>_rps`, `<label>_p50/p90/p95/p99_ms` and `<label>_queries` (per request)."""
        server = self.server
        server.smoke(path)
        queries = self.queries(path)
        url = server.base_url + path
        run_wrk(url, WARMUP_SECONDS)
        result = run_wrk(url, self.duration)
        self.say(
            f"{label}: GET {path}, {result.requests} requests in {result.seconds:.1f} s "
            f"(wrk -t2 -c16, Host bench.localhost), {result.non2xx} non-2xx, {result.socket_errors} socket errors"
        )
        self.figure(f"{label}_rps", result.rps)
        for percentile in PERCENTILES:
            self.figure(f"{label}_p{percentile}_ms", result.percentiles_ms[percentile])
        self.figure(f"{label}_queries", queries)
        if result.non2xx:
            raise BenchError(f"{label}: {result.non2xx} responses were errors (4xx/5xx) under load.\n{server.log_tail()}")
        return result
