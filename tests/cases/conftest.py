"""The shared cast with findings analysed, a second county office and a helper that opens a case."""

import datetime as dt

import pytest
from django.utils import timezone

from jianfu.accounts.models import Role
from jianfu.cases import actions
from jianfu.findings.models import Finding
from jianfu.findings.running import run_and_store
from jianfu.registry.models import Unit
from tests.cast import BUREAU, COUNTY, make_user


@pytest.fixture
def world(cast):
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    cast.county2 = make_user("county2", COUNTY, Role.OFFICE)
    cast.bureau2 = make_user("bureau2", BUREAU, Role.DEPARTMENT)
    for user in (cast.department, cast.bureau2, cast.county, cast.discipline, cast.province):
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])
    cast.finding = own_finding()
    cast.bureau = Unit.objects.get(code=BUREAU)
    return cast


def own_finding() -> Finding:
    """A finding about the bureau's own app A1 only (forced check-in)."""
    return Finding.objects.get(type="forced_feature", rule="F1", items=["A1"])


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def open_case(world):
    def make(finding=None, by=None, days=10):
        return actions.do_open_case(
            finding or world.finding, world.bureau, "取消打卡签到功能", in_days(days), acting_user=by or world.county
        )

    return make


@pytest.fixture
def token_of(settings):
    """token_of(user) → the Authorization headers of a fresh API token of that user (None: no header)."""
    from jianfu.api.tokens import do_create_token

    settings.JIANFU_API_RATE_PER_MINUTE = 100_000

    def make(user):
        if user is None:
            return {}
        return {"Authorization": f"Bearer {do_create_token(user, acting_user=user)[1]}"}

    return make
