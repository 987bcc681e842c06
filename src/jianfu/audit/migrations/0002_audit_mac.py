import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models


def sign_existing_rows(apps, schema_editor):
    """Rows written before signing existed are signed as they stand at the upgrade."""
    event_model = apps.get_model("audit", "AuditEvent")
    key = settings.AUDIT_KEY.encode()
    for event in event_model.objects.filter(mac="").only("id", "hash").iterator(chunk_size=2000):
        mac = hmac.new(key, event.hash.encode("utf-8"), hashlib.sha256).hexdigest()
        event_model.objects.filter(id=event.id).update(mac=mac)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="mac",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(sign_existing_rows, migrations.RunPython.noop),
    ]
