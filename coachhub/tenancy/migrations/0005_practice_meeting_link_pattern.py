# A practice may give coaches a new video link per meeting, from this pattern.

import coachhub.tenancy.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tenancy', '0004_practice_stakeholder_settings'),
    ]

    operations = [
        migrations.AddField(
            model_name='practice',
            name='meeting_link_pattern',
            field=models.CharField(blank=True, help_text="For coaches who choose a new link per meeting: an https address with {token} where each meeting's own part goes, e.g. https://meet.jit.si/acme-{token}.", max_length=300, validators=[coachhub.tenancy.models.validate_meeting_link_pattern], verbose_name='video link for each meeting'),
        ),
    ]
