"""What a document says, apart from how it is drawn: the same blocks become a .docx and a .pdf."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: 一、 in 黑体; 2: （一） in 楷体


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False
    indent: bool = True  # the official first-line indent of two characters


@dataclass(frozen=True)
class Image:
    png: bytes
    width_cm: float = 15.0
    caption: str | None = None  # under the picture; a line break starts a new line


@dataclass(frozen=True)
class Table:
    """Rows of cells under a header (an empty header: no header row). A cell is text or an Image with its caption,
    so a grid of pictures (a sheet of QR codes) is a Table too; a row is never split across pages."""

    header: list[str]
    rows: list[list[str | Image]]
    caption: str | None = None


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Table | Image | PageBreak


@dataclass
class Document:
    """An official-style document. `issuer` with `red_header=True` draws the red masthead (红头)."""

    title: str
    issuer: str | None = None
    red_header: bool = False
    number: str | None = None  # 发文字号, e.g. 某减负办〔2026〕3号
    date: datetime.date | None = None
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Document:
        self.blocks.extend(blocks)
        return self


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
