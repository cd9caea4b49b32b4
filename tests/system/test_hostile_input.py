"""Hostile input on every webhook of a real `rasa run` (REST, Messenger, WhatsApp Cloud, Twilio WhatsApp,
socket.io's HTTP polling): never a 5xx, the documented status, the server still up, and after each
property's run a plain "Bonjour" on that channel still gets the French greeting.

Hypothesis runs derandomized (the same examples on every machine, so CI is reproducible) and keeps
no database of failing examples. One server serves the whole module (tests/conftest.py's channel_stack).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Optional
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.rasa_plugins.channels.limits import MAX_BODY_BYTES, MAX_MESSAGE_LENGTH, MAX_SENDER_LENGTH
from bot.rasa_plugins.channels.signatures import meta_signature
from bot.rasa_plugins.channels.web_sessions import is_issued
from bot.texts import file_response_text
from tests.system.assistant import WEB_SESSION_SECRET, wait_for, web_sender
from tests.system.channel_stack import ChannelStack
from tests.system.test_channels import (
    APP_SECRET,
    PERSON_PHONE,
    TWILIO_NUMBER,
    TWILIO_SID,
    messenger_delivery,
    messenger_postback,
    messenger_text,
    whatsapp_delivery,
    whatsapp_text,
)

pytestmark = pytest.mark.system

HOSTILE = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
GREETING = "Dites-moi où vous en êtes"
# A web conversation the server handed out (tests/system/assistant.py signs with the servers' key).
ISSUED = web_sender()

# What people and scripts really send besides plain words: control characters, bidirectional and
# zero-width marks, astral emoji and letters, combining marks, Rasa's own "/intent{...}" syntax.
ODD_PIECES = [
    "\x00",
    "\x07",
    "\x1b[2J",
    "\r\n",
    "\t",
    "\x7f",
    "\x85",
    "\u200b",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2066",
    "\u2028",
    "\ufeff",
    "\ufffd",
    "\U0001f600",
    "\U0001f1e8\U0001f1e6",
    "\U0001f468\u200d\U0001f469",
    "\U0010ffff",
    "\U0001d54f",
    "e\u0301\u0301\u0301",
    "\ufdfa",
    "עברית",
    "العربية",
    "日本語",
    "/",
    "/restart",
    "/inform{",
    '/inform{"program": 5}',
    '/inform{"program":"fsw"}',
    "/affirm",
    "/nlu_fallback",
    "/session_start",
    "{",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%n",
    "${jndi:ldap://x}",
    "..\\..",
    " ",
]
unicode_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
odd_texts = st.lists(st.one_of(st.sampled_from(ODD_PIECES), unicode_text), min_size=1, max_size=5).map("".join)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


# Bodies that are not one person's message: broken JSON, JSON of another shape, nesting deeper than
# Python's recursion limit, bytes that are not UTF-8, lone surrogates.
raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=100).map(str.encode),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.sampled_from(
        [
            b"",
            b"{",
            b"[]",
            b"12",
            b"null",
            b'"x"',
            b"\xff\xfe{}",
            b'{"a": NaN}',
            deep(5_000),
            deep(200_000),
            b'{"sender": "\\ud800", "message": "x"}',
            b'{"sender": "x", "message": "\\udfff"}',
            b"Body=%FF&From=\xff",
        ]
    ),
)
rest_shapes = st.fixed_dictionaries(
    {},
    optional={
        "sender": json_values | st.text(min_size=1, max_size=300) | st.builds(web_sender),
        "message": json_values | odd_texts,
        "input_channel": json_values,
        "metadata": json_values,
    },
).map(lambda payload: json.dumps(payload).encode())
content_types = st.sampled_from(
    [
        None,
        "",
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        "Application/X-WWW-Form-Urlencoded; x=y",
    ]
)


def headers(content_type: Optional[str]) -> dict:
    return {"Content-Type": content_type} if content_type is not None else {}


def has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def rest_status(body: bytes, content_type: Optional[str] = "application/json") -> int:
    """The REST channel's documented answer to a body."""
    if len(body) > MAX_BODY_BYTES:
        return 413
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        return 415
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return 400
    if not isinstance(payload, dict):
        return 400
    sender, message = payload.get("sender"), payload.get("message")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH or has_surrogate(sender):
        return 400
    if ":" in sender:  # reserved for the messaging channels' conversations
        return 400
    if not is_issued(sender, WEB_SESSION_SECRET.encode("utf-8")):
        return 403
    if not isinstance(message, str) or has_surrogate(message):
        return 400
    if not isinstance(payload.get("metadata"), (dict, type(None))):
        return 400
    return 413 if len(message) > MAX_MESSAGE_LENGTH else 200


