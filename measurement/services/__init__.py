"""Writes for measurement (journey steps 5–6), by sub-domain: scheduling points (and moving
them), rating, closing and completing the engagement."""
