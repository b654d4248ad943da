"""Domain events: a lower layer announces what happened; the layers above it subscribe.

Apps depend one way (DESIGN.md, "How the code rests"). When a write low down must make
something happen higher up (a session moved, so its reminders move), the service publishes an
event saying what happened in the coaching domain, and never learns who listens: reminders and
measurement subscribe in their AppConfig.ready().

`publish` calls the subscribers at once, in the publisher's transaction, in the order they
subscribed: what they write commits or rolls back with the change that caused it, and an error
in one fails the service as if it had made the call itself.

Events are frozen dataclasses deriving from DomainEvent, declared next to the services that
publish them (engagements/events.py, sessions/events.py, measurement/events.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar


class DomainEvent:
    """Something that happened in the coaching domain; subclasses are frozen dataclasses."""


Handler = TypeVar("Handler", bound=Callable[..., None])

_subscribers: dict[type[DomainEvent], list[Callable[[DomainEvent], None]]] = {}


def subscribe(*event_classes: type[DomainEvent]) -> Callable[[Handler], Handler]:
    """Decorator: call the function with every event of these classes that is published."""

    def register(handler: Handler) -> Handler:
        for event_class in event_classes:
            handlers = _subscribers.setdefault(event_class, [])
            if handler not in handlers:  # an app's ready() may run twice (tests, reloads)
                handlers.append(handler)
        return handler

    return register


def publish(event: DomainEvent) -> None:
    """Tell every subscriber of the event's class, now, in the caller's transaction."""
    for handler in _subscribers.get(type(event), ()):
        handler(event)


def subscribers(event_class: type[DomainEvent]) -> list[Callable[[DomainEvent], None]]:
    """Who listens to `event_class` (for tests and the curious)."""
    return list(_subscribers.get(event_class, ()))
