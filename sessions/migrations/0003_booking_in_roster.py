# Bookings now belong to the roster (roster 0002): the foreign key's target moves in the state only;
# the column and its constraint already point at the same table.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coaching_sessions', '0002_signed_out_log_draft'),
        ('roster', '0002_booking'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='coachingsession',
                    name='booking',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='coaching_session', to='roster.booking'),
                ),
            ],
            database_operations=[],
        ),
    ]
