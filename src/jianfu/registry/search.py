"""The registry's search index: a character-bigram inverted index behind the lists' `?q=` substring search.

`?q=` finds the objects whose title or code contains the (normalised) query, ignoring ASCII case — Django's
`icontains`. At province scale that is a scan of up to a million names for every search, so each object's title
and code are also kept as their character bigrams in `SearchGram` (one row per kind, bigram, object). An object
containing the query contains every bigram of it, so the objects holding the query's rarest bigram are a
superset of the answer; the `icontains` filter still runs over them, so results are exactly the old ones.

* Every character starts a bigram: the text is followed by an end mark, so "群" in "工作群" is the bigram
  ("群", END), and a one-character query is a look-up on the first character alone.
* Case is folded the same way on both sides (ASCII letters, plus the three non-ASCII letters whose upper case
  is an ASCII one), in Python for queries and SQLite, with `translate()` in PostgreSQL's set-based rebuild. A
  query with any other cased letter (é, Σ…) is answered by the plain scan, so PostgreSQL's Unicode-aware
  `UPPER` comparison keeps its exact old meaning.
* The candidates are the objects holding the query's rarest bigram, when at most DENSE objects hold it (each
  list is counted only that far, in one query). When every bigram is common the plain scan is used: matches
  are then dense, and an ordered scan fills a page after a few thousand rows.

Kept current by the importer (every object a file created or changed, after each file) and by the registry's
`do_*` actions, each inside the transaction that writes the objects; `rebuild()` refills whole kinds (the
migration that created the index).
"""

from __future__ import annotations

import string
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Model, QuerySet
from django.db.models.expressions import RawSQL

END = "\x03"
# Longest posting list worth reading: a bigram held by more objects narrows little (matches are then dense, and
# an ordered scan fills a page quickly); reading at most this many ids per bigram keeps the look-up cheap.
DENSE = 3_000
# Posting lists up to this long are merged to find a rare combination of common bigrams; longer ones mean the
# query's matches are dense. Each list is counted only this far.
MERGE = 30_000
MAX_COUNTED = 8  # bigrams of a long query whose posting lists are counted (spread evenly over the query)
_FOLD_FROM = string.ascii_uppercase + "ſKı"
_FOLD_TO = string.ascii_lowercase + "ski"
_FOLD = str.maketrans(_FOLD_FROM, _FOLD_TO)


# kind → (number stored in the index, model name, title field): every list with a `?q=` search (registry/kinds.py).
_KINDS = {
    "units": (1, "Unit", "name"),
    "people": (2, "Person", "name"),
    "apps": (3, "App", "name"),
    "accounts": (4, "PublicAccount", "name"),
    "groups": (5, "WorkGroup", "name"),
    "forms": (6, "Form", "title"),
}


def _kinds(apps=None) -> dict[str, tuple[int, type[Model], str]]:
    """kind → (number, model, title field), from the live models or a migration's historical ones."""
    if apps is None:
        from django.apps import apps
    return {kind: (number, apps.get_model("registry", name), title) for kind, (number, name, title) in _KINDS.items()}


def kind_of(model: type[Model] | None) -> str | None:
    if model is None:
        return None
    for kind, (_number, name, _title) in _KINDS.items():
        if model._meta.app_label == "registry" and model._meta.object_name == name:
            return kind
    return None


def fold(text: str) -> str:
    return text.translate(_FOLD)


def grams(text: str) -> set[tuple[str, str]]:
    """The bigrams of one folded text, each character starting one (the last one with END)."""
    text = fold(text) + END
    return {(text[i], text[i + 1]) for i in range(len(text) - 1)}


def query_grams(query: str) -> list[tuple[str, str | None]] | None:
    """The bigrams an object must hold to contain `query`, (char, None) for a one-character query; None when
    the index cannot answer it exactly (a cased letter outside ASCII)."""
    text = fold(query)
    if any(c.lower() != c or c.upper() != c for c in text if not c.isascii()):
        return None
    if len(text) == 1:
        return [(text, None)]
    return sorted({(text[i], text[i + 1]) for i in range(len(text) - 1)})


def _model(apps=None):
    if apps is None:
        from django.apps import apps
    return apps.get_model("registry", "SearchGram")


