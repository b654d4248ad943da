"""The scale seed (`seed_scale`): many practices like the demo's, written with PostgreSQL's COPY.

vocabulary.py has the words, practice.py builds a practice's people and roster, journey.py and
measurement.py each coachee's journey, rows.py what they share, tables.py the rows in COPY's
format, writing.py the owner's transaction that copies them in.
"""
