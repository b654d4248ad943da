"""CoachHub's settings, with the static files of the benchmark kept apart.

With DEBUG off, whitenoise serves the collected, hashed files from STATIC_ROOT; the benchmark
collects them into var/bench/static so it never writes the project's own var/static.
Everything else is coachhub.settings, read from the environment bench.environment sets.
"""

from coachhub.settings import *
from coachhub.settings import BASE_DIR

STATIC_ROOT = BASE_DIR / "var" / "bench" / "static"