def texts_of(answer) -> str:
    return "\n".join(message.get("text") or "" for message in answer.json())


def twilio_message(body: str, sender: str) -> dict:
    return {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "AccountSid": TWILIO_SID,
        "From": sender,
        "To": f"whatsapp:{TWILIO_NUMBER}",
        "Body": body,
        "NumMedia": "0",
    }


def new_person(channel: str) -> str:
    """An id as the channel gives one: a conversation id, a WhatsApp number, Twilio's "whatsapp:+…"."""
    digits = str(uuid.uuid4().int)[:11]
    return {"whatsapp": digits, "twilio_whatsapp": f"whatsapp:+{digits}"}.get(channel) or web_sender()


def say(stack: ChannelStack, channel: str, person: str, text: str):
    """`text` from `person`, delivered as the channel's platform delivers it."""
    if channel == "rest":
        return stack.http.post(stack.webhook("rest"), json={"sender": person, "message": text}, timeout=60)
    if channel == "messenger":
        return stack.post_meta(channel, json.dumps(messenger_delivery(messenger_text(person, text))).encode())
    if channel == "whatsapp":
        return stack.post_meta(channel, json.dumps(whatsapp_delivery(whatsapp_text(text, person))).encode())
    return stack.post_twilio(twilio_message(text, person))


def answered(stack: ChannelStack, channel: str, person: str, text: str) -> str:
    """What `person` was shown in answer to `text` (acknowledged with 200)."""
    before = len(stack.sent_to(person))
    answer = say(stack, channel, person, text)
    assert answer.status_code == 200, (text[:200], answer.status_code)
    if channel == "rest":
        return texts_of(answer)
    return json.dumps(stack.sent_to(person)[before:], ensure_ascii=False)


def greeted(stack: ChannelStack, channel: str) -> str:
    """A new person who has been greeted: what they say next is answered on its own."""
    person = new_person(channel)
    assert GREETING in answered(stack, channel, person, "Bonjour")
    return person


def still_answers(stack: ChannelStack, channel: str) -> None:
    """The servers are up and a new person saying "Bonjour" on `channel` gets the French greeting."""
    assert stack.alive()
    greeted(stack, channel)


# --- Any text a person can type is answered, on every channel -----------------------------------------


@pytest.mark.parametrize("channel", ["rest", "messenger", "whatsapp", "twilio_whatsapp"])
def test_any_text_gets_an_answer(channel_stack, channel):
    stack = channel_stack

    @settings(HOSTILE, max_examples=15)
    @given(text=odd_texts)
    @example(text="\x00")
    @example(text="/inform{")
    @example(text="\u202e\u200b")
    def say_odd(text):
        assert answered(stack, channel, greeted(stack, channel), text).strip(), f"no answer to {text!r}"

    say_odd()
    still_answers(stack, channel)


# --- REST ------------------------------------------------------------------------------------------------


def test_rest_any_body(channel_stack):
    stack = channel_stack

    @HOSTILE
    @given(body=raw_bodies | rest_shapes, content_type=content_types)
    # Each of these got a 500, or failed inside Rasa, before the channel checked its input.
    @example(body=deep(200_000), content_type="application/json")
    @example(body=b'{"sender": "%s", "message": "\\ud800"}' % ISSUED.encode(), content_type="application/json")
    @example(body=b'{"sender": "\\ud800", "message": "Bonjour"}', content_type="application/json")
    @example(
        body=b'{"sender": "%s", "message": "Bonjour", "metadata": [1]}' % ISSUED.encode(),
        content_type="application/json",
    )
    def post(body, content_type):
        answer = stack.post("rest", body, headers(content_type))
        assert answer.status_code == rest_status(body, content_type), body[:200]

    post()
    still_answers(stack, "rest")


