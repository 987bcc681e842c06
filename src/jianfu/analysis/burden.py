"""The burden model: hours per cadre per month from apps, groups, public accounts and forms.

Counted the way the Paperwork Reduction Act counts paperwork — time per occurrence × occurrences per
month × people who bear it — per item, per person, per unit, per region and per owner. Every parameter
is in :class:`jianfu.analysis.config.BurdenParams`; region overrides make parameter sets (``pset``), and
a person or respondent unit is costed with the set of its own unit. Formulas: docs/burden-model.md.

All tables are SQL steps named ``__jf_b_*``; the detectors join the item tables to cost their findings:

``__jf_b_app``      code, owner_code, scope_people, usage_h, f1_h, f2_h, f3_h, total_h
``__jf_b_grp``      code, owner_code, members, attention_h, messages_h, f1_h, f2_h, total_h
``__jf_b_acc``      code, owner_code, scope_people, assessment_h, upkeep_h, total_h
``__jf_b_form``     code, owner_code, respondents, filings_per_month, minutes_per_filing, total_h
``__jf_b_person_total``  person_code, unit_code, apps_h, groups_h, accounts_h, forms_h, total_h
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from jianfu.analysis.backend import AnalysisBackend, SQLStep, has_any, sql_list, sql_str
from jianfu.analysis.config import AnalysisConfig, BurdenParams, Cadence
from jianfu.analysis.schema import ACCOUNT_ASSESSMENTS, APP_FEATURES, FREQUENCIES, GROUP_DEMANDS
from jianfu.analysis.snapshot import input_name

B = "__jf_b_"
_ZERO = Cadence(0, "month", 0.0)
_REPLY_DEMANDS = ("即时回复", "收到请回复")
# Chinese level names a form's respondent column may still carry.
_LEVEL_WORDS = {
    "province": ("省",),
    "city": ("市", "地市"),
    "county": ("县", "区", "县区", "县（市、区）"),
    "township": ("乡", "镇", "街道", "乡镇", "乡镇（街道）"),
    "village": ("村", "社区", "村（社区）", "村居"),
}


def flat_params(p: BurdenParams) -> dict[str, float]:
    """One parameter set as numeric columns (minutes a month per person unless the name says otherwise)."""
    d: dict[str, float] = {
        "app_usage_min": p.app_sessions_per_active_user * p.app_minutes_per_session,
        "app_share_default": p.app_active_share_default,
        "grp_attention_min": p.group_attention_minutes,
        "grp_read_min": p.group_read_seconds_per_message / 60.0,
        "grp_reply_share": p.group_reply_share,
        "grp_reply_share_dem": p.group_reply_share_demanded,
        "grp_reply_min": p.group_minutes_per_reply,
        "acc_posts_default": p.account_posts_default,
        "acc_upkeep_h": p.account_upkeep_hours,
        "form_min_base": p.form_minutes_base,
        "form_min_field": p.form_minutes_per_field,
        "dup_share": p.duplicate_work_share,
    }
    for term, (_, aid) in APP_FEATURES.items():
        d[f"app_f_{aid}"] = p.per_month(p.app_features.get(term, _ZERO))
    for term, (_, aid) in GROUP_DEMANDS.items():
        d[f"grp_d_{aid}"] = p.per_month(p.group_demands.get(term, _ZERO))
    for term, aid in ACCOUNT_ASSESSMENTS.items():
        cad = p.account_assessments.get(term, _ZERO)
        per_post = cad.per == "post"
        d[f"acc_a_{aid}_pm"] = 0.0 if per_post else p.per_month(cad)
        d[f"acc_a_{aid}_pp"] = cad.times * cad.minutes if per_post else 0.0
    for freq in FREQUENCIES:
        d[f"form_n_{freq}"] = p.times_per_month(p.form_frequency.get(freq, _ZERO))
    return {k: float(v) for k, v in d.items()}


def register_param_sets(backend: AnalysisBackend, config: AnalysisConfig) -> bool:
    """Register ``__jf_b_params`` (one row per parameter set) and, when regions override parameters,
    ``__jf_b_unit_pset`` (unit → set). Returns whether there is more than one set."""
    sets: list[BurdenParams] = [config.burden]
    unit_rows: list[tuple[str, int]] = []
    if config.region_overrides:
        keys: dict[tuple[str, ...], int] = {(): 0}
        for row in backend.query(f"SELECT code, path FROM {input_name('units')} WHERE code IS NOT NULL"):
            key = config.overriding_ancestors(row["path"])
            if key not in keys:
                keys[key] = len(sets)
                sets.append(config.params_for_path(row["path"]))
            if keys[key]:
                unit_rows.append((row["code"], keys[key]))
    flat = [flat_params(p) for p in sets]
    columns: dict[str, Any] = {"pset": pa.array(range(len(sets)), pa.int32())}
    for name in flat[0]:
        columns[name] = pa.array([f[name] for f in flat], pa.float64())
    backend.register(f"{B}params", pa.table(columns))
    if len(sets) > 1:
        backend.register(
            f"{B}unit_pset",
            pa.table(
                {
                    "unit_code": pa.array([u for u, _ in unit_rows], pa.string()),
                    "pset": pa.array([s for _, s in unit_rows], pa.int32()),
                }
            ),
        )
    return len(sets) > 1


def _case_terms(column: str, vocabulary: dict, rule: str | None, value: str) -> str:
    """Σ over terms of one rule: CASE WHEN the list holds the term THEN its parameter column ELSE 0."""
    parts = [
        f"CASE WHEN list_contains({column}, {sql_str(term)}) THEN {value.format(aid=spec[1] if isinstance(spec, tuple) else spec)} ELSE 0 END"
        for term, spec in vocabulary.items()
        if rule is None or (isinstance(spec, tuple) and spec[0] == rule)
    ]
    return "(" + " + ".join(parts or ["0"]) + ")"


def burden_steps(config: AnalysisConfig, multi_pset: bool) -> list[SQLStep]:
    """The burden model as SQL steps (parameter tables must be registered first).

    ``multi_pset``: regions override parameters, so ``__jf_b_unit_pset`` is registered and each person is
    costed with their own unit's set. The order matters: a step reads only the steps before it.
    """
    return [
        *_population_steps(multi_pset),
        *_app_steps(),
        *_account_steps(),
        *_group_steps(multi_pset),
        *_form_steps(config.burden.form_default_respondent_level),
        *_per_person_steps(),
        *_roll_up_steps(),
    ]


def _population_steps(multi_pset: bool) -> list[SQLStep]:
    """Units with their parameter set and ancestors, the people who bear burden, and head counts per region."""
    units, people, members = input_name("units"), input_name("people"), input_name("members")
    return [
        SQLStep(
            f"{B}unit",
            (
                f"SELECT u.code, u.name, u.level, u.region_code, u.path, coalesce(up.pset, 0) AS pset "
                f"FROM {units} u LEFT JOIN {B}unit_pset up ON up.unit_code = u.code WHERE u.code IS NOT NULL"
                if multi_pset
                else f"SELECT code, name, level, region_code, path, 0 AS pset FROM {units} WHERE code IS NOT NULL"
            ),
        ),
        SQLStep(
            f"{B}unit_anc",
            f"""
