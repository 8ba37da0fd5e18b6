"""The PDF helper: Chinese and English text, tables, page numbers, escaping, reproducibility."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from credit.pdf import Document, Facts, Gap, Heading, PageBreak, Paragraph, Table, render_pdf


def text_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def letter(language: str = "zh", rows: int = 2) -> Document:
    return Document(
        title="催款函" if language == "zh" else "Demand letter",
        language=language,
        footer="creditflow · 上海示例贸易有限公司",
        blocks=[
            Paragraph("致：上海示例贸易有限公司\n财务部"),
            Heading("逾期发票" if language == "zh" else "Overdue invoices"),
            Facts([("客户", "上海示例贸易有限公司"), ("逾期金额", "CNY 12,345.67")]),
            Table(
                ["发票号", "到期日", "未付金额"],
                [[f"INV-{i:04d}", "2026-01-31", "1,234.56"] for i in range(rows)],
                numeric=(2,),
                widths=(0.4, 0.3, 0.3),
            ),
            Gap(6),
            Paragraph("2026年3月2日", align="right"),
        ],
    )


def test_chinese_and_latin_text_come_out_of_the_pdf():
    pdf = render_pdf(letter())
    assert pdf.startswith(b"%PDF-")
    (page,) = text_of(pdf)
    for expected in (
        "催款函",
        "致：上海示例贸易有限公司",
        "财务部",
        "逾期金额",
        "CNY 12,345.67",
        "INV-0001",
        "2026年3月2日",
        "第 1 页",
        "creditflow · 上海示例贸易有限公司",
    ):
        assert expected in page


def test_text_is_plain_never_markup():
    pdf = render_pdf(Document("Letter", [Paragraph("<b>bold & </b><br/>")], language="en"))
    (page,) = text_of(pdf)
    assert "<b>bold & </b><br/>" in page
    assert "Page 1" in page


def test_the_same_document_gives_the_same_bytes():
    assert render_pdf(letter()) == render_pdf(letter())
    assert render_pdf(letter()) != render_pdf(letter("en"))


def test_long_tables_continue_on_numbered_pages_with_their_header():
    pages = text_of(render_pdf(letter(rows=120)))
    assert len(pages) >= 3
    assert all("发票号" in page for page in pages[:-1])
    assert f"第 {len(pages)} 页" in pages[-1]
    assert "INV-0119" in pages[-1]


def test_a_page_break_starts_a_new_page():
    pdf = render_pdf(Document("T", [Paragraph("one"), PageBreak(), Paragraph("two")], "en"))
    assert [("one" in p, "two" in p) for p in text_of(pdf)] == [(True, False), (False, True)]


def test_anything_else_is_not_a_block():
    with pytest.raises(TypeError):
        render_pdf(Document("T", ["just a string"]))
