# The Booking model moves here from engagements: the roster owns coaches' calendars, so the slot
# engine needs nothing from the journey. State only: the table (still engagements_booking), its
# Row-Level Security policy, exclusion constraint and indexes stay as they are; 0003 renames it.

import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_to(app_label: str):
    """Keep the model's content type (and the permissions on it) with the model."""

    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        old = "engagements" if app_label == "roster" else "roster"
        ContentType.objects.using(schema_editor.connection.alias).filter(app_label=old, model="booking").update(
            app_label=app_label
        )

    return move


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('engagements', '0004_objective_target_not_below_baseline'),
        ('roster', '0001_initial'),
        ('tenancy', '0002_practice_session_and_measurement_settings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Booking',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('kind', models.CharField(choices=[('chemistry_call', 'Chemistry call'), ('contracting', 'Contracting session'), ('coaching', 'Coaching session')], max_length=20)),
                        ('starts_at', models.DateTimeField()),
                        ('ends_at', models.DateTimeField()),
                        ('blocked', django.contrib.postgres.fields.ranges.DateTimeRangeField()),
                        ('is_active', models.BooleanField(default=True)),
                        ('coach', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bookings', to=settings.AUTH_USER_MODEL)),
                        ('practice', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.practice')),
                    ],
                    options={
                        'db_table': 'engagements_booking',
                        'ordering': ['starts_at'],
                        'indexes': [models.Index(fields=['practice', 'coach', 'starts_at'], name='booking_coach_calendar')],
                        'constraints': [django.contrib.postgres.constraints.ExclusionConstraint(condition=models.Q(('is_active', True)), expressions=[('practice', '='), ('coach', '='), ('blocked', '&&')], name='booking_no_overlap_per_coach', violation_error_message='This time is no longer free.'), models.CheckConstraint(condition=models.Q(('starts_at__lt', models.F('ends_at'))), name='booking_starts_before_end')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to("roster"), content_type_to("engagements")),
    ]
