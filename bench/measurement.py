"""Benchmarks for measurement (registered through BENCH_MODULES)."""

from __future__ import annotations

from bench import bench  # noqa: F401
from bench.runner import Run  # noqa: F401
