"""CoachHub benchmarks: `make bench` (all), `make bench BENCH=name` (one).

Everything runs against the benchmark's own database (`coachhub_bench`, same roles) and Redis
database (/12), never the developer's demo data (bench.environment). A bench is a function
registered under a name; it reports figures with `run.figure(name, value)`, printed one a line
as `name=value`. Other output lines start with "# ".

To add a bench (in bench/benches.py or a module listed in BENCH_MODULES):

    @bench("name", "what it measures", server=True)   # server: it needs gunicorn running
    def name(run: Run) -> None:
        run.load("/some/path", label="name_api")   # smoke check, then wrk: name_api_rps,
                                                    # name_api_p50/p90/p95/p99_ms, name_api_queries
        run.figure("name_something", 12.3)         # any other figure
        run.say("context for humans")              # printed as "# context for humans"

`run.data` is the seeded data (bench.data.BenchData), `run.server` the gunicorn server (started
on first use, stopped at the end), `run.duration` the seconds of load per endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Modules whose import registers benches (in this order).
BENCH_MODULES = ["bench.benches", "bench.measurement", "bench.reminders", "bench.ceiling_pages", "bench.mix", "bench.stakeholders", "bench.calendars"]


@dataclass(frozen=True)
class Bench:
    name: str
    description: str
    function: Callable
    server: bool


REGISTRY: dict[str, Bench] = {}


def bench(name: str, description: str, *, server: bool = False) -> Callable:
    """Register a benchmark under `name` (the name `--only` and BENCH= take)."""

    def register(function: Callable) -> Callable:
        if name in REGISTRY:
            raise ValueError(f"Two benches are named {name!r}.")
        REGISTRY[name] = Bench(name, description, function, server)
        return function

    return register


class BenchError(RuntimeError):
    """The benchmark cannot give meaningful figures (server down, an endpoint failing...)."""
