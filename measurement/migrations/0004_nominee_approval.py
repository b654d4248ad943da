"""Schema: each nominee awaits the coach's approval before anyone invites them (issue 22). Nominees
named before this wait too: the coach confirms the list on the stakeholder page."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("measurement", "0003_stakeholder_baseline_round")]

    operations = [
        migrations.AddField(
            model_name="nominee",
            name="approval",
            field=models.CharField(
                choices=[("awaiting", "Waiting for the coach"), ("approved", "Approved by the coach"), ("declined", "Declined by the coach")],
                default="awaiting", max_length=8,
            ),
        ),
        migrations.AddConstraint(
            model_name="nominee",
            constraint=models.CheckConstraint(
                condition=models.Q(("approval__in", ["awaiting", "approved", "declined"])), name="nominee_approval_valid",
            ),
        ),
    ]