def padded(payload: dict, size: int) -> bytes:
    """`payload` as JSON, padded with spaces to exactly `size` bytes (still valid JSON)."""
    body = json.dumps(payload).encode()
    return body + b" " * (size - len(body))


@pytest.mark.parametrize(
    "body, status",
    [
        (json.dumps({"sender": web_sender(), "message": "é" * MAX_MESSAGE_LENGTH}).encode(), 200),
        (json.dumps({"sender": web_sender(), "message": "é" * (MAX_MESSAGE_LENGTH + 1)}).encode(), 413),
        # Characters, not UTF-16 units nor bytes: 5,000 astral letters (one word, cheap to read) are let through.
        (json.dumps({"sender": web_sender(), "message": "\U0001d54f" * MAX_MESSAGE_LENGTH}).encode(), 200),
        (padded({"sender": web_sender(), "message": "Bonjour"}, MAX_BODY_BYTES), 200),
        (padded({"sender": web_sender(), "message": "Bonjour"}, MAX_BODY_BYTES + 1), 413),
        # Within the column, but never handed out by the server.
        (json.dumps({"sender": "s" * MAX_SENDER_LENGTH, "message": "Bonjour"}).encode(), 403),
        (json.dumps({"sender": "s" * (MAX_SENDER_LENGTH + 1), "message": "Bonjour"}).encode(), 400),
    ],
    ids=[
        "longest-text",
        "text-too-long",
        "longest-astral-text",
        "largest-body",
        "body-too-large",
        "longest-sender-not-handed-out",
        "sender-too-long",
    ],
)
def test_rest_limits(channel_stack, body, status):
    answer = channel_stack.post("rest", body, {"Content-Type": "application/json"})
    assert answer.status_code == status
    if status == 200:
        assert texts_of(answer).strip()


# --- Messenger and WhatsApp (Meta) -----------------------------------------------------------------------


def node_paths(value, prefix=()):
    yield prefix
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from node_paths(child, prefix + (key,))


def meta_deliveries(channel: str) -> list:
    """One delivery of every kind the channel reads, as Meta sends them."""
    if channel == "messenger":
        quick_reply = messenger_text("p-mut", "Oui")
        quick_reply["message"]["quick_reply"] = {"payload": "/affirm"}
        echo = messenger_text("p-mut", "écho")
        echo["message"]["is_echo"] = True
        events = [
            messenger_text("p-mut", "mon test de langue a expiré"),
            messenger_postback("p-mut", "/affirm"),
            quick_reply,
            echo,
        ]
        return [messenger_delivery(event) for event in events]
    reply = {
        "from": PERSON_PHONE,
        "id": "wamid.mut",
        "timestamp": "1",
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": "/affirm", "title": "Oui"}},
    }
    button = {
        "from": PERSON_PHONE,
        "id": "wamid.btn",
        "timestamp": "1",
        "type": "button",
        "button": {"payload": "/affirm", "text": "Oui"},
    }
    status = {"id": "wamid.x", "status": "delivered", "timestamp": "1", "recipient_id": PERSON_PHONE}
    return [
        whatsapp_delivery(whatsapp_text("mon test de langue a expiré")),
        whatsapp_delivery(reply),
        whatsapp_delivery(button),
        whatsapp_delivery(status=status),
    ]


def messenger_with(message: dict) -> bytes:
    event = messenger_text("p-odd", "")
    event["message"] = message
    return json.dumps(messenger_delivery(event)).encode()


@st.composite
def mutated_delivery(draw, channel: str) -> bytes:
    """A delivery as Meta sends it with one part replaced by any JSON value, or removed."""
    delivery = draw(st.sampled_from(meta_deliveries(channel)))
    path = draw(st.sampled_from(list(node_paths(delivery))))
    if not path:
        return json.dumps(draw(json_values)).encode()
    parent = delivery
    for key in path[:-1]:
        parent = parent[key]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(json_values | odd_texts | st.text(min_size=256, max_size=300))
    return json.dumps(delivery).encode()


