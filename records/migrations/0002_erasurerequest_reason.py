# Why the retention purge anonymised someone nobody asked to erase.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='erasurerequest',
            name='reason',
            field=models.CharField(blank=True, max_length=200),
        ),
    ]
