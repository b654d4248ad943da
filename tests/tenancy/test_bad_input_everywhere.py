"""A NUL byte or an over-long value in any query parameter or form field of any page is a 400
or a form error, never a 5xx, and nothing over-long is saved. A form shown again with its errors
answers 422, on every page alike (htmx's partial answers too).

The walk: the demo practice (seed_demo), crawled from its home page as every role and as a
visitor, one page per URL pattern and role (so with real object ids). Each page is asked again
with each query parameter its links and GET forms use set to a NUL byte and to 100,000
characters; each form it shows is posted with each of its fields set to the same, the other
fields keeping the values the page gave them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import Resolver404, get_resolver, resolve

from coachhub.accounts.models import User
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.middleware import SESSION_PRACTICE_KEY
from coachhub.tenancy.models import Practice

pytestmark = pytest.mark.django_db

HOST = "acme.localhost"
NUL = "before\x00after"
LONG = "x" * 100_000
# What a page shows when a form on it was refused (templates/includes/form.html and the pages'
# own error lines).
FORM_ERROR_MARKERS = ('class="field-error"', 'class="form-errors"', "field--invalid")
# Forms each of which must be seen answering 422 to some over-long value: the check is live.
REFUSING = {
    "profile", "practice_settings", "invite", "organisations", "organisation", "person", "contract_template",
    "notification_settings", "roster_my_profile", "roster_add_hours", "roster_add_time_off", "engagement_stakeholders",
    "session_autosave", "add_action", "worked_on_topics",
}
# Forms the walk does not post: signing out would end the walk for that role.
NOT_POSTED = {"account_logout"}
# Patterns the walk does not reach from links, and where each is covered instead.
NOT_WALKED = {
    # Reached from emails (their tokens come from messages): a NUL in the token is tested below.
    "accept_invitation", "manage_chemistry_call", "unsubscribe", "stakeholder_feedback", "stakeholder_unsubscribe",
    "download",
    # Shown once a data export is ready, which the demo has none of: tests/records/test_export_requests.py.
    "download_mine", "admin_download",
    # The booking API: tests/engagements/test_api_schemathesis.py.
    "api_chemistry_calls", "api_coach_slots", "api_coaches", "api_not_found", "api_openapi",
    # Files that read no input (a photo, the logo, the brand stylesheet).
    "coach_photo", "practice_logo", "practice_colours",
    # Shown only in journey states the demo data is not in when the walk passes (a call just
    # booked or moved, an action or time off to remove, a deactivated coach): their forms' fields
    # are the same kinds the walk posts elsewhere, and the NUL guard sits before every view.
    "chemistry_call_booked", "chemistry_call_moved", "remove_action", "roster_reactivate", "roster_remove_time_off",
    # Shown only for a paused calendar connection (its form has no fields; pause is walked).
    "roster_calendar_resume",
}


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class PageParser(HTMLParser):
    """The links and forms of an HTML page (htmx's hx-post counts as a form's action)."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            method = (attrs.get("method") or "get").lower()
            action = attrs.get("hx-post") or attrs.get("action") or self.page_path
            self._form = Form(action=action, method="post" if attrs.get("hx-post") else method)
            self.forms.append(self._form)
        elif self._form is not None and attrs.get("name"):
            name = attrs["name"]
            if tag == "input":
                kind = (attrs.get("type") or "text").lower()
                if kind in {"checkbox", "radio"}:
                    if "checked" in attrs or name not in self._form.fields:
                        self._form.fields[name] = attrs.get("value") or "on"
                elif kind not in {"file", "submit", "button", "image", "reset"}:
                    self._form.fields[name] = attrs.get("value") or ""
                elif kind == "submit" and attrs.get("value"):
                    self._form.fields.setdefault(name, attrs["value"])
            elif tag == "button" and attrs.get("value"):
                self._form.fields.setdefault(name, attrs["value"])
            elif tag == "textarea":
                self._textarea = name
                self._form.fields[name] = ""
            elif tag == "select":
                self._select = name
                self._form.fields.setdefault(name, "")
        if tag == "option" and self._form is not None and self._select:
            if "selected" in attrs or not self._form.fields.get(self._select):
                self._form.fields[self._select] = attrs.get("value", "")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _url_name(path: str) -> str | None:
    try:
        return resolve(path).url_name
    except Resolver404:
        return None


