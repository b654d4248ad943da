"""python -m bench [--only NAME[,NAME]] [--duration SECONDS] [--scale PRACTICES] [--list]

Prepares the benchmark's own database and data, runs the benches (all, or those named), and
prints each figure as `name=value` on its own line; other lines start with "# ". Exits 1 when a
bench fails (gunicorn not coming up, an endpoint answering other than 2xx), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import io
import sys
import time


def _parse(argv: list[str], names: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="CoachHub benchmarks.")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help=f"run only these benches (repeat or separate with commas): {', '.join(names)}")
    parser.add_argument("--duration", type=float, default=10, metavar="SECONDS",
                        help="seconds of load per endpoint (default 10)")
    parser.add_argument("--scale", type=int, default=0, metavar="PRACTICES",
                        help="pages bench: first add this many scaled practices (seed_scale) around the demo's")
    parser.add_argument("--list", action="store_true", help="list the benches and exit")
    args = parser.parse_args(argv)
    args.only = [name.strip() for value in args.only for name in value.split(",") if name.strip()]
    if args.scale < 0:
        parser.error("--scale takes a number of practices (0: none)")
    unknown = [name for name in args.only if name not in names]
    if unknown:
        parser.error(f"no bench named {', '.join(unknown)}; there are: {', '.join(names)}")
    return args


def main(argv: list[str] | None = None) -> int:
    import bench
    from bench import environment

    started = time.monotonic()
    # Before Django reads its settings: the bench's own database, Redis db and settings.
    variables = environment.bench_environment()
    environment.apply(variables)

    import django

    django.setup()
    for module in bench.BENCH_MODULES:
        importlib.import_module(module)
    names = list(bench.REGISTRY)
    args = _parse(sys.argv[1:] if argv is None else argv, names)
    if args.list:
        for entry in bench.REGISTRY.values():
            print(f"# {entry.name}: {entry.description}")
        return 0
    selected = [bench.REGISTRY[name] for name in (args.only or names)]

    def say(text: str) -> None:
        print(f"# {text}", flush=True)

    say(f"CoachHub benchmarks: {', '.join(entry.name for entry in selected)}")
    say(environment.describe(variables))
    say(environment.machine_load())

    from django.core.management import CommandError
    from django.db import DatabaseError

    from bench.data import ensure_data
    from bench.load import ensure_wrk
    from bench.runner import Run

    log = io.StringIO()
    try:
        environment.prepare_database(log)
        if any(entry.server for entry in selected):
            ensure_wrk(say)
            environment.collect_static(log)
        data = ensure_data()
    except (CommandError, DatabaseError, bench.BenchError, OSError) as error:  # say why, with what setup printed
        print(f"# setup failed: {error}\n{log.getvalue()}", file=sys.stderr)
        return 1
    say(
        f"practice bench (Host bench.localhost): {data.coach_count} published coaches; the busy coach "
        f"(profile {data.busy_profile_id}) has {data.busy_bookings} bookings from a year ago to a year ahead"
    )

    failed = []
    run = Run(environment=variables, data=data, duration=args.duration, scale=args.scale)
    try:
        for entry in selected:
            say(f"--- {entry.name}: {entry.description}")
            try:
                entry.function(run)
            except bench.BenchError as error:
                failed.append(entry.name)
                print(f"# {entry.name} FAILED: {error}", file=sys.stderr, flush=True)
    finally:
        run.close()
    say(f"done in {time.monotonic() - started:.0f} s" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
