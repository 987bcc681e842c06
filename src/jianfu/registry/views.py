"""Registry pages: lists, details, edits and Excel export. Objects are reached only through accounts.scope."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jianfu.accounts import scope
from jianfu.audit.log import history
from jianfu.registry import listing
from jianfu.registry.actions import EDITABLE_FIELDS, UPDATERS
from jianfu.registry.export import write_xlsx
from jianfu.registry.forms import EDIT_FORMS
from jianfu.registry.kinds import KINDS, KindSpec
from jianfu.registry.models import App, Form, Membership, Person, PublicAccount, Unit, WorkGroup

MEMBER_LIMIT = 500


def _spec(kind: str) -> KindSpec:
    try:
        return KINDS[kind]
    except KeyError:
        raise Http404 from None


def _filtered(request, spec: KindSpec):
    qs = scope.scoped(request.user, spec.model)
    if spec.related:
        qs = qs.select_related(*spec.related)
    return listing.apply_filters(qs, spec, request.GET, request.user)


@login_required
def object_list(request, kind: str):
    spec = _spec(kind)
    if request.GET.get("format") == "xlsx":
        return object_export(request, kind)
    qs, applied = _filtered(request, spec)
    sort_key = request.GET.get("sort") if request.GET.get("sort") in spec.sorts else next(iter(spec.sorts))
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    base = {k: v for k, v in request.GET.items() if k not in ("after", "page", "format") and v}
    try:
        page = listing.keyset_page(qs, spec.sorts[sort_key], request.GET.get("after"), number, size=listing.PAGE_SIZE)
    except listing.BadCursor:
        return render(
            request, "registry/bad_cursor.html", {"spec": spec, "first_url": "?" + urlencode(base)}, status=400
        )
    context = {
        "spec": spec,
        "kind": kind,
        "page": page,
        "applied": applied,
        "params": base,
        "sort_key": sort_key,
        "q": request.GET.get("q", ""),
        "next_url": "?" + urlencode({**base, "after": page.next_cursor, "page": page.number + 1})
        if page.has_next
        else None,
        "first_url": "?" + urlencode(base) if page.number > 1 else None,
        "export_url": "?" + urlencode({**base, "format": "xlsx"}),
        "can_edit": scope.can_edit_kind(request.user, spec.model),
        "filters": [
            {
                "param": f.param,
                "label": f.label,
                "type": f.type,
                "choices": f.choices,
                "value": request.GET.get(f.param, ""),
            }
            for f in spec.filters
        ],
        "sorts": [(key, s.label) for key, s in spec.sorts.items()],
    }
    template = "registry/_results.html" if request.headers.get("HX-Request") else "registry/list.html"
    return render(request, template, context)


@login_required
def object_export(request, kind: str):
    spec = _spec(kind)
    qs, _applied = _filtered(request, spec)
    handle, _rows = write_xlsx(kind, qs.order_by("code"))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{spec.label}-{stamp}.xlsx"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def platforms(request):
    """Platforms are apps with category 'platform'; the old address keeps working."""
    return redirect("/apps/?" + urlencode({"category": App.Category.PLATFORM}))


@login_required
def object_detail(request, kind: str, code: str):
    spec = _spec(kind)
    qs = scope.scoped(request.user, spec.model).select_related(*spec.related)
    obj = scope.get_scoped_or_404(request.user, spec.model, code, queryset=qs)
    context = {
        "spec": spec,
        "kind": kind,
        "obj": obj,
        "history": history(kind, code),
        "can_edit": scope.can_edit(request.user, obj),
    }
    context.update(_DETAIL_EXTRAS[kind](request.user, obj))
    return render(request, f"registry/detail_{kind}.html", context)


def _unit_extras(user, unit: Unit) -> dict:
    children = scope.scoped(user, Unit).filter(parent=unit).order_by("code")[:200]
    counts = {
        "people": scope.scoped(user, Person).filter(unit=unit).count(),
        "apps": scope.scoped(user, App).filter(owner=unit).count(),
        "accounts": scope.scoped(user, PublicAccount).filter(owner=unit).count(),
        "groups": scope.scoped(user, WorkGroup).filter(owner=unit).count(),
        "forms": scope.scoped(user, Form).filter(issuer=unit).count(),
    }
    return {"children": children, "counts": counts, "hidden_children": scope.hidden_children(user, unit)}


def _person_extras(user, person: Person) -> dict:
    groups = (
        scope.scoped(user, WorkGroup)
        .filter(memberships__person=person)
        .select_related("owner")
        .order_by("code")[:MEMBER_LIMIT]
    )
    apps = scope.scoped(user, App).filter(owner=person.unit).order_by("code")[:200]
    # Forms this cadre's unit fills: aimed at its level and issued within the regions above it.
    ancestors = [code for code in person.unit.path.strip("/").split("/") if code]
    forms = (
        scope.scoped(user, Form)
        .filter(Q(respondent_level=person.unit.level) | Q(respondent_level=""))
        .filter(Q(issuer__code__in=ancestors) | Q(issuer__parent__code__in=ancestors))
        .select_related("issuer")
        .order_by("code")[:200]
    )
    return {"groups": groups, "apps": apps, "forms": forms}


OVERLAP_CANDIDATES = 200


def overlapping_groups(user, group: WorkGroup, limit: int = 10) -> list[dict]:
    """The groups sharing the most members with `group`, inside the viewer's region.

    Counting runs on the membership table alone (its person index), and only the best candidates are then
    joined to groups and filtered by scope: grouping by joined group and unit columns over every shared
    membership made the planner hash-join the whole table (seconds at city scale).
    """
    own_members = Membership.objects.filter(group_id=group.id).values("person_id")
    counts = list(
        Membership.objects.filter(person_id__in=own_members)
        .exclude(group_id=group.id)
        .values("group_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "group_id")
        .values_list("group_id", "shared")[:OVERLAP_CANDIDATES]
    )
    shared_by_id = dict(counts)
    candidates = (
        scope.scoped(user, WorkGroup)
        .filter(id__in=shared_by_id)
        .values("id", "code", "name", "platform", "member_count", "owner__name")
    )
    rows = sorted(candidates, key=lambda g: (-shared_by_id[g["id"]], g["code"]))[:limit]
    result = []
    for row in rows:
        shared = shared_by_id[row["id"]]
        union = group.member_count + row["member_count"] - shared
        smaller = min(group.member_count, row["member_count"])
        result.append(
            {
                "code": row["code"],
                "name": row["name"],
                "platform": row["platform"],
                "owner": row["owner__name"],
                "members": row["member_count"],
                "shared": shared,
                "jaccard": shared / union if union > 0 else 0.0,
                "containment": shared / smaller if smaller else 0.0,
            }
        )
    return result


def _group_extras(user, group: WorkGroup) -> dict:
    members = list(
        Membership.objects.filter(group=group).select_related("person__unit").order_by("person__code")[:MEMBER_LIMIT]
    )
    visible = set(scope.scoped(user, Person).filter(id__in=[m.person_id for m in members]).values_list("id", flat=True))
    return {
        "members": members,
        "visible_people": visible,
        "overlaps": overlapping_groups(user, group),
        "member_limit": MEMBER_LIMIT,
    }


def _form_extras(user, form: Form) -> dict:
    from jianfu.elements.views import form_mapping_context  # 一表通: each field's element, confirmed on this page

    fields = form.fields.order_by("position")[:1000]
    return {"fields": fields, **form_mapping_context(user, form, fields)}


def _no_extras(user, obj) -> dict:
    return {}


_DETAIL_EXTRAS = {
    "units": _unit_extras,
    "people": _person_extras,
    "apps": _no_extras,
    "accounts": _no_extras,
    "groups": _group_extras,
    "forms": _form_extras,
}


@login_required
def object_edit(request, kind: str, code: str):
    spec = _spec(kind)
    obj = scope.get_editable_or_404(request.user, spec.model, code)
    form = EDIT_FORMS[kind](request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS[kind]}
        # The form has already copied its values onto `obj`; the action re-reads the row, so the audit
        # row's "old" values come from the database, not from the form.
        diff = UPDATERS[kind](obj, changes, acting_user=request.user)
        if diff:
            messages.success(request, _("已保存 %(n)d 项修改") % {"n": len(diff)})
        else:
            messages.info(request, _("没有修改"))
        return redirect("registry:detail", kind=kind, code=code)
    return render(request, "registry/edit.html", {"spec": spec, "kind": kind, "obj": obj, "form": form})
