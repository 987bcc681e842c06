"""The importer's refusals in the reader's language: the Django-free ingest package writes Chinese, the web translates.

A stored error carries `expected` (the Chinese text, as the CLI and the JSON outputs print it) and, when the text
has parameters, its `template` and `params`. The template, or the fixed text itself, is the catalog msgid.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext

logger = logging.getLogger(__name__)

# Parameters that are words of the UI (a kind or a column's role, such as 单位 or 群主), not data.
_WORD_PARAMS = ("label", "kind_label")


def expected_text(error: dict) -> str:
    """What the cell should have held, translated; a text the catalogs do not know shows as the importer wrote it."""
    template, params = error.get("template") or error.get("expected") or "", error.get("params") or {}
    if not template:
        return ""
    words = {
        key: gettext(value) if key in _WORD_PARAMS and isinstance(value, str) else value
        for key, value in params.items()
    }
    try:
        return gettext(template) % words if params else gettext(template)
    except (KeyError, TypeError, ValueError):
        logger.warning("import message %r does not fit its parameters %r", template, params)
        return error.get("expected") or ""