SELECT code, level, region_code, pset, anc
FROM (SELECT code, level, region_code, pset, unnest(string_split(trim(path, '/'), '/')) AS anc
      FROM {B}unit WHERE path IS NOT NULL) t
WHERE anc <> ''""",
        ),
        # Everyone who bears burden: the people table, and member codes it does not list.
        SQLStep(
            f"{B}person",
            f"""
SELECT p.person_code, p.unit_code, coalesce(u.pset, 0) AS pset
FROM (SELECT code AS person_code, min(unit_code) AS unit_code FROM {people} WHERE code IS NOT NULL GROUP BY code) p
LEFT JOIN {B}unit u ON u.code = p.unit_code
UNION ALL
SELECT m.person_code, CAST(NULL AS VARCHAR) AS unit_code, 0 AS pset
FROM (SELECT DISTINCT person_code FROM {members}) m
WHERE NOT EXISTS (SELECT 1 FROM {people} p WHERE p.code = m.person_code)""",
        ),
        SQLStep(
            f"{B}anc",
            f"""
SELECT p.person_code, p.pset, a.anc FROM {B}person p JOIN {B}unit_anc a ON a.code = p.unit_code""",
        ),
        SQLStep(f"{B}scope", f"SELECT anc, pset, count(*) AS people FROM {B}anc GROUP BY anc, pset"),
        SQLStep(f"{B}scope_total", f"SELECT anc, sum(people) AS people FROM {B}scope GROUP BY anc"),
    ]


def _app_steps() -> list[SQLStep]:
    """Apps: usage by the active share of the owner's region; forced features by the app's active users."""
    apps = input_name("apps")
    f_rule = {r: _case_terms("a.forced_features", APP_FEATURES, r, "pr.app_f_{aid}") for r in ("F1", "F2", "F3")}
    # A forced feature is borne by the people who open the app: its monthly active users when known (a daily
    # check-in makes its user active), everyone in the region when unknown (burden-model.md, de-duplication).
    bearers = (
        "(CASE WHEN a.monthly_active_users IS NULL OR tot.people = 0 THEN 1.0 "
        "ELSE least(1.0, CAST(a.monthly_active_users AS DOUBLE) / tot.people) END)"
    )
    return [
        SQLStep(
            f"{B}app_pset",
            f"""
