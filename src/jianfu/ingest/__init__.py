"""Reading messy department inventories into typed records (no Django): formats, headers, values, errors."""

from jianfu.ingest.errors import CellError
from jianfu.ingest.parse import ParsedSheet, open_inventory
from jianfu.ingest.schema import KINDS, KIND_ORDER

__all__ = ["CellError", "KINDS", "KIND_ORDER", "ParsedSheet", "open_inventory"]
