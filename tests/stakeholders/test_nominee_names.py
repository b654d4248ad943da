"""A nominee's name is printed in the coach's list and the invitation email: the service refuses
invisible format characters (U+202E and the like) with a message next to the name."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coachhub.tenancy.context import practice_context
from measurement.models import Nominee
from measurement.stakeholders import nominations

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200b", "\ufeff", "\u0007"])
def test_a_nominee_name_with_an_invisible_character_is_refused(acme, engagement, char):
    with practice_context(acme.practice), pytest.raises(ValidationError) as refused:
        nominations.nominate_stakeholder(
            engagement=engagement, actor=engagement.coachee, group="Peers", name=f"Pat{char} Peer", email="pat@client.example",
        )
    assert "invisible character" in " ".join(refused.value.message_dict["name"])
    with practice_context(acme.practice):
        assert not Nominee.objects.exists()
