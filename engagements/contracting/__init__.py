"""Contracting (journey step 3): the practice's template, the contracting session, and a contract's
life — drafted, edited, sent, accepted by every party (or changes asked for), amended as a new
version. One module per part of that life; versions.py holds what they share."""
