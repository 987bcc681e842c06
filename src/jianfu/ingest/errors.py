from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class CellError:
    """One cell the importer cannot accept, located as a person sees it in the spreadsheet."""

    file: str
    sheet: str
    row: int | None
    column: str
    value: str
    expected: str

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
        return asdict(self) | {"message": self.message()}
