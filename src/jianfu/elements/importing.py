"""The `elements` and `values` import kinds: writers plugged into jianfu.registry.importing (same file rules)."""

from __future__ import annotations

from jianfu.accounts import scope as region_scope
from jianfu.elements.models import DataElement, HeldValue, search_text_of
from jianfu.elements.values import check_value, data_type_of, normalise_period, synonym_key
from jianfu.ingest.errors import Problem
from jianfu.registry.importing import _CodedWriter


class ElementWriter(_CodedWriter):
    """Elements, upserted by code into the uploader's region (the command line: the installation's catalog).

    A name or synonym may belong to one element only, in this file and in the catalog the uploader sees."""

    kind = "elements"
    model = DataElement

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._claimed: dict[str, tuple[str, int | None]] | None = None

    def claimed(self) -> dict[str, tuple[str, int | None]]:
        """synonym key → (element code, row in this file or None for the stored catalog)."""
        if self._claimed is None:
            self._claimed = {}
            visible = region_scope.visible_from_unit(DataElement, self.session.scope).exclude(
                status=DataElement.Status.MERGED
            )
            for code, name, synonyms in visible.values_list("code", "name", "synonyms"):
                for word in [name, *(synonyms or [])]:
                    self._claimed.setdefault(synonym_key(word), (code, None))
        return self._claimed

    def to_values(self, row: int, record: dict) -> dict | None:
        code = record["code"]
        try:
            data_type = data_type_of(record.get("data_type"))
        except ValueError as exc:
            self.ref_error(row, "data_type", record.get("data_type"), str(exc))
            return None
        synonyms = []
        for word in record.get("synonyms") or []:
            if synonym_key(word) != synonym_key(record["name"]) and word not in synonyms:
                synonyms.append(word)
        claimed = self.claimed()
        clean = True
        for column, word in [("name", record["name"]), *(("synonyms", w) for w in synonyms)]:
            key = synonym_key(word)
            owner = claimed.get(key)
            if owner and owner[0] != code:
                where = (
                    Problem("已属于数据元 %(code)s（本文件第 %(row)d 行）", code=owner[0], row=owner[1])
                    if owner[1]
                    else Problem("已属于目录中的数据元 %(code)s", code=owner[0])
                )
                self.ref_error(
                    row,
                    column,
                    word,
                    Problem(
                        "名称或同义词「%(word)s」%(where)s：一个名称只能属于一个数据元", word=word, where=str(where)
                    ),
                )
                clean = False
            elif not owner or owner[1] is None:
                claimed[key] = (code, row)
        if not clean:
            return None
        return {
            "code": code,
            "name": record["name"],
            "synonyms": synonyms,
            "definition": record.get("definition") or "",
            "data_type": data_type,
            "unit": record.get("unit") or "",
            "source": record.get("source") or "",
            "region_id": self.session.scope.id if self.session.scope else None,
            "search_text": search_text_of(record["name"], synonyms),
        }


class ValueWriter(_CodedWriter):
    """Values held, upserted by (element, unit, period); checked against the element's type and unit."""

    kind = "values"
    model = HeldValue
    key_field = "period"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._elements: dict[str, tuple[int, str, str]] | None = None

    def elements(self) -> dict[str, tuple[int, str, str]]:
        if self._elements is None:
            visible = region_scope.visible_from_unit(DataElement, self.session.scope).exclude(
                status=DataElement.Status.MERGED
            )
            self._elements = {
                code: (eid, dtype, unit)
                for eid, code, dtype, unit in visible.values_list("id", "code", "data_type", "unit")
            }
        return self._elements

    def key_of(self, values: dict):
        return (values["element_id"], values["unit_id"], values["period"])

    def to_values(self, row: int, record: dict) -> dict | None:
        element = self.elements().get(record["element_code"])
        if element is None:
            rejected_in = self.session.rejected_codes.get("elements", {}).get(record["element_code"])
            self.ref_error(
                row,
                "element_code",
                record["element_code"],
                Problem("引用的数据元在被拒绝的文件「%(file)s」中，本文件一并拒绝", file=rejected_in)
                if rejected_in
                else "找不到此数据元（应为目录中或本次导入的元素编码）",
            )
            return None
        unit_id = self.resolve("units", record["unit_code"], row, "unit_code", "单位")
        try:
            period = normalise_period(record["period"])
        except ValueError as exc:
            self.ref_error(row, "period", record["period"], str(exc))
            return None
        element_id, data_type, unit = element
        try:
            value = check_value(record["value"], data_type, unit)
        except Problem as exc:
            self.ref_error(row, "value", record["value"], exc)
            return None
        except ValueError as exc:
            self.ref_error(row, "value", record["value"], str(exc))
            return None
        if unit_id is None:
            return None
        return {
            "element_id": element_id,
            "unit_id": unit_id,
            "period": period,
            "value": value,
            "source": record.get("source") or "",
            "origin": HeldValue.Origin.IMPORT,
        }

    def existing(self, keys: list) -> dict:
        element_ids = {k[0] for k in keys}
        rows = HeldValue.objects.filter(element_id__in=element_ids).values("id", *self.compared_fields())
        return {(r["element_id"], r["unit_id"], r["period"]): r for r in rows}

    def claims_outside_scope(self, pending, current) -> bool:
        return False  # keyed by a unit already checked to be in scope


WRITERS = {"elements": ElementWriter, "values": ValueWriter}
