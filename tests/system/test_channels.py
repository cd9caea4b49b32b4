"""Messenger, WhatsApp (Cloud API and Twilio) and socket.io against a running `rasa run`.

Signed and badly signed deliveries in the platforms' documented formats go to the real webhook
endpoints; the Graph API and Twilio's Messages API are a local HTTP server that records what the
person would see. Messenger's CDN is the same server over HTTPS, its certificate trusted by the Rasa server.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import ssl
import subprocess
import threading
import time
import uuid
from base64 import b64encode
from hashlib import sha1
from hmac import new as hmac_new
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from bench.letter_forms import text_pdf
from bot.rasa_plugins.channels.signatures import meta_signature
from bot.texts import file_response_text
from tests.rasa_plugins.test_letter_files import CV, LETTER
from tests.system.assistant import ActionServer, RasaServer, wait_for, web_sender

pytestmark = pytest.mark.system

APP_SECRET, VERIFY = "app-secret", "verify-me"
TWILIO_SID, TWILIO_TOKEN, TWILIO_NUMBER = "AC0123", "twilio-token", "+15145550100"
PERSON_PHONE = "15145550123"


class Platform(BaseHTTPRequestHandler):
    """The Graph API and Twilio's Messages API: every call recorded, every call accepted, unless told to be
    unavailable (503, nothing recorded)."""

    calls = []
    unavailable = False

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if type(self).unavailable:
            self.send_response(503)
            self.end_headers()
            return
        url = urlsplit(self.path)
        if self.headers.get("Content-Type", "").startswith("application/json"):
            payload = json.loads(body)
        else:
            payload = {key: values[0] for key, values in parse_qs(body.decode()).items()}
        type(self).calls.append({"path": url.path, "query": parse_qs(url.query), "body": payload})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"message_id": "ok"}')

    # Files people sent, as the platforms keep them: {media id: bytes}.
    media = {}

    def do_GET(self):
        """WhatsApp's media: its description at /graph/<id>, its bytes at /media/<id>, both with the access token;
        Twilio's at /twilio/.../Media/<id> with the account's credentials; Messenger's at /cdn/<id>, open."""
        path = urlsplit(self.path).path
        name = path.rsplit("/", 1)[-1]
        bearer = self.headers.get("Authorization") == "Bearer wa-token"
        basic = (
            self.headers.get("Authorization") == "Basic " + b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
        )
        data = type(self).media.get(name)
        allowed = {"graph": bearer, "media": bearer, "twilio": basic, "cdn": True}.get(path.split("/")[1], False)
        if data is None or not allowed:
            self.send_response(404 if allowed else 401)
            self.end_headers()
            return
        if path.startswith("/graph/"):
            host = f"http://{self.headers['Host']}"
            data = json.dumps({"url": f"{host}/media/{name}", "mime_type": "application/pdf", "file_size": len(data)})
            data = data.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def platform():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Platform)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def platform_env(folder, platform: str) -> dict:
    """Every channel configured, talking to the local stand-in for the Graph API and Twilio."""
    return {
        "DATABASE_URL": f"sqlite:///{folder / 'assistant.db'}",
        "GRAPH_API_URL": f"{platform}/graph",
        "MESSENGER_VERIFY_TOKEN": VERIFY,
        "MESSENGER_APP_SECRET": APP_SECRET,
        "MESSENGER_PAGE_ACCESS_TOKEN": "page-token",
        "WHATSAPP_VERIFY_TOKEN": VERIFY,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_ACCESS_TOKEN": "wa-token",
        "WHATSAPP_PHONE_NUMBER_ID": "1029384756",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_WHATSAPP_NUMBER": TWILIO_NUMBER,
        "TWILIO_API_URL": f"{platform}/twilio",
    }


@pytest.fixture(scope="module")
def cdn(tmp_path_factory):
    """Messenger's CDN, over HTTPS (the channel fetches nothing else): (its URL, its self-signed certificate)."""
    folder = tmp_path_factory.mktemp("cdn")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Platform)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_port}", cert
    server.shutdown()


@pytest.fixture(scope="module")
def rasa(platform, cdn, tmp_path_factory):
    folder = tmp_path_factory.mktemp("channels")
    # The Rasa server trusts the CDN's certificate, as it trusts Meta's from the system's authorities.
    env = {**platform_env(folder, platform), "SSL_CERT_FILE": str(cdn[1])}
    with ActionServer(folder / "actions.log", env) as actions:
        server = RasaServer(folder / "rasa.log", actions.url, env)
        server.env["TWILIO_WEBHOOK_URL"] = f"http://127.0.0.1:{server.port}/webhooks/twilio_whatsapp/webhook"
        with server:
            yield server


