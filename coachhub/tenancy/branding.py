"""The practice's brand colours as a stylesheet, so pages carry no inline style (the
Content-Security-Policy allows styles from the site's own files only).

Pages link it with the colours in the query string, so a change of colour is a new address and
the stylesheet itself may be cached for long.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(public=True, max_age=31_536_000, immutable=True)
def brand_colours(request: HttpRequest) -> HttpResponse:
    practice = request.practice
    if practice is None:
        raise Http404
    # All colours are #rrggbb (a database constraint on the practice says so for the brand).
    css = (
        f":root {{ --brand: {practice.brand_colour}; --on-brand: {practice.brand_text_colour}; "
        f"--brand-ink: {practice.brand_ink_colour}; }}\n"
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")
