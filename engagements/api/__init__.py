"""The public JSON API for booking chemistry calls: /api/v1/ on a practice's host.

The booking page's own script uses it, and practices embed it on their own websites, so it
answers CORS for any origin and takes no cookies: every endpoint is anonymous, and the POST is
exempt from CSRF. The practice is the host's (the tenancy middleware), so a coach of another
practice is simply not found.

Plain views: parse the input, call one selector or service, render JSON. Status codes:
- 400: a request that cannot be read (malformed JSON, bad or over-long query parameters, a NUL
  byte anywhere — the latter answered by coachhub.tenancy.input before any view runs);
- 404: no such coach here (unknown, unpublished, or of another practice, alike);
- 409: the booking conflicts with the coach's calendar or the leader's other calls
  (`code`: slot_taken, not_a_slot, max_calls, coach_unavailable) — fetch the slots
  again and choose another time or coach;
- 413: a body over DATA_UPLOAD_MAX_MEMORY_SIZE;
- 422: well-formed JSON with invalid fields;
- 429: too many booking attempts from one address or for one email (Retry-After says when).
Every error body is `{"errors": {"<field>" | "__all__": ["message", ...]}}`, plus a machine
`code` on 404, 405, 409 and 429.

The modules, by sub-domain:
- `http`: the endpoint decorator (CORS, preflight, 405), JSON responses and errors, reading
  query parameters and bodies;
- `coaches`: the coach directory and a coach's free slots;
- `chemistry_calls`: booking a chemistry call (validation, rate limits, double submits);
- `openapi`: the OpenAPI description, built from the limits the other modules enforce.
"""
