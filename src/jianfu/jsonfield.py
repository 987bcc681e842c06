"""A JSONField that reads its values with orjson: the same Python values as Django's JSONField, in about half the time.

The standard library's decoder took 0.14 ms of a city's API findings page (two short JSON columns a row) and
0.43 ms for 50 findings' five columns as the HTML pages read them; orjson takes 0.06 and 0.27
(docs/performance.md). It gives the same values with two exceptions, both sent back to the standard library:
integers beyond 64 bits (orjson makes them floats; any run of 19 digits takes the slow path) and text orjson
refuses (NaN, lone surrogates, nesting past 1,024 levels), which json.loads reads or rejects as before. Floats
are correctly rounded by both.
"""

from __future__ import annotations

import re

import orjson
from django.db import models

# 18 digits always fit in 64 bits; a run of 19 or more (even inside a string) is left to json.loads.
_MAYBE_WIDE_INTEGER = re.compile(r"[0-9]{19}")


class FastJSONField(models.JSONField):
    """models.JSONField, decoded by orjson when no custom decoder is set.

    Reports itself as models.JSONField to migrations: the column, the SQL and the stored text are the same, so
    no migration is needed (or made) to switch a field to it or back."""

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs

    def from_db_value(self, value, expression, connection):
        # Only the common case: whole-column text with the default decoder. Everything else (NULL, key
        # transforms that SQLite hands back as numbers, a custom decoder) goes the way Django's field goes.
        if type(value) is str and self.decoder is None and not _MAYBE_WIDE_INTEGER.search(value):
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
        return super().from_db_value(value, expression, connection)
