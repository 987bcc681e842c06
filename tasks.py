#!/usr/bin/env python3
"""Bootstrap and run Jianfu with nothing but Python 3.11+: `python3 tasks.py demo` or `python3 tasks.py test`.

Creates .venv in the checkout, installs the project with its declared dependencies, then runs the job.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
PG_ADMIN_URL = os.environ.get("JIANFU_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")


def run(*cmd: str | Path, env: dict | None = None, check: bool = True) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env, check=check).returncode


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit("Jianfu needs Python 3.11 or newer")
    if not PY.exists():
        run(sys.executable, "-m", "venv", VENV)
        run(PY, "-m", "pip", "install", "-q", "--upgrade", "pip")
    stamp = VENV / f".installed-{extras or 'base'}"
    inputs = (ROOT / "pyproject.toml").stat().st_mtime
    if not stamp.exists() or stamp.stat().st_mtime < inputs:
        target = f".[{extras}]" if extras else "."
        run(PY, "-m", "pip", "install", "-q", "-e", target)
        stamp.touch()


def ensure_chromium() -> bool:
    """Debian's Chromium drives the browser tests; install it when we may (root), never a downloaded browser."""
    if shutil.which("chromium"):
        return True
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run("apt-get", "update", "-qq", env=env, check=False)
        # Noto CJK so screenshots show Chinese, not boxes.
        run("apt-get", "install", "-y", "-qq", "chromium", "fonts-noto-cjk", env=env, check=False)
    return bool(shutil.which("chromium"))


def ensure_document_libraries() -> None:
    """Reports and notices draw Chinese with Noto CJK through Pango (WeasyPrint): Debian packages, when we may."""
    import ctypes.util

    have_fonts = (
        subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout.strip()
        if shutil.which("fc-list")
        else ""
    )
    if have_fonts and ctypes.util.find_library("pango-1.0") and ctypes.util.find_library("pangoft2-1.0"):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run("apt-get", "update", "-qq", env=env, check=False)
        run(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "fonts-noto-cjk",
            "fontconfig",
            "libpango-1.0-0",
            "libpangoft2-1.0-0",
            env=env,
            check=False,
        )
    else:
        print(
            "! Noto CJK fonts or Pango missing: install fonts-noto-cjk and libpango-1.0-0 for PDF documents", flush=True
        )


def java_available() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and (Path(home) / "bin" / "java").exists()))


def ensure_java() -> bool:
    """Spark (the `spark` extra) needs a Java runtime: Debian's, installed when we may (root), never downloaded."""
    if java_available():
        return True
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run("apt-get", "update", "-qq", env=env, check=False)
        # Debian 12 ships openjdk-17; other releases offer whichever default-jre-headless they have.
        if run("apt-get", "install", "-y", "-qq", "openjdk-17-jre-headless", env=env, check=False) != 0:
            run("apt-get", "install", "-y", "-qq", "default-jre-headless", env=env, check=False)
    return java_available()


def postgres_available() -> bool:
    code = subprocess.run(
        [str(PY), "-c", f"import psycopg; psycopg.connect({PG_ADMIN_URL!r}, connect_timeout=3).close()"],
        capture_output=True,
    ).returncode
    return code == 0


def audit_dependencies() -> int:
    """pip-audit the venv: 1 on a known vulnerability that has a fix; a warning for one without, or when offline."""
    command = [
        str(PY),
        "-m",
        "pip_audit",
        "--skip-editable",
        "--progress-spinner",
        "off",
        "--timeout",
        "10",
        "-f",
        "json",
    ]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
        return audit_verdict(json.loads(done.stdout)["dependencies"])
    except subprocess.TimeoutExpired:
        reason = "timed out"
    except (ValueError, KeyError):
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1][:300]
    print(f"! pip-audit could not reach the vulnerability service; dependencies NOT audited ({reason})", flush=True)
    return 0


def audit_verdict(dependencies: list[dict]) -> int:
    """From pip-audit's JSON dependencies: print each vulnerability; 1 if any has a fixed version to move to."""
    audited = [d for d in dependencies if "skip_reason" not in d]
    if dependencies and not audited:  # a mirror without per-version data: pip-audit would say "no vulnerabilities"
        print(
            f"! pip-audit skipped all {len(dependencies)} dependencies (vulnerability data unreachable); NOT audited",
            flush=True,
        )
        return 0
    fixable = 0
    for dependency in audited:
        for vuln in dependency.get("vulns", []):
            fixes = vuln.get("fix_versions") or []
            fixable += bool(fixes)
            label = f"fixed in {', '.join(fixes)}" if fixes else "no fix released yet"
            print(f"{'✗' if fixes else '!'} {dependency['name']} {dependency['version']}: {vuln['id']} ({label})")
    print(f"pip-audit: {len(audited)} dependencies audited, {fixable} vulnerabilities with a fix", flush=True)
    return 1 if fixable else 0


