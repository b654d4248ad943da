"""Django admin on the bare domain: platform staff create, brand and suspend practices."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote

from coachhub.tenancy import services
from coachhub.tenancy.context import practice_context
from coachhub.tenancy.models import Domain, Practice


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["host"]


class PracticeAddForm(forms.ModelForm):
    admin_email = forms.EmailField(
        label="First practice admin", required=False,
        help_text="Invited by email to run the practice (sets their own password).",
    )

    class Meta:
        model = Practice
        fields = ["slug", "name", "time_zone"]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "suspended_at", "created_at"]
    list_filter = [("suspended_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug"]
    readonly_fields = ["suspended_at", "created_at", "updated_at"]
    actions = ["suspend", "reactivate"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PracticeAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["slug", "name", "time_zone", "admin_email"]})]
        return super().get_fieldsets(request, obj)

    def get_inlines(self, request, obj):
        return [DomainInline] if obj is not None else []

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A practice's own rows (its domains) are only visible and writable in its context.
        # get_object answers None for an id that is no practice's, even one that is no number.
        practice = self.get_object(request, unquote(object_id)) if object_id else None
        with practice_context(practice):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # The practice is served on this platform host's scheme and port, one label deeper.
        _, colon, port = request.get_host().rpartition(":")
        created = services.create_practice(
            slug=obj.slug, name=obj.name, time_zone=obj.time_zone,
            admin_email=form.cleaned_data.get("admin_email"), actor=request.user,
            base_url=f"{request.scheme}://{obj.host}{colon + port if colon else ''}",
        )
        obj.pk = created.pk
        obj._state.adding = False

    @admin.action(description="Suspend the selected practices")
    def suspend(self, request, queryset):
        for practice in queryset:
            services.set_practice_suspended(practice=practice, suspended=True, actor=request.user)
        messages.success(request, f"Suspended {queryset.count()} practice(s).")

    @admin.action(description="Reactivate the selected practices")
    def reactivate(self, request, queryset):
        for practice in queryset:
            services.set_practice_suspended(practice=practice, suspended=False, actor=request.user)
        messages.success(request, f"Reactivated {queryset.count()} practice(s).")
