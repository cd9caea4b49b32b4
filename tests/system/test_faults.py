"""The assistant when a part fails: Redis, the action server, PostgreSQL.

A real `rasa run` with endpoints-gateway.yml, a real action server, the local PostgreSQL, and a Redis of
this module's own (so that stopping it disturbs nothing else on the machine). PostgreSQL is the
machine's, restarted for real; that test comes last.
"""

from __future__ import annotations

import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import bindparam, text

from bot.storage.database import make_engine
from tests.ports import free_port
from tests.system.assistant import ActionServer, ChildProcess, RasaServer, consultation_script, wait_for, web_sender

pytestmark = pytest.mark.system

APOLOGY = "problème technique"


@pytest.fixture(scope="module")
def stack(postgres_database, tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults")
    redis_port = free_port()
    redis = ChildProcess(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        folder / "redis.log",
        port=redis_port,
    )
    env = {
        "DATABASE_URL": postgres_database,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    actions = ActionServer(folder / "actions.log", env)
    redis.start(), actions.start()
    rasa = RasaServer(folder / "rasa.log", actions.url, env).start()
    yield dict(rasa=rasa, actions=actions, redis=redis, url=postgres_database)
    for process in (rasa, actions, redis):
        process.stop()


def test_redis_down_leaves_a_slower_lock_but_an_answering_assistant(stack):
    rasa, sender = stack["rasa"], web_sender()
    assert "Si je comprends bien" in rasa.say(sender, "mon test de langue a expiré")
    stack["redis"].kill()
    assert "Dans quel programme" in rasa.say(sender, "/affirm")
    assert "Redis lock store unreachable" in rasa.log()

    stack["redis"].start()
    time.sleep(5)  # the store tries Redis again after 5 s
    assert "au Canada ou à l'étranger" in rasa.say(sender, '/inform{"program":"fsw"}')
    assert "Redis lock store reachable again" in rasa.log()


def test_a_killed_action_server_gets_an_apology_at_once_and_the_conversation_resumes(stack):
    rasa, sender = stack["rasa"], web_sender()
    rasa.say(sender, "mon test de langue a expiré")
    assert "Dans quel programme" in rasa.say(sender, "/affirm")
    stack["actions"].kill()
    # The answer needs the action server: the form's check of the program.
    answer = rasa.say(sender, '/inform{"program":"fsw"}')
    assert APOLOGY in answer
    # At once: the refused connection is given up, no timeout is waited out.
    assert "unreachable: ClientConnectorError" in rasa.log() and "TimeoutError" not in rasa.log()
    assert "Dans quel programme" in answer  # the unchecked answer is asked again

    stack["actions"].start()
    answer = rasa.say(sender, '/inform{"program":"fsw"}')
    assert APOLOGY not in answer and "au Canada ou à l'étranger" in answer


def test_a_postgresql_restart_under_load_loses_no_message_and_no_case(stack):
    rasa = stack["rasa"]
    senders = [web_sender() for _ in range(8)]

    def converse(number_and_sender):
        number, sender = number_and_sender
        return [rasa.say(sender, message) for message in consultation_script(number)]

    with ThreadPoolExecutor(len(senders)) as pool:
        conversations = pool.map(converse, enumerate(senders))
        time.sleep(4)
        cluster = Path("/etc/postgresql").iterdir().__next__().name
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"], check=True, timeout=60
        )
        answers = [answer for conversation in conversations for answer in conversation]

    assert all(answers) and not [answer for answer in answers if APOLOGY in answer]
    told = {match for answer in answers for match in re.findall(r"Votre référence : ([A-Z0-9]{8})", answer)}
    assert len(told) == len(senders)
    # A case whose save met the restart was kept on disk and is stored once PostgreSQL answers.
    assert wait_for(lambda: _stored_references(stack["url"], senders) == told, timeout=60)
    for process in ("rasa", "actions"):
        assert "Traceback" not in stack[process].log()


def _stored_references(url, senders):
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            query = text("select reference from handoff_cases where conversation_id in :senders")
            return set(
                connection.execute(
                    query.bindparams(bindparam("senders", expanding=True)), {"senders": senders}
                ).scalars()
            )
    finally:
        engine.dispose()