def _gram_sql(number: int, gram: tuple[str, str | None]) -> tuple[str, list]:
    """SELECT obj_id of one bigram's posting list, as SQL and parameters."""
    first, second = gram
    table = connection.ops.quote_name(_model()._meta.db_table)
    if second is None:
        return f"SELECT obj_id FROM {table} WHERE kind = %s AND first = %s", [number, first]
    return f"SELECT obj_id FROM {table} WHERE kind = %s AND first = %s AND second = %s", [number, first, second]


def _rarest(number: int, wanted: list[tuple[str, str | None]]) -> tuple[int, tuple[str, str | None]]:
    """(postings, bigram) of the query's rarest bigram, counting each list only up to MERGE + 1, in one query."""
    parts, params = [], []
    for n, gram in enumerate(wanted):
        sql, args = _gram_sql(number, gram)
        parts.append(f"SELECT {n} AS n, (SELECT COUNT(*) FROM ({sql} LIMIT {MERGE + 1}) AS p{n}) AS c")
        params += args
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        counts = sorted((count, n) for n, count in cursor.fetchall())
    count, n = counts[0]
    return count, wanted[n]


def _intersection_sql(number: int, wanted: list[tuple[str, str | None]]) -> tuple[str, list]:
    """SELECT obj_id of the objects holding every one of these bigrams (two characters each)."""
    table = connection.ops.quote_name(_model()._meta.db_table)
    joins = [
        f"JOIN {table} AS g{n} ON g{n}.kind = g0.kind AND g{n}.first = %s AND g{n}.second = %s "
        f"AND g{n}.obj_id = g0.obj_id"
        for n in range(1, len(wanted))
    ]
    return (
        f"SELECT g0.obj_id FROM {table} AS g0 {' '.join(joins)} "
        "WHERE g0.kind = %s AND g0.first = %s AND g0.second = %s",
        _order_params(number, wanted),
    )


def _order_params(number: int, wanted: list[tuple[str, str | None]]) -> list:
    """The parameters of _intersection_sql in the order its text uses them: the joins', then the first bigram's."""
    params: list = []
    for first, second in wanted[1:]:
        params += [first, second]
    return params + [number, *wanted[0]]


# Querysets whose matches are dense: scanned in page order (see listing.keyset_page).
ORDERED_SCAN_HINT = "jianfu_ordered_scan"


def ordered_scan(qs: QuerySet) -> QuerySet:
    """Mark `qs` for a scan in page order. PostgreSQL estimates a LIKE '%…%' to keep a few rows in ten thousand,
    so for a common word it scans and sorts the whole table (1.5 s for a province) where walking the sort
    index finds a page of matches after a few hundred rows; keyset_page then forbids the sequential scan."""
    qs = qs.all()
    qs._hints = {**qs._hints, ORDERED_SCAN_HINT: True}
    return qs


def narrow(qs: QuerySet, kind: str, query: str) -> QuerySet:
    """`qs` (already filtered by title or code icontains `query`) limited to the objects holding the query's rarest
    bigram, when that one is held by at most DENSE objects; unchanged otherwise."""
    if getattr(settings, "JIANFU_BASELINE_QUERIES", False) or not query:
        return qs
    wanted = query_grams(query)
    if wanted is None:
        return qs
    number = _KINDS[kind][0]
    if len(wanted) > MAX_COUNTED:
        step = (len(wanted) - 1) / (MAX_COUNTED - 1)
        wanted = [wanted[round(i * step)] for i in range(MAX_COUNTED)]
    count, gram = _rarest(number, wanted)
    if count == 0:
        return qs.none()
    if count <= DENSE:
        sql, params = _gram_sql(number, gram)
    elif len(wanted) == 1 or count > MERGE:
        return ordered_scan(qs)  # one common bigram (or character), or only very common ones: dense matches
    else:
        # Every bigram is common; their intersection may still be rare (岭镇 and 镇水, but few 岭镇水). The
        # posting lists are sorted by object, so PostgreSQL merges them; counted only up to DENSE + 1 again.
        sql, params = _intersection_sql(number, wanted)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql} LIMIT {DENSE + 1}) AS i", params)
            if cursor.fetchone()[0] > DENSE:
                return ordered_scan(qs)  # dense matches: a scan in page order fills a page quickly
    column = (
        f"{connection.ops.quote_name(qs.model._meta.db_table)}.{connection.ops.quote_name(qs.model._meta.pk.column)}"
    )
    if connection.vendor == "postgresql":
        # An array computed once: the planner then fetches these rows by primary key (an IN subquery tempts it
        # into scanning the whole table for the LIKE and hash-joining, as its estimate of a LIKE is poor).
        condition = f"{column} = ANY(ARRAY({sql}))"
    else:
        condition = f"{column} IN ({sql})"
    return qs.filter(RawSQL(condition, params, output_field=BooleanField()))


