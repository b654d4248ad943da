from django.http import HttpRequest

from coachhub.tenancy.models import Role


def practice(request: HttpRequest) -> dict:
    """The practice (for branding) and the viewer's roles (for navigation) in every template."""
    roles = getattr(request, "roles", frozenset())
    return {
        "practice": getattr(request, "practice", None),
        "roles": roles,
        "is_practice_admin": Role.ADMIN in roles,
        "is_coach": Role.COACH in roles,
        "is_coachee": Role.COACHEE in roles,
        "is_sponsor": Role.SPONSOR in roles,
    }