@pytest.mark.parametrize("channel", ["messenger", "whatsapp"])
def test_meta_signed_but_malformed_deliveries(channel_stack, channel):
    stack = channel_stack

    @HOSTILE
    @given(body=mutated_delivery(channel) | raw_bodies)
    @example(body=deep(200_000))
    @example(body=messenger_with({"mid": "m-odd", "text": 12}))
    @example(body=messenger_with({"mid": ["m-odd"], "text": "Bonjour"}))
    @example(body=json.dumps(whatsapp_delivery(whatsapp_text("Bonjour", "1" * 1000))).encode())
    def post(body):
        answer = stack.post_meta(channel, body)
        # Meta is told 200 for what it delivered, 400 for what no Meta delivery looks like.
        assert answer.status_code in (200, 400), body[:300]
        if answer.status_code == 200:
            assert isinstance(json.loads(body), dict)

    post()
    still_answers(stack, channel)


ascii_header = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)
bad_signatures = st.none() | ascii_header | ascii_header.map("sha256=".__add__) | st.just("sha1=abc")


def with_signature(header: str, signature: Optional[str], content_type: Optional[str] = "application/json") -> dict:
    sent = headers(content_type)
    if signature is not None:
        sent[header] = signature
    return sent


@pytest.mark.parametrize("channel", ["messenger", "whatsapp"])
def test_meta_refuses_what_meta_did_not_sign(channel_stack, channel):
    stack = channel_stack

    @HOSTILE
    @given(body=mutated_delivery(channel) | raw_bodies, signature=bad_signatures)
    def post(body, signature):
        assert stack.post(channel, body, with_signature("X-Hub-Signature-256", signature)).status_code == 403

    post()
    # A real signature of another body is no signature of this one.
    body = json.dumps(meta_deliveries(channel)[0]).encode()
    assert (
        stack.post(channel, body, with_signature("X-Hub-Signature-256", meta_signature(APP_SECRET, b"{}"))).status_code
        == 403
    )
    still_answers(stack, channel)


@pytest.mark.parametrize("channel", ["messenger", "whatsapp"])
def test_meta_body_limit(channel_stack, channel):
    delivery = meta_deliveries(channel)[-1]  # nothing to answer: only the size is at stake
    assert channel_stack.post_meta(channel, padded(delivery, MAX_BODY_BYTES)).status_code == 200
    assert channel_stack.post_meta(channel, padded(delivery, MAX_BODY_BYTES + 1)).status_code == 413


