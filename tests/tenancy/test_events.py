"""Domain events: a service announces what happened; subscribers above it act in the same
transaction; every event the journey publishes has someone listening."""

from dataclasses import dataclass

import pytest
from django.db import transaction

from coachhub.tenancy import audit
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.events import DomainEvent, publish, subscribe, subscribers
from coachhub.tenancy.models import AuditEntry
from engagements import events as engagement_events
from measurement import events as measurement_events
from sessions import events as session_events


@dataclass(frozen=True)
class TeaServed(DomainEvent):
    cups: int


@dataclass(frozen=True)
class TeaSpilled(DomainEvent):
    cups: int


heard: list[tuple[str, int]] = []


@subscribe(TeaServed)
def first_listener(event: TeaServed) -> None:
    heard.append(("first", event.cups))


@subscribe(TeaServed, TeaSpilled)
def second_listener(event: TeaServed | TeaSpilled) -> None:
    heard.append(("second", event.cups))


@subscribe(TeaSpilled)
def spill_recorder(event: TeaSpilled) -> None:
    audit.record(actor=None, action="tea.spilled", subject=f"{event.cups} cups")


@pytest.mark.django_db
def test_publishing_calls_the_events_subscribers_at_once_in_the_order_they_subscribed(acme):
    heard.clear()
    publish(TeaServed(cups=2))
    assert heard == [("first", 2), ("second", 2)]
    heard.clear()
    with practice_context(acme.practice):
        publish(TeaSpilled(cups=1))
    assert heard == [("second", 1)]


def test_subscribing_twice_is_harmless_as_an_apps_ready_may_run_twice():
    subscribe(TeaServed)(first_listener)
    assert subscribers(TeaServed) == [first_listener, second_listener]


@pytest.mark.django_db
def test_what_a_subscriber_writes_rolls_back_with_the_publishers_transaction(acme):
    with practice_context(acme.practice):
        with pytest.raises(RuntimeError), transaction.atomic():
            publish(TeaSpilled(cups=3))
            assert AuditEntry.objects.filter(action="tea.spilled").exists()
            raise RuntimeError("the service fails after publishing")
        assert not AuditEntry.objects.filter(action="tea.spilled").exists()


JOURNEY_EVENTS = [
    value
    for module in (engagement_events, session_events, measurement_events)
    for value in vars(module).values()
    if isinstance(value, type) and issubclass(value, DomainEvent) and value is not DomainEvent
    and value.__module__ == module.__name__
]


@pytest.mark.parametrize("event_class", JOURNEY_EVENTS, ids=lambda cls: cls.__name__)
def test_every_event_the_journey_publishes_has_a_subscriber(event_class):
    assert subscribers(event_class), f"nobody listens to {event_class.__name__}"


def test_measurement_and_reminders_subscribe_to_what_they_follow():
    def listeners(event_class):
        return [handler.__module__ for handler in subscribers(event_class)]

    # As before the events: a logged session may make a point fall due, then its reminders re-arm.
    # The engagement summary (measurement/summaries) follows them too, after measurement's own.
    assert listeners(session_events.SessionLogSaved) == [
        "measurement.subscribers", "measurement.summaries.subscribers", "reminders.subscribers",
    ]
    assert listeners(engagement_events.ContractAccepted) == ["measurement.subscribers", "measurement.summaries.subscribers"]
    # A cancelled session leaves the coach's own calendar by a direct call in sessions; reminders listen.
    assert listeners(session_events.SessionCancelled) == ["measurement.summaries.subscribers", "reminders.subscribers"]


@pytest.mark.parametrize("event_class", JOURNEY_EVENTS, ids=lambda cls: cls.__name__)
def test_no_event_only_calls_inside_its_own_app(event_class):
    """Events carry news up the layers; an event heard only inside the app that publishes it is a
    direct call in disguise (a service calls the function it means). One that an app above hears
    may also be followed by its own app's derived rows (the engagement summary)."""
    app = event_class.__module__.split(".")[0]
    listening_apps = {h.__module__.split(".")[0] for h in subscribers(event_class)}
    assert listening_apps != {app}
