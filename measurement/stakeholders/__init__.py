"""Stakeholder feedback at measurement points (DESIGN.md "Stakeholder feedback"): the coachee's
nominees, their personal links, their anonymous answers, and the results as everyone may read them.

- nominations.py: naming, removing and the coach's suggestions (services);
- links.py: the signed, single-purpose links a nominee answers and unsubscribes by;
- answers.py: a nominee's answer through their link, and cutting the nominees from the answers
  when a point closes;
- results.py: what anyone reads — per group, only from the group's minimum, never who said what.
"""
