# How long a practice keeps leaders who never matched (the retention purge, records/retention/leads.py).

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tenancy', '0006_practice_stakeholder_baseline_days'),
    ]

    operations = [
        migrations.AddField(
            model_name='practice',
            name='lead_retention_months',
            field=models.PositiveSmallIntegerField(default=12, help_text='Leaders who never matched with a coach: their chemistry-call objectives and contact details are purged this many months after their last chemistry call (1–120).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(120)], verbose_name='leads kept for (months)'),
        ),
        migrations.AddConstraint(
            model_name='practice',
            constraint=models.CheckConstraint(condition=models.Q(('lead_retention_months__gte', 1), ('lead_retention_months__lte', 120)), name='practice_lead_retention_range'),
        ),
    ]