@pytest.mark.parametrize("channel", ["messenger", "whatsapp", "twilio_whatsapp"])
@pytest.mark.parametrize("length", [MAX_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH + 1, 200_000])
def test_platform_texts_of_any_length_are_answered(channel_stack, channel, length):
    """A platform's delivery is acknowledged whatever its length, and the person is answered."""
    stack = channel_stack
    text = ("mon test de langue a expiré " * (length // 28 + 1))[:length]
    shown = answered(stack, channel, greeted(stack, channel), text)
    assert ("trop long" in shown) == (length > MAX_MESSAGE_LENGTH)


# --- Twilio WhatsApp ---------------------------------------------------------------------------------------

TWILIO_FIELDS = [
    "From",
    "Body",
    "MessageSid",
    "NumMedia",
    "MessageStatus",
    "To",
    "AccountSid",
    "MediaUrl0",
    "ProfileName",
    "WaId",
]


@st.composite
def twilio_forms(draw) -> dict:
    """Twilio's form, with fields missing, empty or holding anything."""
    form = twilio_message(draw(odd_texts), f"whatsapp:+1514555{draw(st.integers(1000, 9999))}")
    for field in draw(st.lists(st.sampled_from(TWILIO_FIELDS), max_size=4, unique=True)):
        change = draw(st.sampled_from(["remove", "empty", "any"]))
        if change == "remove":
            form.pop(field, None)
        else:
            form[field] = "" if change == "empty" else draw(odd_texts | st.text(max_size=300))
    return form


def twilio_status(form: dict) -> int:
    """Twilio is told 200 for what it sent; 400 only for a form no Twilio request looks like."""
    if not form.get("From") or form.get("MessageStatus"):
        return 200  # a status callback, or nobody to answer
    sender = form["From"]
    malformed = (
        not sender.strip()
        or len(sender) > MAX_SENDER_LENGTH
        or not re.fullmatch(r"[0-9]{1,2}", form.get("NumMedia") or "0")
    )
    return 400 if malformed else 200


def test_twilio_any_form(channel_stack):
    stack = channel_stack

    @HOSTILE
    @given(form=twilio_forms())
    @example(form=dict(twilio_message("", "whatsapp:+15145550111"), NumMedia="abc"))
    @example(form=dict(twilio_message("", "whatsapp:+15145550112"), NumMedia="9" * 5000))
    @example(form=twilio_message("Bonjour", "whatsapp:+" + "1" * 400))
    @example(form=dict(twilio_message("Bonjour", "whatsapp:+15145550113"), ProfileName=""))
    @example(form=twilio_message("Bonjour", " \t"))
    def post(form):
        assert stack.post_twilio(form).status_code == twilio_status(form), form

    post()
    still_answers(stack, "twilio_whatsapp")


def test_twilio_media_without_a_caption_is_answered(channel_stack):
    """Twilio signs every field it posts, the empty Body of a photo included."""
    person = f"whatsapp:+{str(uuid.uuid4().int)[:11]}"
    form = dict(
        twilio_message("", person),
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/media/ME1",
        MediaContentType0="image/jpeg",
    )
    assert channel_stack.post_twilio(form).status_code == 200
    # A URL outside the Twilio API the channel talks to is not fetched: the person is asked to send it again.
    answer = file_response_text("utter_letter_file_unreachable")
    # The file is handled after the webhook has answered: its reply is waited for, up to a generous bound.
    assert wait_for(lambda: answer in json.dumps(channel_stack.sent_to(person), ensure_ascii=False), timeout=60)


def twilio_refusal(body: bytes, content_type: Optional[str]) -> int:
    """400 for what is no UTF-8 form, 403 for a form without Twilio's signature."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return 400
    form = (content_type or "").split(";")[0].strip().lower() == "application/x-www-form-urlencoded"
    return 403 if form else 400


def test_twilio_refuses_unsigned_unreadable_and_oversized_requests(channel_stack):
    stack = channel_stack

    @HOSTILE
    @given(
        body=raw_bodies | twilio_forms().map(lambda form: urlencode(form).encode()),
        content_type=content_types,
        signature=st.none() | ascii_header,
    )
    @example(body=b"Body=%FF&From=\xff", content_type="application/x-www-form-urlencoded", signature=None)
    @example(body=b"Body=x", content_type="multipart/form-data", signature=None)
    @example(body=b"{}", content_type="application/json", signature=None)
    def post(body, content_type, signature):
        sent = with_signature("X-Twilio-Signature", signature, content_type)
        assert stack.post("twilio_whatsapp", body, sent).status_code == twilio_refusal(body, content_type), body[:200]

    post()
    form = urlencode(twilio_message("Bonjour", "whatsapp:+15145550999")) + "&Pad="
    large = (form + "x" * (MAX_BODY_BYTES + 1 - len(form))).encode()
    assert stack.post("twilio_whatsapp", large, headers("application/x-www-form-urlencoded")).status_code == 413
    still_answers(stack, "twilio_whatsapp")


# --- socket.io (the website widget) over HTTP long polling --------------------------------------------------


class Polling:
    """An Engine.IO 4 client over HTTP long polling, enough to send socket.io events by hand."""

    def __init__(self, stack: ChannelStack):
        self.stack = stack
        self.url = f"{stack.base}/socket.io/"
        # Generous bounds: they only stop a hung request; a loaded machine can take seconds to answer.
        opened = stack.http.get(self.url, params={"EIO": "4", "transport": "polling"}, timeout=60)
        self.sid = json.loads(opened.text[1:])["sid"]
        self.send("40")
        assert self.read().startswith("40")

    @property
    def params(self) -> dict:
        return {"EIO": "4", "transport": "polling", "sid": self.sid}

    def send(self, payload: bytes | str):
        body = payload.encode() if isinstance(payload, str) else payload
        return self.stack.http.post(
            self.url, params=self.params, data=body, timeout=60, headers={"Content-Type": "text/plain;charset=UTF-8"}
        )

    def read(self) -> str:
        return self.stack.http.get(self.url, params=self.params, timeout=40).text

    def emit(self, event: str, data) -> None:
        assert self.send("42" + json.dumps([event, data])).status_code == 200

    def received(self, name: str, until) -> list:
        """The `name` events received, read until `until(events)` holds (at most ten long polls)."""
        found = []
        for _ in range(10):
            for packet in self.read().split("\x1e"):
                if packet.startswith("42"):
                    event, *args = json.loads(packet[2:])
                    found += args if event == name else []
            if until(found):
                break
        return found


# Engine.IO packets: a type digit then data; socket.io's "42" is an event, "40" a connection.
engineio_payloads = (
    st.lists(
        st.sampled_from(
            [
                "",
                "0",
                "1",
                "2",
                "3",
                "4",
                "5",
                "6",
                "9",
                "b",
                "bAAA",
                "b!!",
                "40",
                "41",
                "42",
                "43",
                "4x",
                '42["user_uttered"',
                '42["user_uttered",{"message":',
                "42[]",
                "42{}",
                "4-1",
                "451-[]",
                "d=x",
            ]
        )
        | st.text(max_size=20),
        min_size=1,
        max_size=4,
    )
    .map("\x1e".join)
    .map(str.encode)
)


def test_socketio_polling_endpoint_refuses_garbage(channel_stack):
    stack = channel_stack
    url = f"{stack.base}/socket.io/"
    query = st.dictionaries(
        st.sampled_from(["EIO", "transport", "sid", "t", "b64", "j"]),
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12),
        max_size=4,
    )

    @HOSTILE
    @given(
        body=raw_bodies | engineio_payloads,
        params=query,
        method=st.sampled_from(["GET", "POST"]),
        to_session=st.booleans(),
    )
    @example(body=b"garbage", params={}, method="POST", to_session=True)
    # A ping from the client: python-engineio closed the session and left the POST unanswered.
    @example(body=b"2", params={}, method="POST", to_session=True)
    def call(body, params, method, to_session):
        if to_session:
            client = Polling(stack)
            answer = client.send(body)
        else:
            answer = stack.http.request(method, url, params=params, data=body, timeout=30)
        assert answer.status_code < 500, (method, params, body[:200])

    call()
    assert stack.alive()


def test_socketio_events_of_any_shape(channel_stack):
    stack = channel_stack
    client = Polling(stack)

    @settings(HOSTILE, max_examples=15)
    @given(
        event=st.sampled_from(["user_uttered", "session_request"]),
        data=json_values
        | st.fixed_dictionaries(
            {},
            optional={
                "message": json_values | odd_texts,
                "session_id": json_values | st.text(max_size=300),
                "metadata": json_values | st.text(max_size=10),
            },
        ),
    )
    @example(event="user_uttered", data="Bonjour")
    @example(event="user_uttered", data={"message": 12, "session_id": "s"})
    @example(event="user_uttered", data={"message": "Bonjour", "session_id": {"a": 1}})
    @example(event="user_uttered", data={"message": "Bonjour", "session_id": "s", "metadata": "{bad"})
    @example(event="user_uttered", data={"message": "\ud800", "session_id": "s"})
    @example(event="session_request", data="s")
    def emit(event, data):
        client.emit(event, data)

    emit()
    assert stack.alive()
    # The website's own sequence still works, in a new connection and in the one that got the garbage.
    for polling in (Polling(stack), client):
        session = web_sender()
        polling.emit("session_request", {"session_id": session})
        assert session in polling.received("session_confirm", lambda found, session=session: session in found)
        polling.emit("user_uttered", {"message": "Bonjour", "session_id": session})
        replies = polling.received("bot_uttered", lambda found: GREETING in json.dumps(found, ensure_ascii=False))
        assert GREETING in json.dumps(replies, ensure_ascii=False)


def test_socketio_text_too_long_is_answered(channel_stack):
    client = Polling(channel_stack)
    session = web_sender()
    client.emit("session_request", {"session_id": session})
    client.emit("user_uttered", {"message": "é" * (MAX_MESSAGE_LENGTH + 1), "session_id": session})
    replies = client.received("bot_uttered", lambda found: bool(found))
    assert "trop long" in json.dumps(replies, ensure_ascii=False)


# --- Afterwards -------------------------------------------------------------------------------------------


def test_no_traceback_in_the_server_logs(channel_stack):
    for server in (channel_stack.rasa, channel_stack.actions):
        log = server.log()
        # Rasa's structured logs carry a traceback as "exc_type" in JSON rather than as "Traceback".
        for mark in ("Traceback", '"exc_type"'):
            assert mark not in log, log[max(0, log.find(mark) - 3000) :][:6000]
    assert channel_stack.alive()
