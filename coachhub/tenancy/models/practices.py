"""Practices (the tenants), their domains, and what every tenant-owned model shares."""

from __future__ import annotations

import functools
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower

from coachhub.tenancy.context import current_practice, require_practice
from coachhub.tenancy.timezones import known_zones
from coachhub.tenancy.validators import validate_visible_characters, validate_visible_lines, visible_text_constraint


SLUG_VALIDATOR = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$",
    "Use 1–40 lower-case letters, digits and inner hyphens (it becomes the web address).",
)
COLOUR_VALIDATOR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1f6f8b.")
# The practice-editable list of stakeholder groups a contract may name as raters (DESIGN.md).
DEFAULT_STAKEHOLDER_GROUPS = "Line manager\nPeers\nDirect reports\nCustomers\nOther"
# The darkest of the light surfaces that brand-coloured text sits on (the tint of notices and
# badges; coachhub.css); text readable there is readable on the page and on cards too.
LIGHTEST_INK_BACKGROUND = "#e8eef5"
RESERVED_SLUGS = frozenset({"www", "admin", "api", "static", "media", "mail", "app", "platform"})


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two #rrggbb colours (1 to 21)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(known_zones())]


def logo_path(practice: Practice, filename: str) -> str:
    """Files are stored per practice; the random part keeps browsers from showing a stale logo."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"practices/{practice.pk}/branding/logo-{secrets.token_hex(4)}.{extension}"


def validate_meeting_link_pattern(pattern: str) -> None:
    """An https address with exactly one {token} (each meeting's own part)."""
    if not pattern:
        return
    if not pattern.lower().startswith("https://") or pattern.count("{token}") != 1:
        raise ValidationError("Give an https:// address with {token} once where each meeting's own part goes.")
    if any(c in pattern for c in " \"<>"):
        raise ValidationError("The address may not contain spaces, quotes or angle brackets.")


class Practice(models.Model):
    """A coaching practice: the tenant. Platform data, so it carries no practice of its own."""

    slug = models.CharField(max_length=40, unique=True, validators=[SLUG_VALIDATOR])
    name = models.CharField(max_length=120, validators=[validate_visible_characters])
    time_zone = models.CharField(max_length=64, default="Europe/London")
    brand_colour = models.CharField(max_length=7, default="#1f5f8b", validators=[COLOUR_VALIDATOR])
    logo = models.FileField(upload_to=logo_path, blank=True)
    # Practice settings used along the journey.
    max_chemistry_calls = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="How many coaches a leader may book chemistry calls with (1–10).",
    )
    coachees_book_sessions = models.BooleanField(
        "coachees book their own sessions", default=False,
        help_text="Let coachees book coaching sessions from their coach's free times (coaches always can).",
    )
    mid_point_percent = models.PositiveSmallIntegerField(
        "mid-point after (% of sessions)", default=50, validators=[MinValueValidator(10), MaxValueValidator(90)],
        help_text="The mid-point evaluation falls due after this share of the contracted sessions (10–90).",
    )
    measurement_grace_days = models.PositiveSmallIntegerField(
        "days to rate before the coach may close", default=7, validators=[MaxValueValidator(60)],
        help_text="How long raters have after a measurement point falls due before the coach may close it without them (0–60).",
    )
    on_track_tolerance = models.DecimalField(
        "on-track tolerance (points)", max_digits=3, decimal_places=1, default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("5"))],
        help_text="How far below the expected progress an objective may score and still be on track (0–5).",
    )
    stakeholder_groups = models.TextField(
        "stakeholder groups", max_length=1000, default=DEFAULT_STAKEHOLDER_GROUPS, validators=[validate_visible_lines],
        help_text="The groups a contract may ask to rate its objectives (line manager, peers, …), one per line.",
    )
    stakeholders_in_rule = models.BooleanField(
        "stakeholders count in the on/off-track rule", default=False,
        help_text="Count the stakeholders' mean as one more rater when an objective's score is worked out.",
    )
    stakeholder_baseline_days = models.PositiveSmallIntegerField(
        "days a stakeholder baseline round stays open", default=14, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="A contract may ask the stakeholders for a baseline round when the coaching starts: it opens then and "
                  "closes by itself after this many days (1–60).",
    )
    lead_retention_months = models.PositiveSmallIntegerField(
        "leads kept for (months)", default=12, validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Leaders who never matched with a coach: their chemistry-call objectives and contact details are "
                  "purged this many months after their last chemistry call (1–120).",
    )
    meeting_link_pattern = models.CharField(
        "video link for each meeting", max_length=300, blank=True, validators=[validate_meeting_link_pattern],
        help_text="For coaches who choose a new link per meeting: an https address with {token} where each "
                  "meeting's own part goes, e.g. https://meet.jit.si/acme-{token}.",
    )
    suspended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_chemistry_calls__gte=1, max_chemistry_calls__lte=10),
                name="practice_max_chemistry_calls_range",
            ),
            models.CheckConstraint(
                condition=models.Q(mid_point_percent__gte=10, mid_point_percent__lte=90), name="practice_mid_point_range",
            ),
            models.CheckConstraint(condition=models.Q(measurement_grace_days__lte=60), name="practice_grace_days_range"),
            models.CheckConstraint(
                condition=models.Q(stakeholder_baseline_days__gte=1, stakeholder_baseline_days__lte=60),
                name="practice_stakeholder_baseline_days_range",
            ),
            models.CheckConstraint(
                condition=models.Q(lead_retention_months__gte=1, lead_retention_months__lte=120),
                name="practice_lead_retention_range",
            ),
            models.CheckConstraint(
                condition=models.Q(on_track_tolerance__gte=0, on_track_tolerance__lte=5), name="practice_tolerance_range",
            ),
            models.CheckConstraint(
                condition=models.Q(brand_colour__regex=r"^#[0-9a-fA-F]{6}$"),
                name="practice_brand_colour_hex",
            ),
            visible_text_constraint("name", name="practice_name_visible"),
            visible_text_constraint(
                "stakeholder_groups", name="practice_stakeholder_groups_visible", allowed="\r\n",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stakeholder_group_names(self) -> list[str]:
        """The practice's stakeholder groups, in its order, without blanks or repeats."""
        names: list[str] = []
        for line in self.stakeholder_groups.splitlines():
            name = " ".join(line.split())
            if name and name.lower() not in {n.lower() for n in names}:
                names.append(name)
        return names

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def host(self) -> str:
        return f"{self.slug}.{settings.BASE_DOMAIN}"

    @property
    def brand_text_colour(self) -> str:
        """Black or white, whichever reads better on the brand colour (WCAG luminance)."""
        return "#111111" if relative_luminance(self.brand_colour) > 0.179 else "#ffffff"

    @property
    def brand_ink_colour(self) -> str:
        """The brand colour for links, outlined buttons and other text on the pages' light
        surfaces: the brand itself where it reads there (WCAG AA, 4.5:1), else the brand darkened
        just enough. A practice may pick a light brand (it suits the header), not unreadable links."""
        channels = [int(self.brand_colour[i : i + 2], 16) for i in (1, 3, 5)]
        for step in range(100, -1, -2):
            ink = "#" + "".join(f"{round(channel * step / 100):02x}" for channel in channels)
            if contrast_ratio(ink, LIGHTEST_INK_BACKGROUND) >= 4.5:
                return ink
        return "#000000"


class PracticeScopedManager(models.Manager):
    """The one way tenant rows are read: always within the current practice.

    With no current practice it returns nothing, as Row-Level Security does underneath.
    """

    def get_queryset(self) -> models.QuerySet:
        practice = current_practice()
        queryset = super().get_queryset()
        if practice is None:
            return queryset.none()
        return queryset.filter(practice=practice)


class PracticeOwnedModel(models.Model):
    """Base for every tenant-owned table: carries its practice, scoped, timestamped.

    Each concrete subclass's migration must add `EnablePracticeRLS` (tests check it does).
    """

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PracticeScopedManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        practice = require_practice()
        if self.practice_id is None:
            self.practice = practice
        elif self.practice_id != practice.pk:
            raise PermissionError("A row of another practice cannot be saved here.")
        super().save(*args, **kwargs)


class Domain(PracticeOwnedModel):
    """A custom host name that serves a practice (besides <slug>.<BASE_DOMAIN>).

    Looked up before any practice is known, so its host is unique across the platform (on a
    sharded PostgreSQL it would be a reference table).
    """

    host = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["host"]
        constraints = [
            models.CheckConstraint(condition=models.Q(host=Lower("host")), name="domain_host_lowercase"),
        ]

    def __str__(self) -> str:
        return self.host
