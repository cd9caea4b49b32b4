"""From the first message to the firm's inbox, with the servers `make run` starts.

Rasa (REST channel, SQL tracker store), the action server and the outbox worker run as child
processes on one SQLite database; a real SMTP server (aiosmtpd) plays the firm's mailbox. The
operator command then lists, exports and erases the case, and no process logged the person's details.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

# Bound before the autouse fixture pins `clock.today`: the servers run on the real calendar.
from bot.domain.clock import today as real_today
from bot.storage.database import make_engine, upgrade
from tests.ports import free_port
from tests.storage.test_outbox import Inbox
from tests.system.assistant import ActionServer, ChildProcess, RasaServer, wait_for, web_sender
from tests.system.nlu_model import ROOT

pytestmark = pytest.mark.system

NAME, EMAIL, PHONE = "Mariam Kaboré", "mariam.kabore@example.org", "514 555 0199"
PERSONAL = [NAME, "Mariam", "Kabor", EMAIL, "mariam.kabore", "5145550199", "514 555 0199", "514-555-0199"]


@pytest.fixture
def stack(tmp_path):
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    upgrade(url)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {
        "DATABASE_URL": url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_SECURITY": "none",
        "NOTICE_EMAIL_TO": "equipe@cabinet.example",
        "NOTICE_POLL_SECONDS": "0.5",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    actions = ActionServer(tmp_path / "actions.log", env)
    rasa = RasaServer(tmp_path / "rasa.log", actions.url, env)
    outbox = ChildProcess([sys.executable, "-m", "bot.storage.notice_worker"], tmp_path / "outbox.log", env)
    actions.start(), outbox.start(), rasa.start()
    yield dict(url=url, env=env, inbox=inbox, actions=actions, rasa=rasa, outbox=outbox)
    for process in (rasa, outbox, actions):
        process.stop()
    smtp.stop()


def operator(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "bot.storage.operator", *args],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT), **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_from_the_story_to_the_firm_s_inbox_and_back_out(stack, tmp_path):
    rasa, sender = stack["rasa"], web_sender()
    say = lambda message: rasa.say(sender, message)  # noqa: E731

    assert "Si je comprends bien" in say("mon test de langue a expiré")
    say("/affirm")
    say('/inform{"program":"fsw"}')
    say('/inform{"location":"in_canada"}')
    decision = real_today() - timedelta(days=3)
    assert "Souhaitez-vous une consultation" in say(decision.strftime("%d/%m/%Y"))
    assert "Acceptez-vous" in say("/request_consultation")
    assert "Quel est votre nom" in say("J'accepte")
    assert "adresse courriel" in say(f"je m'appelle {NAME}")

    # Both servers restart mid-form: the conversation carries on from the database.
    stack["rasa"].stop(), stack["actions"].stop()
    stack["actions"].start(), stack["rasa"].start()

    assert "ne semble pas valide" in say("mariam.kabore@")  # asked again, with an example
    assert "numéro de téléphone" in say(EMAIL)
    assert "Comment préférez-vous" in say(PHONE)
    assert "À quels moments" in say('/inform{"contact_method":"phone"}')
    recap = say("le soir après 18 h")
    assert f"Nom : {NAME}" in recap and f"Courriel : {EMAIL}" in recap and "Téléphone : +1 514-555-0199" in recap
    sent = say("/affirm")
    reference = re.search(r"Votre référence : ([A-Z0-9]{8})", sent).group(1)
    assert "vous contactera par téléphone au plus tard le" in sent

    assert wait_for(lambda: len(stack["inbox"].messages) == 1), stack["outbox"].log()
    notice = stack["inbox"].messages[0]
    assert reference in notice["Subject"]
    assert NAME in notice.get_payload(decode=True).decode("utf-8")

    listed = operator(stack["env"], "list")
    assert reference in listed.stdout
    export = tmp_path / "cases.csv"
    assert operator(stack["env"], "export", "--output", str(export)).returncode == 0
    with export.open(encoding="utf-8") as exported:
        assert [row["reference"] for row in csv.DictReader(exported)] == [reference]

    erased = operator(stack["env"], "erase", reference)
    assert erased.returncode == 0, erased.stderr
    engine = make_engine(stack["url"])
    with engine.connect() as connection:
        dump = " ".join(
            str(row)
            for table in ("handoff_cases", "notices", "events")
            for row in connection.execute(text(f"select * from {table}"))
        )
    engine.dispose()
    assert not [value for value in PERSONAL if value in dump]
    assert time.sleep(1) is None and len(stack["inbox"].messages) == 1  # never sent twice

    for process in ("rasa", "actions", "outbox"):
        log = stack[process].log()
        assert not [value for value in PERSONAL if value in log], f"{process} logged personal data"
        assert "Traceback" not in log, log[-3000:]


def test_cancelling_mid_form_stores_nothing_and_removes_what_was_typed(stack):
    rasa, sender = stack["rasa"], web_sender()
    rasa.say(sender, "ils parlent de fausse déclaration")
    assert "Acceptez-vous" in rasa.say(sender, "je voudrais parler à un humain")
    rasa.say(sender, "/affirm")
    rasa.say(sender, f"je m'appelle {NAME}")
    rasa.say(sender, EMAIL)
    answer = rasa.say(sender, "finalement non, annulez")
    assert "rien n'a été enregistré" in answer
    assert "Téléphone" in answer  # the firm's own details instead

    engine = make_engine(stack["url"])
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from handoff_cases")).scalar() == 0
        history = " ".join(
            json.dumps(json.loads(row.data), ensure_ascii=False)
            for row in connection.execute(text("select data from events"))
        )
    engine.dispose()
    assert "fausse déclaration" in history  # the conversation itself is kept
    assert not [value for value in (NAME, EMAIL) if value in history]
