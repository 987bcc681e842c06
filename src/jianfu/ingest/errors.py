from __future__ import annotations

from dataclasses import dataclass, field


class Problem(ValueError):
    """What was expected, as a Chinese template with named parameters: the web translates the template
    (its msgid in the catalogs) and fills in the parameters; the CLI and the JSON outputs print the Chinese."""

    def __init__(self, template: str, **params: object):
        self.template, self.params = template, params
        super().__init__(template % params if params else template)


@dataclass(frozen=True)
class CellError:
    """One cell the importer cannot accept, located as a person sees it in the spreadsheet."""

    file: str
    sheet: str
    row: int | None
    column: str
    value: str
    expected: "str | Problem"  # a Problem is turned into its text in __post_init__
    # Set from a Problem given as `expected`; an error without one is translated by its `expected` text.
    template: str = field(default="", compare=False)
    params: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.expected, Problem):
            object.__setattr__(self, "template", self.expected.template)
            object.__setattr__(self, "params", self.expected.params)
            object.__setattr__(self, "expected", str(self.expected))

    def message(self) -> str:
        where = f"文件「{self.file}」"
        if self.sheet:
            where += f"工作表「{self.sheet}」"
        if self.row:
            where += f"第 {self.row} 行"
        if self.column:
            where += f"列「{self.column}」"
        if self.row is None and not self.column and self.value == "":
            return f"{where}：{self.expected}"  # about the whole file or sheet, not one cell
        value = f"值「{self.value}」" if self.value != "" else "值为空"
        return f"{where}：{value}，{self.expected}"

    def as_dict(self) -> dict:
        """The contract's fields (spec/formats.md): location, value, expected and the whole message."""
        return {name: getattr(self, name) for name in _CONTRACT_FIELDS} | {"message": self.message()}

    def as_record(self) -> dict:
        """as_dict plus the template and parameters, for the stored report the web translates."""
        return self.as_dict() | ({"template": self.template, "params": self.params} if self.template else {})


_CONTRACT_FIELDS = ("file", "sheet", "row", "column", "value", "expected")
