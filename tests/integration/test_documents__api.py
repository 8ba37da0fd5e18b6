"""Credit-file documents: type read from the content, 20 MB at most, stored outside the rows."""

from __future__ import annotations

import hashlib
import io

import pytest
from flow import new_customer
from support import Api, dispose_test_app, make_test_app

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
LIMIT = 20 * 1024 * 1024


@pytest.fixture
def app(database_url, tmp_path):
    app = make_test_app(database_url, documents_dir=str(tmp_path / "documents"))
    yield app
    dispose_test_app(app)


@pytest.fixture
def api(app):
    return Api(app.test_client())


def upload(api, user, cid, content, name="file.pdf", kind="audited_statement", **fields):
    data = {"file": (io.BytesIO(content), name), "kind": kind, **fields}
    return api.post(
        user, f"/api/v1/customers/{cid}/documents", data=data, content_type="multipart/form-data"
    )


@pytest.mark.parametrize(
    ("content", "name", "mime"),
    [
        (PDF, "statement.pdf", "application/pdf"),
        (PNG, "licence.png", "image/png"),
        (JPEG, "scan.jpeg", "image/jpeg"),
        (PNG, "misnamed.txt", "image/png"),
    ],
)
def test_pdf_png_and_jpeg_are_accepted_by_their_content(app, api, tmp_path, content, name, mime):
    cid = new_customer(api)
    r = upload(api, "sales1", cid, content, name, dated_on="2025-12-31")
    assert r.status_code == 201, r.get_json()
    doc = r.get_json()
    assert {k: doc[k] for k in ("kind", "filename", "size", "sha256", "uploaded_by")} == {
        "kind": "audited_statement",
        "filename": name,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "uploaded_by": "sales1",
    }
    assert doc["at"] and doc["dated_on"] == "2025-12-31" and doc["content_type"] == mime
    stored = tmp_path / "documents" / doc["sha256"][:2] / doc["sha256"][2:4] / doc["sha256"]
    assert stored.read_bytes() == content  # the bytes live outside the database rows
    got = api.get("auditor1", f"/api/v1/documents/{doc['id']}")
    assert (got.status_code, got.data, got.mimetype) == (200, content, mime)
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    listed = api.get("manager1", f"/api/v1/customers/{cid}/documents").get_json()["items"]
    assert [d["id"] for d in listed] == [doc["id"]]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"just text, named like a PDF", "fake.pdf"),
        (b"GIF89a" + b"\x00" * 40, "anim.gif"),
        (b"PK\x03\x04" + b"\x00" * 40, "contract.docx"),
        (b"", "empty.pdf"),
    ],
)
def test_other_types_are_refused_with_415_and_nothing_is_kept(app, api, tmp_path, content, name):
    cid = new_customer(api)
    r = upload(api, "analyst1", cid, content, name)
    assert r.status_code == 415, r.get_json()
    assert r.mimetype == "application/problem+json"
    assert api.get("manager1", f"/api/v1/customers/{cid}/documents").get_json()["items"] == []
    assert not [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]


def test_twenty_megabytes_is_the_limit(app, api):
    cid = new_customer(api)
    exact = PDF + b"0" * (LIMIT - len(PDF))
    assert upload(api, "manager1", cid, exact).status_code == 201
    r = upload(api, "manager1", cid, exact + b"0")
    assert r.status_code == 413, r.get_json()
    r = upload(api, "manager1", cid, exact + b"0" * (2 * 1024 * 1024))
    assert r.status_code == 413


@pytest.mark.parametrize(
    ("user", "fields", "status", "field"),
    [
        ("sales1", {"kind": "selfie"}, 422, "kind"),
        ("sales1", {"kind": ""}, 422, "kind"),
        ("sales1", {"dated_on": "yesterday"}, 422, "dated_on"),
        ("collector1", {}, 403, None),
        ("erp1", {}, 403, None),
    ],
)
def test_bad_uploads_are_refused_naming_the_field(app, api, user, fields, status, field):
    cid = new_customer(api)
    r = upload(api, user, cid, PDF, **{"kind": "contract", **fields})
    assert r.status_code == status, r.get_json()
    if field:
        assert field in r.get_json()["errors"]


def test_no_file_part_and_unknown_ids(app, api):
    cid = new_customer(api)
    r = api.post(
        "sales1",
        f"/api/v1/customers/{cid}/documents",
        data={"kind": "other"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "file" in r.get_json()["errors"]
    assert upload(api, "sales1", 999999, PDF).status_code == 404
    assert api.get("sales1", "/api/v1/documents/999999").status_code == 404
