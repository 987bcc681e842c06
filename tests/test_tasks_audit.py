"""tasks.py's reading of pip-audit's JSON: a fixable vulnerability fails the run, the rest only warn."""

import tasks


def test_a_vulnerability_with_a_fix_fails(capsys):
    report = [
        {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.1"]}]},
        {"name": "rich", "version": "15.0.0", "vulns": []},
    ]
    assert tasks.audit_verdict(report) == 1
    assert "✗ django 5.2.0: PYSEC-1 (fixed in 5.2.1)" in capsys.readouterr().out


def test_a_vulnerability_without_a_fix_only_warns(capsys):
    report = [{"name": "jieba", "version": "0.42.1", "vulns": [{"id": "GHSA-x", "fix_versions": []}]}]
    assert tasks.audit_verdict(report) == 0
    assert "! jieba 0.42.1: GHSA-x (no fix released yet)" in capsys.readouterr().out


def test_everything_skipped_is_reported_as_not_audited(capsys):
    report = [{"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"}]
    assert tasks.audit_verdict(report) == 0
    assert "NOT audited" in capsys.readouterr().out