@dataclass
class Walk:
    pages: dict[str, str] = field(default_factory=dict)  # url name -> a path
    parameters: dict[str, set[str]] = field(default_factory=dict)  # url name -> query parameters
    forms: dict[tuple[str, str], Form] = field(default_factory=dict)  # (url name, action) -> form


def crawl(client: Client) -> Walk:
    """Every page reachable from the home page, one per URL pattern."""
    walk = Walk()
    queue = ["/"]
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc and parts.netloc.split(":")[0] != HOST:
            continue
        name = _url_name(parts.path)
        if name is None or parts.path.startswith(("/static/", "/api/")):
            continue
        walk.parameters.setdefault(name, set()).update(key for key, _ in parse_qsl(parts.query, keep_blank_values=True))
        if name in walk.pages:
            continue
        walk.pages[name] = parts.path
        response = client.get(parts.path)
        assert response.status_code < 500, (parts.path, response.status_code)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = PageParser(parts.path)
        parser.feed(response.content.decode())
        queue.extend(parser.links)
        for form in parser.forms:
            if form.method == "get":
                walk.parameters[name].update(form.fields)
                continue
            action_name = _url_name(urlsplit(form.action).path)
            if action_name and action_name not in NOT_POSTED:
                walk.forms.setdefault((action_name, urlsplit(form.action).path + str(sorted(form.fields))), form)
    return walk


def over_long_rows() -> list[str]:
    """Every text column of every table holding 100,000 characters or more, as table.column."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND data_type IN ('text', 'character varying', 'jsonb', 'ARRAY')"
        )
        columns = cursor.fetchall()
        union = " UNION ALL ".join(
            f"SELECT '{table}.{column}' FROM \"{table}\" WHERE length(\"{column}\"::text) >= 100000" for table, column in columns
        )
        cursor.execute(union)
        return [row[0] for row in cursor.fetchall()]


def signed_in(email: str | None, practice: Practice) -> Client:
    """A client signed in at the practice as `email` (without the sign-in form, whose rate
    limit a walk this long would meet)."""
    client = Client(HTTP_HOST=HOST)
    if email:
        client.force_login(User.objects.get(email=email))
        session = client.session
        session[SESSION_PRACTICE_KEY] = practice.pk
        session.save()
    return client


@pytest.fixture
def demo():
    call_command("seed_demo")
    return Practice.objects.get(slug="acme")


# Visitors first, the admin last: what an admin posts (deactivating someone) must not cut the
# others' walk short.
VIEWERS = [None, "sponsor", "coachee", "coachee2", "coachee3", "coach", "coach2", "coach3", "admin"]


def test_no_page_or_form_answers_a_nul_or_an_over_long_value_with_a_server_error(demo):
    problems: list[str] = []
    reached: set[str] = set()
    refused_with_422: set[str] = set()
    for local in VIEWERS:
        email = f"{local}@acme.example" if local else None
        client = signed_in(email, demo)
        walk = crawl(client)
        reached.update(walk.pages)
        for name, path in walk.pages.items():
            for parameter in sorted(walk.parameters.get(name, ())):
                for value, label in ((NUL, "NUL"), (LONG, "long")):
                    response = client.get(path, {parameter: value})
                    if response.status_code >= 500 or (label == "NUL" and response.status_code != 400):
                        problems.append(f"{local}: GET {path}?{parameter}=<{label}> -> {response.status_code}")
        for (name, _), form in walk.forms.items():
            reached.add(name)
            for field_name in sorted(form.fields):
                if field_name == "csrfmiddlewaretoken":
                    continue
                for value, label in ((NUL, "NUL"), (LONG, "long")):
                    client = signed_in(email, demo)  # a post may have signed the viewer out
                    response = client.post(form.action, {**form.fields, field_name: value})
                    if response.status_code >= 500 or (label == "NUL" and response.status_code != 400):
                        problems.append(f"{local}: POST {form.action} {field_name}=<{label}> -> {response.status_code}")
                    if label == "long":
                        content = response.content.decode(errors="replace")
                        if response.status_code == 422:
                            refused_with_422.add(name)
                        elif response.status_code in (200, 400) and any(marker in content for marker in FORM_ERROR_MARKERS):
                            problems.append(f"{local}: POST {form.action} {field_name}=<long> showed a form error "
                                            f"with {response.status_code}, not 422")
                with practice_context(demo):
                    saved = over_long_rows()
                if saved:
                    problems.append(f"{local}: POST {form.action} {field_name}=<long> saved {saved}")
                    break
    assert not problems, "\n".join(problems)
    assert practice_patterns() - reached - NOT_WALKED - IN_JOURNEY_STATES == set()
    assert REFUSING - refused_with_422 == set()


def practice_patterns(resolver=None) -> set[str]:
    """The names of the practice site's own URL patterns (allauth's are walked where linked)."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if hasattr(pattern, "url_patterns"):
            if str(pattern.pattern) != "accounts/":
                names |= practice_patterns(pattern)
        elif pattern.name:
            names.add(pattern.name)
    return names


