"""Two Rasa replicas, two action servers and two notice workers on one PostgreSQL and one Redis,
as deploy/ runs them.

200 conversations of 10 turns alternate between the replicas turn by turn (what plain load
balancing does to REST and webhook traffic), while people send bursts of 5 messages within a
second. Every message must be in the tracker store once and answered once, each conversation's
turns in the order sent; no lock may fail; every consultation request must be stored once. The
firm's mail server is down when the load starts: every request still reaches its inbox, once.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from bot.storage.database import make_engine
from tests.ports import free_port
from tests.storage.test_outbox import Inbox
from tests.system.assistant import ActionServer, ChildProcess, RasaServer, consultation_script, wait_for, web_sender

pytestmark = pytest.mark.system

CONVERSATIONS = 200
AT_ONCE = 20
BURSTS = 20
BURST_GAP_SECONDS = 0.2
MAIL_DOWN_SECONDS = 10


BURST = ["bonjour", "mon test de langue a expiré", "oui", "c'était le PTQF", "j'étais au Canada"]


@pytest.fixture(scope="module")
def replicas(postgres_database, tmp_path_factory):
    folder = tmp_path_factory.mktemp("replicas")
    smtp_port = free_port()
    env = {
        "DATABASE_URL": postgres_database,
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        # Shared by both replicas, as in production.
        "REDIS_KEY_PREFIX": f"replicas-{uuid.uuid4().hex}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SMTP_SECURITY": "none",
        "NOTICE_EMAIL_TO": "equipe@cabinet.example",
        "NOTICE_POLL_SECONDS": "0.5",
        # 200 real consultations in a few minutes, each to be notified once: past the hourly ceiling they
        # would go into one digest (tests/storage/test_outbox.py tests it).
        "CASE_NOTICE_CEILING_PER_HOUR": "100000",
    }
    actions = [ActionServer(folder / f"actions{n}.log", env) for n in range(2)]
    workers = [
        ChildProcess([sys.executable, "-m", "bot.storage.notice_worker"], folder / f"outbox{n}.log", env)
        for n in range(2)
    ]
    for server in actions + workers:
        server.start()
    urls = ",".join(server.url for server in actions)
    rasas = [RasaServer(folder / f"rasa{n}.log", urls, env) for n in range(2)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda server: server.start(timeout=300), rasas))
    yield dict(rasas=rasas, servers=rasas + actions + workers, smtp_port=smtp_port)
    for server in rasas + actions + workers:
        server.stop()


async def _post(session, port, sender, message):
    async with session.post(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook", json={"sender": sender, "message": message}
    ) as answer:
        return answer.status, await answer.json(content_type=None)


async def _converse(session, ports, sender, turns, answers):
    for index, message in enumerate(turns):
        answers.append((sender, message, *await _post(session, ports[index % 2], sender, message)))


async def _burst(session, ports, sender, answers):
    sent = []
    for index, message in enumerate(BURST):
        sent.append(asyncio.create_task(_post(session, ports[index % 2], sender, message)))
        await asyncio.sleep(BURST_GAP_SECONDS)
    for message, task in zip(BURST, sent):
        answers.append((sender, message, *await task))


async def _mail_server_back(port, inbox, after_seconds):
    await asyncio.sleep(after_seconds)
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    return smtp


async def _load(ports, smtp_port, inbox):
    answers, scripts = [], {}
    limit = asyncio.Semaphore(AT_ONCE)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def one(number):
            async with limit:
                sender = web_sender()
                scripts[sender] = consultation_script(number)
                await _converse(session, ports, sender, scripts[sender], answers)

        async def bursts():
            for _ in range(BURSTS):
                sender = web_sender()
                scripts[sender] = BURST
                await _burst(session, ports, sender, answers)

        smtp, *_ = await asyncio.gather(
            _mail_server_back(smtp_port, inbox, MAIL_DOWN_SECONDS),
            bursts(),
            *(one(number) for number in range(CONVERSATIONS)),
        )
    return scripts, answers, smtp


def _user_turns(url):
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("select sender_id, type_name, data from events order by id")).all()
    engine.dispose()
    turns = {}
    for sender, kind, data in rows:
        turns.setdefault(sender, []).append((kind, json.loads(data).get("text")))
    return turns


def test_two_replicas_lose_nothing_reorder_nothing_and_answer_once(replicas, postgres_database):
    inbox = Inbox()
    ports = [server.port for server in replicas["rasas"]]
    scripts, answers, smtp = asyncio.run(_load(ports, replicas["smtp_port"], inbox))

    assert [a for a in answers if a[2] != 200] == []
    assert [a for a in answers if not a[3]] == [], "a message got no answer"
    assert len(answers) == CONVERSATIONS * 10 + BURSTS * len(BURST)

    events = _user_turns(postgres_database)
    reordered = []
    for sender, sent in scripts.items():
        history = events[sender]
        received = [message for kind, message in history if kind == "user"]
        assert sorted(received) == sorted(sent), f"{sender}: a message was lost or handled twice"
        if sent is not BURST:
            assert received == sent, sender
        elif received != sent:
            reordered.append(sender)
        # Answered: each message is followed by the assistant's answer before the next one. A first
        # "bonjour" is answered by the opening, which the session start writes just before it.
        kinds = "".join("u" if kind == "user" else "b" for kind, _ in history if kind in ("user", "bot"))
        opening, *answers_to = kinds.split("u")
        assert all(answers_to[1:]) and (answers_to[0] or opening), f"{sender}: a message was not answered"

    engine = make_engine(postgres_database)
    with engine.connect() as connection:
        stored = connection.execute(text("select conversation_id, reference from handoff_cases")).all()
    engine.dispose()
    consultations = {sender for sender, sent in scripts.items() if sent is not BURST}
    assert sorted(sender for sender, _ in stored) == sorted(consultations)

    # Sent while the mail server was down, retried by two racing workers: each arrives once.
    try:
        assert wait_for(lambda: len(inbox.messages) >= len(stored), timeout=120)
        time.sleep(2)
    finally:
        smtp.stop()
    subjects = [message["Subject"] for message in inbox.messages]
    assert sorted(next(r for _, r in stored if r in subject) for subject in subjects) == sorted(r for _, r in stored)

    for server in replicas["servers"]:
        log = server.log()
        assert "LockError" not in log and "Traceback" not in log, log[-3000:]
    # A burst's messages are handled in the order they reach the replicas, and a replica busy with
    # other conversations may start a message 200 ms late: measured, not asserted (bench/README.md).
    print(f"bursts handled out of send order: {len(reordered)} of {BURSTS}")
