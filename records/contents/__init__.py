"""What a person's export holds: one JSON document per file, by the roles they held here.

Each builder reads the person's own relations (coachee of, coach of, sponsor of, party to) from the
policy as a data subject (engagements/access.py: `data_subject`, `subject_engagements`), never what
an admin role would let them see: an export is the person's data, not the practice's. A coachee's
and a coach's engagements and every version naming the person count through every role held
here, ended ones included (a former member still gets their data); a sponsor's engagements are
those they sponsor in force, as on the pages, while their own ratings and versions stay theirs.

Left out, always (README.txt says so in the ZIP): other people's reflections (only the coachee
sees theirs), ratings given by others (their scores are in the progress report as pages show
them), private coach notes in anyone's export but their coach's, summaries a coachee did not share
in a sponsor's export, other practices' data. The times are ISO 8601 in UTC ("…Z").
"""


from __future__ import annotations

from coachhub.tenancy.models import Role
from records.contents.base import ExportFile, PersonData, gather, iso
from records.contents.contracts import contract_pdf_name, contracts_file, progress_pdf_name
from records.contents.person import person_file
from records.contents.readme import readme
from records.contents.roles import coach_files, coachee_files, sponsor_files

__all__ = ["ExportFile", "PersonData", "contract_pdf_name", "gather", "iso", "json_files", "progress_pdf_name", "readme"]


def json_files(data: PersonData) -> list[ExportFile]:
    """Every JSON file of the export (the PDFs are added by the builder, which renders them)."""
    files = [person_file(data)]
    if data.coachee_of or Role.COACHEE in data.roles:
        files += coachee_files(data)
    if Role.COACH in data.roles:
        files += coach_files(data)
    if Role.SPONSOR in data.roles:
        files += sponsor_files(data)
    if data.versions:
        files.append(contracts_file(data))
    return files
