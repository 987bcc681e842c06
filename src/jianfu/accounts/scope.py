"""Region scope: the only door through which views reach registry, findings, filings, jobs and audit objects.

Every office sees its own region and the regions below it (a prefix match on the materialised unit path);
an object outside the viewer's region answers 404, as if it did not exist. Cadres see their own unit only.
"""

from __future__ import annotations

import functools

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from jianfu.accounts.models import Role, User

# Which unit an object belongs to, as a lookup path from the model to Unit (without the trailing "__path").
# Models not listed here are not reachable through the scope helpers at all.
_UNIT_LOOKUPS: dict[str, str] = {
    "registry.unit": "",
    "registry.person": "unit",
    "registry.app": "owner",
    "registry.publicaccount": "owner",
    "registry.workgroup": "owner",
    "registry.form": "issuer",
    "registry.formfield": "form__issuer",
    "registry.membership": "group__owner",
    "registry.importbatch": "unit_scope",
    "jobs.importjob": "unit",
    "audit.auditevent": None,  # filtered on its own path column (see _PATH_COLUMNS)
    "findings.finding": None,
    "findings.runrollup": None,
    "filings.proposal": None,
    "filings.filing": None,
    "clues.clue": None,  # filtered on the region path it arrived with (see _PATH_COLUMNS)
    "accounts.user": "unit",
    "cases.case": "unit",  # the responsible unit: offices above it see the case, and so does the unit itself
    "cases.notice": "unit",
    "cases.noticetemplate": "unit",
    "elements.dataelement": "region",  # shared down: see _SHARED_DOWN
    "elements.heldvalue": "unit",
    "elements.fieldmapping": "field__form__issuer",
    "elements.formissue": "issuer",
    "elements.issuecopy": "respondent",
    "surveys.survey": None,
    "surveys.regioncalibration": None,
    # Survey links and (unnamed) answers belong to the area they were issued in or answered from.
    "surveys.surveylink": "area",
    "surveys.surveyreturn": "area",
    "surveys.carrieranswer": "area",
}

# Catalogs shared below their region: an object is visible in its own region and below it (like everything
# else) and also to every region under it, so a province's catalog serves its counties; a null unit is the
# installation's own catalog, visible to all. Writing still needs the object to be in the writer's own region.
_SHARED_DOWN = {"elements.dataelement"}

# Kinds an officer of a department may change: the carriers its unit owns, not people or units.
CARRIER_MODELS = {"registry.app", "registry.publicaccount", "registry.workgroup", "registry.form"}
EDITOR_ROLES = {Role.ADMIN, Role.OFFICE, Role.DEPARTMENT}
IMPORTER_ROLES = {Role.ADMIN, Role.OFFICE, Role.DEPARTMENT}


# Objects that keep a copy of their unit's path in a column of their own (they outlive or span units).
_PATH_COLUMNS = {
    "audit.auditevent": "unit_path",
    "findings.finding": "owner_path",
    "findings.runrollup": "path",
    "filings.proposal": "owner_path",
    "filings.filing": "owner_path",
    "surveys.survey": "owner_path",
    "surveys.regioncalibration": "owner_path",
    "clues.clue": "region_path",
}
# Objects that name several units' carriers keep every such path in one "|path|path|" column: each of those
# units sees the object (a duplicate-apps finding naming two departments' apps is seen by both). The column is
# the record; the scope reads the same paths from a table with one row per (object, path) and a b-tree on the
# path: (table label, column pointing back at the object).
_MULTI_PATH_COLUMNS = {"findings.finding": "scope_paths"}
_MULTI_PATH_TABLES = {"findings.finding": ("findings.findingpath", "finding_id")}


def _label(model: type[Model]) -> str:
    return model._meta.label_lower


def sees_everything(user: User) -> bool:
    return bool(user.is_authenticated and (user.role == Role.ADMIN or user.is_superuser))


def region_path(user: User) -> str | None:
    """The unit path prefix the user may see; None means everything, '' means nothing."""
    if not user.is_authenticated:
        return ""
    if sees_everything(user):
        return None
    if user.unit_id is None:
        return ""
    return user.unit.path


