"""Documents to PDF through WeasyPrint: HTML and CSS paged media, with fontconfig finding the CJK faces."""

from __future__ import annotations

import base64
import html

from jianfu.documents import fonts
from jianfu.documents.model import Document, Heading, Image, PageBreak, Paragraph, Table, chinese_date

# GB/T 9704-2012: A4, margins 37/26/35/28 mm, body 三号 (16 pt) 仿宋 at 28 pt lines, title 二号 (22 pt).
_CSS = """
@page {{ size: A4; margin: 37mm 26mm 35mm 28mm;
        @bottom-center {{ content: "— " counter(page) " —"; font-family: {body}; font-size: 14pt; }} }}
body {{ font-family: {body}; font-size: 16pt; line-height: 28pt; color: #000; }}
.masthead {{ color: #d00; text-align: center; font-family: {title}; font-size: 36pt; line-height: 1.2;
            letter-spacing: 2pt; margin: 0 0 12pt; }}
.number {{ text-align: center; margin: 0; }}
.rule {{ border: 0; border-top: 2pt solid #d00; margin: 6pt 0 24pt; }}
h1 {{ font-family: {title}; font-size: 22pt; line-height: 32pt; text-align: center; font-weight: bold;
      margin: 12pt 0 24pt; }}
h2 {{ font-family: {heading}; font-size: 16pt; font-weight: normal; margin: 12pt 0 0; }}
h3 {{ font-family: {subheading}; font-size: 16pt; font-weight: normal; margin: 6pt 0 0; }}
p {{ margin: 0; text-align: justify; }}
p.indent {{ text-indent: 2em; }}
p.bold {{ font-weight: bold; }}
table {{ border-collapse: collapse; width: 100%; margin: 8pt 0 12pt; font-size: 11pt; line-height: 16pt; }}
th, td {{ border: 0.75pt solid #000; padding: 2pt 4pt; text-align: left; vertical-align: top; }}
th {{ font-family: {heading}; font-weight: normal; }}
tr {{ page-break-inside: avoid; }}
td figure {{ margin: 2pt 0; }}
.caption {{ font-size: 12pt; text-align: center; margin: 4pt 0 0; }}
figure {{ margin: 8pt 0 12pt; text-align: center; }}
.date {{ text-align: right; margin-top: 28pt; }}
.issuer {{ text-align: right; margin-top: 28pt; }}
.break {{ page-break-after: always; }}
"""


def render_pdf(document: Document) -> bytes:
    # Imported here: WeasyPrint loads Pango, which only document downloads need.
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    # The HTML is ours and carries its images inline: nothing may reach the network or the file system.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    try:
        return HTML(string=to_html(document), url_fetcher=fetcher).write_pdf()
    except FatalURLFetchingError as refused:  # a BaseException in WeasyPrint: make it an ordinary error
        raise ValueError(f"a document may not fetch outside resources: {refused}") from None


def to_html(document: Document) -> str:
    css = _CSS.format(
        body=fonts.css_family(fonts.BODY_FACES),
        title=fonts.css_family(fonts.TITLE_FACES),
        heading=fonts.css_family(fonts.HEADING_FACES),
        subheading=fonts.css_family(fonts.SUBHEADING_FACES),
    )
    parts = [
        f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><style>{css}</style>"
        f"<title>{_e(document.title)}</title></head><body>"
    ]
    if document.red_header and document.issuer:
        parts.append(f"<p class='masthead'>{_e(document.issuer)}</p>")
        if document.number:
            parts.append(f"<p class='number'>{_e(document.number)}</p>")
        parts.append("<hr class='rule'>")
    parts.append(f"<h1>{_e(document.title)}</h1>")
    for block in document.blocks:
        parts.append(_block_html(block))
    if document.issuer and not document.red_header:
        parts.append(f"<p class='issuer'>{_e(document.issuer)}</p>")
    if document.date:
        parts.append(f"<p class='date'>{_e(chinese_date(document.date))}</p>")
    parts.append("</body></html>")
    return "".join(parts)


def _block_html(block) -> str:
    if isinstance(block, Heading):
        tag = "h2" if block.level <= 1 else "h3"
        return f"<{tag}>{_e(block.text)}</{tag}>"
    if isinstance(block, Paragraph):
        classes = " ".join(name for name, on in (("indent", block.indent), ("bold", block.bold)) if on)
        return f"<p class='{classes}'>{_e(block.text)}</p>"
    if isinstance(block, Table):
        head = "".join(f"<th>{_e(cell)}</th>" for cell in block.header)
        head = f"<thead><tr>{head}</tr></thead>" if block.header else ""
        body = "".join("<tr>" + "".join(f"<td>{_cell_html(cell)}</td>" for cell in row) + "</tr>" for row in block.rows)
        caption = f"<p class='caption'>{_e(block.caption)}</p>" if block.caption else ""
        return f"{caption}<table>{head}<tbody>{body}</tbody></table>"
    if isinstance(block, Image):
        return _figure(block)
    if isinstance(block, PageBreak):
        return "<div class='break'></div>"
    raise TypeError(f"not a document block: {block!r}")


def _cell_html(cell) -> str:
    return _figure(cell) if isinstance(cell, Image) else _e(cell)


def _figure(image: Image) -> str:
    data = base64.b64encode(image.png).decode("ascii")
    caption = (
        "<p class='caption'>" + "<br>".join(_e(line) for line in image.caption.split("\n")) + "</p>"
        if image.caption
        else ""
    )
    return f"<figure><img src='data:image/png;base64,{data}' style='width:{image.width_cm:.2f}cm'>{caption}</figure>"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)
