"""The tenancy app's models, a module per sub-domain: practices and what every tenant-owned model
shares (practices), who belongs to a practice (people), and the audit trail (audit_trail)."""

from coachhub.tenancy.models.audit_trail import AuditEntry
from coachhub.tenancy.models.people import ClientOrganisation, Invitation, Membership, Role, new_token, token_digest
from coachhub.tenancy.models.practices import (
    LIGHTEST_INK_BACKGROUND,
    Domain,
    Practice,
    PracticeOwnedModel,
    PracticeScopedManager,
    contrast_ratio,
    logo_path,
    time_zone_choices,
    validate_meeting_link_pattern,
)

__all__ = [
    "LIGHTEST_INK_BACKGROUND", "AuditEntry", "ClientOrganisation", "Domain", "Invitation", "Membership", "Practice",
    "PracticeOwnedModel", "PracticeScopedManager", "Role", "contrast_ratio", "logo_path", "new_token",
    "time_zone_choices", "token_digest", "validate_meeting_link_pattern",
]
