"""The contract versions a person was party to, with the acceptance records, and the PDFs' names."""

from __future__ import annotations

from engagements.access import subject_role
from engagements.models import Acceptance, ContractVersion, Engagement
from records.contents.base import ExportFile, PersonData, iso, name_of


def contracts_file(data: PersonData) -> ExportFile:
    acceptances = Acceptance.objects.filter(version__in=data.versions).select_related("party").order_by("decided_at")
    by_version: dict[int, list[dict]] = {}
    for a in acceptances:
        mine = a.party_id == data.user.pk
        by_version.setdefault(a.version_id, []).append({
            "party": name_of(a.party), "role": a.role, "decision": a.decision, "decided_at": iso(a.decided_at),
            "text_sha256": a.text_sha256,
            # Your own answer in full; of the others', what the contract page shows every party.
            "comment": a.comment if mine else None, "ip_address": a.ip_address if mine else None,
        })
    return ExportFile(
        name="contracts/contracts.json",
        about="Every contract version you were a party to, with the acceptance records (the PDFs are beside it).",
        fields={"engagement, number": "Which engagement and version.", "your_role": "coachee, coach or sponsor.",
                "status": "draft, sent, accepted or superseded.", "sent_at / accepted_at / superseded_at": "UTC.",
                "text_sha256": "SHA-256 of the exact text accepted.", "pdf": "The file of this version in contracts/.",
                "purged_at": "When the retention purge removed its text and acceptance records (UTC); then no PDF.",
                "acceptances": "party, role, decision, decided_at, text_sha256; comment and ip_address for your own only."},
        data=[
            {
                "engagement": v.engagement_id, "number": v.number, "your_role": subject_role(data.viewer, v), "status": v.status,
                "sent_at": iso(v.sent_at), "accepted_at": iso(v.accepted_at), "superseded_at": iso(v.superseded_at),
                "start_date": iso(v.start_date), "end_date": iso(v.end_date), "text_sha256": v.text_sha256,
                "pdf": contract_pdf_name(v) if v.status != ContractVersion.Status.DRAFT and not v.purged_at else None,
                "purged_at": iso(v.purged_at),
                "acceptances": by_version.get(v.pk, []),
            }
            for v in data.versions
        ],
    )


def contract_pdf_name(version: ContractVersion) -> str:
    return f"contracts/engagement-{version.engagement_id}-v{version.number}.pdf"


def progress_pdf_name(engagement: Engagement) -> str:
    return f"coachee/progress-report-engagement-{engagement.pk}.pdf"
