"""CSV invitations: all rows or none, every bad row named with its line number."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.communities.imports import CsvImportError, invitations_import, parse_invitations
from apps.communities.models import Invitation, Membership

pytestmark = pytest.mark.django_db

GOOD = (
    "email,name,organization,role,language\n"
    "one@beta.example.jp,一郎,org-b,member,ja\n"
    "two@gamma.example.jp,Two,Gamma Telecom,observer,en\n"
    "three@alpha.example.jp,三郎,アルファ銀行,advisor,\n"
)


def _errors(community, data: bytes) -> dict[int, str]:
    with pytest.raises(CsvImportError) as caught:
        parse_invitations(community=community, data=data)
    return {error.line: error.message for error in caught.value.errors}


def test_good_file_imports_every_row(community, org_a, org_b, org_c, sec,
                                     django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        invitations = invitations_import(community=community, data=GOOD.encode(),
                                         invited_by=sec)
    assert len(invitations) == 3
    assert {m.user.email: m.role for m in Membership.objects.filter(status="invited")} == {
        "one@beta.example.jp": "member", "two@gamma.example.jp": "observer",
        "three@alpha.example.jp": "advisor"}
    assert Invitation.objects.get(email="three@alpha.example.jp").language == "ja"
    assert len(mailoutbox) == 3


def test_shift_jis_file_from_excel_with_japanese_headers(community, org_a, org_b, sec):
    text = ("メールアドレス,氏名,組織,役割,言語\r\n"
            "sjis@beta.example.jp,山田太郎,ベータ証券,member,ja\r\n")
    invitations = invitations_import(community=community, data=text.encode("cp932"),
                                     invited_by=sec)
    assert invitations[0].name == "山田太郎"
    assert invitations[0].organization == org_b


def test_utf8_with_bom(community, org_b, sec):
    data = ("\ufeff" + "email,organization,role\nbom@beta.example.jp,org-b,member\n").encode()
    assert len(invitations_import(community=community, data=data, invited_by=sec)) == 1


def test_bad_rows_are_all_listed_and_nothing_is_imported(community, org_a, org_b, alice, sec):
    data = (
        "email,name,organization,role,language\n"
        "ok@beta.example.jp,OK,org-b,member,ja\n"        # 2: fine
        "not-an-email,X,org-b,member,ja\n"              # 3: bad e-mail
        "x@beta.example.jp,X,org-b,emperor,ja\n"        # 4: unknown role
        "ok@beta.example.jp,OK,org-b,member,ja\n"        # 5: duplicate of 2
        "y@beta.example.jp,Y,no-such-org,member,ja\n"   # 6: unknown organisation
        f"{alice.email},A,org-a,member,ja\n"           # 7: already a member
        "z@beta.example.jp,Z,org-b,member,fr\n"         # 8: unknown language
    ).encode()
    errors = _errors(community, data)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8]
    assert "not a valid e-mail" in errors[3]
    assert "emperor" in errors[4]
    assert "line 2" in errors[5]
    assert "no-such-org" in errors[6]
    assert "already a member" in errors[7]
    assert "fr" in errors[8]
    with pytest.raises(CsvImportError):
        invitations_import(community=community, data=data, invited_by=sec)
    assert not Invitation.objects.exists()
    assert not Membership.objects.filter(status="invited").exists()


def test_undecodable_file_is_refused(community, sec):
    errors = _errors(community, b"\xff\xfe\x00garbage\x81\xff")
    assert "UTF-8 or Shift_JIS" in errors[0]


def test_missing_columns_are_named(community):
    errors = _errors(community, b"mail_address,who\nx@example.jp,X\n")
    assert "email" in errors[1] and "organization" in errors[1] and "role" in errors[1]


def test_empty_file_is_refused(community):
    errors = _errors(community, b"email,organization,role\n")
    assert errors[0]


def test_failure_midway_leaves_nothing_behind(community, org_b, sec, monkeypatch):
    """Even if something breaks after some rows were written, the transaction undoes them."""
    from apps.communities import imports

    calls = {"n": 0}
    real = imports.invitation_create

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(imports, "invitation_create", flaky)
    data = (b"email,organization,role\n"
            b"a@beta.example.jp,org-b,member\nb@beta.example.jp,org-b,member\n")
    with pytest.raises(RuntimeError):
        invitations_import(community=community, data=data, invited_by=sec)
    assert not Invitation.objects.exists()
    assert not Membership.objects.filter(user__email="a@beta.example.jp").exists()


def test_upload_page_lists_errors_with_line_numbers(community, org_b, sec, client_for):
    upload = SimpleUploadedFile("members.csv",
                                b"email,organization,role\nbad,org-b,member\n",
                                content_type="text/csv")
    response = client_for(sec).post(reverse("communities:import", args=[community.slug]),
                                    {"file": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Preview: nothing has been sent yet" in body
    assert "<td>2</td>" in body
    assert 'name="confirm"' not in body
    assert not Invitation.objects.exists()


def test_upload_page_previews_then_imports_good_file(community, org_a, org_b, org_c, sec,
                                                     client_for):
    client = client_for(sec)
    upload = SimpleUploadedFile("members.csv", GOOD.encode(), content_type="text/csv")
    url = reverse("communities:import", args=[community.slug])
    preview = client.post(url, {"file": upload})
    assert preview.status_code == 200
    assert not Invitation.objects.exists()
    text = preview.context["csv_text"]
    response = client.post(url, {"confirm": "1", "csv_text": text})
    assert response.status_code == 302
    assert Invitation.objects.filter(community=community).count() == 3
