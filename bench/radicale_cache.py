"""`python -m bench.radicale_cache FOLDER USER…`: Radicale reads the users' "work" calendars in
FOLDER/collections once, with its own storage code, so that its caches are built as a server that
has been running for a while (and synced by calendar apps) has them: each event parsed into the
item cache, the history etags and the current sync token. The calendars bench runs one of these
per core before its Radicale serves the first request (parsing is ~2–10 ms an event, CPU-bound).

As Radicale's own `--verify-storage` does, it writes these caches without fsync; the server that
serves the bench afterwards runs with Radicale's defaults.
"""

from __future__ import annotations

import sys


def build(folder: str, users: list[str]) -> int:
    from radicale import config, storage

    configuration = config.load()
    configuration.update({"storage": {"filesystem_folder": f"{folder}/collections"}}, "bench")
    configuration.update({"storage": {"_filesystem_fsync": "False"}}, "bench cache build", privileged=True)
    store = storage.load(configuration)
    items = 0
    with store.acquire_lock("r"):
        for user in users:
            collection = next(iter(store.discover(f"/{user}/work/")))
            items += sum(1 for _ in collection.get_all())
            collection.sync()
    return items


if __name__ == "__main__":
    print(build(sys.argv[1], sys.argv[2:]))
