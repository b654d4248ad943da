"""`{% contracts_awaiting %}`: the contracts waiting for the signed-in person's answer (home pages)."""

from django import template

from engagements.access import Relation
from engagements.contract_selectors import (
    awaiting_acceptance_by,
    coach_contracts_waiting,
)

register = template.Library()


@register.inclusion_tag("contracts/_awaiting.html", takes_context=True)
def contracts_awaiting(context, role: str) -> dict:
    """Those awaiting the person as `role` (coachee, coach or sponsor): one list per home section."""
    request = context["request"]
    if not request.user.is_authenticated:
        return {"awaiting": [], "to_revise": []}
    if role == "coach":
        awaiting, to_revise = coach_contracts_waiting(request.viewer)
        return {"awaiting": awaiting, "to_revise": to_revise}
    return {"awaiting": list(awaiting_acceptance_by(request.viewer, Relation(role))), "to_revise": []}
