# engagements_booking becomes roster_booking. A rename keeps the table's Row-Level Security (enabled,
# forced, its practice policy), the exclusion constraint, indexes and the foreign keys pointing at it.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('engagements', '0005_booking_moves_to_roster'),
        ('roster', '0002_booking'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='booking',
            table=None,
        ),
    ]
