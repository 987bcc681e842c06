"""The access helpers in jianfu.accounts.scope, on their own."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jianfu.accounts import scope
from jianfu.accounts.models import User
from jianfu.registry.models import App, ImportBatch, Membership, Person, Unit, WorkGroup

pytestmark = pytest.mark.django_db


def test_region_paths(cast):
    assert scope.region_path(cast.admin) is None
    assert scope.region_path(cast.county) == "/330000000000/330100000000/330102000000/"
    assert scope.region_path(AnonymousUser()) == ""
    assert scope.region_path(User(username="x", role="office")) == ""


def test_nobody_without_a_unit_sees_anything(cast):
    lost = User.objects.create(username="lost", role="office")
    assert not scope.scoped(lost, Person).exists() and not scope.scoped(AnonymousUser(), Unit).exists()


def test_scoped_follows_each_models_unit(cast):
    assert set(scope.scoped(cast.county, Membership).values_list("group__code", flat=True)) == {"G1", "G2", "G4"}
    assert set(scope.scoped(cast.outsider, WorkGroup).values_list("code", flat=True)) == {"G3"}


def test_models_outside_the_map_are_refused(cast):
    from django.contrib.sessions.models import Session

    with pytest.raises(LookupError):
        scope.scoped(cast.admin, Session)


def test_get_scoped_or_404(cast):
    assert scope.get_scoped_or_404(cast.county, App, "A1").name == "清波通"
    with pytest.raises(Http404):
        scope.get_scoped_or_404(cast.county, App, "A3")


def test_get_editable_or_404(cast):
    assert scope.get_editable_or_404(cast.department, App, "A1")
    with pytest.raises(PermissionDenied):
        scope.get_editable_or_404(cast.discipline, App, "A1")
    with pytest.raises(Http404):
        scope.get_editable_or_404(cast.outsider, App, "A1")


def test_import_batches_without_scope_belong_to_root_officers(cast):
    assert scope.scoped(cast.province, ImportBatch).exists()
    assert not scope.scoped(cast.county, ImportBatch).exists()


def test_import_scope(cast):
    assert scope.import_scope(cast.admin) is None
    assert scope.import_scope(cast.county).code == "330102000000"
    assert not scope.can_import(cast.discipline) and not scope.can_import(cast.cadre)
