"""README.txt: what each file is, its fields, and what is left out and why."""

from __future__ import annotations

from datetime import datetime

from records.contents.base import ExportFile, iso


LEFT_OUT = """\
What is not in this export, and why
- Other people's reflections: a coachee's reflections are seen by that coachee only.
- Ratings given by others: only your own ratings are listed; the progress report shows the results
  as the progress page shows them to you.
- Private coach notes: they are in the export of the coach who wrote them, never in a coachee's or
  sponsor's. You may ask the practice for them: the coach can export one engagement's notes.
- Session summaries a coachee did not share with their sponsor (sponsor exports).
- Stakeholder feedback: it is anonymous; who said what is never shown, to anyone. A coachee's export
  lists the stakeholders they named, never an answer linked to one of them.
- Anything of another practice: each practice on CoachHub answers for its own records.
- The practice's audit trail, beyond your own sign-ins: it records what people did, for the practice's
  accountability, and is kept as its retention rules say.
"""


def readme(files: list[ExportFile], *, person_name: str, practice_name: str, generated_at: datetime) -> str:
    lines = [
        f"Your data at {practice_name}, prepared for {person_name} on {iso(generated_at)}.",
        "",
        "Files ending in .json are for machines (UTF-8 JSON; times are ISO 8601 in UTC, ending in Z);",
        "the PDFs are for people. Each file, what it holds and its fields:",
        "",
    ]
    for f in files:
        lines.append(f"{f.name}")
        lines.append(f"  {f.about}")
        for key, meaning in f.fields.items():
            lines.append(f"    - {key}: {meaning}")
        lines.append("")
    lines.append(LEFT_OUT)
    return "\n".join(lines)
