"""Benchmark for stakeholder feedback (registered through BENCH_MODULES).

`stakeholders`: one measurement point armed with 2,000 nominees (their invitations written when it
falls due, as the subscriber does), sent through Redis by ONE real Celery worker process (solo pool),
started the way beat starts it. Prints `stakeholder_invites_sent=N seconds=S`: S from enqueueing the
sweep until no invitation is pending or on its way.
"""

from __future__ import annotations

import secrets
import time
from datetime import date, timedelta

from django.utils import timezone

from bench import BenchError, bench
from bench.runner import Run
from bench.worker import solo_worker

NOMINEES = 2_000
TIMEOUT_SECONDS = 300
GROUPS = ["Line manager", "Peers", "Direct reports"]


def _point():
    """The bench practice's engagement (contract naming stakeholder groups, accepted) and its mid-point,
    fallen due; made once through the services."""
    from coachhub.accounts.models import User
    from coachhub.tenancy.context import practice_context
    from coachhub.tenancy.models import Membership, Practice, Role
    from engagements.contracting import answers, drafts
    from engagements.models import Engagement
    from measurement.models import MeasurementPoint

    practice, _ = Practice.objects.get_or_create(slug="stakebench", defaults={"name": "Stakeholder Bench"})
    people = {}
    for role in (Role.COACH, Role.COACHEE):
        email = f"{role}@stakebench.example"
        people[role] = User.objects.filter(email=email).first() or User.objects.create_user(email, None, full_name=f"{role.title()} Bench")
    with practice_context(practice):
        for role, user in people.items():
            Membership.objects.get_or_create(user=user, role=role)
        engagement = Engagement.objects.filter(coachee=people[Role.COACHEE]).first()
        if engagement is None:
            coach = people[Role.COACH]
            engagement = Engagement.objects.create(
                coachee=people[Role.COACHEE], coach=coach, preferred_coach=coach, stage=Engagement.Stage.CONTRACTING,
                matched_at=timezone.now(), objectives="Bench.",
            )
            version = drafts.draft_contract(engagement=engagement, actor=coach)
            start = date.today()
            drafts.update_contract_draft(
                version=version, actor=coach,
                changes={"start_date": start, "end_date": start + timedelta(days=180), "stakeholder_groups": GROUPS},
                objectives=[{"description": "Lead the merged team.", "success_measure": "Trust from 5 to 7.",
                             "rated_by_coachee": True, "rated_by_coach": True, "rated_by_sponsor": False, "rated_by_stakeholders": True,
                             "baseline": 4, "target": 7}],
            )
            version = drafts.send_contract(version=version, actor=coach, base_url="", notify=False)
            for _, party in version.parties():
                answers.accept_contract(version=version, party=party, text_sha256=version.text_sha256,
                                        ip_address="192.0.2.1", base_url="", notify=False)
        point = MeasurementPoint.objects.select_related("version").get(engagement=engagement, kind="mid")
        MeasurementPoint.objects.filter(pk=point.pk).update(fell_due_at=timezone.now(), closed_at=None)
        point.refresh_from_db()
    return practice, point


def _arm(practice, point, count: int) -> int:
    """2,000 fresh nominees, and their invitations due now (what the point falling due arms)."""
    from coachhub.tenancy.context import practice_context
    from measurement.models import Nominee
    from reminders.models import NomineeMessage
    from reminders.stakeholders import arm_point

    with practice_context(practice):
        NomineeMessage.objects.all().delete()
        Nominee.objects.filter(engagement_id=point.engagement_id).delete()
        Nominee.objects.bulk_create(
            (Nominee(practice=practice, engagement_id=point.engagement_id, group=GROUPS[n % 3], name=f"Nominee {n}",
                     email=f"nominee-{n}@stakebench.example", link_secret=secrets.token_hex(16),
                     approval=Nominee.Approval.APPROVED) for n in range(count)),
            batch_size=1000,
        )
        arm_point(point=point)
        # Only the invitations are measured: the reminders wait three days.
        return NomineeMessage.objects.filter(kind=NomineeMessage.Kind.INVITATION).count()


def _count(practice, *states: str) -> int:
    from coachhub.tenancy.context import practice_context
    from reminders.models import NomineeMessage

    with practice_context(practice):
        return NomineeMessage.objects.filter(kind=NomineeMessage.Kind.INVITATION, state__in=states).count()


@bench("stakeholders", "a point with 2,000 nominees: their invitations sent through Redis by one worker process")
def stakeholders(run: Run) -> None:
    from coachhub import celery_app
    from reminders.tasks import enqueue_nominee_messages

    practice, point = _point()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # arming enqueues a dispatch; the purge below drops it
    try:
        armed = _arm(practice, point, NOMINEES)
    finally:
        celery_app.conf.task_always_eager = eager
    run.say(f"armed {armed} invitations at one point")
    with solo_worker(run.environment, "stakeholders") as worker:
        started = time.monotonic()
        enqueue_nominee_messages.delay()  # what beat does every minute
        while _count(practice, "pending", "sending"):
            if time.monotonic() - started > TIMEOUT_SECONDS or worker.process.poll() is not None:
                raise BenchError(f"invitations still pending after {TIMEOUT_SECONDS} s:\n{worker.log()[-2000:]}")
            time.sleep(0.2)
        seconds = time.monotonic() - started
    mail = worker.mail
    sent = _count(practice, "sent")
    if sent != armed:
        raise BenchError(f"{armed} invitations armed but {sent} sent")
    run.say(f"one worker process (celery --pool=solo), mail in {mail}")
    print(f"stakeholder_invites_sent={sent} seconds={seconds:.1f}", file=run.out, flush=True)
