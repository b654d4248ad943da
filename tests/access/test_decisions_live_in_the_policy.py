"""Every access decision lives in the policy (issue 23).

Who relates to an engagement as its coachee, coach or sponsor is decided in the access modules
(`engagements/access.py`, `sessions/access.py`, `measurement/access.py`, `records/access.py`), by
DESIGN.md's table and its sponsor rule, for the real viewer (active roles only). Code elsewhere that
compares `coach_id` with `request.user.pk`, or filters a query on `coachee=user`, is a second policy
waiting to drift (the former-sponsor and deactivated-membership defects of issue 23 were such).

This test reads the source of every app module with `ast` and fails on:
- a comparison of a party field (`.coach`, `.coach_id`, `.coachee`, `.coachee_id`, `.sponsor`,
  `.sponsor_id`) with a person (`request.user`, `viewer`, `user`, `actor`, ... or their `.pk`/`.id`);
- a query filter (`.filter`, `.exclude`, `.get`, `Q(...)`, ...) with a party keyword
  (`coachee=`, `engagement__coach_id=`, ...) whose value is a person.
Writes that set these fields (`Engagement.objects.create(coachee=leader)`) are not filters and are
not flagged. The few places that must name a person's rows whatever their roles (erasure) or compare a
reminder's recipient with its subject's party are listed in `ALLOWED`, each with its reason.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("coachhub", "engagements", "sessions", "measurement", "reminders", "records", "home")
PARTY_FIELDS = frozenset({"coach", "coachee", "sponsor", "coach_id", "coachee_id", "sponsor_id"})
# Names a person goes by in this codebase (a parameter, a loop variable, the viewer).
PERSON_NAMES = frozenset({
    "user", "person", "viewer", "actor", "leader", "party", "rater", "author", "me", "requester",
    "coach", "coachee", "sponsor", "recipient",
})
# `request.user`, `viewer.user`, `self.user`, `data.user` (a profile's `.user` is no requester).
USER_HOLDERS = frozenset({"request", "viewer", "self", "data"})
PERSON_ATTRIBUTES = frozenset({"viewer", "recipient", "recipient_id"})
FILTERS = frozenset({"filter", "exclude", "get", "get_or_create", "update_or_create"})
# A name bound to a query expression (`coach = OuterRef("user_id")`) is no person.
EXPRESSIONS = frozenset({"OuterRef", "F", "Subquery"})

# path: (functions, why they may name a person's rows themselves).
ALLOWED: dict[str, tuple[frozenset[str], str]] = {
    "records/erasure.py": (
        frozenset({"plan_erasure", "_remove_free_text"}),
        "erasure reaches every row naming the erased person, whatever their roles (DESIGN.md: erasure "
        "reaches every copy), and refuses while they are a party to an open engagement",
    ),
    "records/anonymising.py": (
        frozenset({"forget_former_coachee"}),
        "anonymising waits while the person is the coachee of an engagement not yet purged, active or not",
    ),
    "records/files.py": (
        frozenset({"engagements_naming"}),
        "erasure deletes every stored PDF that may name the person, whatever their roles",
    ),
    "reminders/kinds.py": (
        frozenset({"_call_context", "_outcome_applies", "_session_context", "_log_applies"}),
        "a reminder's wording, and whether it still applies, compare its recipient (armed for the party "
        "the subject named) with the party the subject names now (reassigned, moved): no viewer's access",
    ),
}


def _allowed(finding: Finding) -> bool:
    functions, _why = ALLOWED.get(finding.path, (frozenset(), ""))
    return finding.function in functions


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    function: str
    code: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.function}(): {self.code}"


def _is_person(node: ast.AST, expressions: frozenset[str] = frozenset()) -> bool:
    """`user`, `request.user`, `viewer.user`, `self.viewer`, `actor.pk`, `request.user.id` ..."""
    if isinstance(node, ast.Attribute) and node.attr in ("pk", "id"):
        return _is_person(node.value, expressions)
    if isinstance(node, ast.Name):
        return node.id in PERSON_NAMES and node.id not in expressions
    if isinstance(node, ast.Attribute) and node.attr == "user":
        holder = node.value
        return (isinstance(holder, ast.Name) and holder.id in USER_HOLDERS) or (
            isinstance(holder, ast.Attribute) and holder.attr == "viewer"
        )
    if isinstance(node, ast.Attribute):
        return node.attr in PERSON_ATTRIBUTES
    return False


def _is_party_field(node: ast.AST) -> bool:
    """`engagement.coach_id`, `version.sponsor`, `session.engagement.coachee_id` ..."""
    return isinstance(node, ast.Attribute) and node.attr in PARTY_FIELDS


def _is_party_keyword(name: str | None) -> bool:
    """`coachee`, `coach_id`, `engagement__coach`, `session__engagement__sponsor_id` ..."""
    return name is not None and name.split("__")[-1] in PARTY_FIELDS


def _keywords(call: ast.Call) -> list[tuple[str | None, ast.AST]]:
    """(name, value) of each keyword, `**{"coach": user}` included; a field named at run time
    (`**{f"version__{role}": user}`) counts as a party field: it may be one."""
    pairs = []
    for keyword in call.keywords:
        if keyword.arg is not None:
            pairs.append((keyword.arg, keyword.value))
        elif isinstance(keyword.value, ast.Dict):
            for key, value in zip(keyword.value.keys, keyword.value.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    pairs.append((key.value, value))
                elif key is not None:
                    pairs.append(("coach", value))
    return pairs


def _is_filter_call(node: ast.Call) -> bool:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id == "Q"
    return isinstance(func, ast.Attribute) and func.attr in FILTERS


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str, source: str) -> None:
        self.path, self.source, self.functions = path, source, ["<module>"]
        self.expressions: list[frozenset[str]] = [frozenset()]
        self.findings: list[Finding] = []

    def _found(self, node: ast.AST) -> None:
        code = ast.get_source_segment(self.source, node) or ast.dump(node)
        self.findings.append(Finding(self.path, node.lineno, self.functions[-1], " ".join(code.split())))

    def _in_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.append(node.name)
        self.expressions.append(frozenset(
            target.id for assign in ast.walk(node) if isinstance(assign, ast.Assign)
            and isinstance(assign.value, ast.Call) and isinstance(assign.value.func, ast.Name)
            and assign.value.func.id in EXPRESSIONS
            for target in assign.targets if isinstance(target, ast.Name)
        ))
        self.generic_visit(node)
        self.expressions.pop()
        self.functions.pop()

    def _person(self, node: ast.AST) -> bool:
        return _is_person(node, self.expressions[-1])

    visit_FunctionDef = visit_AsyncFunctionDef = _in_function

    def visit_Compare(self, node: ast.Compare) -> None:
        sides = [node.left, *node.comparators]
        for left, right in zip(sides, sides[1:]):
            if (_is_party_field(left) and self._person(right)) or (self._person(left) and _is_party_field(right)):
                self._found(node)
                break
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if _is_filter_call(node) and any(
            _is_party_keyword(name) and self._person(value) for name, value in _keywords(node)
        ):
            self._found(node)
        self.generic_visit(node)


def scan(path: str, source: str) -> list[Finding]:
    """Every access decision taken in `source` (the text of `path`) outside the policy."""
    scanner = _Scanner(path, source)
    scanner.visit(ast.parse(source))
    return scanner.findings


def _app_modules() -> list[Path]:
    modules = []
    for app in APPS:
        for module in sorted((ROOT / app).rglob("*.py")):
            relative = module.relative_to(ROOT)
            if "migrations" in relative.parts or relative.name == "access.py":
                continue
            modules.append(relative)
    return modules


def _outside_the_policy() -> list[Finding]:
    findings = []
    for module in _app_modules():
        path = module.as_posix()
        findings += [
            finding for finding in scan(path, (ROOT / module).read_text()) if not _allowed(finding)
        ]
    return findings


def test_no_access_decision_is_taken_outside_the_access_modules():
    findings = _outside_the_policy()
    assert not findings, "Access decided outside the access modules (ask engagements/access.py):\n" + "\n".join(
        map(str, findings)
    )


def test_every_allowed_place_still_exists():
    """An allow-list entry whose function is gone (or no longer names a person) is stale."""
    found = set()
    for module in _app_modules():
        path = module.as_posix()
        found |= {(f.path, f.function) for f in scan(path, (ROOT / module).read_text())}
    allowed = {(path, function) for path, (functions, _why) in ALLOWED.items() for function in functions}
    assert allowed <= found, allowed - found


def test_the_scan_covers_the_apps_and_not_the_policy():
    modules = {m.as_posix() for m in _app_modules()}
    assert "sessions/services/booking.py" in modules
    assert "records/contents/base.py" in modules
    assert "engagements/access.py" not in modules
    assert not any("/migrations/" in m for m in modules)


# The scan can fail: each snippet takes an access decision by hand; each of the second takes none.
BY_HAND = [
    "by_coach = engagement.coach_id == actor.pk",
    "is_coachee = engagement.coachee_id == request.user.pk",
    "mine = request.user.id != session.engagement.coach_id",
    "if version.sponsor == viewer.user: pass",
    "Engagement.objects.filter(coachee=request.user, stage='chemistry')",
    "CoachingSession.objects.filter(engagement__coach=user)",
    "ContractVersion.objects.exclude(sponsor_id=viewer.pk)",
    "Q(coachee=person) | Q(coach=person)",
    "Engagement.objects.get(pk=1, coach=self.viewer)",
    "MeasurementPoint.objects.filter(**{f'version__{role}': user})",
    "Engagement.objects.filter(**{'engagement__sponsor': request.user})",
    "for_coach = reminder.recipient_id == call.coach_id",
]
NOT_DECISIONS = [
    "Engagement.objects.create(coachee=leader, objectives='')",
    "ChemistryCall.objects.create(engagement=engagement, coach_id=profile.user_id)",
    "visible_engagements(viewer, Data.PROGRESS).filter(stage='active')",
    "same = engagement.coach_id == call.coach_id",
    "services.record_preference(engagement=engagement, coachee=request.user, coach_id=1)",
    "Engagement.objects.filter(coach_id__in=coach_ids)",
    "Booking.objects.filter(coach_id=profile.user_id, is_active=True)",
    "mine = profile.user == engagement.coach",
    "def loads():\n    coach = OuterRef('user_id')\n    return Engagement.objects.filter(coach=coach)",
    "CoachProfile.objects.filter(user=request.user)",
]


def test_the_scan_finds_a_decision_taken_by_hand():
    for snippet in BY_HAND:
        assert scan("snippet.py", snippet), snippet


def test_the_scan_leaves_writes_and_policy_calls_alone():
    for snippet in NOT_DECISIONS:
        assert not scan("snippet.py", snippet), snippet


def test_the_scan_names_the_place():
    source = "def book(engagement, actor):\n    return engagement.coach_id == actor.pk\n"
    (finding,) = scan("sessions/services/booking.py", source)
    assert (finding.path, finding.line, finding.function) == ("sessions/services/booking.py", 2, "book")
