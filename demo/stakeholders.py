"""Demo stakeholder feedback for seed_demo (idempotent), the same in every practice:

- coachee@'s engagement names line manager, peers and direct reports; at its mid-point (closed by the
  measurement demo) 4 peers, 3 direct reports and 1 line manager answered, so its pages and progress
  PDF show "Stakeholders (n=7)", peers and direct reports shown, the line manager's single answer
  neither shown nor counted ("not enough responses to show"), and comments;
- coachee3@'s open end-point has nominees who have not all answered: their invitations went when it
  fell due, their first reminders three days later, and one stakeholder reminder (to the nominee
  named last) is due now, so the worker sends it within a minute of `make run`; one more peer, named
  since, waits for the coach's approval (the coach's stakeholder page lists them to confirm).
Each nominee is approved by the coach before anyone invites them, as on the pages. Everything goes
through the services, as the pages and links would; nothing is emailed but that one reminder.
"""

from __future__ import annotations

from django.utils import timezone

from engagements.models import Engagement
from measurement.models import MeasurementPoint, Nominee
from measurement.stakeholders import answers, links, nominations
from reminders.models import NomineeMessage, Reminder
from reminders.stakeholders import FIRST_REMINDER_AFTER
from reminders.kinds import WEEK

GROUPS = ["Line manager", "Peers", "Direct reports"]

# (group, name, email local part, score per objective position or None for "can't say", comment)
MID_ANSWERS = [
    ("Peers", "Sam Okafor", "sam.okafor", {1: 7, 2: 6}, "She now lets the leads run the review; the meetings are shorter."),
    ("Peers", "Asha Rao", "asha.rao", {1: 6, 2: 7}, ""),
    ("Peers", "Theo Brandt", "theo.brandt", {1: 7, 2: None}, "More confident in the board pre-meetings than last quarter."),
    ("Peers", "Lena Horvat", "lena.horvat", {1: 8, 2: 6}, ""),
    ("Direct reports", "Jo Mensah", "jo.mensah", {1: 8, 2: 6}, "We get decisions faster and she trusts us with the review."),
    ("Direct reports", "Chris Dunn", "chris.dunn", {1: 6, 2: 5}, ""),
    ("Direct reports", "Ana Silva", "ana.silva", {1: 7, 2: 6}, ""),
    # One answer alone in its group: never shown, never counted.
    ("Line manager", "Morgan Lee", "morgan.lee", {1: 3, 2: 4}, "Too early to tell."),
]
END_NOMINEES = [
    ("Peers", "Dana Ruiz", "dana.ruiz", {1: 7, 2: 6}),
    ("Peers", "Eli Cohen", "eli.cohen", None),
    ("Peers", "Fay Osei", "fay.osei", {1: 6, 2: 7}),
    ("Direct reports", "Gus Moreau", "gus.moreau", {1: 7, 2: 5}),
    ("Direct reports", "Hana Ito", "hana.ito", None),
    ("Direct reports", "Ivan Petrov", "ivan.petrov", {1: 6, 2: 6}),
    ("Line manager", "Jules Martin", "jules.martin", None),
]


# Named last in coachee3@'s engagement, not yet approved by the coach.
AWAITING = ("Peers", "Kim Novak", "kim.novak")


def _email(local: str, engagement: Engagement) -> str:
    return f"{local}@stakeholders-{engagement.practice.slug}.example"


def _named_and_approved(engagement: Engagement, group: str, name: str, local: str) -> Nominee:
    nominee = nominations.nominate_stakeholder(
        engagement=engagement, actor=engagement.coachee, group=group, name=name, email=_email(local, engagement),
    )
    return nominations.approve_nominee(nominee=nominee, actor=engagement.coach)


def _answer(point: MeasurementPoint, nominee: Nominee, scores: dict[int, int | None], comment: str = "") -> None:
    objectives = {o.position: o.pk for o in answers.rated_objectives(point)}
    answers.answer_as_nominee(
        invitation=links.Invitation(point=point, nominee=nominee),
        scores={pk: ("cant_say" if scores.get(position) is None else scores[position]) for position, pk in objectives.items()},
        comment=comment,
    )


def _invitations_went(point: MeasurementPoint) -> None:
    """As if the invitations went when the point fell due (the demo emails nobody for them)."""
    NomineeMessage.objects.filter(point=point, kind=NomineeMessage.Kind.INVITATION, state=Reminder.State.PENDING).update(
        state=Reminder.State.SENT, sent_at=point.fell_due_at, updated_at=timezone.now(),
    )


def answer_mid_point(engagement: Engagement, point: MeasurementPoint) -> None:
    """coachee@'s mid-point, before the measurement demo closes it."""
    if point.is_closed or not point.version.stakeholder_groups or Nominee.objects.filter(engagement=engagement).exists():
        return
    for group, name, local, scores, comment in MID_ANSWERS:
        _answer(point, _named_and_approved(engagement, group, name, local), scores, comment)
    _invitations_went(point)


def name_end_point(engagement: Engagement, point: MeasurementPoint) -> None:
    """coachee3@'s open end-point: some have answered; one reminder is due now."""
    if not point.version.stakeholder_groups or point.is_closed or Nominee.objects.filter(engagement=engagement).exists():
        return
    nominees = []
    for group, name, local, scores in END_NOMINEES:
        nominee = _named_and_approved(engagement, group, name, local)
        if scores is not None:
            _answer(point, nominee, scores)
        nominees.append((nominee, scores))
    _invitations_went(point)
    unanswered = [nominee for nominee, scores in nominees if scores is None]
    now = timezone.now()
    first = point.fell_due_at + FIRST_REMINDER_AFTER
    for nominee in unanswered[:-1]:
        # Their first reminder went three days after the invitation; the next is a week after it.
        NomineeMessage.objects.filter(point=point, nominee=nominee, kind=NomineeMessage.Kind.REMINDER).update(
            state=Reminder.State.SENT, sent_at=first, due_at=first, updated_at=now,
        )
        if first + WEEK > now:
            NomineeMessage.objects.get_or_create(
                point=point, nominee=nominee, kind=NomineeMessage.Kind.REMINDER, due_at=first + WEEK,
            )
    # The nominee named last: their first reminder is due now.
    NomineeMessage.objects.filter(
        point=point, nominee=unanswered[-1], kind=NomineeMessage.Kind.REMINDER, state=Reminder.State.PENDING,
    ).update(due_at=now, updated_at=now)
    group, name, local = AWAITING
    nominations.nominate_stakeholder(
        engagement=engagement, actor=engagement.coachee, group=group, name=name, email=_email(local, engagement),
    )