SELECT a.code, u.region_code AS region, sc.pset, sc.people,
  (CASE WHEN a.monthly_active_users IS NULL OR tot.people = 0 THEN pr.app_share_default
        ELSE least(1.0, CAST(a.monthly_active_users AS DOUBLE) / tot.people) END) * pr.app_usage_min AS usage_min,
  {f_rule["F1"]} * {bearers} AS f1_min, {f_rule["F2"]} * {bearers} AS f2_min, {f_rule["F3"]} * {bearers} AS f3_min
FROM {apps} a
JOIN {B}unit u ON u.code = a.owner_code
JOIN {B}scope sc ON sc.anc = u.region_code
JOIN {B}scope_total tot ON tot.anc = u.region_code
JOIN {B}params pr ON pr.pset = sc.pset""",
        ),
        SQLStep(
            f"{B}app",
            f"""
SELECT a.code, a.owner_code, coalesce(sum(x.people), 0) AS scope_people,
  coalesce(sum(x.people * x.usage_min), 0) / 60.0 AS usage_h,
  coalesce(sum(x.people * x.f1_min), 0) / 60.0 AS f1_h,
  coalesce(sum(x.people * x.f2_min), 0) / 60.0 AS f2_h,
  coalesce(sum(x.people * x.f3_min), 0) / 60.0 AS f3_h,
  coalesce(sum(x.people * (x.usage_min + x.f1_min + x.f2_min + x.f3_min)), 0) / 60.0 AS total_h
FROM {apps} a LEFT JOIN {B}app_pset x ON x.code = a.code
WHERE a.code IS NOT NULL GROUP BY a.code, a.owner_code""",
        ),
        SQLStep(
            f"{B}region_app",
            f"""