@pytest.mark.parametrize(
    "path", ["/invitations/to%00ken/", "/chemistry-calls/manage/to%00ken/", "/reminders/unsubscribe/to%00ken/",
             "/roster/calendar/to%00ken.ics", "/feedback/to%00ken/", "/feedback/to%00ken/unsubscribe/",
             "/accounts/data/download/to%00ken/"],
)
def test_a_nul_byte_in_a_token_is_a_400(demo, path):
    response = Client(HTTP_HOST=HOST).get(path)
    assert response.status_code == 400
    assert b"NUL" in response.content


# --- Forms shown only at some steps of the journey, walked in those states -------------------------------

# Posted in the journey states that show them (test below), rather than in the demo's.
IN_JOURNEY_STATES = {"draft_contract", "edit_contract", "record_outcome", "move_point", "close_point", "complete_engagement"}


def forms_on(client: Client, path: str, names: set[str]) -> dict[str, Form]:
    """The forms of the page at `path` whose action is one of the URL patterns `names`, by name."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    parser = PageParser(path)
    parser.feed(response.content.decode())
    found = {}
    for form in parser.forms:
        name = _url_name(urlsplit(form.action).path)
        if name in names and form.method == "post":
            found[name] = form
    assert set(found) == names, (path, set(found))
    return found


def journey_rows() -> dict[str, list]:
    """What the forms below write, read as the application: compared before and after each refused post."""
    from engagements.models import ChemistryCall, ContractVersion, Engagement, Objective
    from measurement.models import MeasurementPoint, PointMove

    return {
        model.__name__: sorted(map(repr, model.objects.order_by("pk").values()))
        for model in (Engagement, ChemistryCall, ContractVersion, Objective, MeasurementPoint, PointMove)
    }


def refuses_each_field(practice: Practice, client: Client, name: str, form: Form) -> list[str]:
    """Post `form` with each of its fields set to a NUL byte (400) and to 100,000 characters (422 with
    the message next to the field), the others as the page gave them: never a 5xx, nothing saved."""
    problems = []
    fields = [field_name for field_name in sorted(form.fields) if field_name != "csrfmiddlewaretoken"]
    if not fields:
        return [f"{name}: the form has no fields to walk"]
    for field_name in fields:
        for value, label in ((NUL, "NUL"), (LONG, "long")):
            with practice_context(practice):
                before = journey_rows()
            response = client.post(form.action, {**form.fields, field_name: value})
            content = response.content.decode(errors="replace")
            expected = 400 if label == "NUL" else 422
            if response.status_code != expected:
                problems.append(f"POST {form.action} {field_name}=<{label}> -> {response.status_code}, not {expected}")
            elif label == "long" and not any(marker in content for marker in FORM_ERROR_MARKERS):
                problems.append(f"POST {form.action} {field_name}=<long> -> 422 without a message next to a field")
            with practice_context(practice):
                if journey_rows() != before:
                    problems.append(f"POST {form.action} {field_name}=<{label}> changed what was saved")
                if over_long_rows():
                    problems.append(f"POST {form.action} {field_name}=<{label}> saved {over_long_rows()}")
    return problems


def done_then_sent_again(client: Client, form: Form) -> list[str]:
    """A form with no fields (its button is the whole input): posted, it does its step (a redirect);
    posted again once the step is done (a second tab, a double click), it leads to the same place
    (the step is idempotent) or says why it cannot be done, never a 5xx."""
    problems = []
    first = client.post(form.action, form.fields)
    if first.status_code != 302:
        return [f"POST {form.action} -> {first.status_code}, not the redirect of a step done"]
    again = client.post(form.action, form.fields)
    if again.status_code != 302:
        problems.append(f"POST {form.action} again -> {again.status_code}")
    elif again["Location"] != first["Location"]:
        shown = client.get(again["Location"]).content.decode()
        if 'class="message message--error"' not in shown:
            problems.append(f"POST {form.action} again -> {again['Location']}, without a message saying why")
    return problems


def test_forms_of_later_journey_states_refuse_bad_input_next_to_the_field_and_save_nothing(acme, in_practice):
    """The contract draft (start it, edit it), the chemistry call's outcome, a point's move and close,
    and completing the engagement: each form walked in a state that shows it."""
    from datetime import timedelta

    from measurement.services.closing import close_point
    from tests.contracts.conftest import draft, matched_engagement
    from tests.engagements.test_chemistry_journey import past_call
    from tests.measurement.conftest import after_grace, due_mid_point, hold_sessions, point_of
    from tests.sessions.conftest import active_engagement

    problems: list[str] = []
    walked: set[str] = set()
    practice = acme.practice
    coach = signed_in(acme.coach.email, practice)

    # Contracting: an engagement with no draft yet, and a draft to edit.
    to_draft = matched_engagement(acme)
    [start] = forms_on(coach, f"/engagements/{to_draft.pk}/contract/", {"draft_contract"}).values()
    version = draft(acme, matched_engagement(acme, coachee=acme.coachee))
    [edit] = forms_on(coach, f"/contracts/{version.pk}/edit/", {"edit_contract"}).values()
    problems += refuses_each_field(practice, coach, "edit_contract", edit)
    problems += done_then_sent_again(coach, start)
    with in_practice(acme):
        assert to_draft.contract_versions.count() == 1  # drafted once, however often sent
    walked |= {"draft_contract", "edit_contract"}

    # A chemistry call that has happened, its outcome still to record.
    with in_practice(acme):
        call = past_call(acme, acme.coach, acme.coachee2)
    [outcome] = forms_on(coach, f"/chemistry-calls/{call.pk}/outcome/", {"record_outcome"}).values()
    problems += refuses_each_field(practice, coach, "record_outcome", outcome)
    walked.add("record_outcome")

    # A mid-point due, unrated and past its grace period: the coach may move it or close it.
    engagement = active_engagement(acme, coach=acme.coach2)
    coach = signed_in(acme.coach2.email, practice)
    point = due_mid_point(acme, engagement)
    with in_practice(acme):
        type(point).objects.filter(pk=point.pk).update(
            fell_due_at=point.fell_due_at - timedelta(days=practice.measurement_grace_days + 1)
        )
    forms = forms_on(coach, f"/engagements/{engagement.pk}/progress/points/{point.pk}/", {"move_point", "close_point"})
    problems += refuses_each_field(practice, coach, "move_point", forms["move_point"])
    problems += done_then_sent_again(coach, forms["close_point"])
    with in_practice(acme):
        assert type(point).objects.get(pk=point.pk).closed_at is not None
    walked |= {"move_point", "close_point"}

    # The end-point closed: the coach may complete the engagement.
    hold_sessions(acme, engagement, 3, first=4)
    end = point_of(acme, engagement, "end")
    with in_practice(acme):
        close_point(point=end, actor=acme.coach2, now=after_grace(acme, end))
    [complete] = forms_on(coach, f"/engagements/{engagement.pk}/progress/", {"complete_engagement"}).values()
    problems += done_then_sent_again(coach, complete)
    with in_practice(acme):
        assert type(engagement).objects.get(pk=engagement.pk).stage == "completed"
    walked.add("complete_engagement")

    assert not problems, "\n".join(problems)
    assert walked == IN_JOURNEY_STATES
