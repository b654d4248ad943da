"""Row-Level Security for tenant tables, declared in migrations next to the model.

Every table that carries a practice gets RLS ENABLED and FORCED (so even the owner is bound)
and one policy comparing `practice_id` with the transaction-local `app.practice_id`. With
no practice set, the setting is empty, the comparison is NULL, and no row is visible.
"""

from django.db import migrations

PRACTICE_PREDICATE = (
    "practice_id = NULLIF(current_setting('app.practice_id', true), '')::bigint"
)


class EnablePracticeRLS(migrations.operations.base.Operation):
    """Migration operation: enable, force and add the practice policy on a model's table.

    `readable_by_all=True` lets every context SELECT (used only for Domain, which the
    middleware reads to find the practice before there is one); writes stay scoped.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, readable_by_all: bool = False):
        self.model_name = model_name
        self.readable_by_all = readable_by_all

    def state_forwards(self, app_label, state):
        pass

    def _table(self, app_label, state):
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        table = schema_editor.quote_name(self._table(app_label, to_state))
        statements = [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        ]
        if self.readable_by_all:
            statements += [
                f"CREATE POLICY practice_read ON {table} FOR SELECT USING (true)",
                f"CREATE POLICY practice_insert ON {table} FOR INSERT WITH CHECK ({PRACTICE_PREDICATE})",
                f"CREATE POLICY practice_update ON {table} FOR UPDATE USING ({PRACTICE_PREDICATE}) "
                f"WITH CHECK ({PRACTICE_PREDICATE})",
                f"CREATE POLICY practice_delete ON {table} FOR DELETE USING ({PRACTICE_PREDICATE})",
            ]
        else:
            statements.append(
                f"CREATE POLICY practice_isolation ON {table} "
                f"USING ({PRACTICE_PREDICATE}) WITH CHECK ({PRACTICE_PREDICATE})"
            )
        for statement in statements:
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table = schema_editor.quote_name(self._table(app_label, from_state))
        policies = (
            ["practice_read", "practice_insert", "practice_update", "practice_delete"]
            if self.readable_by_all
            else ["practice_isolation"]
        )
        for policy in policies:
            schema_editor.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
        schema_editor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")

    def describe(self):
        return f"Enable practice Row-Level Security on {self.model_name}"

    def deconstruct(self):
        kwargs = {"model_name": self.model_name}
        if self.readable_by_all:
            kwargs["readable_by_all"] = True
        return (self.__class__.__qualname__, [], kwargs)
