"""The `jianfu` command line: the one entry point for people and scripts (see spec/formats.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from jianfu.bootstrap import EXIT_FAILED, EXIT_OK, EXIT_REJECTED, setup_django


class _Bars:
    """One tqdm bar per import kind, on stderr so `--json` output stays clean."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bars: dict[str, object] = {}

    def __call__(self, kind: str, count: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if kind not in self.bars:
            self.bars[kind] = tqdm(desc=f"导入 {kind}", unit="行", file=sys.stderr, dynamic_ncols=True, leave=True)
        self.bars[kind].update(count)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def cmd_import(args: argparse.Namespace) -> int:
    setup_django()
    from jianfu.jobs.worker import reap_abandoned
    from jianfu.registry.importing import import_paths

    reap_abandoned()  # batches and jobs a killed import left "running" are failed and undone first
    user, scope, actor = None, None, args.actor
    if args.user:
        # As an officer: their region only, their name on the batches, their daily name + phone lookup limit.
        from jianfu.accounts import scope as region_scope
        from jianfu.accounts.models import User

        user = User.objects.filter(username=args.user, is_active=True).select_related("unit").first()
        if user is None or not region_scope.can_import(user):
            print(f"错误：用户「{args.user}」不存在、已停用或无权导入", file=sys.stderr)
            return EXIT_FAILED
        scope, actor = region_scope.import_scope(user), user.username
    bars = _Bars(not args.quiet and sys.stderr.isatty() or args.progress)
    try:
        report = import_paths(
            args.paths, kind=args.kind, dry_run=args.dry_run, actor=actor, progress=bars, scope=scope, user=user
        )
    finally:
        bars.close()
    for result in report.files:
        name = result.path
        if result.accepted:
            verb = "试导入通过" if args.dry_run else "已导入"
            print(
                f"{verb} {name}（{result.kind}）：{result.rows} 行，新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
            )
        else:
            print(f"已拒绝 {name}：{result.error_total} 处错误，本文件未写入任何数据", file=sys.stderr)
            for error in result.errors:
                print(f"  {error.message()}", file=sys.stderr)
            if result.error_total > len(result.errors):
                print(f"  ……另有 {result.error_total - len(result.errors)} 处错误未列出", file=sys.stderr)
    if args.json:
        payload = {
            "ok": report.ok,
            "files": [
                {
                    "file": str(r.path),
                    "kind": r.kind,
                    "status": r.status,
                    "rows": r.rows,
                    "created": r.created,
                    "updated": r.updated,
                    "unchanged": r.unchanged,
                    "error_total": r.error_total,
                    "errors": [e.as_dict() for e in r.errors],
                }
                for r in report.files
            ],
        }
        Path(args.json).write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    if not report.files:
        print("没有找到可导入的文件", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK if report.ok else EXIT_REJECTED


def registry_stats() -> dict[str, int]:
    from jianfu.registry.models import App, Form, FormField, Membership, Person, PublicAccount, Unit, WorkGroup

    return {
        "units": Unit.objects.count(),
        "people": Person.objects.count(),
        "apps": App.objects.exclude(category=App.Category.PLATFORM).count(),
        "platforms": App.objects.filter(category=App.Category.PLATFORM).count(),
        "accounts": PublicAccount.objects.count(),
        "groups": WorkGroup.objects.count(),
        "memberships": Membership.objects.count(),
        "forms": Form.objects.count(),
        "fields": FormField.objects.count(),
    }


def catalog_stats() -> dict[str, int | float]:
    """一表通: the catalog, how the form fields map to it, forms issued and the share of their fields pre-filled."""
    from django.db.models import Count, Q, Sum

    from jianfu.elements.models import DataElement, FieldMapping, FormIssue, IssueCopy
    from jianfu.registry.models import FormField

    elements = DataElement.objects.aggregate(
        active=Count("id", filter=Q(status=DataElement.Status.ACTIVE)),
        candidate=Count("id", filter=Q(status=DataElement.Status.CANDIDATE)),
    )
    mappings = FieldMapping.objects.aggregate(
        mapped=Count("id", filter=Q(element__isnull=False)),
        unmapped=Count("id", filter=Q(element__isnull=True)),
        confirmed=Count("id", filter=Q(confirmed=True)),
    )
    copies = IssueCopy.objects.aggregate(
        n=Count("id"),
        submitted=Count("id", filter=Q(status=IssueCopy.Status.SUBMITTED)),
        fields=Sum("fields_total"),
        prefilled=Sum("prefilled"),
    )
    fields_total, prefilled = copies["fields"] or 0, copies["prefilled"] or 0
    return {
        "elements": elements["active"],
        "candidate_elements": elements["candidate"],
        "fields_mapped": mappings["mapped"],
        "fields_unmapped": mappings["unmapped"],
        "fields_not_analysed": FormField.objects.count() - mappings["mapped"] - mappings["unmapped"],
        "fields_confirmed": mappings["confirmed"],
        "form_issues": FormIssue.objects.count(),
        "issue_copies": copies["n"],
        "copies_submitted": copies["submitted"],
        "copy_fields": fields_total,
        "copy_fields_prefilled": prefilled,
        "prefilled_share": round(prefilled / fields_total, 4) if fields_total else 0.0,
    }


CATALOG_LABELS = {
    "elements": "数据元",
    "candidate_elements": "候选数据元",
    "fields_mapped": "已映射字段",
    "fields_unmapped": "未映射字段",
    "fields_not_analysed": "未分析字段",
    "fields_confirmed": "已确认映射",
    "form_issues": "下发报表",
    "issue_copies": "下发份数",
    "copies_submitted": "已提交份数",
    "copy_fields": "下发字段",
    "copy_fields_prefilled": "预填字段",
    "prefilled_share": "预填比例",
}


def cmd_stats(args: argparse.Namespace) -> int:
    setup_django()
    stats = registry_stats()
    catalog = catalog_stats()
    if args.json:
        # The spec's keys first, unchanged; 一表通 under one more key.
        print(json.dumps({**stats, "catalog": catalog}, ensure_ascii=False))
    else:
        labels = {
            "units": "单位",
            "people": "人员",
            "apps": "应用",
            "platforms": "平台",
            "accounts": "公众账号",
            "groups": "工作群",
            "memberships": "群成员关系",
            "forms": "报表",
            "fields": "报表字段",
        }
        for key, value in stats.items():
            print(f"{labels[key]:<8}{value:>12,}")
        print("一表通")
        for key, value in catalog.items():
            shown = f"{value:>12.1%}" if key == "prefilled_share" else f"{value:>12,}"
            print(f"{CATALOG_LABELS[key]:<8}{shown}")
    return EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
    from jianfu.generate import generate

    bars = _Bars(not args.quiet)
    last: dict[str, int] = {}

    def progress(kind: str, done: int, total: int) -> None:
        bars(kind, done - last.get(kind, 0))
        last[kind] = done

    as_of = args.as_of
    summary = generate(args.scale, args.seed, Path(args.out), as_of=as_of, progress=progress)
    bars.close()
    counts = summary["counts"]
    print(f"已生成 {args.scale} 规模样例数据到 {args.out}：" + "，".join(f"{k} {v:,}" for k, v in counts.items()))
    return EXIT_OK


def _iso_date(text: str) -> dt.date:
    """An argparse type: a bad date is a usage error (exit 2) with a Chinese message, not a traceback."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写作 YYYY-MM-DD，例如 2026-11-26，而不是 {text!r}") from None


def cmd_analyze(args: argparse.Namespace) -> int:
    setup_django()
    from jianfu.findings.running import EngineUnavailable, run_and_store

    as_of = args.as_of or dt.date.today()
    bar = _StepBar(not args.quiet)
    try:
        document = run_and_store(
            as_of=as_of, actor=args.actor, progress=bar, engine=args.engine, spark_master=args.spark_master
        )
    except EngineUnavailable as exc:
        print(f"无法使用 {args.engine} 引擎：{exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        bar.close()
    _write_findings_files(args, document)
    _print_summary(document, as_of)
    return EXIT_OK


def cmd_findings_load(args: argparse.Namespace) -> int:
    setup_django()
    from jianfu.analysis.output import ResultFolderError
    from jianfu.findings.running import load_and_store

    try:
        document = load_and_store(Path(args.path), actor=args.actor)
    except ResultFolderError as exc:
        print(f"无法载入分析结果：{exc}", file=sys.stderr)
        return EXIT_FAILED
    _write_findings_files(args, document)
    _print_summary(document, None)
    return EXIT_OK


def cmd_snapshot(args: argparse.Namespace) -> int:
    setup_django()
    from jianfu.findings.snapshot import export_snapshot

    folder = Path(args.folder)
    if folder.exists() and any(folder.iterdir()):
        print(f"目录 {folder} 不是空的：快照只写入新目录或空目录", file=sys.stderr)
        return EXIT_FAILED
    counts = export_snapshot(folder, as_of=args.as_of)
    print(f"已导出分析快照到 {folder}：" + "，".join(f"{k} {v:,}" for k, v in counts.items()))
    return EXIT_OK


def _write_findings_files(args: argparse.Namespace, document: dict) -> None:
    if args.json:
        Path(args.json).write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    if args.xlsx:
        from jianfu.findings.export import write_findings_xlsx
        from jianfu.findings.hours import saved_hours
        from jianfu.findings.models import Finding

        current = Finding.objects.filter(is_current=True).order_by("-hours_saved_per_month", "fid")
        write_findings_xlsx(args.xlsx, current, total_hours=saved_hours(current))


def _print_summary(document: dict, as_of: dt.date | None) -> None:
    summary = document["summary"]
    head = f"分析完成（基准日期 {as_of}）" if as_of else "分析结果已载入"
    print(f"{head}：发现问题 {summary['findings']} 条，预计每月可减负 {summary['hours_saved_per_month']:.1f} 小时")
    by_type: dict[str, int] = {}
    for finding in document["findings"]:
        by_type[finding["type"]] = by_type.get(finding["type"], 0) + 1
    for kind, count in sorted(by_type.items(), key=lambda kv: -kv[1]):
        print(f"  {kind:<20}{count:>8,}")


class _StepBar:
    """Progress of named analysis steps on stderr."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.bar = None

    def __call__(self, step: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(total=total, desc="分析", file=sys.stderr, dynamic_ncols=True)
        self.bar.total = total
        self.bar.n = done
        self.bar.set_postfix_str(step)
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def cmd_audit_verify(args: argparse.Namespace) -> int:
    setup_django()
    from jianfu.audit.checkpoints import read_checkpoints
    from jianfu.audit.log import verify_log
    from jianfu.audit.models import AuditEvent

    problems = verify_log()
    total = AuditEvent.objects.count()
    if problems:
        print(f"审计日志被篡改：发现 {len(problems)} 处问题", file=sys.stderr)
        for problem in problems[:50]:
            print(f"  {problem.message}", file=sys.stderr)
        return EXIT_FAILED
    checkpoints = len(read_checkpoints())
    print(f"审计日志完整：{total} 条记录，哈希链、签名和 {checkpoints} 个检查点校验通过")
    return EXIT_OK


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    setup_django()
    from jianfu.audit.checkpoints import checkpoint_path, take_checkpoint

    checkpoint = take_checkpoint()
    print(f"已记录检查点：{checkpoint.count} 条记录，最后一条 id {checkpoint.head_id}（{checkpoint_path()}）")
    return EXIT_OK


def cmd_user_add(args: argparse.Namespace) -> int:
    setup_django()
    from jianfu.accounts.actions import UserError, do_create_user

    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else _ask_password()
    try:
        user = do_create_user(
            args.name, password=password, unit_code=args.unit, role=args.role, acting_user=None, person_code=args.person
        )
    except UserError as exc:
        for message in exc.messages:
            print(f"错误：{message}", file=sys.stderr)
        return EXIT_REJECTED
    print(f"已创建用户 {user.username}（{user.get_role_display()}，{user.unit.name}）")
    return EXIT_OK


def _ask_password() -> str:
    import getpass

    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        raise SystemExit("两次输入的密码不一致")
    return first


def cmd_serve(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings

    serve(args.host, args.port, args.workers or settings.JIANFU_WEB_WORKERS)
    return EXIT_OK


ALL_INTERFACES = ("0.0.0.0", "::")


def machine_host_names() -> list[str]:
    """This machine's names and addresses, as a browser would put them in the Host header."""
    import socket

    names = {socket.gethostname(), socket.getfqdn()}
    try:
        names.update(info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None))
    except OSError:
        pass  # a host name the resolver does not know: the names above still count
    return sorted(f"[{name}]" if ":" in name else name for name in names if name)


def warn_if_home_is_open(home: Path) -> bool:
    """A data folder made by an older release may still be readable by others: say so, with the fix."""
    mode = home.stat().st_mode & 0o777
    if mode & 0o077:
        print(
            f"警告：数据文件夹 {home} 的权限为 {mode:o}，其他用户可以读取其中的个人信息和密钥；"
            f"请执行 chmod 700 {home} && chmod -R go-rwx {home}",
            file=sys.stderr,
            flush=True,
        )
    return bool(mode & 0o077)


def serve(host: str, port: int, workers: int = 1) -> None:
    from django.conf import settings

    from jianfu.wsgi import application

    warn_if_home_is_open(Path(settings.JIANFU_HOME))

    # Never "*": a server answering to any Host header is open to DNS rebinding and poisoned absolute links.
    extra = machine_host_names() if host in ALL_INTERFACES else [f"[{host}]" if ":" in host else host]
    settings.ALLOWED_HOSTS.extend(name for name in extra if name not in settings.ALLOWED_HOSTS)
    if host in ALL_INTERFACES:
        print(
            "接受的主机名：" + "，".join(settings.ALLOWED_HOSTS) + "（其他域名请写入 JIANFU_ALLOWED_HOSTS）", flush=True
        )
    if settings.JIANFU_IMPORT_WORKER:
        # The embedded default needs no second process: imports uploaded in the browser run in this one.
        # With several web processes (or `jianfu worker` running elsewhere) set JIANFU_IMPORT_WORKER=0.
        from jianfu.jobs.worker import start_worker_thread

        start_worker_thread()
    print(
        f"Jianfu 网页已启动：http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/  （Ctrl+C 停止）",
        flush=True,
    )
    if workers > 1:
        _serve_processes(application, host, port, workers)
        return
    from waitress import serve as waitress_serve

    # Waitress would strip X-Forwarded-* (it trusts one proxy address at most, and no networks); behind our proxy
    # it passes them on and Django decides whom to believe: accounts.client_address for the client address,
    # SECURE_PROXY_SSL_HEADER (JIANFU_HTTPS) for the scheme.
    behind_proxy = settings.JIANFU_HTTPS or bool(settings.JIANFU_TRUSTED_PROXIES)
    waitress_serve(
        application, host=host, port=port, threads=8, ident="jianfu", clear_untrusted_proxy_headers=not behind_proxy
    )


def _serve_processes(application, host: str, port: int, workers: int) -> None:
    """Several web processes (gunicorn, threaded workers): one Python process is bound to one core by its GIL."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    connections.close_all()  # a connection opened before the fork must not be shared by the children

    class _Server(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": 4,
                "accesslog": None,
                "timeout": 120,
                "forwarded_allow_ips": _gunicorn_forwarded_allow_ips(),
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    _Server().run()


def _gunicorn_forwarded_allow_ips() -> str:
    """Our trusted proxies as gunicorn wants them: single addresses only (it reads no CIDR networks)."""
    import ipaddress

    from django.conf import settings

    networks = [ipaddress.ip_network(entry, strict=False) for entry in settings.JIANFU_TRUSTED_PROXIES]
    # Empty means no peer may set the scheme headers (gunicorn's default would trust 127.0.0.1).
    return ",".join(str(network.network_address) for network in networks if network.num_addresses == 1)


def cmd_worker(args: argparse.Namespace) -> int:
    setup_django()
    from jianfu.jobs import worker

    if args.once:
        worker.reap_abandoned()
        ran = worker.run_pending()
        print(f"已处理导入任务 {ran} 个", flush=True)
        return EXIT_OK
    import signal
    import threading

    stop = threading.Event()

    def _stop(*_):
        # Finish the job in hand (its file transactions must not be cut), then leave.
        stop.set()
        worker.wake()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print("导入任务处理进程已启动（Ctrl+C 停止）", flush=True)
    worker.work_forever(poll_seconds=args.poll, stop=stop)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from jianfu.generate import generate

    setup_django()
    from django.conf import settings

    sample = Path(settings.JIANFU_HOME) / "sample"
    print(f"1/4 生成样例县数据（种子 {args.seed}）到 {sample} …", flush=True)
    generate("county", args.seed, sample)
    print("2/4 导入样例数据 …", flush=True)
    from jianfu.registry.importing import import_paths

    bars = _Bars(sys.stderr.isatty())
    report = import_paths([sample], actor="demo", progress=bars)
    bars.close()
    for result in report.files:
        state = "已导入" if result.accepted else "已拒绝"
        print(
            f"    {state} {result.path.name}：{result.rows} 行（新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}）"
        )
        for error in result.errors[:5]:
            print(f"      {error.message()}")
    print("    台账：" + json.dumps(registry_stats(), ensure_ascii=False), flush=True)
    _demo_analyze()
    login = _demo_login()
    if login:
        print(f"4/4 演示账号：用户名 {login[0]}  密码 {login[1]}", flush=True)
    if args.no_serve:
        return EXIT_OK if report.ok else EXIT_REJECTED
    serve(args.host, args.port)
    return EXIT_OK


def _demo_analyze() -> None:
    try:
        from jianfu.findings.running import run_and_store  # noqa: F401  (present once detection is installed)
    except ImportError:
        print("3/4 分析：检测模块尚未安装，跳过", flush=True)
        return
    print("3/4 分析台账 …", flush=True)
    summary = run_and_store(as_of=dt.date.today(), actor="demo")["summary"]
    print(
        f"    发现问题 {summary['findings']} 条，预计每月可减负 {summary['hours_saved_per_month']:.1f} 小时", flush=True
    )


def _demo_login() -> tuple[str, str] | None:
    try:
        from jianfu.accounts.actions import ensure_demo_user
    except ImportError:
        return None
    return ensure_demo_user()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jianfu", description="减负：政务应用、工作群、报表台账与形式主义问题检测")
    sub = parser.add_subparsers(dest="command", required=True)
    # The order of these calls is the order of the commands in `jianfu --help`.
    _add_registry_commands(sub)
    _add_analysis_commands(sub)
    _add_server_commands(sub)
    _add_admin_commands(sub)
    _add_app_commands(sub)
    return parser


def _add_registry_commands(sub: argparse._SubParsersAction) -> None:
    """import, stats, generate, demo: getting inventories into the registry."""
    p = sub.add_parser("import", help="导入台账文件或文件夹")
    p.add_argument("paths", nargs="+")
    p.add_argument(
        "--kind", help="强制指定类型：units/people/apps/platforms/accounts/groups/members/forms/fields/elements/values"
    )
    p.add_argument("--dry-run", action="store_true", help="只校验，不写入")
    p.add_argument("--actor", default=os.environ.get("USER", "cli"))
    p.add_argument("--user", help="以该用户的身份导入：只涉及其管辖范围，并受其每日按姓名和手机号匹配的次数限制")
    p.add_argument("--json", help="把导入结果写入 JSON 文件")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--progress", action="store_true", help="即使不在终端也显示进度条")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("stats", help="台账数量统计（含一表通数据元、映射和下发）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("generate", help="生成合成样例台账")
    p.add_argument("--scale", choices=["county", "city", "province"], default="county")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True)
    p.add_argument("--as-of", type=_iso_date, help="基准日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("demo", help="生成样例县、导入、分析并启动网页")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="只准备数据，不启动网页")
    p.set_defaults(func=cmd_demo)


def _add_analysis_commands(sub: argparse._SubParsersAction) -> None:
    """analyze, findings, snapshot: running the detectors and moving their results."""
    p = sub.add_parser("analyze", help="运行全部检测规则并保存问题清单")
    p.add_argument("--as-of", type=_iso_date, help="基准日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--json", help="把问题清单写入 JSON 文件")
    p.add_argument("--xlsx", help="把问题清单写入 Excel 文件")
    p.add_argument("--actor", default=os.environ.get("USER", "cli"))
    p.add_argument("--quiet", action="store_true")
    p.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        default="duckdb",
        help="分析引擎：duckdb（默认，单机）或 spark（集群，需安装 jianfu[spark] 和 Java 17）",
    )
    p.add_argument(
        "--spark-master", default="local[2]", help="Spark 主节点：local[N]、spark://主机:7077 或 yarn（默认 local[2]）"
    )
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("findings", help="问题清单")
    findings_sub = p.add_subparsers(dest="findings_command", required=True)
    q = findings_sub.add_parser("load", help="载入集群分析写出的结果（findings.parquet 和 run.parquet 所在目录）")
    q.add_argument("path", help="分析结果目录（spark_job.py 的输出）")
    q.add_argument("--json", help="把问题清单写入 JSON 文件")
    q.add_argument("--xlsx", help="把问题清单写入 Excel 文件")
    q.add_argument("--actor", default=os.environ.get("USER", "cli"))
    q.set_defaults(func=cmd_findings_load)

    p = sub.add_parser("snapshot", help="把台账导出为分析快照（Parquet，每表一个文件），供集群上的 spark_job.py 读取")
    p.add_argument("folder", help="新目录或空目录")
    p.add_argument("--as-of", type=_iso_date, help="只导出这一天仍在用的载体（YYYY-MM-DD；默认全部）")
    p.set_defaults(func=cmd_snapshot)


def _add_server_commands(sub: argparse._SubParsersAction) -> None:
    """serve, worker: the long-running processes."""
    p = sub.add_parser("serve", help="启动网页")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="网页进程数（默认取 JIANFU_WEB_WORKERS，未设为 1；大于 1 时使用 gunicorn，仅限 Linux/macOS）",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="处理网页上传的导入任务（与 serve 分开运行时使用）")
    p.add_argument("--once", action="store_true", help="处理完排队的任务后退出")
    p.add_argument("--poll", type=float, default=2.0, help="空闲时查询新任务的间隔（秒）")
    p.set_defaults(func=cmd_worker)


def _add_admin_commands(sub: argparse._SubParsersAction) -> None:
    """audit, user: administration."""
    p = sub.add_parser("audit", help="审计日志")
    audit_sub = p.add_subparsers(dest="audit_command", required=True)
    q = audit_sub.add_parser("verify", help="校验审计日志的哈希链、签名和检查点（退出码 0 完整，1 被篡改）")
    q.set_defaults(func=cmd_audit_verify)
    q = audit_sub.add_parser("checkpoint", help="把审计日志的当前末尾记入检查点文件（每日定时运行）")
    q.set_defaults(func=cmd_audit_checkpoint)

    p = sub.add_parser("user", help="用户管理")
    user_sub = p.add_subparsers(dest="user_command", required=True)
    q = user_sub.add_parser("add", help="创建用户（密码从标准输入读取）")
    q.add_argument("name")
    q.add_argument("--unit", required=True)
    q.add_argument("--role", required=True, choices=["admin", "office", "department", "discipline", "cadre"])
    q.add_argument("--person", help="关联人员台账中的本人（人员编号），用于“我的负担”页面 /me/；须在该用户单位范围内")
    q.set_defaults(func=cmd_user_add)


def _add_app_commands(sub: argparse._SubParsersAction) -> None:
    """The commands each app declares in its own cli module."""
    from jianfu.filings.cli import add_parsers

    add_parsers(sub)
    from jianfu.surveys.cli import add_parsers as add_survey_parsers

    add_survey_parsers(sub)
    from jianfu.api.cli import add_parsers as add_token_parsers

    add_token_parsers(sub)
    from jianfu.cases.cli import add_parsers as add_case_parsers

    add_case_parsers(sub)
    from jianfu.reports.cli import add_parsers as add_report_parsers

    add_report_parsers(sub)


def main(argv: list[str] | None = None) -> int:
    # Everything this process writes (database, uploads, exports) is readable by its owner only.
    os.umask(0o077)
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