@pytest.fixture(autouse=True)
def fresh_calls():
    Platform.calls = []


def url(rasa, channel):
    return f"http://127.0.0.1:{rasa.port}/webhooks/{channel}/webhook"


def post_meta(rasa, channel, payload, signature="sign"):
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        headers["X-Hub-Signature-256"] = meta_signature(APP_SECRET, body)
    elif signature:
        headers["X-Hub-Signature-256"] = signature
    return requests.post(url(rasa, channel), data=body, headers=headers, timeout=60)


def messenger_delivery(*events):
    return {"object": "page", "entry": [{"id": "page", "time": 1, "messaging": [event]} for event in events]}


def messenger_text(sender, text, mid=None):
    return {
        "sender": {"id": sender},
        "recipient": {"id": "page"},
        "timestamp": 1,
        "message": {"mid": mid or uuid.uuid4().hex, "text": text},
    }


def messenger_postback(sender, payload, title="Oui"):
    return {
        "sender": {"id": sender},
        "recipient": {"id": "page"},
        "timestamp": 1,
        "postback": {"mid": uuid.uuid4().hex, "title": title, "payload": payload},
    }


def sent_to(recipient):
    calls = [call["body"] for call in Platform.calls]
    return [body["message"] for body in calls if body.get("recipient", {}).get("id") == recipient]


@pytest.mark.parametrize("channel", ["messenger", "whatsapp"])
def test_meta_webhook_verification(rasa, channel):
    ok = requests.get(
        url(rasa, channel),
        params={"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"},
        timeout=60,
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    for token in ("nope", "é-not-ascii"):  # compared in constant time, as bytes: never a 500
        wrong = requests.get(
            url(rasa, channel),
            params={"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"},
            timeout=60,
        )
        assert wrong.status_code == 403


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "sha1=abc"])
def test_messenger_refuses_an_unsigned_or_badly_signed_delivery(rasa, signature):
    answer = post_meta(rasa, "messenger", messenger_delivery(messenger_text("p-bad", "bonjour")), signature)
    assert answer.status_code == 403
    assert Platform.calls == []


def test_messenger_answers_every_event_of_a_batch_once(rasa):
    first, second = messenger_text("p-1", "mon test de langue a expiré"), messenger_text("p-2", "bonjour")
    assert post_meta(rasa, "messenger", messenger_delivery(first, second)).status_code == 200
    restated = sent_to("p-1")
    assert restated and sent_to("p-2")
    # The restatement's Oui / Non: a button template, titles within 20 characters.
    template = restated[-1]["attachment"]["payload"]
    assert template["template_type"] == "button" and len(template["text"]) <= 640
    assert [b["title"] for b in template["buttons"]] == ["Oui", "Non"]

    Platform.calls = []
    assert post_meta(rasa, "messenger", messenger_delivery(first)).status_code == 200  # redelivered
    assert sent_to("p-1") == []


def test_messenger_postbacks_and_long_choice_lists(rasa):
    post_meta(rasa, "messenger", messenger_delivery(messenger_text("p-3", "ils disent que mon score est trop bas")))
    Platform.calls = []
    post_meta(rasa, "messenger", messenger_delivery(messenger_postback("p-3", "/affirm")))
    question = sent_to("p-3")[-1]
    # Seven choices for the program: quick replies (at most 13), titles cut to 20 characters.
    assert "Dans quel programme" in question["text"]
    replies = question["quick_replies"]
    assert 3 < len(replies) <= 13
    assert all(len(reply["title"]) <= 20 for reply in replies)
    assert replies[0]["payload"] == '/inform{"program":"fsw"}'


def whatsapp_delivery(message=None, status=None):
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1029384756"}}
    if message:
        value["contacts"] = [{"wa_id": message["from"], "profile": {"name": "Client"}}]
        value["messages"] = [message]
    if status:
        value["statuses"] = [status]
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "waba", "changes": [{"field": "messages", "value": value}]}],
    }


