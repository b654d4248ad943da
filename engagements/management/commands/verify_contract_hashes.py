"""`manage.py verify_contract_hashes [--practice SLUG]`: re-render every answered contract version
and say, per answer, whether the text still has the SHA-256 that party accepted. Exits non-zero
when any does not."""

from __future__ import annotations

from django.core.management.base import CommandError

from coachhub.tenancy.management.base import PracticeCommand
from coachhub.tenancy.models import Practice
from engagements.contract_selectors import verify_version
from engagements.models import ContractVersion


class Command(PracticeCommand):
    help = "Check that each contract acceptance's SHA-256 still matches the version's text, re-rendered."

    def handle(self, *args, **options) -> None:
        self.checked = self.mismatched = 0
        super().handle(*args, **options)
        summary = f"{self.checked} answer(s) checked, {self.mismatched} mismatch(es)."
        if self.mismatched:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def handle_practice(self, practice: Practice, **options) -> None:
        versions = (
            ContractVersion.objects.filter(acceptances__isnull=False).distinct()
            .select_related("coachee", "coach", "sponsor", "client_organisation")
            .prefetch_related("objectives", "acceptances__party").order_by("engagement_id", "number")
        )
        for version in versions:
            for check in verify_version(version):
                answer = check.acceptance
                self.checked += 1
                self.mismatched += not check.matches
                line = (
                    f"{practice.slug} engagement {version.engagement_id} v{version.number} {answer.role} "
                    f"{answer.party.email} {answer.decision} {answer.text_sha256[:16]}… "
                )
                if check.matches:
                    self.stdout.write(line + "match")
                else:
                    self.stdout.write(self.style.ERROR(line + f"MISMATCH (now {check.recomputed_sha256[:16]}…)"))