def prefix_q(column: str, path: str) -> Q:
    """`column` starts with `path`, written so a b-tree on the column serves it: PostgreSQL answers LIKE 'p%'
    from a varchar_pattern_ops index; SQLite's LIKE is case-blind and skips a plain index, so it also gets the
    range [p, p + U+10FFFF) in its binary (code point) order, which holds exactly the strings starting with p."""
    q = Q(**{f"{column}__startswith": path})
    if connection.vendor == "sqlite":
        q &= Q(**{f"{column}__gte": path, f"{column}__lt": path + "\U0010ffff"})
    return q


def _multi_path_filter(qs: QuerySet, label: str, path: str, exact: bool) -> QuerySet:
    """Objects with at least one listed path equal to `path` (exact) or under it, through the path table."""
    if getattr(settings, "JIANFU_BASELINE_QUERIES", False):  # the old substring scan, for the benchmarks only
        needle = f"|{path}|" if exact else f"|{path}"
        return qs.filter(**{f"{_MULTI_PATH_COLUMNS[label]}__contains": needle})
    if not exact and _is_sole_root(path):
        # Every listed path is a unit's path and every unit lies under the one root: the filter would keep all.
        # Skipped, because SQLite answers `id IN (paths under the root)` by first collecting every finding's id
        # (a province's million: 10-17 s a page), where PostgreSQL merges.
        return qs
    table, column = _MULTI_PATH_TABLES[label]
    rows = apps.get_model(table)._default_manager.all()
    rows = rows.filter(path=path) if exact else rows.filter(prefix_q("path", path))
    return qs.filter(pk__in=rows.values(column))


def _sole_root_path() -> str | None:
    """The path of the registry's root unit when there is exactly one (the usual case: a province, a city).

    Asked on every findings list by an office at the root, so never cached (a second root may be imported at any
    time) but written as SQL once: the ORM spent ~0.3 ms of CPU compiling it per request, the query ~0.05 ms."""
    with connection.cursor() as cursor:
        cursor.execute(_roots_sql(connection.vendor))
        roots = cursor.fetchall()
    return roots[0][0] if len(roots) == 1 else None


@functools.cache
def _roots_sql(vendor: str) -> str:
    unit = apps.get_model("registry.Unit")._meta
    q = connection.ops.quote_name
    parent, path = unit.get_field("parent").column, unit.get_field("path").column
    return f"SELECT {q(path)} FROM {q(unit.db_table)} WHERE {q(parent)} IS NULL LIMIT 2"


def covers_every_unit(user: User) -> bool:
    """True when the user's region holds every unit: an administrator, or an office of the one root unit.

    A region filter would then keep every row; an aggregate over a huge table (a province's 30 million
    memberships) may skip it, which SQLite otherwise answers through an IN over every id.
    """
    path = region_path(user)
    if path is None:
        return True
    return bool(path) and user.role != Role.CADRE and _is_sole_root(path)


def _is_sole_root(path: str) -> bool:
    """`path` is the one root unit's (a root's path has a single step, so deeper regions never ask the database)."""
    return path.count("/") == 2 and path == _sole_root_path()


def unit_q(user: User, lookup: str) -> Q:
    """A Q limiting `lookup` (a path from some model to a Unit, '' for Unit itself) to the user's scope."""
    prefix = f"{lookup}__" if lookup else ""
    path = region_path(user)
    if path is None:
        return Q()
    if path == "":
        return Q(pk__in=[])
    if user.role == Role.CADRE:
        # Keep it simple and safe: a cadre sees what belongs to their own unit, not the units below it.
        return Q(**{f"{prefix}path": path})
    if _is_sole_root(path):
        # Every unit lies under the one root, so only "has a unit" is left to test; the planner is then free to
        # walk a list's own order (a province's groups by code: 613 ms through the unit index and a sort, or a walk).
        return Q(**{f"{prefix}isnull": False}) if lookup else Q()
    # Written so that SQLite walks the unit path index from the region's units (a township's 400 groups among a
    # province's million: 420 ms a count as a LIKE scan of every group, a few ms from the index).
    return prefix_q(f"{prefix}path", path)


def shared_q(user: User, lookup: str) -> Q:
    """Own region and below (a cadre: own unit), plus the regions above and the installation-wide catalog."""
    path = region_path(user)
    if path is None:
        return Q()
    if path == "":
        return Q(pk__in=[])
    above = Q(**{f"{lookup}__isnull": True}) | Q(**{f"{lookup}__path__in": ancestor_paths(path)})
    return above | unit_q(user, lookup)


