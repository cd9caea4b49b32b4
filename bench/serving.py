"""The real stack under load: action server, `rasa run` with the repo's credentials and endpoints,
the SQL tracker store on a PostgreSQL database of its own; one Rasa process, then two replicas."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import requests
import yaml
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.conversations import CONVERSATIONS
from bench.load import REST_PATH, SESSION_PATH, answer_problem, closed_loop, under_flood
from bench.machine import cpu_seconds, machine, machine_busy_seconds, peak_rss_mib
from bench.memory import memory_by_part
from bench.profile import MACHINE, hottest, read_raw, subsystem_shares, what_bounds_it
from bench.settings import ROOT, BenchSettings, shown
from bench.targets import serving_misses
from bot.settings import web_abuse_settings
from tests.ports import free_port
from tests.system.assistant import ChildProcess

TOPOLOGIES = {"one Rasa process": 1, "two Rasa replicas": 2}
# Issue 16's load test: this many people writing while one address sends ten times its limit.
FLOOD_PEOPLE = 20
FLOOD_TIMES_THE_LIMIT = 10
# A person's time to read an answer and type the next turn, in the flood test's "normal conversations": three
# seconds is quick for someone reading a paragraph of French and typing on a phone.
PERSON_PAUSE_SECONDS = 3.0
READY_TIMEOUT = 300


def create_database(admin_url: str, name: str) -> str:
    """An empty database `name`, dropped first if a previous run left it; its URL."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def stored_handoffs(database_url: str) -> int:
    from bot.storage.schema import handoff_cases

    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(handoff_cases)).scalar_one()
    finally:
        engine.dispose()


def endpoints_for(action_url: str, source: Path = ROOT / "endpoints-gateway.yml") -> Dict[str, Any]:
    """The endpoints production runs (endpoints-gateway.yml) as they are; an action endpoint at a fixed address is pointed at the
    bench's action server (one written with ${...} is filled from the environment by Rasa)."""
    endpoints = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    action = endpoints.get("action_endpoint") or {}
    if "${" not in str(action.get("url", "")):
        endpoints["action_endpoint"] = dict(action, url=action_url)
    return endpoints


class Stack:
    """One topology: an action server and `replicas` Rasa servers on one database."""

    def __init__(self, model: Path, database_url: str, replicas: int, run_dir: Path):
        self.model, self.database_url, self.replicas, self.run_dir = model, database_url, replicas, run_dir
        self.actions: Optional[ChildProcess] = None
        self.rasa: List[ChildProcess] = []
        self.ready_seconds: List[float] = []

    def start(self, exits: ExitStack) -> Stack:
        port = free_port()
        self.action_url = f"http://127.0.0.1:{port}/webhook"
        action_server_token = secrets.token_hex(24)
        self.actions = ChildProcess(
            [sys.executable, "-m", "bot.rasa_plugins.action_server", "--actions", "actions", "--port", str(port)],
            self.run_dir / "actions.log",
            {"DATABASE_URL": self.database_url, "SANIC_HOST": "127.0.0.1", "ACTION_SERVER_TOKEN": action_server_token},
            port,
        ).start(READY_TIMEOUT)
        exits.callback(self.actions.stop)
        endpoints = self.run_dir / "endpoints.yml"
        endpoints.write_text(yaml.safe_dump(endpoints_for(self.action_url), sort_keys=False), encoding="utf-8")
        # The replicas take each other's web conversations, as a deployment's do.
        web_session_secret = secrets.token_urlsafe(32)
        # One after the other: each replica's start-up is timed without the other competing for the CPU.
        for number in range(1, self.replicas + 1):
            port = free_port()
            server = ChildProcess(
                [
                    sys.executable,
                    "-m",
                    "rasa",
                    "run",
                    "--model",
                    str(self.model),
                    "--endpoints",
                    str(endpoints),
                    "--credentials",
                    str(ROOT / "credentials.yml"),
                    "--port",
                    str(port),
                    "--interface",
                    "127.0.0.1",
                ],
                self.run_dir / f"rasa{number}.log",
                {
                    "DATABASE_URL": self.database_url,
                    "RASA_PORT": str(port),
                    "ACTION_SERVER_URLS": self.action_url,
                    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                    "TF_CPP_MIN_LOG_LEVEL": "2",
                    "WEB_SESSION_SECRET": web_session_secret,
                    "ACTION_GATEWAY_TOKEN": secrets.token_hex(24),
                    "ACTION_SERVER_TOKEN": action_server_token,
                },
                port,
            )
            started = time.monotonic()
            server.start(READY_TIMEOUT)
            exits.callback(server.stop)
            wait_until_answered(server, READY_TIMEOUT)
            self.ready_seconds.append(time.monotonic() - started)
            self.rasa.append(server)
        return self

    @property
    def urls(self) -> List[str]:
        return [f"http://127.0.0.1:{server.port}" for server in self.rasa]

    def pids(self) -> Dict[str, int]:
        pids = {f"rasa{n}": server.process.pid for n, server in enumerate(self.rasa, start=1)}
        pids["actions"] = self.actions.process.pid
        return pids


