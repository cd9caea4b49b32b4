"""Guards on the Rasa internals that bot/rasa_plugins/ patches or relies on.

Each test states what a plug-in assumes about Rasa 3.6.21 and fails when Rasa no longer behaves so:
after an upgrade, a failing guard names the plug-in to re-read (and maybe drop) before anything ships.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import rasa
import yaml
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.channels import channel as rasa_channel
from rasa.core.channels import rest as rasa_rest
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.twilio import TwilioInput
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.engine.recipes import default_recipe
from rasa.nlu.utils import spacy_utils

from bot.rasa_plugins import action_response_check
from bot.rasa_plugins.channels.rest import RestInput
from bot.rasa_plugins.channels.socketio import SocketIOInput
from bot.rasa_plugins.channels.twilio_whatsapp import TwilioWhatsAppInput
from bot.rasa_plugins.lock_store import AtomicRedisLockStore
from bot.rasa_plugins.spacy_nlp import SpacyNLP
from bot.rasa_plugins.tracker_store import DatabaseUrlTrackerStore

pytestmark = pytest.mark.unit

RASA = Path(rasa.__file__).resolve().parent


def _parameters(function) -> list:
    return list(inspect.signature(function).parameters)


def test_the_guards_were_written_against_rasa_3_6_21():
    assert rasa.__version__ == "3.6.21"


def test_action_response_check_replaces_the_method_rasa_calls_on_every_response(monkeypatch):
    """bot/rasa_plugins/action_response_check.py: RemoteAction checks each response with
    `_validate_action_result(result)`, which calls jsonschema.validate (the schema re-checked per call)."""
    source = (RASA / "core" / "actions" / "action.py").read_text(encoding="utf-8")
    assert "def _validate_action_result(self, result: Dict[Text, Any]) -> bool:" in source
    assert "self._validate_action_result(response)" in source
    assert re.search(r"validate\(result, self\.action_response_format_spec\(\)\)", source)
    # Patched for this test only: undone afterwards, whatever the other tests do.
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    action_response_check.install()
    assert RemoteAction._validate_action_result is action_response_check.validate_action_result
    assert _parameters(action_response_check.validate_action_result) == ["remote_action", "result"]


def test_socketio_session_request_still_calls_enter_room_without_await():
    """bot/rasa_plugins/channels/socketio.py registers `session_request` again, awaited (RasaHQ/rasa#13027).
    When Rasa awaits it, this guard fails and the re-registration can go."""
    source = inspect.getsource(RasaSocketIOInput.blueprint)
    assert re.search(r"(?<!await )sio\.enter_room\(sid, data\[\"session_id\"\]\)", source)


def test_socketio_handlers_are_where_the_plugin_reads_and_replaces_them():
    """The plug-in takes Rasa's own message handler from `sio.handlers[namespace][event]` and wraps it."""
    channel = SocketIOInput(user_message_evt="user_uttered", bot_message_evt="bot_uttered", session_persistence=True)

    async def on_new_message(message):
        return None

    channel.blueprint(on_new_message)
    handlers = channel.sio.handlers["/"]
    assert {"connect", "disconnect", "session_request", "user_uttered"} <= set(handlers)
    assert handlers["user_uttered"].__qualname__.startswith(SocketIOInput.blueprint.__qualname__)
    assert handlers["session_request"].__qualname__.startswith(SocketIOInput.blueprint.__qualname__)


def test_rasa_only_ever_calls_lock_on_a_lock_store():
    """bot/rasa_plugins/lock_store.py implements `lock()` alone: the base class's read-modify-write
    methods (get_lock, save_lock, ...) are the non-atomic path it replaces (RasaHQ/rasa#9213)."""
    called = set()
    for path in RASA.rglob("*.py"):
        called |= set(re.findall(r"lock_store\.(\w+)\(", path.read_text(encoding="utf-8")))
    assert called == {"lock"}
    assert _parameters(LockStore.lock) == ["self", "conversation_id", "lock_lifetime", "wait_time_in_seconds"]
    assert _parameters(AtomicRedisLockStore.lock) == _parameters(LockStore.lock)


def test_sql_tracker_store_reads_through_the_retrieve_the_plugin_retries():
    """bot/rasa_plugins/tracker_store.py retries `_retrieve` and `save` while PostgreSQL restarts."""
    assert _parameters(SQLTrackerStore._retrieve) == ["self", "sender_id", "fetch_events_from_all_sessions"]
    assert _parameters(DatabaseUrlTrackerStore._retrieve) == _parameters(SQLTrackerStore._retrieve)
    assert "self._retrieve(" in inspect.getsource(SQLTrackerStore.retrieve)
    assert "self._retrieve(" in inspect.getsource(SQLTrackerStore.retrieve_full_tracker)
    assert _parameters(SQLTrackerStore.save) == _parameters(DatabaseUrlTrackerStore.save) == ["self", "tracker"]


def test_spacy_nlp_is_found_by_class_name_and_loads_through_load_model():
    """bot/rasa_plugins/spacy_nlp.py keeps Rasa's class name, since the recipe matches `model_from` by
    class name, and shares one load by caching `load_model`, which Rasa's `create` calls."""
    assert SpacyNLP.__name__ == spacy_utils.SpacyNLP.__name__ == "SpacyNLP"
    assert "node.uses.__name__ == component.model_from" in inspect.getsource(default_recipe)
    assert "cls.load_model(" in inspect.getsource(spacy_utils.SpacyNLP.create)
    assert isinstance(inspect.getattr_static(spacy_utils.SpacyNLP, "load_model"), staticmethod)


def test_the_rest_channel_extends_rasa_s_blueprint_and_twilio_its_constructor():
    """The REST connector adds its checks to the blueprint Rasa's channel builds; the Twilio one builds its
    own blueprint and keeps Rasa's constructor (account, token, number, debug mode)."""
    assert "super().blueprint(telling_when_busy(on_new_message))" in inspect.getsource(RestInput.blueprint)
    assert _parameters(RasaRestInput.blueprint) == ["self", "on_new_message"]
    assert _parameters(TwilioInput.__init__) == ["self", "account_sid", "auth_token", "twilio_number", "debug_mode"]
    assert "super().__init__(" in inspect.getsource(TwilioWhatsAppInput.__init__)


def test_a_full_conversation_queue_reaches_the_channel_s_handler_as_the_lock_store_s_error():
    """channels/incoming.py answers ConversationBusy around the handler Rasa gives the channels: that handler
    must take the lock itself and let its error through, not catch it first."""
    assert "async with self.lock_store.lock(message.sender_id):" in inspect.getsource(Agent.handle_message)
    assert "except" not in inspect.getsource(Agent.handle_message)
    assert "await app.ctx.agent.handle_message(message)" in inspect.getsource(rasa_channel.register)


def test_rasa_s_rest_webhook_reads_the_channel_name_and_metadata_through_the_methods_the_plugin_overrides():
    """The REST connector forces the channel's name and drops client metadata by overriding these two."""
    source = inspect.getsource(RasaRestInput.blueprint)
    assert "self._extract_input_channel(request)" in source and "self.get_metadata(request)" in source
    assert "input_channel=input_channel" in source and "metadata=metadata" in source


def test_rasa_s_rest_webhook_logs_a_message_s_text_only_when_the_handler_it_awaits_fails():
    """channels/incoming.py's `telling_when_busy`, which the REST connector gives Rasa's blueprint as its handler,
    lets no error out, cancellation included: Rasa's webhook logs the message's whole text when that handler
    raises or is cancelled, and nowhere else in its REST and channel modules. Its streaming path logs nothing."""
    source = inspect.getsource(RasaRestInput.blueprint)
    handled = source.split("await on_new_message(", 1)[1]
    assert re.findall(r"except (\w+):\s+structlogger\.\w+\(\s*\"([\w.]+)\", text=", handled) == [
        ("CancelledError", "rest.message.received.timeout"),
        ("Exception", "rest.message.received.failure"),
    ]
    # Nowhere else in Rasa's REST and channel modules does a log call take a message's text.
    for module, expected in ((rasa_rest, 2), (rasa_channel, 0)):
        calls = re.findall(r"(?:struct)?logger\.\w+\(((?:[^()]|\([^()]*\))*)\)", inspect.getsource(module))
        assert len([call for call in calls if re.search(r"\btext\b", call)]) == expected, module.__name__
    assert "super().blueprint(telling_when_busy(on_new_message))" in inspect.getsource(RestInput.blueprint)


def test_rasa_waits_five_minutes_for_an_action_server_whatever_the_endpoint_says():
    """bot/rasa_plugins/action_gateway.py exists because RemoteAction waits DEFAULT_REQUEST_TIMEOUT (300 s)
    and reads the answer as {"events", "responses"}. A shorter wait in Rasa would make the gateway a choice."""
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

    assert DEFAULT_REQUEST_TIMEOUT == 300
    assert "timeout=DEFAULT_REQUEST_TIMEOUT" in inspect.getsource(RemoteAction.run)
    assert {"events", "responses"} <= set(RemoteAction.action_response_format_spec()["properties"])


def test_the_bench_measures_each_model_part_through_the_graph_node_loader():
    """bench/memory.py wraps `GraphNode._load_component(**kwargs)` to measure each part's memory."""
    from rasa.engine.graph import GraphNode

    assert _parameters(GraphNode._load_component) == ["self", "kwargs"]
    assert "self._load_component(" in inspect.getsource(GraphNode)


def test_a_property_the_cause_reader_adds_to_the_output_reaches_the_actions():
    """bot/rasa_plugins/cause_reader.py sets `refusal_causes` on the message with `add_to_output`: Rasa must
    keep it in the parsed message, in the user event and in the tracker state sent to the action server."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.nlu.training_data.message import Message

    reading = [{"cause": "low_score", "confidence": 0.9}]
    message = Message(data={"text": "score trop bas"})
    message.set("refusal_causes", reading, add_to_output=True)
    parse = message.as_dict(only_output_properties=True)
    assert parse["refusal_causes"] == reading
    event = UserUttered("score trop bas", {"name": "refusal_low_score", "confidence": 0.9}, [], parse)
    tracker = DialogueStateTracker.from_events("guard", [event], slots=Domain.empty().slots)
    assert tracker.current_state()["latest_message"]["refusal_causes"] == reading


def test_rasa_gives_the_conversation_to_a_component_whose_process_takes_a_tracker():
    """bot/rasa_plugins/typed_choice.py reads the buttons last shown from the `tracker` Rasa's recipe passes
    to `process`, and the processor fills with the conversation."""
    from rasa.engine.constants import PLACEHOLDER_TRACKER

    from bot.rasa_plugins.typed_choice import TypedChoice

    recipe = default_recipe.DefaultV1Recipe()
    assert recipe._get_needs_from_args(TypedChoice, "process") == {"tracker": PLACEHOLDER_TRACKER}
    source = (RASA / "core" / "processor.py").read_text(encoding="utf-8")
    assert "inputs={PLACEHOLDER_MESSAGE: [message], PLACEHOLDER_TRACKER: tracker}" in source


def test_the_training_cache_key_takes_the_readers_code_fingerprint():
    """text_models.TextModelComponent.fingerprint_addon assumes Rasa puts it in a component's cache key."""
    from rasa.engine.training import fingerprinting

    source = inspect.getsource(fingerprinting.calculate_fingerprint_key)
    assert "fingerprint_addon(config)" in source


def test_sql_tracker_store_writes_the_events_its_additional_events_yields():
    """tracker_store.py keeps a letter as the facts read by yielding a changed copy of its message from
    `_additional_events`: that works only while `save` writes what that method yields, as `as_dict()`."""
    from rasa.core.tracker_store import SQLTrackerStore

    source = inspect.getsource(SQLTrackerStore.save)
    assert "self._additional_events(session, tracker)" in source
    assert "data = event.as_dict()" in source
    # save also streams the tracker's own events to an event broker: the project configures none, in what Rasa's
    # commands read or in what `make run`, `make serve` and production read, so the letter's text goes nowhere else.
    for name in ("endpoints.yml", "endpoints-gateway.yml"):
        endpoints = yaml.safe_load((Path(__file__).resolve().parents[2] / name).read_text(encoding="utf-8"))
        assert endpoints["tracker_store"]["type"] == "bot.rasa_plugins.tracker_store.DatabaseUrlTrackerStore", name
        assert "event_broker" not in endpoints, name


def test_the_saved_crf_extractor_s_hooks_are_where_it_reads_them():
    # bot/rasa_plugins/crf_entities.py: Rasa's train hands the dataset to persist, which it replaces; a CRF reads
    # through the tagger it sets and saves the model file it copies.
    import sklearn_crfsuite
    from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor

    assert "self.persist(dataset)" in inspect.getsource(CRFEntityExtractor.train)
    tagger = inspect.getsource(sklearn_crfsuite.CRF.tagger_.fget)
    assert "self._tagger" in tagger and "self.modelfile.name" in tagger
    assert "self.tagger_" in inspect.getsource(sklearn_crfsuite.CRF.predict_single)