# -- keeping it current ----------------------------------------------------------------------------------


def _rows(number: int, objects: Iterable[tuple[int, str, str]]) -> list[tuple[int, int, str, str]]:
    rows = []
    for pk, title, code in objects:
        for first, second in grams(title or "") | grams(code or ""):
            rows.append((number, pk, first, second))
    return rows


def _write(rows: list[tuple[int, int, str, str]], table: str) -> None:
    table = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} (kind, obj_id, first, second) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} (kind, obj_id, first, second) VALUES (%s, %s, %s, %s)", rows)


def _index(number: int, qs: QuerySet, title: str, *, replace: bool, chunk: int = 20_000, apps=None) -> None:
    ids: list[int] = []
    batch: list[tuple[int, str, str]] = []
    SearchGram = _model(apps)

    def flush() -> None:
        if replace:
            for start in range(0, len(ids), 900):
                SearchGram.objects.filter(kind=number, obj_id__in=ids[start : start + 900]).delete()
        _write(_rows(number, batch), SearchGram._meta.db_table)
        ids.clear()
        batch.clear()

    for row in qs.order_by().values_list("id", title, "code").iterator(chunk_size=chunk):
        ids.append(row[0])
        batch.append(row)
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()


def reindex(model: type[Model], ids: Iterable[int]) -> None:
    """Re-read these objects' titles and codes into the index (after an edit or a created object)."""
    kind = kind_of(model)
    ids = list(ids)
    if kind is None or not ids:
        return
    number, _model_, title = _kinds()[kind]
    with transaction.atomic():
        _index(number, model._default_manager.filter(pk__in=ids[:900]), title, replace=True)
        if len(ids) > 900:
            reindex(model, ids[900:])


def reindex_batch(model: type[Model] | None, batch_id: int) -> None:
    """Re-read every object an import batch created or changed (they carry its batch id)."""
    kind = kind_of(model)
    if kind is None:
        return
    number, _model_, title = _kinds()[kind]
    with transaction.atomic():
        _index(number, model._default_manager.filter(batch_id=batch_id), title, replace=True)


def rebuild(kinds: Iterable[str] | None = None, apps=None) -> dict[str, int]:
    """Empty and refill the index of these kinds (all by default); returns the rows written per kind."""
    written = {}
    SearchGram = _model(apps)
    for kind, (number, model, title) in _kinds(apps).items():
        if kinds is not None and kind not in kinds:
            continue
        with transaction.atomic():
            SearchGram.objects.filter(kind=number).delete()
            if connection.vendor == "postgresql":
                _rebuild_postgresql(number, model, title, SearchGram._meta.db_table)
            else:
                _index(number, model._default_manager.all(), title, replace=False, apps=apps)
        written[kind] = SearchGram.objects.filter(kind=number).count()
    return written


def _rebuild_postgresql(number: int, model: type[Model], title: str, table: str) -> None:
    """The same rows as `_rows`, made inside PostgreSQL in one sorted insert (a province in a few minutes)."""
    quote = connection.ops.quote_name
    table, source = quote(table), quote(model._meta.db_table)
    column = quote(model._meta.get_field(title).column)
    texts = (
        f"SELECT id, translate({column}, %s, %s) || %s AS t FROM {source} "
        f"UNION ALL SELECT id, translate(code, %s, %s) || %s FROM {source}"
    )
    sql = (
        f"INSERT INTO {table} (kind, obj_id, first, second) "
        f"SELECT DISTINCT %s, x.id, substr(x.t, i, 1), substr(x.t, i + 1, 1) "
        f"FROM ({texts}) AS x, generate_series(1, length(x.t) - 1) AS i ORDER BY 1, 3, 4, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [number, _FOLD_FROM, _FOLD_TO, END, _FOLD_FROM, _FOLD_TO, END])
