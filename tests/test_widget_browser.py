"""The website widget in a real browser: Debian's Chromium driven by Playwright, never a downloaded one.

The demo page, the Rasa server (REST channel) and the action server run as `make serve` starts
them. Screenshots of each step go to tests/artifacts/.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.assistant import ActionServer, ChildProcess, RasaServer, free_port
from tests.nlu_model import ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed (.ci/run installs it: apt-get install chromium)")
    folder = tmp_path_factory.mktemp("widget")
    web_port = free_port()
    origin = f"http://127.0.0.1:{web_port}"
    env = {"DATABASE_URL": f"sqlite:///{folder / 'assistant.db'}"}
    with ActionServer(folder / "actions.log", env) as actions:
        rasa = RasaServer(folder / "rasa.log", actions.url, env, ["--cors", origin])
        with rasa:
            demo = ChildProcess(
                [sys.executable, "-m", "bot.web_demo", "--port", str(web_port), "--rasa-url",
                 f"http://127.0.0.1:{rasa.port}"],
                folder / "web.log",
                port=web_port,
            )
            with demo:
                yield origin


@pytest.fixture
def page(site):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        context = browser.new_context(locale="fr-CA", viewport={"width": 390, "height": 800})
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(site)
        yield page
        browser.close()


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"widget-{name}.png"))


def bot_says(page, text):
    page.locator(".ee-chat__message--bot", has_text=text).last.wait_for()


def test_from_the_story_to_the_remedies_then_a_reload_keeps_the_history(page):
    page.get_by_role("button", name="Refus Entrée express ? Parlons-en").click()
    dialog = page.get_by_role("dialog", name="Assistant Entrée express")
    dialog.wait_for()
    bot_says(page, "Dites-moi où vous en êtes")
    shot(page, "1-open")

    # Keyboard only: the input has the focus once the panel opens.
    page.keyboard.type("mon test de langue a expiré")
    page.keyboard.press("Enter")
    bot_says(page, "Si je comprends bien")
    shot(page, "2-restated")

    dialog.get_by_role("button", name="Oui", exact=True).click()
    bot_says(page, "Dans quel programme")
    dialog.get_by_role("button", name="PTQF (travailleurs qualifiés)").click()
    bot_says(page, "au Canada ou à l'étranger")
    dialog.get_by_role("button", name="Au Canada").click()
    bot_says(page, "À quelle date")
    page.get_by_label("Votre message").fill("il y a 3 jours")
    page.get_by_role("button", name="Envoyer").click()
    bot_says(page, "Souhaitez-vous une consultation")
    assert page.locator(".ee-chat__message--bot", has_text="Contrôle judiciaire").count() == 1
    shot(page, "3-remedies")

    page.reload()
    bot_says(page, "Souhaitez-vous une consultation")
    assert page.locator(".ee-chat__message--user", has_text="mon test de langue a expiré").count() == 1
    shot(page, "4-after-reload")


def test_typed_html_is_shown_as_text_and_never_run(page):
    page.get_by_role("button", name="Refus Entrée express ? Parlons-en").click()
    bot_says(page, "Dites-moi où vous en êtes")
    attack = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">"
    page.get_by_label("Votre message").fill(attack)
    page.keyboard.press("Enter")
    page.locator(".ee-chat__message--user", has_text="<script>").wait_for()
    page.wait_for_timeout(1500)
    assert page.evaluate("window.pwned") is None
    assert page.locator(".ee-chat__log img").count() == 0
    shot(page, "5-script-as-text")


def test_escape_closes_and_the_focus_returns_to_the_toggle(page):
    toggle = page.get_by_role("button", name="Refus Entrée express ? Parlons-en")
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.className") == "ee-chat__toggle"
