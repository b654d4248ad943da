# Coaches own calendars: connections, their calendars, busy blocks; each with the practice RLS policy.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from coachhub.tenancy.rls import EnablePracticeRLS


class Migration(migrations.Migration):

    dependencies = [
        ('roster', '0003_booking_table'),
        ('tenancy', '0002_practice_session_and_measurement_settings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CalendarConnection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('kind', models.CharField(choices=[('caldav', 'CalDAV'), ('ical', 'iCalendar subscription')], max_length=10)),
                ('host', models.CharField(max_length=255)),
                ('username', models.CharField(blank=True, max_length=255)),
                ('secret_ciphertext', models.TextField()),
                ('is_paused', models.BooleanField(default=False)),
                ('status', models.CharField(choices=[('new', 'Not synced yet'), ('ok', 'Syncing'), ('failing', 'Failing')], default='new', max_length=10)),
                ('failure_reason', models.CharField(blank=True, max_length=300)),
                ('last_attempt_at', models.DateTimeField(blank=True, null=True)),
                ('last_good_sync_at', models.DateTimeField(blank=True, null=True)),
                ('write_back_error', models.CharField(blank=True, max_length=300)),
                ('coach', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_connections', to='roster.coachprofile')),
                ('practice', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.practice')),
            ],
            options={
                'ordering': ['created_at'],
            },
        ),
        migrations.CreateModel(
            name='ConnectedCalendar',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('url', models.CharField(max_length=2000)),
                ('name', models.CharField(max_length=200)),
                ('counts_as_busy', models.BooleanField(default=True)),
                ('receives_bookings', models.BooleanField(default=False)),
                ('sync_token', models.CharField(blank=True, max_length=500)),
                ('last_modified', models.CharField(blank=True, max_length=100)),
                ('expanded_until', models.DateTimeField(blank=True, null=True)),
                ('connection', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calendars', to='roster.calendarconnection')),
                ('practice', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.practice')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='BusyBlock',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('source', models.CharField(max_length=64)),
                ('starts_at', models.DateTimeField()),
                ('ends_at', models.DateTimeField()),
                ('is_busy', models.BooleanField(default=True)),
                ('coach', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('practice', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.practice')),
                ('connection', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='busy_blocks', to='roster.calendarconnection')),
                ('calendar', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='busy_blocks', to='roster.connectedcalendar')),
            ],
            options={
                'ordering': ['starts_at'],
            },
        ),
        migrations.AddIndex(
            model_name='calendarconnection',
            index=models.Index(fields=['practice', 'coach'], name='calendar_connection_coach'),
        ),
        migrations.AddConstraint(
            model_name='connectedcalendar',
            constraint=models.UniqueConstraint(fields=('practice', 'connection', 'url'), name='connected_calendar_unique_url'),
        ),
        migrations.AddIndex(
            model_name='busyblock',
            index=models.Index(condition=models.Q(('is_busy', True)), fields=['practice', 'coach', 'starts_at'], name='busy_block_coach_window'),
        ),
        migrations.AddIndex(
            model_name='busyblock',
            index=models.Index(fields=['practice', 'calendar', 'source'], name='busy_block_source'),
        ),
        migrations.AddConstraint(
            model_name='busyblock',
            constraint=models.CheckConstraint(condition=models.Q(('starts_at__lt', models.F('ends_at'))), name='busy_block_starts_before_end'),
        ),
        EnablePracticeRLS("calendarconnection"),
        EnablePracticeRLS("connectedcalendar"),
        EnablePracticeRLS("busyblock"),
    ]
