"""The conversations' runner: one conversation's jobs in order, conversations side by side.

Every wait on an Event is bounded (asyncio.wait_for): a runner that deadlocks fails the test instead of hanging it.
"""

import asyncio

import pytest

from bot.rasa_plugins.channels.in_order import InOrder

pytestmark = pytest.mark.unit

BOUND = 30  # seconds: only reached when the runner is broken


async def nothing():
    pass


def test_a_conversation_s_second_job_starts_only_after_its_first_ends():
    log = []

    async def scenario():
        runner, release, first_started = InOrder(), asyncio.Event(), asyncio.Event()

        async def slow():
            log.append("first starts")
            first_started.set()
            await release.wait()
            log.append("first ends")

        async def quick():
            log.append("second starts")

        runner.start("c1", slow)
        second = runner.start("c1", quick)
        await asyncio.wait_for(first_started.wait(), BOUND)
        release.set()
        await asyncio.wait_for(second, BOUND)

    asyncio.run(scenario())
    assert log == ["first starts", "first ends", "second starts"]


def test_conversations_do_not_wait_for_each_other():
    async def scenario():
        runner, other_ran = InOrder(), asyncio.Event()

        async def waits_for_the_other_conversation():
            await other_ran.wait()

        async def sets():
            other_ran.set()

        first = runner.start("c1", waits_for_the_other_conversation)
        runner.start("c2", sets)
        # Were c2 behind c1, neither would end.
        await asyncio.wait_for(first, BOUND)

    asyncio.run(scenario())


def test_a_failing_job_is_logged_by_its_type_and_the_next_one_runs(caplog):
    ran = []

    async def scenario():
        runner = InOrder()

        async def fails():
            raise ValueError("row: mon numéro est le 514 555 0123")

        async def next_one():
            ran.append("next")

        runner.start("c1", fails)
        await runner.run("c1", next_one)  # does not raise either

    asyncio.run(scenario())
    assert ran == ["next"]
    assert "could not be handled (ValueError)" in caplog.text and "555" not in caplog.text


def test_finished_conversations_are_forgotten_and_a_pending_one_is_kept():
    async def scenario():
        runner, release_first, release_second = InOrder(), asyncio.Event(), asyncio.Event()
        first = runner.start("c1", release_first.wait)
        second = runner.start("c1", release_second.wait)
        runner.start("c2", nothing)
        release_first.set()
        await asyncio.wait_for(first, BOUND)
        # The first job's end does not forget the conversation: its second job is still to wait for.
        kept = runner._last.get("c1") is second
        release_second.set()
        await asyncio.wait_for(second, BOUND)
        await asyncio.sleep(0)  # the done-callbacks run on the loop's next turn
        return kept, runner._last

    kept, left = asyncio.run(scenario())
    assert kept
    assert left == {}


def test_a_caller_cancelled_while_waiting_does_not_cancel_the_job():
    """A platform closing the webhook's connection: the message, recorded as seen, is still handled."""
    ran = []

    async def scenario():
        runner, release, started = InOrder(), asyncio.Event(), asyncio.Event()

        async def job():
            started.set()
            await release.wait()
            ran.append("job")

        caller = asyncio.get_running_loop().create_task(runner.run("c1", job))
        await asyncio.wait_for(started.wait(), BOUND)
        caller.cancel()
        release.set()
        await asyncio.wait_for(runner.run("c1", nothing), BOUND)

    asyncio.run(scenario())
    assert ran == ["job"]
