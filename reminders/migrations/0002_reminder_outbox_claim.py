"""The reminder outbox: a `sending` state held under a claim with its claim time (schema only)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reminders', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='reminder',
            name='reminder_state_valid',
        ),
        migrations.AddField(
            model_name='reminder',
            name='claim',
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='reminder',
            name='claimed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='reminder',
            name='state',
            field=models.CharField(choices=[('pending', 'Due'), ('sending', 'Sending'), ('sent', 'Sent'), ('skipped', 'Skipped'), ('cancelled', 'Cancelled')], default='pending', max_length=12),
        ),
        migrations.AddIndex(
            model_name='reminder',
            index=models.Index(condition=models.Q(('state', 'sending')), fields=['practice', 'claimed_at'], name='reminder_sending_claimed'),
        ),
        migrations.AddConstraint(
            model_name='reminder',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['pending', 'sending', 'sent', 'skipped', 'cancelled'])), name='reminder_state_valid'),
        ),
        migrations.AddConstraint(
            model_name='reminder',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'sending'), _negated=True), models.Q(('claim__isnull', False), ('claimed_at__isnull', False)), _connector='OR'), name='reminder_sending_is_claimed'),
        ),
    ]
