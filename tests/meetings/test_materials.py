"""Materials (配付資料): files under their own label and audience, TLP:AMBER by default, the
type read from the content, stored outside the static and media roots and served only by
the view that asks `sharing` — 404 to everyone else, whatever they guess."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.services import token_issue
from apps.meetings.materials import material_upload
from apps.meetings.models import Material, MeetingStatus
from tests.meetings.test_meetings import make_meetings, make_series

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pptx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("ppt/presentation.xml", "<p:presentation/>")
    return buffer.getvalue()


@pytest.fixture
def meeting(community):
    return make_meetings(make_series(community), 1)[0]


def upload_url(meeting):
    return reverse("meetings:material_upload", args=[meeting.community.slug, meeting.pk])


def post(client, meeting, name, content, **extra):
    data = {"file": SimpleUploadedFile(name, content), "title": "", "tlp": "AMBER",
            "organizations": [], **extra}
    return client.post(upload_url(meeting), data)


def test_the_picker_starts_at_amber_for_a_non_public_material(client_for, alice, meeting):
    page = client_for(alice).get(upload_url(meeting)).content.decode()
    assert 'name="tlp" value="AMBER" checked' in page


@pytest.mark.parametrize(("name", "content"), [
    ("資料.pdf", PDF), ("slides.pptx", pptx()), ("agenda.txt", "議題一覧\n".encode()),
    ("data.csv", b"a,b\n1,2\n")])
def test_a_file_whose_content_matches_its_name_is_shared(client_for, alice, bob, carol,
                                                         meeting, org_b, name, content):
    response = post(client_for(alice), meeting, name, content, organizations=[org_b.pk])
    assert response.status_code == 302, response.content.decode()[:3000]
    material = Material.objects.get()
    assert (material.filename, material.size, material.tlp) == (name, len(content), "AMBER")
    stored = Path(material.file.path)
    assert stored.read_bytes() == content
    assert Path(settings.PRIVATE_MEDIA_ROOT) in stored.parents
    assert Path(settings.STATIC_ROOT) not in stored.parents
    assert Path(settings.MEDIA_ROOT) not in stored.parents
    download = material.get_download_url()
    for reader in (alice, bob):  # the author's Alpha, and Beta which was chosen
        response = client_for(reader).get(download)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
        assert "attachment" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(carol).get(download).status_code == 404  # Gamma was not chosen


@pytest.mark.parametrize(("name", "content", "message"), [
    ("slides.pdf", b"MZ\x90\x00" + b"\x00" * 200, "is not a .pdf file"),
    ("slides.pptx", PDF, "is not a .pptx file"),
    ("notes.txt", b"\x00\x01\x02binary", "is not a .txt file"),
    ("tool.exe", b"MZ\x90\x00" + b"\x00" * 200, "are not accepted"),
    ("empty.pdf", b"", "The file is empty"),
])
def test_a_file_that_is_not_what_its_name_says_is_refused(client_for, alice, meeting, name,
                                                         content, message):
    before = set(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*"))
    response = post(client_for(alice), meeting, name, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Material.objects.exists()
    assert set(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*")) == before


def test_the_size_limit_is_configurable(client_for, alice, meeting, settings):
    settings.MATERIAL_MAX_BYTES = 1024
    response = post(client_for(alice), meeting, "big.pdf", PDF + b"0" * 2000)
    assert response.status_code == 400
    assert "materials may be at most 1.0\xa0KB" in response.content.decode()
    assert not Material.objects.exists()


def test_a_refused_audience_leaves_no_file_behind(alice, outsider, meeting):
    before = set(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*"))
    with pytest.raises(Exception):  # noqa: B017 - the outsider is refused by sharing
        material_upload(meeting=meeting, author=alice, title="x", tlp="RED", users=[outsider],
                        upload=SimpleUploadedFile("a.pdf", PDF))
    assert set(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*")) == before
    assert not Material.objects.exists()


def test_outside_the_audience_there_is_no_trace(client_for, client, alice, carol, outsider,
                                                meeting):
    material = material_upload(meeting=meeting, author=alice, title="非公開資料",
                               upload=SimpleUploadedFile("secret.pdf", PDF), tlp="AMBER",
                               organizations=[])
    for reader in (carol, outsider):
        browser = client_for(reader)
        assert browser.get(material.get_download_url()).status_code == 404
        assert browser.get(f"/api/v1/materials/{material.pk}/").status_code == 404
        assert str(material.pk) not in browser.get("/api/v1/materials/").content.decode()
    page = client_for(carol).get(meeting.get_absolute_url()).content.decode()
    assert "非公開資料" not in page and str(material.pk) not in page
    response = client.get(material.get_download_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # Another community's address for the same id is no way in either.
    assert client_for(alice).get(
        f"/c/ict-isac/meetings/materials/{material.pk}/download/").status_code == 404


def test_scripts_download_with_a_token(client, alice, meeting):
    material = material_upload(meeting=meeting, author=alice, title="資料",
                               upload=SimpleUploadedFile("a.pdf", PDF), tlp="GREEN")
    _token, key = token_issue(user=alice, name="script")
    response = client.get(material.get_download_url(), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    data = client.get(f"/api/v1/materials/{material.pk}/",
                      HTTP_AUTHORIZATION=f"Token {key}").json()
    assert data["download_url"].endswith(material.get_download_url())
    assert data["content_type"] == "application/pdf" and data["size"] == len(PDF)
    assert client.get(material.get_download_url(),
                      HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_a_cancelled_meeting_takes_no_material(client_for, alice, meeting):
    meeting.status = MeetingStatus.CANCELLED
    meeting.save()
    response = post(client_for(alice), meeting, "a.pdf", PDF)
    assert response.status_code == 400 and "was cancelled" in response.content.decode()


def test_observers_read_but_do_not_share(client_for, olive, meeting):
    response = post(client_for(olive), meeting, "a.pdf", PDF)
    assert response.status_code in (400, 403)
    assert "do not share" in response.content.decode()
    assert not Material.objects.exists()


def test_the_author_removes_a_material_and_its_file(client_for, alice, bob, meeting,
                                                   django_capture_on_commit_callbacks):
    material = material_upload(meeting=meeting, author=alice, title="資料",
                               upload=SimpleUploadedFile("a.pdf", PDF), tlp="GREEN")
    path = Path(material.file.path)
    delete = reverse("meetings:material_delete", args=[meeting.community.slug, material.pk])
    assert client_for(bob).post(delete).status_code == 403
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(alice).post(delete).status_code == 302
    assert not Material.objects.exists() and not path.exists()


def test_the_meeting_page_lists_materials_in_a_fixed_number_of_queries(client_for, alice,
                                                                     meeting):
    client = client_for(alice)

    def queries_for(count):
        for index in range(count):
            material_upload(meeting=meeting, author=alice, title=f"資料{index}",
                            upload=SimpleUploadedFile(f"{index}.pdf", PDF), tlp="GREEN")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(meeting.get_absolute_url()).status_code == 200
        return len(captured)

    assert queries_for(1) == queries_for(6)
