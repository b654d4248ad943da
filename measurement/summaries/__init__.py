"""The engagement summary: one row per engagement with what the lists show (the contract in force,
sessions contracted, scheduled, held and used, the next session, each objective's latest result, the
latest verdict and the next point, stakeholder response rates, the last activity).

Kept in the writer's transaction by the domain-event subscribers (`subscribers`), which recompute the
row from the source tables with `building.build`, the one definition the rebuild
(`manage.py rebuild_summaries`) uses too: the kept row equals the rebuilt one by construction.
Pages read it with one indexed query per list, instead of counting sessions and points per page.
"""
