from django.db import models


class Practice(models.Model):
    """The project's practice table (not tenant-scoped), read as it is."""

    slug = models.SlugField()
    name = models.CharField(max_length=120)
    time_zone = models.CharField(max_length=64)

    class Meta:
        managed = False
        db_table = "tenancy_practice"
        app_label = "ceiling"
