"""The carriers one registry person bears, each with the minutes a month the burden model counts for them.

This is the door to *one person's own* carriers (the cadre's page /me/ and that person's survey form), not a
region query: what a person bears is decided by the burden model (docs/burden-model.md, "Who bears what"):

* work groups: the groups they are a member of;
* apps, platforms and public accounts with assessments: those owned in a region on the path of their unit
  (the owner's nearest region is one of the person's regions);
* forms: those issued in such a region to the level of the person's own region, when the person's unit is at
  that level (the village committee and the township's offices alike); the respondent unit's time is shared
  by its people.

The minutes use the parameters of the person's own unit (defaults, JIANFU_HOME/analysis.json and the region's
survey calibration), through :mod:`jianfu.analysis.personal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from jianfu.analysis import personal
from jianfu.analysis.calibration import Answer
from jianfu.analysis.config import AnalysisConfig, BurdenParams
from jianfu.registry.models import App, Form, Membership, Person, PublicAccount, Unit

KIND_ORDER = ("group", "app", "account", "form")


@dataclass
class Carrier:
    kind: str  # group / app / account / form
    code: str
    name: str
    owner: str  # the owner's (issuer's) name
    region_code: str  # the owner's nearest region: what an anonymous clue about it names
    minutes: float  # a month, for this person
    facts: dict = field(default_factory=dict)  # what the model reads (calibration.Answer fields)
    owner_path: str = ""  # the owner unit's path: findings naming the carrier list it in their scope paths

    @property
    def hours(self) -> float:
        return self.minutes / 60.0

    def answer(self, minutes_per_week: float) -> Answer:
        return Answer(kind=self.kind, carrier=self.code, minutes_per_week=minutes_per_week, **self.facts)


def _nearest_region(unit: Unit, regions: dict[str, Unit]) -> Unit | None:
    for code in reversed([c for c in unit.path.strip("/").split("/") if c]):
        if code in regions:
            return regions[code]
    return None


class Bearing:
    """Resolves the carriers of people; caches region head-counts so a survey of many people stays cheap."""

    def __init__(self, config: AnalysisConfig):
        self.config = config
        self._scope_people: dict[str, int] = {}
        self._owners: dict[tuple[str, ...], dict[int, Unit]] = {}
        self._sharing: dict[int, int] = {}
        self._fields: dict[int, int] | None = None

    # --- helpers ---
    def scope_people(self, region: Unit) -> int:
        """P(R): the people whose unit lies under the region."""
        if region.code not in self._scope_people:
            self._scope_people[region.code] = Person.objects.filter(unit__path__startswith=region.path).count()
        return self._scope_people[region.code]

    def owners(self, regions: list[Unit]) -> dict[int, Unit]:
        """unit id → its nearest region, for every unit whose nearest region is one of ``regions``."""
        key = tuple(r.code for r in regions)
        if key not in self._owners:
            found: dict[int, Unit] = {r.id: r for r in regions}
            frontier = {r.id: r for r in regions}
            for _depth in range(12):  # departments hang under a region, sections under departments
                children = Unit.objects.filter(parent_id__in=list(frontier), is_region=False).only("id", "parent_id")
                frontier = {u.id: frontier[u.parent_id] for u in children}
                if not frontier:
                    break
                found.update(frontier)
            self._owners[key] = found
        return self._owners[key]

    def sharing_people(self, region: Unit) -> int:
        """People of the units whose nearest region is ``region`` at its level: who share its forms."""
        if region.id not in self._sharing:
            units = [uid for uid in self.owners([region])]
            same_level = Unit.objects.filter(id__in=units, level=region.level).values_list("id", flat=True)
            self._sharing[region.id] = Person.objects.filter(unit_id__in=list(same_level)).count()
        return self._sharing[region.id]

    def field_counts(self) -> dict[int, int]:
        if self._fields is None:
            self._fields = dict(Form.objects.annotate(n=Count("fields")).values_list("id", "n"))
        return self._fields

    def params(self, person: Person) -> BurdenParams:
        return self.config.params_for_path(person.unit.path)

    # --- the carriers ---
    def carriers(self, person: Person) -> list[Carrier]:
        unit = person.unit
        params = self.params(person)
        path_codes = [c for c in unit.path.strip("/").split("/") if c]
        regions = {u.code: u for u in Unit.objects.filter(code__in=path_codes, is_region=True)}
        ordered = [regions[c] for c in path_codes if c in regions]
        owners = self.owners(ordered) if ordered else {}
        own_region = ordered[-1] if ordered else None
        out = self._group_carriers(person, params, regions)
        out += self._app_carriers(owners, params)
        out += self._account_carriers(owners, params)
        if own_region is not None and unit.level == own_region.level:
            out += self._form_carriers(own_region, owners, params)
        return out

    def _group_carriers(self, person: Person, params: BurdenParams, regions: dict[str, Unit]) -> list[Carrier]:
        """The work groups the person is a member of, wherever their owner sits."""
        out: list[Carrier] = []
        memberships = (
            Membership.objects.filter(person=person)
            .select_related("group__owner")
            .order_by("group__name", "group__code")
        )
        for m in memberships:
            g = m.group
            region = _nearest_region(g.owner, regions) or _nearest_region(g.owner, self._regions_of(g.owner))
            facts = {"messages_30d": g.messages_30d, "demands": tuple(g.demands or ())}
            out.append(
                Carrier(
                    "group",
                    g.code,
                    g.name,
                    g.owner.name,
                    region.code if region else g.owner.code,
                    personal.group_minutes(params, g.messages_30d, g.demands),
                    facts,
                    g.owner.path,
                )
            )
        return out

    def _app_carriers(self, owners: dict[int, Unit], params: BurdenParams) -> list[Carrier]:
        """The apps and platforms owned in a region on the person's path."""
        out: list[Carrier] = []
        for app in App.objects.filter(owner_id__in=list(owners)).select_related("owner").order_by("name", "code"):
            region = owners[app.owner_id]
            people = self.scope_people(region)
            facts = {
                "monthly_active_users": app.monthly_active_users,
                "scope_people": people,
                "forced_features": tuple(app.forced_features or ()),
            }
            out.append(
                Carrier(
                    "app",
                    app.code,
                    app.name,
                    app.owner.name,
                    region.code,
                    personal.app_minutes(params, app.monthly_active_users, people, app.forced_features),
                    facts,
                    app.owner.path,
                )
            )
        return out

    def _account_carriers(self, owners: dict[int, Unit], params: BurdenParams) -> list[Carrier]:
        """The public accounts with assessments owned in a region on the person's path."""
        out: list[Carrier] = []
        accounts = (
            PublicAccount.objects.filter(owner_id__in=list(owners)).select_related("owner").order_by("name", "code")
        )
        for acc in accounts:
            minutes = personal.account_minutes(params, acc.assessments, acc.posts_30d)
            if not acc.assessments:
                continue  # an account that assesses nobody costs its readers nothing the model counts
            facts = {"assessments": tuple(acc.assessments or ()), "posts_30d": acc.posts_30d}
            out.append(
                Carrier(
                    "account",
                    acc.code,
                    acc.name,
                    acc.owner.name,
                    owners[acc.owner_id].code,
                    minutes,
                    facts,
                    acc.owner.path,
                )
            )
        return out

    def _form_carriers(self, own_region: Unit, owners: dict[int, Unit], params: BurdenParams) -> list[Carrier]:
        """The forms issued on the person's path to the level of their own region; the unit's time is shared."""
        out: list[Carrier] = []
        default_level = self.config.burden.form_default_respondent_level
        sharing = self.sharing_people(own_region)
        fields = self.field_counts()
        for form in Form.objects.filter(issuer_id__in=list(owners)).select_related("issuer").order_by("title", "code"):
            if (form.respondent_level or default_level) != own_region.level:
                continue
            n = fields.get(form.id, 0)
            facts = {
                "frequency": form.frequency,
                "minutes_per_filing": form.minutes_per_filing,
                "fields": n,
                "sharing_people": sharing,
            }
            out.append(
                Carrier(
                    "form",
                    form.code,
                    form.title,
                    form.issuer.name,
                    owners[form.issuer_id].code,
                    personal.form_minutes(params, form.frequency, form.minutes_per_filing, n, sharing),
                    facts,
                    form.issuer.path,
                )
            )
        return out

    def _regions_of(self, unit: Unit) -> dict[str, Unit]:
        codes = [c for c in unit.path.strip("/").split("/") if c]
        return {u.code: u for u in Unit.objects.filter(code__in=codes, is_region=True)}


def carriers_of(person: Person, config: AnalysisConfig | None = None) -> list[Carrier]:
    from jianfu.surveys.calibrating import effective_config

    return Bearing(config or effective_config()).carriers(person)
