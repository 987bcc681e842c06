"""Every filing page, tried by an officer in scope, an officer of another county (404) and an anonymous visitor
(sent to /login/)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from jianfu.filings import actions
from jianfu.filings.models import Filing, Proposal, RegionPolicy
from jianfu.inbox.api import notify
from jianfu.inbox.models import Message
from tests.cast import COUNTY, SIBLING
from tests.proposals import make_proposal

pytestmark = pytest.mark.django_db
ALL_YES = {"criterion_1": "yes", "criterion_4": "yes"}


@pytest.fixture
def filed(cast, city):
    proposal = make_proposal(cast.department)
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    actions.do_approve_proposal(proposal, step=0, criteria={"1": "yes", "4": "yes"}, acting_user=cast.county)
    actions.do_approve_proposal(proposal, step=1, criteria={"1": "yes", "4": "yes"}, acting_user=city)
    return Filing.objects.get(proposal=proposal)


def urls(proposal: Proposal, filing: Filing) -> list[str]:
    return [
        "/filings/",
        "/filings/?tab=review",
        "/filings/?tab=decided",
        "/filings/?tab=expiring",
        "/filings/?tab=catalog",
        "/filings/?tab=offcatalog&kind=groups",
        "/filings/new/apps/",
        f"/filings/proposals/{proposal.code}/",
        f"/filings/proposals/{proposal.code}/edit/",
        f"/filings/records/{filing.number}/",
        "/filings/export.xlsx",
        "/filings/people/?q=P",
        "/filings/policy/",
        "/inbox/",
    ]


def test_anonymous_visitors_are_sent_to_login(client, cast, filed):
    draft = make_proposal(cast.department, "groups")
    for url in urls(draft, filed):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    for url in (
        f"/filings/proposals/{draft.code}/submit/",
        f"/filings/records/{filed.number}/renew/",
        f"/filings/records/{filed.number}/renewal/",
        "/inbox/read-all/",
    ):
        assert client.post(url).status_code == 302
    assert Proposal.objects.get(pk=draft.pk).status == "draft"


def test_every_page_opens_for_an_officer_in_scope(cast, filed, as_user):
    draft = make_proposal(cast.department, "groups")
    client = as_user(cast.department)
    for url in urls(draft, filed):
        assert client.get(url).status_code == 200, url
    client = as_user(cast.county)
    for url in urls(draft, filed):
        assert client.get(url).status_code == 200, url


def test_an_officer_of_another_county_gets_404(cast, filed, as_user):
    draft = make_proposal(cast.department, "groups")
    client = as_user(cast.outsider)
    for url in (
        f"/filings/proposals/{draft.code}/",
        f"/filings/proposals/{draft.code}/edit/",
        f"/filings/records/{filed.number}/",
        f"/filings/policy/?region={COUNTY}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/filings/proposals/{draft.code}/submit/",
        f"/filings/proposals/{draft.code}/comment/",
        f"/filings/records/{filed.number}/renew/",
        f"/filings/records/{filed.number}/renewal/",
    ):
        assert client.post(url, {"text": "x", "until": "2099-01-01", "reason": "x"}).status_code == 404, url
    assert Proposal.objects.get(pk=draft.pk).status == "draft"
    listing = client.get("/filings/?tab=catalog").content.decode()
    assert filed.number not in listing
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/filings/export.xlsx").content)).active
    assert sheet.max_row == 1  # the header only
    assert client.get("/filings/policy/").status_code == 200  # their own region


def test_create_save_and_submit_through_the_form(cast, as_user):
    client = as_user(cast.department)
    form = {
        "name": "上城区养老服务补贴申领系统",
        "category": "app",
        "functions": "补贴申领、资格审核",
        "description": "老年人在线申领养老服务补贴",
        "justification": "减少群众跑腿",
        "expected_users": "约 3000 人",
        "why_not_existing": "现有平台无申领流程",
        "shared_data": "发放名单共享给财政局",
        "submit": "1",
    }
    response = client.post("/filings/new/apps/", form)
    proposal = Proposal.objects.get(name="上城区养老服务补贴申领系统")
    assert response["Location"] == f"/filings/proposals/{proposal.code}/"
    assert proposal.status == "in_review" and proposal.owner.code == "330102000001"
    page = client.get(response["Location"]).content.decode()
    assert "自动预审" in page and "五项审核标准" in page
    assert proposal.code in as_user(cast.county).get("/filings/?tab=review").content.decode()


def test_the_form_refuses_a_forced_feature_at_submission(cast, as_user):
    client = as_user(cast.department)
    form = {
        "name": "上城先锋",
        "category": "app",
        "functions": "学习",
        "description": "党员学习积分",
        "forced_features": ["积分排名"],
        "justification": "学习",
        "expected_users": "党员",
        "submit": "1",
    }
    response = client.post("/filings/new/apps/", form, follow=True)
    proposal = Proposal.objects.get(name="上城先锋")
    assert proposal.status == "draft"
    page = response.content.decode()
    assert "提交被拒绝" in page and "积分排名" in page and 'data-severity="refuse"' in page


def test_the_form_checks_members_and_dates(cast, as_user):
    client = as_user(cast.department)
    form = {
        "name": "新群",
        "platform": "微信",
        "nature": "temporary",
        "purpose": "防汛",
        "members": "P1\nP9\nP4",
        "justification": "x",
        "expected_users": "x",
    }
    response = client.post("/filings/new/groups/", form)
    errors = response.context["form"].errors
    assert "task_end_date" in errors and "P9" in str(errors["members"]) and "P4" in str(errors["members"])


def _post_members_file(client, path, name):
    with path.open("rb") as handle:
        return client.post(
            "/filings/new/groups/",
            {
                "name": name,
                "platform": "微信",
                "nature": "standing",
                "purpose": "网格",
                "justification": "x",
                "expected_users": "x",
                "members_file": handle,
            },
            follow=True,
        )


def test_a_members_file_is_read(cast, as_user, tmp_path):
    from tests.builders import write_xlsx

    path = write_xlsx(
        tmp_path / "成员.xlsx",
        [["群编号", "姓名", "手机号"], ["X", "张三", "13812345678"], ["X", "王五", "13712345678"]],
    )
    _post_members_file(as_user(cast.county), path, "上传群")
    assert Proposal.objects.get(name="上传群").details["members"] == ["P1", "P3"]


def test_a_phone_confirms_only_people_the_proposer_may_see(cast, as_user, tmp_path):
    # The bureau sees its own unit only: county cadres it may pick by code, never find by name + phone.
    from tests.builders import write_xlsx

    right = write_xlsx(tmp_path / "对.xlsx", [["群编号", "姓名", "手机号"], ["X", "张三", "13812345678"]])
    wrong = write_xlsx(tmp_path / "错.xlsx", [["群编号", "姓名", "手机号"], ["X", "张三", "13800005678"]])
    client = as_user(cast.department)
    answers = []
    for path in (right, wrong):
        response = _post_members_file(client, path, path.stem)
        members = Proposal.objects.get(name=path.stem).details["members"]
        answers.append((members, [str(m) for m in response.context["messages"]]))
    assert answers[0] == answers[1]
    assert answers[0][0] == [] and any("1 人在本地区人员台账中找不到" in m for m in answers[0][1])


def test_review_actions_through_the_pages(cast, submitted, city, as_user):
    client = as_user(cast.county)
    url = f"/filings/proposals/{submitted.code}/"
    assert 'id="review"' in client.get(url).content.decode()
    assert 'id="review"' not in as_user(cast.department).get(url).content.decode()
    as_user(cast.county).post(url + "approve/", {"step": 0, **ALL_YES})
    submitted.refresh_from_db()
    assert submitted.current_step == 1
    # A second click on the stale page changes nothing and says why.
    response = as_user(cast.county).post(url + "approve/", {"step": 0, **ALL_YES}, follow=True)
    assert "其他审核人" in response.content.decode()
    as_user(city).post(url + "reject/", {"step": 1, "reason": "与民政统计平台重复建设"})
    submitted.refresh_from_db()
    assert submitted.status == "rejected" and submitted.decision_reason == "与民政统计平台重复建设"
    assert submitted.code in as_user(city).get("/filings/?tab=decided").content.decode()
    assert as_user(city).get(url + "frobnicate/", {}).status_code == 405
    assert as_user(city).post(url + "frobnicate/").status_code == 404


def test_the_filing_page_renewal_and_export(cast, filed, as_user):
    client = as_user(cast.department)
    page = client.get(f"/filings/records/{filed.number}/").content.decode()
    assert filed.number in page and "申请续期" in page
    until = (filed.expires_on + dt.timedelta(days=365)).isoformat()
    client.post(f"/filings/records/{filed.number}/renew/", {"until": until, "reason": "继续使用"})
    assert filed.renewals.get().status == "pending"
    city = filed.proposal.events.filter(action="approved", step=1).get().actor
    as_user(city).post(f"/filings/records/{filed.number}/renewal/", {"decision": "approve", "reason": "同意"})
    filed.refresh_from_db()
    assert filed.expires_on.isoformat() == until
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/filings/export.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("备案号", "类型", "台账编号") and rows[1][0] == filed.number


def test_expiring_and_offcatalog_tabs(cast, filed, as_user):
    client = as_user(cast.county)
    assert filed.number not in client.get("/filings/?tab=expiring&days=30").content.decode()
    assert filed.number in client.get("/filings/?tab=expiring&days=400").content.decode()
    page = client.get("/filings/?tab=offcatalog&kind=apps").content.decode()
    assert "清波通" in page and "拱墅通" not in page and filed.item_code not in page


def test_people_search_covers_the_proposers_county_only(cast, as_user):
    assert "张三" in as_user(cast.county).get("/filings/people/?q=张").content.decode()
    # A county department picks members from the whole county, not just its own staff.
    assert "张三" in as_user(cast.department).get("/filings/people/?q=张").content.decode()
    assert "张三" not in as_user(cast.outsider).get("/filings/people/?q=张").content.decode()
    assert "赵六" in as_user(cast.outsider).get("/filings/people/?q=赵").content.decode()
    assert "张三" not in as_user(cast.cadre).get("/filings/people/?q=张").content.decode()


def test_region_policy_page(cast, city, as_user):
    # The level above sets a region's rules: the city for the county, never the county for itself.
    form = {"route_apps": ["county", "city", "province"], "days_groups": 180, "remind_days": 15}
    assert as_user(cast.county).post(f"/filings/policy/?region={COUNTY}", form).status_code == 403
    response = as_user(city).post(f"/filings/policy/?region={COUNTY}", form)
    assert response.status_code == 302
    policy = RegionPolicy.objects.get(region__code=COUNTY)
    assert policy.routes == {"apps": ["county", "city", "province"]} and policy.valid_days == {"groups": 180}
    assert as_user(cast.department).post(f"/filings/policy/?region={COUNTY}", {"remind_days": 3}).status_code == 403
    assert as_user(cast.county).get(f"/filings/policy/?region={SIBLING}").status_code == 404
    page = as_user(cast.province).get(f"/filings/policy/?region={COUNTY}").content.decode()
    assert "上城区" in page and "省 →" not in page


def test_the_inbox_shows_only_ones_own_messages(cast, as_user):
    mine = notify([cast.department], "待办", "正文", url="/filings/", email=False)[0]
    other = notify([cast.county], "别人的", "正文", email=False)[0]
    client = as_user(cast.department)
    page = client.get("/inbox/").content.decode()
    assert "待办" in page and "别人的" not in page
    assert client.post(f"/inbox/{other.uid}/").status_code == 404
    assert client.post(f"/inbox/{mine.uid}/")["Location"] == "/filings/"
    assert Message.objects.get(pk=mine.pk).read_at is not None
    client.post("/inbox/read-all/")
    assert Message.objects.get(pk=other.pk).read_at is None


@pytest.mark.parametrize(
    "kind, form",
    [
        (
            "platforms",
            {"name": "上城区养老数据平台", "functions": "数据汇聚、补贴核算", "description": "汇聚养老服务数据"},
        ),
        ("accounts", {"name": "上城养老", "platform": "微信公众号", "description": "养老政策发布"}),
        (
            "forms",
            {
                "name": "养老补贴季报",
                "frequency": "quarter",
                "respondent_level": "township",
                "channel": "系统",
                "fields_text": "补贴人数，人\n补贴金额（万元）",
            },
        ),
    ],
)
def test_every_kind_can_be_proposed_through_its_form(cast, as_user, kind, form):
    client = as_user(cast.department)
    assert client.get(f"/filings/new/{kind}/").status_code == 200
    response = client.post(
        f"/filings/new/{kind}/",
        {**form, "justification": "需要", "expected_users": "干部", "shared_data": "共享给大数据中心", "submit": "1"},
    )
    proposal = Proposal.objects.get(name=form["name"])
    assert response.status_code == 302 and proposal.kind == kind and proposal.status == "in_review"
    if kind == "forms":
        assert proposal.details["fields"] == [
            {"name": "补贴人数", "unit": "人", "data_type": ""},
            {"name": "补贴金额(万元)", "unit": "", "data_type": ""},
        ]
    if kind == "platforms":
        assert proposal.details["category"] == "platform"
    assert as_user(cast.department).get("/filings/new/nonsense/").status_code == 404


def test_a_members_file_over_the_daily_lookup_limit_is_not_read(cast, as_user, tmp_path, settings):
    from jianfu.audit.models import AuditEvent
    from tests.builders import write_xlsx

    settings.JIANFU_PHONE_LOOKUPS_PER_DAY = 1
    path = write_xlsx(
        tmp_path / "成员.xlsx",
        [["群编号", "姓名", "手机号"], ["X", "张三", "13812345678"], ["X", "王五", "13712345678"]],
    )
    response = _post_members_file(as_user(cast.county), path, "上传群")
    assert Proposal.objects.get(name="上传群").details["members"] == []
    assert any("已达上限" in str(m) for m in response.context["messages"])
    event = AuditEvent.objects.get(action="phone_lookup_refused")
    assert event.actor == cast.county and event.changes["lookups"] == [None, 2]