def scoped(user: User, model: type[Model]) -> QuerySet:
    """All objects of `model` inside the user's region."""
    label = _label(model)
    if label not in _UNIT_LOOKUPS:
        raise LookupError(f"{label} is not reachable through the region scope")
    qs = model._default_manager.all()
    lookup = _UNIT_LOOKUPS[label]
    if label in _SHARED_DOWN:
        return qs.filter(shared_q(user, lookup))
    if lookup is None:
        path, column = region_path(user), _PATH_COLUMNS[label]
        if path is None:
            return qs
        if path == "":
            return qs.none()
        if label in _MULTI_PATH_COLUMNS:
            # Paths start and end with "/", so a prefix match finds exactly the listed paths under the region.
            return _multi_path_filter(qs, label, path, exact=user.role == Role.CADRE)
        if user.role == Role.CADRE:
            return qs.filter(**{column: path})
        return qs.filter(**{f"{column}__startswith": path})
    if label == "registry.importbatch":
        # Command-line imports carry no scope; they belong to the whole installation, seen from a root unit.
        q = unit_q(user, lookup)
        if user.is_authenticated and user.unit_id and user.unit.parent_id is None and user.role != Role.CADRE:
            q |= Q(unit_scope__isnull=True)
        return qs.filter(q)
    return qs.filter(unit_q(user, lookup))


def hidden_children(user: User, unit: Model) -> int:
    """How many units directly under `unit` (which the user sees) lie outside the user's scope: a cadre sees
    their own unit only, and its page must say that units exist below it rather than that there are none."""
    from jianfu.registry.models import Unit

    below = Unit.objects.filter(parent=unit)
    return below.count() - below.filter(unit_q(user, "")).count()


def within_unit(model: type[Model], unit) -> QuerySet:
    """Objects of `model` in `unit`'s region (None: all): the scope of work done for an officer without a request,
    such as an import job, which carries the officer's unit, or a proposal's members from its home region."""
    label = _label(model)
    lookup = _UNIT_LOOKUPS.get(label, False)
    if lookup is False:
        raise LookupError(f"{label} is not reachable through the region scope")
    qs = model._default_manager.all()
    if unit is None:
        return qs
    if lookup is None:
        return qs.filter(**{f"{_PATH_COLUMNS[label]}__startswith": unit.path})
    prefix = f"{lookup}__" if lookup else ""
    return qs.filter(**{f"{prefix}path__startswith": unit.path})


def in_region(user: User | None, model: type[Model], unit) -> QuerySet:
    """Objects of `model` the user sees (None: the command line, which sees everything) inside `unit`'s region
    (None: all), by the same rule the user's own scope uses: a finding naming carriers of several units is in
    the region of each of them."""
    qs = scoped(user, model) if user is not None else model._default_manager.all()
    if unit is None:
        return qs
    label = _label(model)
    if label in _MULTI_PATH_COLUMNS:
        return _multi_path_filter(qs, label, unit.path, exact=False)
    return qs & within_unit(model, unit)


def naming_units(model: type[Model], paths) -> QuerySet:
    """Objects of a model that names several units (a finding) listing one of these unit paths exactly.

    The door to findings about one person's *own* carriers (the cadre's page /me/): their owners usually lie
    above the cadre's unit, outside the login's scope, so the page shows such an object reduced to what concerns
    the person's own carriers (kind, rule, status, those carriers' names) and never its other figures."""
    label = _label(model)
    if label not in _MULTI_PATH_TABLES:
        raise LookupError(f"{label} does not name several units")
    table, column = _MULTI_PATH_TABLES[label]
    rows = apps.get_model(table)._default_manager.filter(path__in=sorted(set(paths)))
    return model._default_manager.filter(pk__in=rows.values(column))


def applying_to(model: type[Model], unit) -> QuerySet:
    """Objects kept per region that apply to `unit`: those of its own region and the regions above it (the survey
    calibrations whose parameters set a person's hours), whatever the viewer's scope."""
    label = _label(model)
    if _UNIT_LOOKUPS.get(label, False) is not None or label not in _PATH_COLUMNS:
        raise LookupError(f"{label} is not kept per region path")
    return model._default_manager.filter(**{f"{_PATH_COLUMNS[label]}__in": ancestor_paths(unit.path)})


