"""Name + phone lookups are counted by accounts.throttle (a sliding 24 hours) instead of a per-day tally: today's
tallies are carried over as one hit each, at the time of the migration, so nobody's count starts afresh."""

import time

from django.db import migrations
from django.utils import timezone


def carry_over_today(apps, schema_editor):
    Tally = apps.get_model("registry", "PhoneLookupTally")
    RateHit = apps.get_model("accounts", "RateHit")
    now = time.time()
    RateHit.objects.bulk_create(
        RateHit(key=f"phone-lookup:{t.username}"[:200], at=now, cost=t.lookups)
        for t in Tally.objects.filter(day=timezone.localdate(), lookups__gt=0)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_search_grams"),
        ("accounts", "0005_sliding_rate_hits"),
    ]

    operations = [
        migrations.RunPython(carry_over_today, migrations.RunPython.noop),
        migrations.DeleteModel(name="PhoneLookupTally"),
    ]
