"""The person asking, as the current practice knows them: who, and the roles they hold here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from coachhub.tenancy.models import Role
from coachhub.tenancy.selectors import active_roles


@dataclass(frozen=True)
class Viewer:
    """A signed-in person and their active roles in the current practice. Requests carry one
    (`request.viewer`, set by the membership middleware); tasks and emails build one with `of`."""

    user: object
    roles: frozenset[str]

    @classmethod
    def of(cls, user) -> Viewer:
        """`user` with the roles they hold, active, in the current practice (one query)."""
        return cls(user, active_roles(user))

    @property
    def pk(self) -> int:
        return self.user.pk

    def holds(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles


_requesting: ContextVar[Viewer | None] = ContextVar("requesting_viewer", default=None)


@contextmanager
def requesting(viewer: Viewer) -> Iterator[None]:
    """Within the block (a request), `as_viewer` knows this person's roles without asking again."""
    token = _requesting.set(viewer)
    try:
        yield
    finally:
        _requesting.reset(token)


def as_viewer(person) -> Viewer:
    """A Viewer as it is; the person making the current request, as the middleware loaded them;
    anyone else with their roles in the current practice (one query)."""
    if isinstance(person, Viewer):
        return person
    current = _requesting.get()
    if current is not None and current.user.is_authenticated and current.pk == person.pk:
        return current
    return Viewer.of(person)
