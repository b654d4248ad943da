# Coaches choose their fixed video link or a new one per meeting (the practice pattern).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('roster', '0004_calendar_connections'),
    ]

    operations = [
        migrations.AddField(
            model_name='coachprofile',
            name='meeting_link_mode',
            field=models.CharField(choices=[('fixed', 'The same link every time (the one above)'), ('per_meeting', "A new link for each meeting, from the practice's pattern")], default='fixed', max_length=12, verbose_name='video link per meeting'),
        ),
    ]
