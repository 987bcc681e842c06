"""The public clue form: anyone files, files are cleaned, bad input is refused whole, floods get 429."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from jianfu.audit.models import AuditEvent
from jianfu.clues.models import Clue, Evidence, Message
from jianfu import evidence as files
from tests.cast import COUNTY, SIBLING_TOWNSHIP, TOWNSHIP
from tests.clues.helpers import FORWARDED, GPS_MAKE, pdf_bytes, photo_with_gps, receipt_of, zip_named_jpg

GOOD = {"category": "F1", "region": TOWNSHIP, "description": "镇里要求每晚十点前在群里打卡接龙", "carrier": "G4"}


def stored_bytes(settings) -> list[bytes]:
    return [p.read_bytes() for p in settings.JIANFU_CLUE_FILES.glob("*")] if settings.JIANFU_CLUE_FILES.exists() else []


def test_the_form_opens_for_anyone_and_takes_prefills(cast, as_user):
    for user in (None, cast.cadre, cast.county):
        page = as_user(user).get(f"/clues/new/?region={TOWNSHIP}&carrier=G4&category=F2")
        assert page.status_code == 200
        html = page.content.decode()
        assert f'value="{TOWNSHIP}"' in html and "清波社区网格群" in html
        assert 'value="F2" required checked' in html
        for rule in ("F1 强制使用", "F5 空壳僵尸", "例："):
            assert rule in html


def test_a_clue_with_a_photo_is_filed_and_its_exif_is_gone(cast, reporter, settings):
    response = reporter(
        GOOD,
        files=[("IMG_0001.jpg", photo_with_gps()), ("scan.png", photo_with_gps("PNG"))],
        HTTP_X_FORWARDED_FOR=FORWARDED,
        REMOTE_ADDR="198.51.100.9",
    )
    assert response.status_code == 201, response.content.decode()[:2000]
    receipt = receipt_of(response)
    assert len(receipt.replace("-", "")) >= 16
    clue = Clue.objects.get()
    assert (clue.category, clue.region.code, clue.carrier_code, clue.carrier_text) == (
        "F1",
        TOWNSHIP,
        "G4",
        "清波社区网格群",
    )
    assert clue.receipt_hash != receipt and receipt not in str(Clue.objects.values().get())
    assert Evidence.objects.count() == 2
    for data in stored_bytes(settings):
        assert GPS_MAKE.encode() not in data and b"Exif" not in data and b"GPS" not in data
        image = Image.open(io.BytesIO(data))
        assert not image.getexif() and "xmp" not in image.info
    # The reporter's file name is not kept either; the stored names are random.
    assert not any("IMG_0001" in e.stored_name for e in Evidence.objects.all())
    audit = AuditEvent.objects.get(action="clue.filed")
    assert audit.actor is None and audit.actor_name == "anonymous"
    for text in (FORWARDED, "198.51.100.9", receipt):
        assert text not in str(audit.changes) and text not in str(Clue.objects.values().get())


def test_a_logged_in_visitor_files_without_any_link_to_the_login(cast, as_user, reporter):
    as_user(cast.cadre)
    assert reporter(GOOD).status_code == 201
    audit = AuditEvent.objects.get(action="clue.filed")
    assert audit.actor is None and "cadre" not in audit.actor_name
    assert not [
        f
        for f in Clue._meta.get_fields()
        if getattr(f, "related_model", None) and f.related_model._meta.label == "accounts.User" and f.name != "handler"
    ]
    assert Clue.objects.get().handler is None


def test_a_pdf_is_rewritten_without_its_author(cast, reporter, settings):
    assert reporter(GOOD, files=[("通知.pdf", pdf_bytes())]).status_code == 201
    (data,) = stored_bytes(settings)
    assert data.startswith(b"%PDF") and b"Zhang San" not in data and b"/Author" not in data


@pytest.mark.parametrize(
    ("name", "body", "words"),
    [
        ("photo.jpg", zip_named_jpg(), "不是 JPEG、PNG 图片或 PDF"),
        ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, "不是 JPEG、PNG 图片或 PDF"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"broken" * 50, "图片已损坏"),
        ("notice.pdf", pdf_bytes(javascript=True), "PDF 含有脚本"),
    ],
)
def test_hostile_files_are_refused_and_nothing_is_written(cast, reporter, settings, name, body, words):
    response = reporter(GOOD, files=[("good.jpg", photo_with_gps()), (name, body)])
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Clue.objects.exists() and not Evidence.objects.exists() and not stored_bytes(settings)
    assert not AuditEvent.objects.filter(action="clue.filed").exists()


def test_a_50_mb_upload_is_refused_with_413(cast, reporter, settings):
    big = photo_with_gps() + b"\x00" * (50 * 1024 * 1024)
    response = reporter(GOOD, files=[("huge.jpg", big)])
    assert response.status_code == 413
    assert "10 MB" in response.content.decode()
    assert not Clue.objects.exists() and not stored_bytes(settings)


def test_a_body_too_large_is_refused_before_it_is_read(cast, client):
    response = client.post(
        "/clues/new/", b"x", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=str(60 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert "10 MB" in response.content.decode()


def test_too_many_files(cast, reporter):
    photo = photo_with_gps()
    response = reporter(GOOD, files=[(f"{i}.jpg", photo) for i in range(files.MAX_FILES + 1)])
    assert response.status_code == 400 and "最多上传 5 个文件" in response.content.decode()
    assert not Clue.objects.exists()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"description": "  "}, "请写下发生了什么"),
        ({"region": "999999999999"}, "找不到该地区"),
        ({"category": "F9"}, "请选择问题类别"),
        ({"contact": "12345"}, "11 位手机号"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_written(cast, reporter, fields, words):
    response = reporter({**GOOD, **fields})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Clue.objects.exists()


def test_a_wrong_or_replayed_answer_is_refused(cast, client):
    from tests.clues.helpers import solve

    solved = solve(client.get("/clues/new/").content.decode())
    wrong = {**GOOD, **solved, "answer": str(int(solved["answer"]) + 1)}
    assert client.post("/clues/new/", wrong).status_code == 400
    assert client.post("/clues/new/", {**GOOD, **solved}).status_code == 201
    replay = client.post("/clues/new/", {**GOOD, **solved})
    assert replay.status_code == 400 and "验证题" in replay.content.decode()
    assert Clue.objects.count() == 1


def test_a_flood_gets_429_without_keeping_the_address(cast, reporter, settings):
    from jianfu.accounts.models import RateCounter, RateHit

    settings.JIANFU_CLUE_POSTS_PER_HOUR = 3
    codes = [reporter(GOOD, REMOTE_ADDR="198.51.100.20").status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    limited = reporter(GOOD, REMOTE_ADDR="198.51.100.20")
    assert "一小时后再试" in limited.content.decode() and limited["Retry-After"]
    # Another sender is not held back by the first one's flood.
    assert reporter(GOOD, REMOTE_ADDR="198.51.100.21").status_code == 201
    keys = " ".join(
        [*RateCounter.objects.values_list("key", flat=True), *RateHit.objects.values_list("key", flat=True)]
    )
    assert "198.51.100" not in keys


def test_the_region_can_be_typed_by_name(cast, reporter):
    response = reporter({**GOOD, "region": "", "region_name": "清波街道"})
    assert response.status_code == 201
    assert Clue.objects.get().region.code == TOWNSHIP


def test_the_region_tree_and_carrier_suggestions(cast, client):
    roots = client.get("/clues/regions/").json()["results"]
    assert [r["code"] for r in roots] == ["330000000000"]
    counties = client.get(f"/clues/regions/?parent={'330100000000'}").json()["results"]
    assert COUNTY in [r["code"] for r in counties]
    found = client.get("/clues/regions/?q=米市巷").json()["results"]
    assert found[0]["code"] == SIBLING_TOWNSHIP and "拱墅区" in found[0]["label"]
    carriers = client.get(f"/clues/carriers/?region={TOWNSHIP}&q=网格").json()["results"]
    assert carriers == [{"code": "G4", "name": "清波社区网格群", "kind": "工作群"}]
    # Names only: never members, and nothing outside the region.
    assert client.get(f"/clues/carriers/?region={TOWNSHIP}&q=拱墅").json()["results"] == []


def test_the_reporter_tracks_and_replies(cast, reporter, client):
    receipt = receipt_of(reporter(GOOD))
    page = client.post("/clues/track/", {"receipt": receipt.lower().replace("-", " ")})
    assert page.status_code == 200 and "待受理" in page.content.decode()
    reply = client.post("/clues/track/", {"receipt": receipt, "text": "补充：每晚都要接龙"})
    assert reply.status_code == 200 and "补充：每晚都要接龙" in reply.content.decode()
    assert Message.objects.get().sender == "reporter"
    assert client.post("/clues/track/", {"receipt": "AAAA-BBBB-CCCC-DDDD-EEEE"}).status_code == 404
    assert client.get("/clues/track/").status_code == 200


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_the_public_pages_speak_the_chosen_language(cast, client, reporter, language):
    import re

    import opencc

    receipt = receipt_of(reporter(GOOD))
    client.cookies["django_language"] = language
    pages = [
        client.get(f"/clues/new/?region={TOWNSHIP}"),
        client.get("/clues/track/"),
        client.post("/clues/track/", {"receipt": receipt}),
    ]
    data = {"浙江省", "杭州市", "上城区", "清波街道", "简体中文", "繁體中文", "减", GOOD["description"]}
    to_taiwan = opencc.OpenCC("s2tw")
    for page in pages:
        text = re.sub(r"<[^>]+>", " ", page.content.decode())
        words = set(re.findall(r"[\u4e00-\u9fff][^\s<>]*", text)) - data
        if language == "en":
            assert not words, words
        else:
            assert not [w for w in words if to_taiwan.convert(w) != w]


def test_uploads_never_touch_the_temporary_folder(cast, reporter, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    (tmp_path / "spool").mkdir()
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # Django would spool anything larger to FILE_UPLOAD_TEMP_DIR
    seen = []
    import os

    real_open = os.open

    def watching(path, *args, **kwargs):
        seen.append(str(path))
        return real_open(path, *args, **kwargs)

    os.open = watching
    try:
        assert reporter(GOOD, files=[("big.jpg", photo_with_gps() + b"\x00" * 300_000)]).status_code == 201
    finally:
        os.open = real_open
    assert not [p for p in seen if "spool" in p] and not list((tmp_path / "spool").iterdir())


def test_a_department_code_prefills_its_region(cast, client, reporter):
    from tests.cast import BUREAU, COUNTY

    page = client.get(f"/clues/new/?region={BUREAU}&carrier=A1").content.decode()
    assert f'value="{COUNTY}"' in page and "清波通" in page
    assert reporter({**GOOD, "region": BUREAU, "carrier": "A1"}).status_code == 201
    clue = Clue.objects.get()
    assert clue.region.code == COUNTY and clue.carrier_code == "A1"