SELECT region AS anc, pset, sum(usage_min + f1_min + f2_min + f3_min) AS minutes
FROM {B}app_pset GROUP BY region, pset""",
        ),
    ]


def _account_steps() -> list[SQLStep]:
    """Public accounts: assessments borne by everyone in the owner's region; upkeep by the owner."""
    accounts = input_name("accounts")
    assessment_min = " + ".join(
        f"CASE WHEN list_contains(a.assessments, {sql_str(term)}) THEN pr.acc_a_{aid}_pm + pr.acc_a_{aid}_pp * "
        f"coalesce(CAST(a.posts_30d AS DOUBLE), pr.acc_posts_default) ELSE 0 END"
        for term, aid in ACCOUNT_ASSESSMENTS.items()
    )
    return [
        SQLStep(
            f"{B}acc_pset",
            f"""
SELECT a.code, u.region_code AS region, sc.pset, sc.people, ({assessment_min}) AS assessment_min
FROM {accounts} a
JOIN {B}unit u ON u.code = a.owner_code
JOIN {B}scope sc ON sc.anc = u.region_code
JOIN {B}params pr ON pr.pset = sc.pset""",
        ),
        SQLStep(
            f"{B}acc",
            f"""
SELECT a.code, a.owner_code, coalesce(sum(x.people), 0) AS scope_people,
  coalesce(sum(x.people * x.assessment_min), 0) / 60.0 AS assessment_h,
  min(pr.acc_upkeep_h) AS upkeep_h,
  coalesce(sum(x.people * x.assessment_min), 0) / 60.0 + min(pr.acc_upkeep_h) AS total_h
FROM {accounts} a
LEFT JOIN {B}acc_pset x ON x.code = a.code
LEFT JOIN {B}unit ou ON ou.code = a.owner_code
JOIN {B}params pr ON pr.pset = coalesce(ou.pset, 0)
WHERE a.code IS NOT NULL GROUP BY a.code, a.owner_code""",
        ),
        SQLStep(
            f"{B}region_acc",
            f"""
SELECT region AS anc, pset, sum(assessment_min) AS minutes FROM {B}acc_pset GROUP BY region, pset""",
        ),
    ]


def _group_steps(multi_pset: bool) -> list[SQLStep]:
    """Work groups: every member reads, replies and meets the demands."""
    groups, members = input_name("groups"), input_name("members")
    f1_demands = _case_terms("g.demands", GROUP_DEMANDS, "F1", "pr.grp_d_{aid}")
    f2_demands = _case_terms("g.demands", GROUP_DEMANDS, "F2", "pr.grp_d_{aid}")
    messages = "coalesce(CAST(g.messages_30d AS DOUBLE), 0)"
    # A group with no message in 30 days demands nothing that month: every demand is a post in the group.
    active = "(CASE WHEN g.messages_30d = 0 THEN 0.0 ELSE 1.0 END)"
    member_with_pset = (
        f"SELECT m.group_code, m.person_code, p.pset FROM (SELECT DISTINCT group_code, person_code FROM {members}) m "
        f"JOIN {B}person p ON p.person_code = m.person_code"
        if multi_pset
        else f"SELECT DISTINCT group_code, person_code, 0 AS pset FROM {members}"
    )
    return [
        SQLStep(
            f"{B}grp_pset",
            f"""
SELECT g.code, pr.pset,
  pr.grp_attention_min AS attention_min,
  {messages} * (pr.grp_read_min + pr.grp_reply_share * pr.grp_reply_min) AS messages_min,
  {f1_demands} * {active} + CASE WHEN {has_any("g.demands", sql_list(_REPLY_DEMANDS))}
                THEN {messages} * (pr.grp_reply_share_dem - pr.grp_reply_share) * pr.grp_reply_min ELSE 0 END AS f1_min,
  {f2_demands} * {active} AS f2_min
FROM {groups} g CROSS JOIN {B}params pr WHERE g.code IS NOT NULL""",
        ),
        SQLStep(f"{B}member", member_with_pset),
        SQLStep(
            f"{B}grp_count", f"SELECT group_code, pset, count(*) AS members FROM {B}member GROUP BY group_code, pset"
        ),
        SQLStep(
            f"{B}grp",
            f"""
SELECT g.code, g.owner_code, coalesce(sum(c.members), 0) AS members,
  coalesce(sum(c.members * x.attention_min), 0) / 60.0 AS attention_h,
  coalesce(sum(c.members * x.messages_min), 0) / 60.0 AS messages_h,
  coalesce(sum(c.members * x.f1_min), 0) / 60.0 AS f1_h,
  coalesce(sum(c.members * x.f2_min), 0) / 60.0 AS f2_h,
  coalesce(sum(c.members * (x.attention_min + x.messages_min + x.f1_min + x.f2_min)), 0) / 60.0 AS total_h
FROM {groups} g
LEFT JOIN {B}grp_count c ON c.group_code = g.code
LEFT JOIN {B}grp_pset x ON x.code = g.code AND x.pset = c.pset
WHERE g.code IS NOT NULL GROUP BY g.code, g.owner_code""",
        ),
        SQLStep(
            f"{B}person_grp",
            f"""
SELECT m.person_code, sum(x.attention_min + x.messages_min + x.f1_min + x.f2_min) AS minutes
FROM {B}member m JOIN {B}grp_pset x ON x.code = m.group_code AND x.pset = m.pset
GROUP BY m.person_code""",
        ),
    ]


