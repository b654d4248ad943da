from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    """A leader's coaching journey: chemistry calls, matching, contract."""

    name = "engagements"
    verbose_name = "Engagements"

    def ready(self) -> None:
        from coachhub.roster.registry import register_booking_describer, register_load_counter
        from engagements.calendar_feed import (
            CHEMISTRY_CALL_RELATED,
            CONTRACTING_SESSION_RELATED,
            describe_chemistry_call,
            describe_contracting_session,
        )
        from engagements.selectors import coach_loads

        # The roster shows calls in coaches' feeds and coachees carried without reaching up (coachhub/roster/registry.py).
        register_booking_describer(related=CHEMISTRY_CALL_RELATED, describe=describe_chemistry_call)
        register_booking_describer(related=CONTRACTING_SESSION_RELATED, describe=describe_contracting_session)
        register_load_counter(coach_loads)
