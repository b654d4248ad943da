"""The personal links a nominee gets by email. Each is signed (Django's signing, with its own salt, so
a token made for one purpose is refused for another) and bound to the practice, the point and the
nominee, with the nominee's own secret: a nominee removed and named again gets new links. A link
answers only while its point is open; it says nothing about anyone else."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from coachhub.tenancy.context import require_practice
from coachhub.tenancy.signed import read_signed
from measurement.models import MeasurementPoint, Nominee

ANSWER_SALT = "measurement.stakeholder-answer"
UNSUBSCRIBE_SALT = "measurement.stakeholder-unsubscribe"


class LinkRefused(Exception):
    """A link that cannot be used, with the message the nominee reads (never a 500, never a hint
    about anyone else)."""

    def __init__(self, message: str, *, status: int = 404):
        super().__init__(message)
        self.message, self.status = message, status


NOT_VALID = "This link is not valid. Please use the link in your most recent email."


def answer_token(point: MeasurementPoint, nominee: Nominee) -> str:
    return signing.dumps(
        {"p": point.practice_id, "pt": point.pk, "n": nominee.pk, "s": nominee.link_secret}, salt=ANSWER_SALT, compress=True,
    )


def unsubscribe_token(nominee: Nominee) -> str:
    return signing.dumps({"p": nominee.practice_id, "n": nominee.pk, "s": nominee.link_secret}, salt=UNSUBSCRIBE_SALT, compress=True)


ANSWER_SHAPE = {"p": int, "pt": int, "n": int, "s": str}
UNSUBSCRIBE_SHAPE = {"p": int, "n": int, "s": str}


def _read(token: str, salt: str, shape: dict[str, type]) -> dict:
    data = read_signed(token, salt=salt, shape=shape)
    if data is None or data["p"] != require_practice().pk:
        # Another practice's link at this practice's address: as if it did not exist.
        raise LinkRefused(NOT_VALID)
    return data


def _nominee(data: dict) -> Nominee:
    # A nominee the coach has not approved has no link that works, as if it did not exist.
    nominee = Nominee.objects.select_related("engagement__coachee").filter(
        pk=data.get("n"), purged_at__isnull=True, approval=Nominee.Approval.APPROVED,
    ).first()
    if nominee is None or nominee.link_secret != data.get("s"):
        raise LinkRefused(NOT_VALID)
    return nominee


@dataclass
class Invitation:
    point: MeasurementPoint
    nominee: Nominee


def open_answer_link(token: str) -> Invitation:
    """The point and nominee a link is for, if it may be used now; LinkRefused otherwise."""
    data = _read(token, ANSWER_SALT, ANSWER_SHAPE)
    nominee = _nominee(data)
    point = MeasurementPoint.objects.select_related("version").prefetch_related("version__objectives").filter(
        pk=data.get("pt"), engagement_id=nominee.engagement_id
    ).first()
    if point is None:
        raise LinkRefused(NOT_VALID)
    if nominee.unsubscribed_at is not None:
        raise LinkRefused("You asked not to be contacted about this feedback, so this link no longer works.", status=410)
    if point.is_closed:
        raise LinkRefused("This feedback round has closed, so answers can no longer be given or changed. Thank you.", status=410)
    if point.fell_due_at is None:
        raise LinkRefused(NOT_VALID)
    return Invitation(point=point, nominee=nominee)


def open_unsubscribe_link(token: str) -> Nominee:
    return _nominee(_read(token, UNSUBSCRIBE_SALT, UNSUBSCRIBE_SHAPE))