def _respondent_level_case(column: str) -> str:
    """A CASE that maps the Chinese level words a form's respondent column may carry to level names."""
    whens = " ".join(
        f"WHEN {column} IN ({', '.join(sql_str(w) for w in words)}) THEN {sql_str(level)}"
        for level, words in _LEVEL_WORDS.items()
    )
    return f"CASE {whens} ELSE {column} END"


def _form_steps(default_level: str) -> list[SQLStep]:
    """Forms: each respondent region unit files; its people share the time."""
    forms, fields = input_name("forms"), input_name("fields")
    filings_per_month = (
        "CASE f.frequency "
        + " ".join(f"WHEN {sql_str(fr)} THEN pr.form_n_{fr}" for fr in FREQUENCIES)
        + " ELSE pr.form_n_adhoc END"
    )
    return [
        SQLStep(f"{B}form_fields", f"SELECT form_code, count(*) AS n FROM {fields} GROUP BY form_code"),
        SQLStep(
            f"{B}form_level",
            f"""
SELECT code, issuer_code, frequency, minutes_per_filing, {_respondent_level_case("lvl")} AS respondent_level
FROM (SELECT *, coalesce(nullif(trim(respondent_level), ''), {sql_str(default_level)}) AS lvl FROM {forms}) t
WHERE code IS NOT NULL""",
            materialise=False,
        ),
        SQLStep(
            f"{B}form_unit",
            f"""
SELECT f.code AS form_code, r.code AS unit_code, r.level,
  {filings_per_month} AS filings,
  coalesce(f.minutes_per_filing, pr.form_min_base + pr.form_min_field * coalesce(ff.n, 0)) AS minutes
FROM {B}form_level f
JOIN {B}unit iu ON iu.code = f.issuer_code
JOIN {B}unit_anc r ON r.anc = iu.region_code AND r.code = r.region_code AND r.level = f.respondent_level
JOIN {B}params pr ON pr.pset = r.pset
LEFT JOIN {B}form_fields ff ON ff.form_code = f.code""",
        ),
        SQLStep(
            f"{B}form",
            f"""
SELECT f.code, f.issuer_code AS owner_code, count(x.unit_code) AS respondents,
  coalesce(avg(x.filings), 0) AS filings_per_month, coalesce(avg(x.minutes), 0) AS minutes_per_filing,
  coalesce(sum(x.filings * x.minutes), 0) / 60.0 AS total_h
FROM {B}form_level f LEFT JOIN {B}form_unit x ON x.form_code = f.code
GROUP BY f.code, f.issuer_code""",
        ),
        SQLStep(
            f"{B}unit_form",
            f"""
SELECT unit_code, level, sum(filings * minutes) / 60.0 AS form_h, count(*) AS forms
FROM {B}form_unit GROUP BY unit_code, level""",
        ),
        SQLStep(
            f"{B}resp_people",
            f"""
SELECT u.region_code, u.level, count(*) AS people
FROM {B}person p JOIN {B}unit u ON u.code = p.unit_code GROUP BY u.region_code, u.level""",
        ),
    ]


