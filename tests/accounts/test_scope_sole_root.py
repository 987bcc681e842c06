"""The region scope under the one root unit: no path test left, the same rows as the prefix test."""

import pytest

from jianfu.accounts import scope
from jianfu.registry.models import App, Form, Person, PublicAccount, Unit, WorkGroup

pytestmark = pytest.mark.django_db

OWNED = {WorkGroup: "owner", App: "owner", PublicAccount: "owner", Form: "issuer", Person: "unit"}


def prefix_scoped(user, model):
    return set(
        model.objects.filter(**{f"{OWNED[model]}__path__startswith": user.unit.path}).values_list("pk", flat=True)
    )


def test_the_root_office_lists_without_a_path_test_and_sees_the_same(cast):
    for model in OWNED:
        qs = scope.scoped(cast.province, model)
        assert '"path"' not in str(qs.query), model
        assert set(qs.values_list("pk", flat=True)) == prefix_scoped(cast.province, model), model
    # A county office keeps its path test, and its rows.
    county = scope.scoped(cast.county, WorkGroup)
    assert '"path"' in str(county.query)
    assert set(county.values_list("pk", flat=True)) == prefix_scoped(cast.county, WorkGroup)


def test_a_second_root_brings_the_path_test_back(cast):
    Unit.objects.create(code="440000000000", name="广东省", level="province", path="/440000000000/")
    qs = scope.scoped(cast.province, WorkGroup)
    assert '"path"' in str(qs.query)
    assert set(qs.values_list("pk", flat=True)) == prefix_scoped(cast.province, WorkGroup)


def test_a_cadre_at_the_root_still_sees_the_root_unit_only(cast):
    from jianfu.accounts.models import Role
    from tests.cast import make_user

    cadre = make_user("root-cadre", cast.province.unit.code, Role.CADRE)
    assert '"path"' in str(scope.scoped(cadre, WorkGroup).query)
