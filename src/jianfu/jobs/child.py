"""The process one import job runs in: `python -m jianfu.jobs.child CODE`; limits first, then the job, then exit.

The parent (`jianfu serve`'s worker thread or `jianfu worker`) waits for it; if this process is killed, aborts or
hits a limit, the parent fails the job, so the web server never shares its fate.
"""

from __future__ import annotations

import argparse
import os
import sys


def limit_resources(memory_mb: int, cpu_seconds: int) -> None:
    """Cap address space (a file that balloons raises MemoryError) and CPU time (a backstop if the parent dies)."""
    import resource

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 30))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jianfu.jobs.child")
    parser.add_argument("code")
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--cpu-seconds", type=int, required=True)
    args = parser.parse_args(argv)
    limit_resources(args.memory_mb, args.cpu_seconds)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianfu.settings")
    import django

    django.setup()
    from jianfu.jobs import worker
    from jianfu.jobs.models import ImportJob

    job = (
        ImportJob.objects.select_related("unit", "created_by")
        .filter(code=args.code, status=ImportJob.Status.RUNNING)
        .first()
    )
    if job is None:  # reaped or finished meanwhile: nothing to do
        return 0
    worker.run_job(job)
    return 0


if __name__ == "__main__":
    sys.exit(main())
