"""allauth, fitted to practices: sign-in only where a member, emails branded and sent by a worker."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from allauth.core import context as allauth_context
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import urlize
from django.template.loader import render_to_string
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

from coachhub.accounts.selectors import access_refusal
from coachhub.tenancy.context import current_practice
from coachhub.tenancy.mail import from_address
from coachhub.tenancy.tasks import deliver_email


class PracticeAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join a practice by invitation (or, for leaders, by booking a chemistry call).
        return False

    def get_from_email(self) -> str:
        return from_address()

    def format_email_subject(self, subject: str) -> str:
        practice = current_practice()
        return f"{practice.name}: {subject}" if practice else f"CoachHub: {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        message = self.render_mail(
            template_prefix, email, {"email": email, "request": request, **context}
        )
        html = next((body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), None)
        if html is None:
            # allauth ships text templates only: wrap the text in the practice's branded layout.
            html = render_to_string(
                "emails/layout.html",
                # urlize escapes the text, so the paragraphs around it are safe to mark.
                {"subject": message.subject, "body_html": mark_safe(linebreaks(urlize(message.body, autoescape=True)))},
                request,
            )
        deliver_email.delay_on_commit(
            to=list(message.to), subject=message.subject, text=message.body, html=html,
            from_email=message.from_email,
        )

    def pre_login(self, request: HttpRequest, user, **kwargs) -> HttpResponse | None:
        # Every way in (password, emailed code, after verification or 2FA) passes here.
        refusal = access_refusal(user, getattr(request, "practice", None))
        if refusal:
            clear_login(request)
            return render(request, "account/no_access.html", {"refusal": refusal}, status=403)
        return super().pre_login(request, user, **kwargs)
