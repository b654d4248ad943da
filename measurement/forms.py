"""Input for the measurement pages: one short rating form per rater (phone-friendly), moving a
point with its reason, and the coach's comment. Messages go next to the field concerned."""

from __future__ import annotations

from django import forms

from engagements.models import Objective
from measurement.services.closing import COMMENT_MAX_LENGTH

SCALE_CHOICES = [("", "Choose")] + [(n, str(n)) for n in range(Objective.SCALE_MIN, Objective.SCALE_MAX + 1)]
OUT_OF_SCALE = f"A rating is a whole number from {Objective.SCALE_MIN} to {Objective.SCALE_MAX}."
# Raters should know before they write it: a comment is not private to them or to the coach.
COMMENT_SEEN_BY = (
    "Seen by the coach and the practice, by the other raters once they have rated, and printed in the progress report."
)


def score_field(name: str) -> str:
    return f"objective_{name}_score"


def comment_field(name: str) -> str:
    return f"objective_{name}_comment"


class RatingForm(forms.Form):
    """A score (1–10) and an optional comment for each objective the rater rates."""

    def __init__(self, *args, objectives: list[Objective], mine: dict | None = None, **kwargs):
        mine = mine or {}
        initial = {}
        for objective in objectives:
            rating = mine.get(objective.pk)
            if rating is not None:
                initial[score_field(objective.pk)] = rating.score
                initial[comment_field(objective.pk)] = rating.comment
        super().__init__(*args, initial=initial, **kwargs)
        self.objectives = objectives
        for objective in objectives:
            self.fields[score_field(objective.pk)] = forms.IntegerField(
                label=f"Your rating for objective {objective.position} ({Objective.SCALE_MIN}–{Objective.SCALE_MAX})",
                min_value=Objective.SCALE_MIN, max_value=Objective.SCALE_MAX,
                widget=forms.Select(choices=SCALE_CHOICES),
                help_text=f"Baseline {objective.baseline}" + (f", target {objective.target}" if objective.target else ""),
                error_messages={
                    "required": f"Rate objective {objective.position} from {Objective.SCALE_MIN} to {Objective.SCALE_MAX}.",
                    "invalid": OUT_OF_SCALE, "min_value": OUT_OF_SCALE, "max_value": OUT_OF_SCALE,
                },
            )
            self.fields[comment_field(objective.pk)] = forms.CharField(
                label=f"Comment on objective {objective.position}", required=False, max_length=COMMENT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}), help_text=COMMENT_SEEN_BY,
            )

    def items(self):
        """(objective, score field, comment field) for the template."""
        return [(o, self[score_field(o.pk)], self[comment_field(o.pk)]) for o in self.objectives]

    def answers(self) -> dict[int, tuple[int | None, str]]:
        return {
            o.pk: (self.cleaned_data.get(score_field(o.pk)), self.cleaned_data.get(comment_field(o.pk), ""))
            for o in self.objectives
        }


class MovePointForm(forms.Form):
    after_sessions = forms.IntegerField(
        label="Falls due after this many sessions held", required=False, min_value=1, max_value=50,
    )
    due_on = forms.DateField(
        label="Or on this date", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label="Why it moves", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the point moves: the reason is kept with it."},
    )

    def clean(self):
        cleaned = super().clean()
        unreadable = self.has_error("after_sessions") or self.has_error("due_on")
        if cleaned.get("after_sessions") is None and cleaned.get("due_on") is None and not unreadable:
            self.add_error("after_sessions", "Give a number of sessions, a date, or both.")
        return cleaned


class PointCommentForm(forms.Form):
    comment = forms.CharField(
        label="Your comment on this point", required=False, max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Shown with the status on the pages and in the progress report.",
    )
