"""The audit log is anchored: row HMACs with a key outside the database, and checkpoints of its head in an
append-only file. Tampering the hash chain alone cannot show — cut rows, an emptied log, a row edited with every
later hash recomputed — makes `jianfu audit verify` exit 1 and name what is wrong."""

import json
import stat

import pytest
from django.db import connection

from jianfu.audit.checkpoints import checkpoint_path, read_checkpoints, take_checkpoint
from jianfu.audit.log import record, verify_chain, verify_log
from jianfu.audit.models import AuditEvent
from jianfu.cli import main

pytestmark = pytest.mark.django_db
TABLE = AuditEvent._meta.db_table


def write_rows(count: int) -> list[AuditEvent]:
    return [
        record(
            actor="officer",
            action="update",
            kind="groups",
            code=f"G{n}",
            changes={"purpose": ["旧", f"新{n}"]},
            unit_path="/330000000000/",
        )
        for n in range(count)
    ]


def behind_the_apps_back(sql: str, params=()) -> None:
    with connection.cursor() as cursor:  # what someone with database access could do
        cursor.execute(sql, params)


def verify(capsys) -> tuple[int, str]:
    code = main(["audit", "verify"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_clean_log_verifies(capsys):
    write_rows(5)
    assert main(["audit", "checkpoint"]) == 0
    write_rows(2)  # rows after the last checkpoint are fine too
    code, output = verify(capsys)
    assert code == 0 and "7 条记录" in output and verify_log() == []


def test_deleted_last_rows_are_found(capsys):
    rows = write_rows(5)
    take_checkpoint()
    behind_the_apps_back(f"DELETE FROM {TABLE} WHERE id >= %s", [rows[3].id])
    assert verify_chain() == []  # the chain that is left is intact: only the checkpoint knows
    code, output = verify(capsys)
    assert code == 1 and "最后的记录已被删除" in output and f"id {rows[4].id}" in output


def test_a_deleted_log_is_found(capsys):
    write_rows(3)
    take_checkpoint()
    behind_the_apps_back(f"DELETE FROM {TABLE}")
    code, output = verify(capsys)
    assert code == 1 and "3 条" in output and "现在日志只有 0 条" in output


def test_an_edited_row_with_recomputed_hashes_is_found(capsys):
    rows = write_rows(4)
    forged = list(AuditEvent.objects.order_by("id"))
    forged[1].changes = {"purpose": ["旧", "改过的"]}
    previous = forged[0].hash
    for event in forged[1:]:  # re-chain every later row, as a careful forger would
        event.prev_hash = previous
        event.hash = event.compute_hash()
        previous = event.hash
        behind_the_apps_back(
            f"UPDATE {TABLE} SET changes = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [json.dumps(event.changes, ensure_ascii=False), event.prev_hash, event.hash, event.id],
        )
    code, output = verify(capsys)
    assert code == 1 and f"记录 id {rows[1].id} 的签名（HMAC）不符" in output
    assert verify_chain() == [r.id for r in rows[1:]]


def test_an_edited_row_against_a_checkpoint_is_named(capsys):
    rows = write_rows(2)
    take_checkpoint()
    behind_the_apps_back(f"DELETE FROM {TABLE} WHERE id = %s", [rows[1].id])
    write_rows(1)  # a new row where the deleted one was: the chain continues from the survivor
    code, output = verify(capsys)
    assert code == 1 and f"最后一条记录 id {rows[1].id} 已被删除" in output


def test_a_forged_checkpoint_line_is_found(capsys):
    write_rows(2)
    take_checkpoint()
    with checkpoint_path().open("a", encoding="utf-8") as handle:
        handle.write(
            json.dumps({"at": "2026-01-01", "count": 1, "head_id": 1, "head_hash": "0" * 64, "mac": "f" * 64}) + "\n"
        )
    code, output = verify(capsys)
    assert code == 1 and "检查点文件第 2 行" in output


def test_checkpoints_are_taken_every_n_rows_after_commit(settings, django_capture_on_commit_callbacks):
    settings.JIANFU_AUDIT_CHECKPOINT_EVERY = 3
    for _ in range(7):
        with django_capture_on_commit_callbacks(execute=True):  # one commit per row, as the app makes them
            write_rows(1)
    counts = [checkpoint.count for _, checkpoint in read_checkpoints()]
    assert counts == [1, 4, 7]  # the first row, then every third
    assert stat.S_IMODE(checkpoint_path().stat().st_mode) == 0o600


def test_a_rolled_back_row_is_never_checkpointed(django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            write_rows(1)
            raise RuntimeError
    assert read_checkpoints() == []
