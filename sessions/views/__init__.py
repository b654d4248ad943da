"""Session pages: an engagement's sessions (per role), booking, the coach's log with autosave,
action items. A module per sub-domain.

Every page loads through the access functions (engagements/access.py, sessions/access.py), which
answer 404 alike for missing and not yours; the selectors hand the template only what the viewer
may see.
"""