def _per_person_steps() -> list[SQLStep]:
    """Each person's hours by kind: apps and accounts of every ancestor region, their groups, their unit's forms."""
    return [
        SQLStep(
            f"{B}person_app",
            f"""
SELECT a.person_code, sum(r.minutes) AS minutes FROM {B}anc a
JOIN {B}region_app r ON r.anc = a.anc AND r.pset = a.pset GROUP BY a.person_code""",
        ),
        SQLStep(
            f"{B}person_acc",
            f"""
SELECT a.person_code, sum(r.minutes) AS minutes FROM {B}anc a
JOIN {B}region_acc r ON r.anc = a.anc AND r.pset = a.pset GROUP BY a.person_code""",
        ),
        SQLStep(
            f"{B}person_form",
            f"""
SELECT p.person_code, uf.form_h / rp.people AS hours
FROM {B}person p JOIN {B}unit u ON u.code = p.unit_code
JOIN {B}unit_form uf ON uf.unit_code = u.region_code AND uf.level = u.level
JOIN {B}resp_people rp ON rp.region_code = u.region_code AND rp.level = u.level""",
        ),
        SQLStep(
            f"{B}person_total",
            f"""
SELECT p.person_code, p.unit_code,
  coalesce(a.minutes, 0) / 60.0 AS apps_h, coalesce(g.minutes, 0) / 60.0 AS groups_h,
  coalesce(c.minutes, 0) / 60.0 AS accounts_h, coalesce(f.hours, 0) AS forms_h,
  (coalesce(a.minutes, 0) + coalesce(g.minutes, 0) + coalesce(c.minutes, 0)) / 60.0 + coalesce(f.hours, 0) AS total_h
FROM {B}person p
LEFT JOIN {B}person_app a ON a.person_code = p.person_code
LEFT JOIN {B}person_grp g ON g.person_code = p.person_code
LEFT JOIN {B}person_acc c ON c.person_code = p.person_code
LEFT JOIN {B}person_form f ON f.person_code = p.person_code""",
        ),
    ]