def whatsapp_text(text, sender=PERSON_PHONE):
    return {"from": sender, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": "1", "type": "text", "text": {"body": text}}


def whatsapp_sent(recipient=PERSON_PHONE):
    return [call["body"] for call in Platform.calls if call["body"].get("to") == recipient]


def test_whatsapp_buttons_lists_and_replies(rasa):
    assert post_meta(rasa, "whatsapp", whatsapp_delivery(whatsapp_text("on m'accuse de fausse déclaration"))).ok
    interactive = whatsapp_sent()[-1]["interactive"]
    assert interactive["type"] == "button" and len(interactive["action"]["buttons"]) == 2
    assert all(len(b["reply"]["title"]) <= 20 for b in interactive["action"]["buttons"])
    assert all(call["path"] == "/graph/1029384756/messages" for call in Platform.calls)

    Platform.calls = []
    reply = {
        "from": PERSON_PHONE,
        "id": f"wamid.{uuid.uuid4().hex}",
        "timestamp": "1",
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": "/affirm", "title": "Oui"}},
    }
    assert post_meta(rasa, "whatsapp", whatsapp_delivery(reply)).ok
    listed = whatsapp_sent()[-1]["interactive"]
    assert listed["type"] == "list"
    rows = listed["action"]["sections"][0]["rows"]
    assert 3 < len(rows) <= 10 and all(len(row["title"]) <= 24 for row in rows)
    assert len(listed["action"]["button"]) <= 20


def test_whatsapp_status_callbacks_and_media(rasa):
    status = {"id": "wamid.x", "status": "delivered", "timestamp": "1", "recipient_id": PERSON_PHONE}
    assert post_meta(rasa, "whatsapp", whatsapp_delivery(status=status)).ok
    assert Platform.calls == []
    voice = {
        "from": "33612345678",
        "id": "wamid.voice",
        "timestamp": "1",
        "type": "audio",
        "audio": {"id": "voice", "mime_type": "audio/ogg"},
    }
    assert post_meta(rasa, "whatsapp", whatsapp_delivery(voice)).ok
    assert "messages écrits" in whatsapp_sent("33612345678")[-1]["text"]["body"]


def _bodies(sent):
    return " ".join(
        (m.get("text") or {}).get("body", "") or (m.get("interactive") or {}).get("body", {}).get("text", "")
        for m in sent
    )


# A letter's reply comes after the webhook has answered: waited for, up to this bound (not a speed to meet).
FILE_REPLY_BOUND = 60


def _read_back(said):
    return "J'ai lu votre lettre" in said and "certificat de police" in said


def test_whatsapp_a_letter_sent_as_a_pdf_is_read_and_its_grounds_said_back(rasa):
    # Graph API media ids are numbers.
    Platform.media["1001"] = text_pdf(LETTER)
    Platform.media["1002"] = text_pdf(CV)
    document = {"id": "1001", "mime_type": "application/pdf", "filename": "refus.pdf"}
    sent = {"from": "33611112222", "id": "wamid.doc", "timestamp": "1", "type": "document", "document": document}
    assert post_meta(rasa, "whatsapp", whatsapp_delivery(sent)).ok
    # The file is read after the webhook has answered: its reply comes later.
    assert wait_for(lambda: _read_back(_bodies(whatsapp_sent("33611112222"))), timeout=FILE_REPLY_BOUND)

    # The history keeps what was read, not the letter: its application number is stored nowhere.
    def stored():
        history = sqlite3.connect(rasa.env["DATABASE_URL"].removeprefix("sqlite:///"))
        try:
            return " ".join(row[0] for row in history.execute("select data from events"))
        finally:
            history.close()

    # Rasa stores the turn after sending its replies.
    assert wait_for(lambda: "certificat de police" in stored(), timeout=FILE_REPLY_BOUND)
    assert "E004455667" not in stored()
    # A file that is no letter, and one the Graph API does not hand over, are answered; nothing else happens.
    for media_id, answer in (("1002", "utter_letter_file_not_a_letter"), ("1003", "utter_letter_file_unreachable")):
        image = {"id": media_id, "mime_type": "image/jpeg"}
        photo = {"from": "33633334444", "id": f"wamid.{media_id}", "timestamp": "1", "type": "image", "image": image}
        assert post_meta(rasa, "whatsapp", whatsapp_delivery(photo)).ok

        def answered(answer=answer):
            sent = whatsapp_sent("33633334444")
            return bool(sent) and sent[-1]["text"]["body"] == file_response_text(answer)

        assert wait_for(answered, timeout=FILE_REPLY_BOUND)


def test_messenger_and_twilio_letters_sent_as_files_are_read(rasa, cdn):
    Platform.media["fb-letter.pdf"] = text_pdf(LETTER)
    Platform.media["ME-letter"] = text_pdf(LETTER)
    platform_url = f"http://{urlsplit(rasa.env['GRAPH_API_URL']).netloc}"
    for sender, url in (
        ("fb-letter", f"{cdn[0]}/cdn/fb-letter.pdf"),
        ("fb-plain", f"{platform_url}/cdn/fb-letter.pdf"),
    ):
        event = {
            "sender": {"id": sender},
            "recipient": {"id": "page"},
            "timestamp": 1,
            "message": {"mid": uuid.uuid4().hex, "attachments": [{"type": "file", "payload": {"url": url}}]},
        }
        assert post_meta(rasa, "messenger", messenger_delivery(event)).ok
    # The files are read after the webhooks have answered: their replies come later.
    assert wait_for(
        lambda: "J'ai lu votre lettre" in " ".join(m.get("text", "") for m in sent_to("fb-letter")),
        timeout=FILE_REPLY_BOUND,
    )
    # A file URL that is not HTTPS is never fetched: the person is asked to send the file again.
    assert wait_for(lambda: sent_to("fb-plain"), timeout=FILE_REPLY_BOUND)
    assert [m.get("text") for m in sent_to("fb-plain")] == [file_response_text("utter_letter_file_unreachable")]
    media_url = f"{platform_url}/twilio/2010-04-01/Accounts/{TWILIO_SID}/Messages/MM1/Media/ME-letter"
    message = {
        **twilio_message("", sender="whatsapp:+15145550177"),
        "NumMedia": "1",
        "MediaUrl0": media_url,
        "MediaContentType0": "application/pdf",
    }
    assert post_twilio(rasa, message).ok
    assert wait_for(lambda: any("J'ai lu votre lettre" in body for body in twilio_bodies()), timeout=FILE_REPLY_BOUND)
    # A media URL that is not Twilio's is never fetched: the person is asked to send the file again. Another
    # person: the letter's turn may still be sending its last replies.
    foreign = {
        **message,
        "From": "whatsapp:+15145550178",
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "MediaUrl0": f"{platform_url}/cdn/fb-letter.pdf",
    }
    assert post_twilio(rasa, foreign).ok
    assert wait_for(lambda: sent_to_recipient(foreign["From"]), timeout=FILE_REPLY_BOUND)
    assert [body["Body"] for body in sent_to_recipient(foreign["From"])] == [
        file_response_text("utter_letter_file_unreachable")
    ]


def test_whatsapp_refuses_a_bad_signature_and_malformed_json(rasa):
    assert post_meta(rasa, "whatsapp", whatsapp_delivery(whatsapp_text("bonjour")), "sha256=bad").status_code == 403
    body = b'{"entry": [ not json'
    answer = requests.post(
        url(rasa, "whatsapp"), data=body, timeout=60, headers={"X-Hub-Signature-256": meta_signature(APP_SECRET, body)}
    )
    assert answer.status_code == 400
    assert Platform.calls == []


def twilio_signature(full_url, params):
    data = full_url + "".join(f"{key}{params[key]}" for key in sorted(params))
    return b64encode(hmac_new(TWILIO_TOKEN.encode(), data.encode(), sha1).digest()).decode()


def post_twilio(rasa, params, signed=True):
    full_url = url(rasa, "twilio_whatsapp")
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signed:
        headers["X-Twilio-Signature"] = twilio_signature(full_url, params)
    return requests.post(full_url, data=urlencode(params), headers=headers, timeout=60)


def twilio_message(body, sender="whatsapp:+15145550123"):
    return {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "AccountSid": TWILIO_SID,
        "From": sender,
        "To": f"whatsapp:{TWILIO_NUMBER}",
        "Body": body,
        "NumMedia": "0",
    }


def twilio_bodies():
    return [call["body"]["Body"] for call in Platform.calls if call["path"].startswith("/twilio/")]


def test_twilio_numbered_choices_and_a_reply_by_number(rasa):
    assert post_twilio(rasa, twilio_message("mon test de langue a expiré")).ok
    restated = twilio_bodies()[-1]
    assert "1. Oui" in restated and "2. Non" in restated and "numéro" in restated
    call = Platform.calls[-1]
    assert call["path"] == f"/twilio/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert call["body"]["To"] == "whatsapp:+15145550123" and call["body"]["From"] == f"whatsapp:{TWILIO_NUMBER}"

    Platform.calls = []
    assert post_twilio(rasa, twilio_message("1")).ok  # the first choice: "Oui"
    assert "Dans quel programme" in twilio_bodies()[-1]
    assert "3. CEC (expérience canadienne)" in twilio_bodies()[-1]


def test_twilio_refuses_a_bad_signature_and_ignores_status_callbacks(rasa):
    assert post_twilio(rasa, twilio_message("bonjour"), signed=False).status_code == 403
    status = {
        "MessageSid": "SMx",
        "MessageStatus": "delivered",
        "From": f"whatsapp:{TWILIO_NUMBER}",
        "To": "whatsapp:+15145550123",
        "AccountSid": TWILIO_SID,
    }
    assert post_twilio(rasa, status).ok
    assert Platform.calls == []


def test_socketio_session_persistence_delivers_replies_in_a_session_the_server_hands_out(rasa):
    import socketio

    someone_else = web_sender()

    async def talk():
        client = socketio.AsyncClient()
        replies = []
        sessions = []
        confirmed = asyncio.Event()
        got_reply = asyncio.Event()

        @client.on("session_confirm")
        async def on_confirm(session_id):
            sessions.append(session_id)
            confirmed.set()

        @client.on("bot_uttered")
        async def on_bot(message):
            replies.append(message)
            got_reply.set()

        # Long polling: the websocket transport needs a newer aiohttp than Rasa pins.
        await client.connect(f"http://127.0.0.1:{rasa.port}", socketio_path="/socket.io", transports=["polling"])
        # A session the server did not hand out (a web id made up, someone's WhatsApp number) is not joined:
        # the client gets a new one, and hears nothing of the other conversation.
        for named in ("0f1e2d3c4b5a69788796a5b4c3d2e1f0", "15145550777"):
            confirmed.clear()
            await client.emit("session_request", {"session_id": named})
            await asyncio.wait_for(confirmed.wait(), 10)
            assert sessions[-1] != named
        session_id = sessions[-1]
        await client.emit("user_uttered", {"message": "mon test de langue a expiré", "session_id": session_id})
        await asyncio.wait_for(got_reply.wait(), 30)
        # A message naming a session the server did not hand out goes nowhere.
        await client.emit("user_uttered", {"message": "/affirm", "session_id": "15145550777"})
        await asyncio.sleep(1)
        await client.disconnect()
        return replies, session_id

    replies, session_id = asyncio.run(talk())
    assert session_id != someone_else and session_id.startswith("web-")
    assert any("Si je comprends bien" in (reply.get("text") or "") for reply in replies)
    assert not any("Dans quel programme" in (reply.get("text") or "") for reply in replies)


def test_phone_numbers_never_reach_the_logs(rasa):
    log = rasa.log()
    assert PERSON_PHONE not in log and "5145550123" not in log and "33612345678" not in log


@pytest.mark.parametrize(
    "body, status",
    [
        (b"{not json", 400),
        (b"[]", 400),
        (b"", 400),
        (json.dumps({"message": "bonjour"}).encode(), 400),
        (json.dumps({"sender": "", "message": "bonjour"}).encode(), 400),
        (json.dumps({"sender": "x" * 300, "message": "bonjour"}).encode(), 400),
        (json.dumps({"sender": web_sender(), "message": 42}).encode(), 400),
        (json.dumps({"sender": web_sender(), "message": "a" * 5001}).encode(), 413),
        (b"{" + b" " * 1_100_000 + b"}", 413),
    ],
)
def test_the_rest_channel_refuses_what_it_cannot_read_and_keeps_answering(rasa, body, status):
    rest = f"http://127.0.0.1:{rasa.port}/webhooks/rest/webhook"
    answer = requests.post(rest, data=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert answer.status_code == status
    normal = requests.post(rest, json={"sender": web_sender(), "message": "bonjour"}, timeout=60)
    assert normal.ok and "Dites-moi où vous en êtes" in " ".join(m.get("text", "") for m in normal.json())


def test_a_web_conversation_is_one_the_server_handed_out_and_no_other(rasa):
    base = f"http://127.0.0.1:{rasa.port}/webhooks/rest"
    mine = requests.post(f"{base}/session", json={}, timeout=30).json()["sender"]
    answer = requests.post(f"{base}/webhook", json={"sender": mine, "message": "mon score était trop bas"}, timeout=60)
    assert answer.ok and "Si je comprends bien" in " ".join(m.get("text", "") for m in answer.json())
    # Another visitor's conversation, whose id a script tries to guess from this one: refused, and untouched.
    guessed = mine[:-1] + ("A" if mine[-1] != "A" else "B")
    assert (
        requests.post(f"{base}/webhook", json={"sender": guessed, "message": "/affirm"}, timeout=30).status_code == 403
    )
    # A made-up id, as the earlier widget chose its own: refused too.
    made_up = {"sender": uuid.uuid4().hex, "message": "bonjour"}
    assert requests.post(f"{base}/webhook", json=made_up, timeout=30).status_code == 403
    again = requests.post(f"{base}/webhook", json={"sender": mine, "message": "/affirm"}, timeout=60)
    assert "Dans quel programme" in " ".join(m.get("text", "") for m in again.json())


def test_a_web_client_naming_someone_s_whatsapp_number_never_reaches_their_conversation(rasa):
    person = "15145550777"
    assert post_meta(rasa, "whatsapp", whatsapp_delivery(whatsapp_text("on m'accuse de fausse déclaration", person))).ok
    rest = f"http://127.0.0.1:{rasa.port}/webhooks/rest/webhook"
    # The channel-prefixed id is refused, and so is the bare number: the server never handed it out.
    assert (
        requests.post(rest, json={"sender": f"whatsapp:{person}", "message": "/affirm"}, timeout=30).status_code == 400
    )
    assert (
        requests.post(rest, json={"sender": "whatsapp:+" + person, "message": "/affirm"}, timeout=30).status_code == 400
    )
    assert requests.post(rest, json={"sender": person, "message": "/affirm"}, timeout=60).status_code == 403
    # The person's own conversation is where they left it: their "oui" confirms their causes.
    Platform.calls = []
    reply = {
        "from": person,
        "id": f"wamid.{uuid.uuid4().hex}",
        "timestamp": "1",
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": "/affirm", "title": "Oui"}},
    }
    assert post_meta(rasa, "whatsapp", whatsapp_delivery(reply)).ok
    assert "programme" in json.dumps(whatsapp_sent(person), ensure_ascii=False)


def sent_to_recipient(recipient):
    """What the platforms took for `recipient` (a WhatsApp number or a Twilio address), oldest first, without it."""
    bodies = [call["body"] for call in Platform.calls if recipient in (call["body"].get("to"), call["body"].get("To"))]
    return [{key: value for key, value in body.items() if key not in ("to", "To")} for body in bodies]


def test_replies_wait_out_a_platform_down_for_30_seconds_and_arrive_once_in_order(rasa):
    # The replies to a first message with the platforms up: what the people writing meanwhile should read.
    expected = {}
    for name, person in (("whatsapp", "15145550601"), ("twilio", "whatsapp:+15145550701")):
        message = "mon test de langue a expiré"
        if name == "whatsapp":
            assert post_meta(rasa, "whatsapp", whatsapp_delivery(whatsapp_text(message, person))).ok
        else:
            assert post_twilio(rasa, twilio_message(message, person)).ok
        expected[name] = sent_to_recipient(person)
        assert expected[name]
    waiting = {"whatsapp": "15145550602", "twilio": "whatsapp:+15145550702"}
    Platform.unavailable = True
    try:
        whatsapp = post_meta(rasa, "whatsapp", whatsapp_delivery(whatsapp_text(message, waiting["whatsapp"])))
        twilio = post_twilio(rasa, twilio_message(message, waiting["twilio"]))
        # Both messages are recorded and the platforms told so: no redelivery, which would be dropped as seen.
        assert whatsapp.status_code == 200 and twilio.status_code == 200
        time.sleep(30)
        assert all(sent_to_recipient(person) == [] for person in waiting.values())
    finally:
        Platform.unavailable = False

    def all_arrived():
        return all(len(sent_to_recipient(person)) >= len(expected[name]) for name, person in waiting.items())

    assert wait_for(all_arrived, timeout=90)
    time.sleep(2)  # long enough for a reply sent twice to show
    for name, person in waiting.items():
        assert sent_to_recipient(person) == expected[name], name
