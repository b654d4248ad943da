"""Benchmarks for reminders (registered through BENCH_MODULES).

`reminders`: 10,000 due reminders across 10 practices (open actions due tomorrow, armed with the
kind's own rule), dispatched through Redis by ONE real Celery worker process (solo pool), started
the way beat starts it. Prints `reminders_dispatched=N duplicates=D seconds=S`: S from enqueueing
the sweep until no reminder is pending or on its way; D counts Message-IDs written twice plus second copies the
mail backend refused.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from bench import BenchError, bench
from bench.runner import Run
from bench.worker import solo_worker

PRACTICES = 10
PER_PRACTICE = 1_000
TIMEOUT_SECONDS = 300


def _cast(index: int):
    """A bench practice with a coach, a coachee and an active engagement with one held session."""
    from coachhub.accounts.models import User
    from coachhub.tenancy.context import practice_context
    from coachhub.tenancy.models import Membership, Practice, Role
    from coachhub.roster.models import Booking
    from engagements.models import Engagement
    from sessions.models import CoachingSession

    practice, _ = Practice.objects.get_or_create(slug=f"rembench-{index}", defaults={"name": f"Reminder Bench {index}"})
    people = {}
    for role in (Role.COACH, Role.COACHEE):
        email = f"{role}@rembench-{index}.example"
        people[role] = User.objects.filter(email=email).first() or User.objects.create_user(email, None, full_name=f"{role.title()} {index}")
    with practice_context(practice):
        for role, user in people.items():
            Membership.objects.get_or_create(user=user, role=role)
        session = CoachingSession.objects.filter(engagement__coachee=people[Role.COACHEE]).first()
        if session is None:
            engagement = Engagement.objects.create(
                coachee=people[Role.COACHEE], coach=people[Role.COACH], stage=Engagement.Stage.ACTIVE, objectives="Bench.",
            )
            starts_at = timezone.now().replace(microsecond=0) - timedelta(days=2)
            booking = Booking.objects.create(
                coach=people[Role.COACH], kind=Booking.Kind.COACHING, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1),
                blocked=DateTimeTZRange(starts_at, starts_at + timedelta(hours=1), "[)"),
            )
            session = CoachingSession.objects.create(engagement=engagement, booking=booking, number=1, logged_at=timezone.now())
    return practice, session


def _arm(practice, session, count: int) -> int:
    """Fresh open actions due tomorrow and their reminders, all due now (whatever the hour)."""
    from reminders.kinds import KINDS
    from reminders.models import Reminder
    from reminders.zones import known_zones, zones_of
    from coachhub.tenancy.context import practice_context
    from sessions.models import ActionItem

    now = timezone.now()
    with practice_context(practice):
        Reminder.objects.all().delete()
        ActionItem.objects.filter(session=session).delete()
        tomorrow = timezone.localdate() + timedelta(days=1)
        ActionItem.objects.bulk_create(
            ActionItem(practice=practice, session=session, engagement=session.engagement, text=f"Bench action {n}",
                       owner="coachee", due_date=tomorrow)
            for n in range(count)
        )
        kind = KINDS["action_due"]
        actions = ActionItem.objects.filter(session=session).select_related("engagement")
        rows = []
        with known_zones(zones_of([session.engagement.coachee_id, session.engagement.coach_id])):
            for action in actions:
                for recipient_id, due_at in kind.wanted(action):
                    rows.append(Reminder(
                        practice=practice, subject=f"action:{action.pk}", kind=kind.name, engagement_id=action.engagement_id,
                        recipient_id=recipient_id, due_at=due_at, next_attempt_at=now,
                    ))
        Reminder.objects.bulk_create(rows, batch_size=2000)
        return len(rows)


def _pending(practices) -> int:
    """Reminders not yet done: due, or claimed by the worker and on their way (the outbox's `sending`)."""
    from reminders.models import Reminder
    from coachhub.tenancy.context import practice_context

    total = 0
    for practice in practices:
        with practice_context(practice):
            total += Reminder.objects.filter(state__in=[Reminder.State.PENDING, Reminder.State.SENDING]).count()
    return total


def _sent(practices) -> int:
    from reminders.models import Reminder
    from coachhub.tenancy.context import practice_context

    total = 0
    for practice in practices:
        with practice_context(practice):
            total += Reminder.objects.filter(state=Reminder.State.SENT).count()
    return total


def _message_ids(directory: Path) -> list[str]:
    ids = []
    for path in directory.glob("*.eml"):
        with path.open() as handle:
            for line in handle:
                if line.startswith("Message-ID:"):
                    ids.append(line.split(":", 1)[1].strip())
                    break
    return ids


@bench("reminders", "10,000 due reminders across 10 practices, dispatched through Redis by one worker process")
def reminders(run: Run) -> None:
    from reminders.tasks import enqueue_due_reminders

    practices = []
    armed = 0
    for index in range(PRACTICES):
        practice, session = _cast(index)
        armed += _arm(practice, session, PER_PRACTICE)
        practices.append(practice)
    run.say(f"armed {armed} due reminders in {PRACTICES} practices")

    with solo_worker(run.environment, "reminders") as worker:
        started = time.monotonic()
        enqueue_due_reminders.delay()  # what beat does every minute
        while _pending(practices):
            if time.monotonic() - started > TIMEOUT_SECONDS or worker.process.poll() is not None:
                raise BenchError(f"reminders still pending after {TIMEOUT_SECONDS} s:\n{worker.log()[-2000:]}")
            time.sleep(0.2)
        seconds = time.monotonic() - started
    mail, log_path = worker.mail, worker.log_path
    dispatched = _sent(practices)
    ids = _message_ids(mail)
    duplicates = (len(ids) - len(set(ids))) + log_path.read_text().count("already written")
    if len(set(ids)) != dispatched:
        raise BenchError(f"{dispatched} reminders marked sent but {len(set(ids))} distinct messages written")
    run.say(f"one worker process (celery --pool=solo), {len(ids)} .eml files in {mail}")
    print(f"reminders_dispatched={dispatched} duplicates={duplicates} seconds={seconds:.1f}", file=run.out, flush=True)
