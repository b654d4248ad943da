"""Schema: one mailbox once per engagement, case, dots and +tags aside (measurement/stakeholders/
mailboxes.py), in place of one email once."""

import measurement.stakeholders.mailboxes
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("measurement", "0005_decline_nominees_sharing_a_mailbox")]

    operations = [
        migrations.RemoveConstraint(model_name="nominee", name="nominee_email_once_per_engagement"),
        migrations.AddConstraint(
            model_name="nominee",
            constraint=models.UniqueConstraint(
                models.F("practice"), models.F("engagement"), measurement.stakeholders.mailboxes.Mailbox("email"),
                condition=models.Q(("purged_at__isnull", True)) & ~models.Q(("approval", "declined")),
                name="nominee_mailbox_once_per_engagement",
            ),
        ),
    ]
