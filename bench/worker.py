"""One real Celery worker process (solo pool) for the benches that go through Redis."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import BenchError
from bench.environment import BASE_DIR, VAR


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path
    mail: Path

    def log(self) -> str:
        return self.log_path.read_text()


@contextmanager
def solo_worker(environment: dict[str, str], name: str) -> Iterator[Worker]:
    """The queue emptied, then `celery worker --pool=solo` writing mail to var/bench/<name>-mail, up
    and ready; within the block this process enqueues for it (not eagerly). Always stopped."""
    from coachhub import celery_app

    mail = VAR / f"{name}-mail"
    shutil.rmtree(mail, ignore_errors=True)
    env = {**os.environ, **environment, "CELERY_TASK_ALWAYS_EAGER": "false", "EMAIL_URL": f"filemail://{mail}"}
    subprocess.run([sys.executable, "-m", "celery", "-A", "coachhub", "purge", "-f"], env=env, capture_output=True, cwd=BASE_DIR)
    log_path = VAR / f"{name}-worker.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coachhub", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-heartbeat", "--without-mingle", "--without-gossip"],
        env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT, cwd=BASE_DIR,
    )
    eager = celery_app.conf.task_always_eager
    try:
        deadline = time.monotonic() + 60
        while "ready" not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"the worker did not start:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        celery_app.conf.task_always_eager = False
        yield Worker(process, log_path, mail)
    finally:
        celery_app.conf.task_always_eager = eager
        process.terminate()
        process.wait(timeout=30)
