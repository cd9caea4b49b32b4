import pytest

from bench.serving import endpoints_for

pytestmark = pytest.mark.unit


def test_the_repo_endpoints_are_kept_and_a_fixed_action_address_points_at_the_bench(tmp_path):
    fixed = tmp_path / "endpoints.yml"
    fixed.write_text(
        'action_endpoint:\n  url: "http://127.0.0.1:5055/webhook"\n'
        "tracker_store:\n  type: bot.rasa_plugins.tracker_store.DatabaseUrlTrackerStore\n",
        encoding="utf-8",
    )
    endpoints = endpoints_for("http://127.0.0.1:41234/webhook", fixed)
    assert endpoints["action_endpoint"] == {"url": "http://127.0.0.1:41234/webhook"}
    assert endpoints["tracker_store"] == {"type": "bot.rasa_plugins.tracker_store.DatabaseUrlTrackerStore"}


def test_an_action_address_read_from_the_environment_is_left_for_rasa_to_fill(tmp_path):
    gateway = tmp_path / "endpoints.yml"
    gateway.write_text(
        'action_endpoint:\n  url: "http://127.0.0.1:${RASA_PORT}/webhooks/action_gateway/webhook"\n'
        "lock_store:\n  type: bot.rasa_plugins.lock_store.AtomicRedisLockStore\n",
        encoding="utf-8",
    )
    endpoints = endpoints_for("http://127.0.0.1:41234/webhook", gateway)
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:${RASA_PORT}/webhooks/action_gateway/webhook"
    assert endpoints["lock_store"] == {"type": "bot.rasa_plugins.lock_store.AtomicRedisLockStore"}
