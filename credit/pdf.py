"""Render plain business documents (letters, reports) to PDF, in Chinese or English.

A document is a title and a list of blocks (headings, paragraphs, label/value facts, tables);
``render_pdf`` lays them out on A4 with page numbers. Every text uses ReportLab's built-in CID
font STSong-Light (Adobe-GB1), which shows Chinese and Latin characters without shipping a font
file: PDF readers supply the glyphs. Texts are plain: they are escaped, never read as markup.
The output is byte-for-byte reproducible for the same document (no creation timestamp).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import PageBreak as _PageBreak
from reportlab.platypus import Paragraph as _Paragraph
from reportlab.platypus import Table as _Table

FONT = "STSong-Light"
MARGIN = 20 * mm
_ALIGN = {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER, "justify": TA_JUSTIFY}
_PAGE_LABEL = {"zh": "第 {n} 页", "en": "Page {n}"}


@dataclass(frozen=True)
class Heading:
    """A section heading."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text; line breaks in the text are kept."""

    text: str
    align: str = "left"


@dataclass(frozen=True)
class Facts:
    """Label / value pairs in two columns (e.g. a customer's profile)."""

    rows: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    """A table with a header row; columns listed in ``numeric`` are right-aligned.

    :param widths: column widths as fractions of the text width (equal columns when empty).
    """

    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: Sequence[int] = ()
    widths: Sequence[float] = ()


@dataclass(frozen=True)
class Gap:
    """Vertical space."""

    height_mm: float = 4


@dataclass(frozen=True)
class PageBreak:
    """Continue on a new page."""


Block = Heading | Paragraph | Facts | Table | Gap | PageBreak


@dataclass(frozen=True)
class Document:
    """What to render: a title, the blocks in order and the page footer.

    :param language: ``zh`` wraps lines between any two characters, ``en`` at spaces.
    """

    title: str
    blocks: Sequence[Block]
    language: str = "zh"
    author: str = "creditflow"
    subject: str = ""
    footer: str = ""


def render_pdf(document: Document) -> bytes:
    """Lay the document out on A4 pages and return the PDF bytes."""
    language = "en" if document.language == "en" else "zh"
    styles = _styles(language)
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=document.title,
        author=document.author,
        subject=document.subject,
        invariant=True,
    )
    width = A4[0] - 2 * MARGIN
    story: list[Flowable] = [_Paragraph(_markup(document.title), styles["title"])]
    for block in document.blocks:
        story.extend(_flowables(block, styles, width))

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, MARGIN / 2, document.footer)
        label = _PAGE_LABEL[language].format(n=doc.page)
        canvas.drawRightString(A4[0] - MARGIN, MARGIN / 2, label)
        canvas.restoreState()

    template.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _flowables(block: Block, styles: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    if isinstance(block, Heading):
        return [_Paragraph(_markup(block.text), styles["heading"])]
    if isinstance(block, Paragraph):
        style = styles["body"]
        if block.align != "left":
            style = ParagraphStyle(
                f"body_{block.align}", parent=style, alignment=_ALIGN[block.align]
            )
        return [_Paragraph(_markup(block.text), style)]
    if isinstance(block, Facts):
        rows = [
            [_Paragraph(_markup(k), styles["label"]), _Paragraph(_markup(v), styles["cell"])]
            for k, v in block.rows
        ]
        return [_grid(rows, [0.32 * width, 0.68 * width], header=False)] if rows else []
    if isinstance(block, Table):
        return [_table(block, styles, width)]
    if isinstance(block, Gap):
        return [Spacer(1, block.height_mm * mm)]
    if isinstance(block, PageBreak):
        return [_PageBreak()]
    raise TypeError(f"not a document block: {block!r}")


def _table(block: Table, styles: dict[str, ParagraphStyle], width: float) -> Flowable:
    columns = len(block.header)
    fractions = list(block.widths) or [1 / columns] * columns
    widths = [f * width for f in fractions]

    def cell(text: str, index: int, head: bool = False) -> _Paragraph:
        name = "head" if head else ("number" if index in block.numeric else "cell")
        return _Paragraph(_markup(text), styles[name])

    rows = [[cell(text, i, head=True) for i, text in enumerate(block.header)]]
    rows += [[cell(str(text), i) for i, text in enumerate(row)] for row in block.rows]
    return _grid(rows, widths, header=True)


def _grid(rows: list[list[Flowable]], widths: list[float], header: bool) -> _Table:
    table = _Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8bec6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")))
    else:
        commands.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f6f7f9")))
    table.setStyle(TableStyle(commands))
    return table


def _markup(text: str) -> str:
    """Escape plain text for ReportLab's paragraph markup; keep line breaks."""
    return escape(str(text)).replace("\n", "<br/>")


@functools.cache
def _styles(language: str) -> dict[str, ParagraphStyle]:
    _register_font()
    wrap = "CJK" if language == "zh" else None
    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, wordWrap=wrap)
    small = ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13)
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=10
        ),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=13, leading=19, spaceBefore=8, spaceAfter=4
        ),
        "body": ParagraphStyle("body", parent=base, spaceAfter=6),
        "label": small,
        "cell": small,
        "head": small,
        "number": ParagraphStyle("number", parent=small, alignment=TA_RIGHT),
    }


@functools.cache
def _register_font() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