def wait_until_answered(server: ChildProcess, timeout: float) -> None:
    """The port opens before the model is loaded: ready means a message gets a real answer."""
    deadline = time.monotonic() + timeout
    base = f"http://127.0.0.1:{server.port}"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            sender = requests.post(base + SESSION_PATH, json={}, timeout=30).json()["sender"]
            response = requests.post(base + REST_PATH, json={"sender": sender, "message": "bonjour"}, timeout=30)
            if answer_problem(response.status_code, response.json() if response.ok else None) is None:
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"rasa did not answer within {timeout:.0f} s; see {server.log_path}")


class CpuMeter:
    """CPU used by each process between the load window's start and end, in % of one core."""

    def __init__(self, pids: Dict[str, int]):
        self.pids = dict(pids, **{"load generator": os.getpid()})
        self.marks: Dict[str, tuple] = {}

    def __call__(self, mark: str) -> None:
        used = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        used[MACHINE] = machine_busy_seconds()
        self.marks[mark] = (time.monotonic(), used)

    def percent(self) -> Dict[str, float]:
        (start, before), (end, after) = self.marks["start"], self.marks["end"]
        return {name: 100 * (after[name] - before[name]) / (end - start) for name in before}


class ServingBench:
    def __init__(self, settings: BenchSettings, model: Path, results_dir: Path, stage: Callable[[str], Any]):
        self.settings, self.model, self.stage = settings, model, stage
        self.results_dir = results_dir
        self.logs = results_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    def run(self) -> Dict[str, Any]:
        with self.stage("serving: database"):
            database_url = create_database(self.settings.postgres_admin_url, self.settings.database_name)
            subprocess.run(
                [sys.executable, "-m", "bot.storage.operator", "migrate"],
                cwd=ROOT,
                check=True,
                env=_env(DATABASE_URL=database_url),
                stdout=subprocess.DEVNULL,
            )
        with self.stage("serving: memory by part of the model"):
            memory = memory_by_part(self.model)
        topologies = {}
        for name, replicas in TOPOLOGIES.items():
            topologies[name] = self.topology(name, replicas, database_url)
        return {
            "model": str(self.model),
            "database": self.settings.database_name,
            "conversations": {title: len(turns) for title, turns in CONVERSATIONS.items()},
            "warmup_seconds": self.settings.warmup_seconds,
            "topologies": topologies,
            "memory_by_part": memory,
        }

    def topology(self, name: str, replicas: int, database_url: str) -> Dict[str, Any]:
        run_dir = self.logs / name.replace(" ", "_")
        run_dir.mkdir(exist_ok=True)
        handoffs_before = stored_handoffs(database_url)
        with ExitStack() as exits:
            with self.stage(f"serving {name}: start"):
                stack = Stack(self.model, database_url, replicas, run_dir).start(exits)
            levels = []
            for concurrency in self.settings.concurrency:
                with self.stage(f"serving {name}: {concurrency} concurrent conversation(s)"):
                    levels.append(
                        self._load(stack, concurrency, self.settings.warmup_seconds, self.settings.load_seconds)
                    )
            result: Dict[str, Any] = {
                "replicas": replicas,
                "ready_seconds": stack.ready_seconds,
                "levels": levels,
            }
            if replicas == 1:
                with self.stage(f"serving {name}: {FLOOD_PEOPLE} conversations under a flood"):
                    result["flood"] = self._flood(stack)
            misses = serving_misses(result)
            if misses:
                with self.stage(f"serving {name}: py-spy profile"):
                    result["profile"] = self._profile(stack, run_dir, misses)
            result["peak_rss_mib"] = {label: peak_rss_mib(pid) for label, pid in stack.pids().items()}
        # Evidence that the conversations ran the real dialogue to its end: the handoffs they stored.
        result["handoffs_stored"] = stored_handoffs(database_url) - handoffs_before
        return result

    def _load(self, stack: Stack, concurrency: int, warmup: float, duration: float) -> Dict[str, Any]:
        meter = CpuMeter(stack.pids())
        summary, _ = asyncio.run(closed_loop(stack.urls, CONVERSATIONS, concurrency, warmup, duration, meter))
        summary["cpu_percent"] = meter.percent()
        return summary

    def _flood(self, stack: Stack) -> Dict[str, Any]:
        # The limits the servers apply: the bench starts them with this process's environment.
        limits = web_abuse_settings()
        per_second = FLOOD_TIMES_THE_LIMIT * limits.per_address / limits.window_seconds
        warmup, duration = self.settings.warmup_seconds, self.settings.load_seconds
        people, pause = FLOOD_PEOPLE, PERSON_PAUSE_SECONDS
        # The same people without the flood, first: what the flood costs them, apart from what 20 people cost.
        alone, _ = asyncio.run(
            closed_loop(stack.urls, CONVERSATIONS, people, warmup, duration, own_addresses=True, pause=pause)
        )
        figures = asyncio.run(under_flood(stack.urls, CONVERSATIONS, people, warmup, duration, per_second, pause))
        # And with no pause at all: the flood on top of a server already at its throughput.
        saturated = asyncio.run(under_flood(stack.urls, CONVERSATIONS, people, warmup, duration, per_second, 0))
        return {
            **figures,
            "without_flood": alone,
            "back_to_back": saturated,
            "limit_per_address": limits.per_address,
            "window_seconds": limits.window_seconds,
        }

    def _profile(self, stack: Stack, run_dir: Path, misses: List[str]) -> Dict[str, Any]:
        """py-spy on the first Rasa server for `profile_seconds`, under the highest load measured up to 10."""
        concurrency = max(c for c in self.settings.concurrency if c <= 10)
        seconds = self.settings.profile_seconds
        output = run_dir / "py-spy.txt"
        py_spy = Path(sys.executable).parent / "py-spy"
        recorder = subprocess.Popen(
            [
                str(py_spy),
                "record",
                "--pid",
                str(stack.rasa[0].process.pid),
                "--duration",
                str(int(seconds)),
                "--format",
                "raw",
                "--function",
                "--output",
                str(output),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        # The load starts with the recording and outlasts it, so every sample is taken under load.
        load = self._load(stack, concurrency, 1, seconds + 2)
        _, errors = recorder.communicate(timeout=60)
        if recorder.returncode != 0:
            # py-spy needs ptrace rights (root, or CAP_SYS_PTRACE): the other figures still stand without it.
            return {"because": misses, "error": errors.strip()[-500:] or f"exit status {recorder.returncode}"}
        stacks = read_raw(output.read_text(encoding="utf-8"))
        shares = subsystem_shares(stacks)
        return {
            "because": misses,
            "concurrency": concurrency,
            "seconds": seconds,
            "samples": sum(count for _, count in stacks),
            "raw_file": shown(output),
            "hottest": hottest(stacks, 10),
            "subsystems": shares,
            "cpu_percent": load["cpu_percent"],
            "sentence": what_bounds_it(load["cpu_percent"], int(machine()["cores"]), shares),
        }


def _env(**extra: str) -> Dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false", **extra)
