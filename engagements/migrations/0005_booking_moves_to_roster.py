# Bookings now belong to the roster (roster 0002): the foreign keys' target moves and engagements
# forgets the model, in the state only; the table stays until roster 0003 renames it.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coaching_sessions', '0003_booking_in_roster'),
        ('engagements', '0004_objective_target_not_below_baseline'),
        ('roster', '0002_booking'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='chemistrycall',
                    name='booking',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='chemistry_call', to='roster.booking'),
                ),
                migrations.AlterField(
                    model_name='contractingsession',
                    name='booking',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='contracting_session', to='roster.booking'),
                ),
                migrations.DeleteModel(
                    name='Booking',
                ),
            ],
            database_operations=[],
        ),
    ]
