"""Layers import-linter cannot see: the ORM's reverse relations and string model references.

import-linter checks imports; `booking.chemistry_call`, `select_related("coaching_session__...")`,
`filter(engagements_as_coach__stage=...)` or `apps.get_model("engagements", "Engagement")` reach
an app above without importing it. The roster asks coachhub/roster/registry.py instead, filled by
the apps above at ready time; this scan keeps it so.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
# The layers above the roster (pyproject.toml's layers contract), by app label.
ABOVE_ROSTER = {"engagements", "coaching_sessions", "measurement", "reminders", "records", "demo", "home"}
BELOW_JOURNEY = {"roster", "accounts", "tenancy"}
LOOKUP_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:__[A-Za-z_][A-Za-z0-9_]*)+")


def upper_vocabulary() -> tuple[set[str], set[str]]:
    """The names by which lower code could reach the apps above: their models' names (bare and
    "label.Model"), and the reverse relations their foreign keys put on the lower models."""
    models = {
        name
        for model in apps.get_models() if model._meta.app_label in ABOVE_ROSTER
        for name in (model.__name__, f"{model._meta.app_label}.{model.__name__}")
    }
    relations = {
        name
        for model in apps.get_models() if model._meta.app_label in BELOW_JOURNEY | {"auth"}
        for field in model._meta.get_fields()  # hidden ("+") relations are left out
        if field.auto_created and not field.concrete and field.related_model._meta.app_label in ABOVE_ROSTER
        for name in (field.get_accessor_name(), field.name)
    }
    return models, relations


def _choice_values(tree: ast.AST) -> set[int]:
    """ids of the string constants that are a choices class's own values (a Booking's kind
    "chemistry_call" is the roster's word, not a reach up)."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            isinstance(base, ast.Attribute | ast.Name) and (getattr(base, "attr", None) or getattr(base, "id", "")).endswith("Choices")
            for base in node.bases
        ):
            inside |= {id(const) for const in ast.walk(node) if isinstance(const, ast.Constant)}
    return inside


def reaches_up(source: str, models: set[str], relations: set[str]) -> list[str]:
    """Where `source` names an upper app's model or relation, as "line: what"."""
    tree = ast.parse(source)
    own_words = _choice_values(tree)
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, ast.keyword) and node.arg:
            names = node.arg.split("__")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in own_words:
            names = [node.value] + [part for path in LOOKUP_PATH.findall(node.value) for part in path.split("__")]
        for name in names:
            if name in relations or name in models or name in ABOVE_ROSTER - {"home"}:
                found.append(f"{getattr(node, 'lineno', '?')}: {name}")
    return found


def test_the_scan_sees_reverse_relations_and_string_references():
    models, relations = upper_vocabulary()
    assert {"chemistry_call", "coaching_session", "engagements_as_coach"} <= relations
    assert {"Engagement", "engagements.ChemistryCall", "coaching_sessions.CoachingSession"} <= models
    reaching = '''
Booking.objects.select_related("chemistry_call__engagement__coachee")
getattr(booking, "coaching_session", None)
User.objects.filter(engagements_as_coach__stage="active")
booking.contracting_session
apps.get_model("engagements", "Engagement")
'''
    assert {hit.split(": ")[1] for hit in reaches_up(reaching, models, relations)} == {
        "chemistry_call", "coaching_session", "engagements_as_coach", "contracting_session", "engagements", "Engagement",
    }


# tenancy is left out: its audit trail's labels name every app's actions ("chemistry_call.booked").
@pytest.mark.parametrize("package", ["coachhub/roster", "coachhub/accounts"])
def test_the_roster_and_accounts_name_no_model_or_relation_of_the_apps_above(package):
    models, relations = upper_vocabulary()
    offences = {
        str(path.relative_to(ROOT)): hits
        for path in sorted((ROOT / package).rglob("*.py")) if "migrations" not in path.parts
        if (hits := reaches_up(path.read_text(), models, relations))
    }
    assert offences == {}


# Who owns each folder of templates/ (the others: base, emails, includes, allauth's, are shared).
TEMPLATE_FOLDERS = {
    "tenancy": "coachhub.tenancy", "accounts": "coachhub.accounts", "roster": "coachhub.roster",
    "engagements": "engagements", "contracts": "engagements", "sessions": "sessions", "measurement": "measurement",
    "reminders": "reminders", "records": "records", "home": "home",
}
# pyproject.toml's layers contract, bottom first; home and demo share the top.
LAYERS = ["coachhub.tenancy", "coachhub.accounts", "coachhub.roster", "engagements", "sessions", "measurement",
          "reminders", "records", "home"]
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def _layer(module: str) -> int | None:
    return next((LAYERS.index(layer) for layer in LAYERS if module == layer or module.startswith(layer + ".")), None)


@pytest.mark.parametrize("folder", sorted(TEMPLATE_FOLDERS))
def test_templates_load_no_tag_library_of_an_app_above_their_own(folder):
    from django.template import engines

    libraries = engines["django"].engine.libraries  # name -> module path
    own = _layer(TEMPLATE_FOLDERS[folder])
    offences = []
    for path in sorted((ROOT / "templates" / folder).rglob("*.html")):
        for match in LOAD.finditer(path.read_text()):
            for name in match.group(1).split():
                layer = _layer(libraries[name]) if name in libraries else None
                if layer is not None and layer > own:
                    offences.append(f"{path.relative_to(ROOT)}: {{% load {name} %}}")
    assert offences == []