def visible_from_unit(model: type[Model], unit) -> QuerySet:
    """A shared catalog as an officer of `unit` sees it without a request (an import): own region and below,
    the regions above, and the installation's own entries (None: all)."""
    label = _label(model)
    if label not in _SHARED_DOWN:
        raise LookupError(f"{label} is not a shared catalog")
    qs = model._default_manager.all()
    if unit is None:
        return qs
    lookup = _UNIT_LOOKUPS[label]
    return qs.filter(
        Q(**{f"{lookup}__isnull": True})
        | Q(**{f"{lookup}__path__in": ancestor_paths(unit.path)})
        | Q(**{f"{lookup}__path__startswith": unit.path})
    )


def get_scoped_or_404(user: User, model: type[Model], code: str, *, queryset: QuerySet | None = None) -> Model:
    """The object with this code inside the user's region, or 404 (never 403: out-of-region objects do not exist)."""
    qs = queryset if queryset is not None else scoped(user, model)
    try:
        return qs.get(code=code)
    except model.DoesNotExist:
        raise Http404 from None


def unit_path_of(obj: Model) -> str:
    """The path of the unit an object belongs to, for audit rows and edit checks."""
    label = _label(type(obj))
    lookup = _UNIT_LOOKUPS.get(label)
    if lookup == "":
        return obj.path
    if lookup is None and label in _PATH_COLUMNS:
        return getattr(obj, _PATH_COLUMNS[label])
    if not lookup:
        raise LookupError(label)
    target = obj
    for part in lookup.split("__"):
        target = getattr(target, part)
        if target is None:
            return ""
    return target.path


def in_scope(user: User, obj: Model) -> bool:
    path = region_path(user)
    if path is None:
        return True
    if path == "":
        return False
    own = unit_path_of(obj)
    if _label(type(obj)) in _SHARED_DOWN and (own == "" or own in ancestor_paths(path)):
        return True
    return own == path if user.role == Role.CADRE else own.startswith(path)


def can_edit(user: User, obj: Model) -> bool:
    """Admins edit everything; office officers their region; department officers the carriers their unit owns."""
    if not user.is_authenticated or user.role not in EDITOR_ROLES:
        return False
    if not in_scope(user, obj):
        return False
    if user.role == Role.DEPARTMENT:
        return _label(type(obj)) in CARRIER_MODELS
    return True


def can_edit_kind(user: User, model: type[Model]) -> bool:
    """Whether edit links for this kind are worth showing at all (per-object checks still apply)."""
    if not user.is_authenticated or user.role not in EDITOR_ROLES:
        return False
    return user.role != Role.DEPARTMENT or _label(model) in CARRIER_MODELS


def can_import(user: User) -> bool:
    return user.is_authenticated and user.role in IMPORTER_ROLES and (sees_everything(user) or user.unit_id is not None)


def import_scope(user: User):
    """The unit an upload is confined to (None: everything, for administrators only)."""
    return None if sees_everything(user) else user.unit


def can_manage_users(user: User) -> bool:
    return sees_everything(user)


def get_editable_or_404(user: User, model: type[Model], code: str) -> Model:
    """The object for editing: 404 outside the region, 403 inside it without the right to change it."""
    from django.core.exceptions import PermissionDenied

    obj = get_scoped_or_404(user, model, code)
    if not can_edit(user, obj):
        raise PermissionDenied
    return obj


def ancestor_paths(path: str) -> list[str]:
    """A unit path and the paths of all its ancestors ('/a/b/' → ['/a/', '/a/b/'])."""
    codes = [code for code in path.strip("/").split("/") if code]
    return ["/" + "/".join(codes[:depth]) + "/" for depth in range(1, len(codes) + 1)]


def can_set_two_factor_policy(user: User, unit) -> bool:
    """Administrators everywhere; an office for the regions strictly below its own (it cannot relax its own)."""
    if sees_everything(user):
        return True
    if user.role != Role.OFFICE or not in_scope(user, unit):
        return False
    return unit.path != user.unit.path
