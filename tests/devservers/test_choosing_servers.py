"""Which PostgreSQL and Redis `make run` / `make test` use: explicit URLs as given (an error naming
the variable when nothing answers), else the system servers, else embedded ones under var/."""

from __future__ import annotations

import socket
import threading

import pytest

from devservers import choose
from devservers.choose import ServerError, choose_postgres, choose_redis


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_wanting_a_password():
    """A server on loopback that answers PING as a Redis with `requirepass` does."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def answer() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.recv(64)
                connection.sendall(b"-NOAUTH Authentication required.\r\n")

    threading.Thread(target=answer, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


@pytest.mark.parametrize("variable", ["DATABASE_URL", "DATABASE_OWNER_URL", "DATABASE_ADMIN_URL"])
def test_an_explicit_database_url_where_nothing_answers_names_the_variable(variable, closed_port):
    with pytest.raises(ServerError, match=f"{variable} points at 127.0.0.1:{closed_port}, where nothing answers"):
        choose_postgres({variable: f"postgres://coachhub@127.0.0.1:{closed_port}/coachhub"}, embedded="")


def test_an_explicit_redis_url_where_nothing_answers_names_the_variable(closed_port):
    with pytest.raises(ServerError, match=f"REDIS_URL points at 127.0.0.1:{closed_port}"):
        choose_redis({"REDIS_URL": f"redis://127.0.0.1:{closed_port}/0"}, embedded="1")


def test_explicit_urls_win_even_over_embedded_1(settings):
    """The test run's own database server answers, so its URL is used as given."""
    database = settings.DATABASES["default"]
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/coachhub"
    chosen = choose_postgres({"DATABASE_URL": url}, embedded="1")
    assert not chosen.embedded and chosen.where == f"{database['HOST']}:{database['PORT']}"
    assert chosen.reason == "DATABASE_URL set"


def test_a_password_in_an_explicit_url_is_never_shown(closed_port):
    with pytest.raises(ServerError) as refused:
        choose_redis({"REDIS_URL": f"redis://:s3cret@127.0.0.1:{closed_port}/0"}, embedded="")
    assert "s3cret" not in str(refused.value)


def test_embedded_1_asks_for_the_embedded_servers():
    assert choose_postgres({}, embedded="1").embedded
    assert choose_redis({}, embedded="1") == choose.Choice(embedded=True, reason="EMBEDDED=1")


def test_without_a_system_server_the_embedded_ones_stand_in(monkeypatch, closed_port):
    monkeypatch.setattr(choose, "SYSTEM_REDIS", ("127.0.0.1", closed_port))
    monkeypatch.setattr(choose, "SYSTEM_POSTGRES", ("127.0.0.1", closed_port))
    postgres, redis = choose_postgres({}, embedded=""), choose_redis({}, embedded="")
    assert postgres.embedded and postgres.reason.startswith(f"nothing answers on 127.0.0.1:{closed_port}")
    assert redis.embedded and redis.reason.startswith(f"nothing answers on 127.0.0.1:{closed_port}")


def test_embedded_0_refuses_to_stand_in(monkeypatch, closed_port):
    monkeypatch.setattr(choose, "SYSTEM_REDIS", ("127.0.0.1", closed_port))
    with pytest.raises(ServerError, match="EMBEDDED=0, but nothing answers"):
        choose_redis({}, embedded="0")


def test_a_redis_that_wants_a_password_is_left_alone(monkeypatch, redis_wanting_a_password):
    monkeypatch.setattr(choose, "SYSTEM_REDIS", ("127.0.0.1", redis_wanting_a_password))
    chosen = choose_redis({}, embedded="")
    assert chosen.embedded
    assert "does not answer PING (-NOAUTH Authentication required.); set REDIS_URL to use it" in chosen.reason