#: packages with no Django imports, type-checked on every test run (generate follows once its names are untangled)
TYPED_PACKAGES = ("src/jianfu/ingest", "src/jianfu/analysis", "src/jianfu/generate")


def lint() -> int:
    """ruff (lint rules in pyproject.toml, and the formatter) over the code, tests and benchmarks, then mypy over
    the pure packages: 1 on any error."""
    sources = ("src", "tests", "benchmarks", "tasks.py")
    failed = run(PY, "-m", "ruff", "check", "--no-cache", *sources, check=False)
    unformatted = run(PY, "-m", "ruff", "format", "--check", "--no-cache", *sources, check=False)
    typed = run(PY, "-m", "mypy", "--cache-dir", str(ROOT / ".mypy_cache"), *TYPED_PACKAGES, check=False)
    return 1 if failed or unformatted or typed else 0


def test(pytest_args: list[str]) -> int:
    ensure_venv("test,bench,spark")
    ensure_document_libraries()
    if audit_dependencies() or lint():
        return 1
    have_browser = ensure_chromium()
    base_env = dict(os.environ)
    base_env.pop("DATABASE_URL", None)
    if not have_browser:
        print("! chromium not found: browser tests will be skipped", flush=True)
        base_env["JIANFU_SKIP_BROWSER"] = "1"
    in_ci = os.environ.get("CI") == "true"
    if not ensure_java():
        if in_ci:  # tests/spark/conftest.py fails rather than skips under CI=true, as PostgreSQL is required
            print("! Java is required under CI for the Spark parity tests but could not be installed", flush=True)
            return 1
        print("! no Java runtime: the Spark tests (tests/spark) will be skipped", flush=True)
    runs = [("SQLite", {})]
    require_pg = in_ci or os.environ.get("JIANFU_REQUIRE_POSTGRES") == "1"
    if postgres_available():
        # A throwaway database per run: pytest-django creates test_<name> and drops it afterwards.
        name = f"jianfu_{uuid.uuid4().hex[:10]}"
        # Tests that never reach the database run once, in the SQLite run (tests/conftest.py).
        pg_env = {"DATABASE_URL": PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, "JIANFU_DATABASE_TESTS_ONLY": "1"}
        runs.append(("PostgreSQL", pg_env))
    elif require_pg:
        print("! PostgreSQL is required here but not reachable at " + PG_ADMIN_URL, flush=True)
        return 1
    else:
        print("! PostgreSQL not reachable: running on SQLite only", flush=True)
    # The two databases' runs go side by side, one per core; each writes its own log, shown whole at the end.
    started = []
    for label, extra in runs:
        env = dict(base_env, **extra)
        home = ROOT / ".jianfu-test" / label.lower()
        home.mkdir(parents=True, exist_ok=True)
        env["JIANFU_HOME"] = str(home)
        args = ["-p", "no:cacheprovider", *pytest_args]
        if label == "PostgreSQL":
            args = ["--create-db", *args]
        log_path = ROOT / ".jianfu-test" / f"{label.lower()}.log"
        log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed below, after the run ends
        print(f"+ tests on {label} (log: {log_path.relative_to(ROOT)})", flush=True)
        process = subprocess.Popen(
            [str(PY), "-m", "pytest", *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        started.append((label, process, log, log_path))
    last_shown = time.monotonic()
    while any(process.poll() is None for _, process, _, _ in started):
        time.sleep(1)
        if time.monotonic() - last_shown < 30:
            continue
        last_shown = time.monotonic()
        print("  " + " · ".join(f"{label} {_progress(log_path)}" for label, _, _, log_path in started), flush=True)
    failed = 0
    for label, process, log, log_path in started:
        code = process.wait()
        log.close()
        print(f"\n=== tests on {label}: exit {code} ===", flush=True)
        print(log_path.read_text(encoding="utf-8", errors="replace"), flush=True)
        failed = failed or code
    return failed


def _progress(log_path: Path) -> str:
    """pytest's last '[ NN%]' mark in a log, so a long run shows how far it got."""
    marks = re.findall(r"\[\s*(\d+)%\]", log_path.read_text(encoding="utf-8", errors="replace")[-4000:])
    return f"{marks[-1]}%" if marks else "starting"


def demo(extra: list[str]) -> int:
    ensure_venv("")
    ensure_document_libraries()
    return run(BIN / "jianfu", "demo", *extra, check=False)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test"}:
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    return demo(rest) if command == "demo" else test(rest)


if __name__ == "__main__":
    sys.exit(main())