def _roll_up_steps() -> list[SQLStep]:
    """The totals the summary reads: per unit and per region (from people), per owner (from items)."""
    return [
        SQLStep(
            f"{B}per_unit",
            f"""
SELECT t.unit_code, u.name, u.level, count(*) AS people,
  sum(t.apps_h) AS apps_h, sum(t.groups_h) AS groups_h, sum(t.accounts_h) AS accounts_h,
  sum(t.forms_h) AS forms_h, sum(t.total_h) AS total_h, avg(t.total_h) AS hours_per_person,
  max(t.total_h) AS max_person_h
FROM {B}person_total t LEFT JOIN {B}unit u ON u.code = t.unit_code
WHERE t.unit_code IS NOT NULL GROUP BY t.unit_code, u.name, u.level""",
        ),
        SQLStep(
            f"{B}per_region",
            f"""
SELECT a.anc AS region_code, u.name, u.level, count(*) AS people, sum(t.total_h) AS total_h,
  avg(t.total_h) AS hours_per_person, max(t.total_h) AS max_person_h
FROM {B}anc a JOIN {B}person_total t ON t.person_code = a.person_code
JOIN {B}unit u ON u.code = a.anc AND u.code = u.region_code
GROUP BY a.anc, u.name, u.level""",
        ),
        SQLStep(
            f"{B}item",
            f"""
SELECT 'app' AS kind, code, owner_code, total_h FROM {B}app
UNION ALL SELECT 'group', code, owner_code, total_h FROM {B}grp
UNION ALL SELECT 'account', code, owner_code, total_h FROM {B}acc
UNION ALL SELECT 'form', code, owner_code, total_h FROM {B}form""",
        ),
        SQLStep(
            f"{B}per_owner",
            f"""
SELECT i.owner_code, u.name, u.level,
  sum(CASE WHEN i.kind = 'app' THEN 1 ELSE 0 END) AS apps,
  sum(CASE WHEN i.kind = 'group' THEN 1 ELSE 0 END) AS groups,
  sum(CASE WHEN i.kind = 'account' THEN 1 ELSE 0 END) AS accounts,
  sum(CASE WHEN i.kind = 'form' THEN 1 ELSE 0 END) AS forms,
  sum(CASE WHEN i.kind = 'app' THEN i.total_h ELSE 0 END) AS apps_h,
  sum(CASE WHEN i.kind = 'group' THEN i.total_h ELSE 0 END) AS groups_h,
  sum(CASE WHEN i.kind = 'account' THEN i.total_h ELSE 0 END) AS accounts_h,
  sum(CASE WHEN i.kind = 'form' THEN i.total_h ELSE 0 END) AS forms_h,
  sum(i.total_h) AS total_h
FROM {B}item i LEFT JOIN {B}unit u ON u.code = i.owner_code
WHERE i.owner_code IS NOT NULL GROUP BY i.owner_code, u.name, u.level""",
        ),
    ]


def _r(value: Any, digits: int = 2) -> Any:
    # Snap to 1e-9 first: hours that are exactly on a rounding boundary (2001.725) reach here as 2001.72499…
    # or 2001.72500… depending on the order an engine summed them in; both engines must print the same.
    return round(round(float(value), 9), digits) if value is not None else None


def summarise(backend: AnalysisBackend, config: AnalysisConfig) -> dict[str, Any]:
    """The ``burden`` key of the JSON output (distribution, totals, the worst units and owners)."""
    dist = backend.query(f"""
SELECT count(*) AS people, quantile_cont(total_h, 0.5) AS p50, quantile_cont(total_h, 0.9) AS p90,
  max(total_h) AS max, avg(total_h) AS mean,
  sum(apps_h) AS apps, sum(groups_h) AS groups, sum(accounts_h) AS accounts, sum(forms_h) AS forms,
  sum(total_h) AS total
FROM {B}person_total""")[0]
    limit = int(config.burden_table_limit)
    # Ordered on hours rounded to 1e-6: equal hours summed in another order differ in the last bits, and the
    # engines must list tied rows alike (by code).
    per_unit = backend.query(
        f"SELECT * FROM {B}per_unit ORDER BY round(hours_per_person, 6) DESC, unit_code LIMIT {limit}"
    )
    per_region = backend.query(
        f"SELECT * FROM {B}per_region ORDER BY round(hours_per_person, 6) DESC, region_code LIMIT {limit}"
    )
    per_owner = backend.query(f"SELECT * FROM {B}per_owner ORDER BY round(total_h, 6) DESC, owner_code LIMIT {limit}")
    for rows in (per_unit, per_region, per_owner):
        for row in rows:
            for key, value in row.items():
                if isinstance(value, float):
                    row[key] = _r(value)
    return {
        "per_person_hours_per_month": {
            "p50": _r(dist["p50"] or 0.0),
            "p90": _r(dist["p90"] or 0.0),
            "max": _r(dist["max"] or 0.0),
            "mean": _r(dist["mean"] or 0.0),
            "people": int(dist["people"] or 0),
        },
        "total_hours_per_month": {k: _r(dist[k] or 0.0) for k in ("apps", "groups", "accounts", "forms", "total")},
        "per_unit": per_unit,
        "per_region": per_region,
        "per_owner": per_owner,
    }
