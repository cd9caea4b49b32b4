"""The website widget in a real browser: Debian's Chromium driven by Playwright, never a downloaded one.

The conversation tests run the demo page, the Rasa server (REST channel) and the action server as
`make serve` starts them, with the trained model; screenshots of each step go to tests/artifacts/.
The rendering tests (links, phone width) need no model: only the demo page runs, and the browser
itself answers the widget's requests to Rasa with canned replies (Playwright's page.route).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bench.letter_forms import LetterForm, rendered
from bot.rasa_plugins.letter_files import FileProblem
from bot.settings import MAX_FILE_BYTES
from bot.texts import file_response_text
from bot.web.demo import widget_texts
from tests.ports import free_port
from tests.rasa_plugins.test_letter_files import LETTER
from tests.system.assistant import ActionServer, ChildProcess, RasaServer, web_sender
from tests.system.nlu_model import MODEL, ROOT

pytestmark = pytest.mark.system

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def need_chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed (.ci/run installs it: apt-get install chromium)")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    need_chromium()
    if not MODEL.exists():
        pytest.fail("No trained model: run `make train` (make test does it first).")
    folder = tmp_path_factory.mktemp("widget")
    web_port = free_port()
    origin = f"http://127.0.0.1:{web_port}"
    env = {"DATABASE_URL": f"sqlite:///{folder / 'assistant.db'}"}
    with ActionServer(folder / "actions.log", env) as actions:
        # The demo page is the one page allowed to post, as a firm's site is in production.
        rasa = RasaServer(folder / "rasa.log", actions.url, {**env, "ALLOWED_ORIGINS": origin}, ["--cors", origin])
        with rasa:
            demo = ChildProcess(
                [
                    sys.executable,
                    "-m",
                    "bot.web.demo",
                    "--port",
                    str(web_port),
                    "--rasa-url",
                    f"http://127.0.0.1:{rasa.port}",
                ],
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
    # Kept for this tab only: nothing in the storage a later visitor of the computer would reopen.
    assert page.evaluate("localStorage.length") == 0

    # Thirty idle minutes later, the conversation is gone from the browser.
    page.evaluate(
        "() => { const s = JSON.parse(sessionStorage.getItem('ee-chat-v1'));"
        " s.active -= 31 * 60 * 1000; sessionStorage.setItem('ee-chat-v1', JSON.stringify(s)); }"
    )
    page.reload()
    assert page.locator(".ee-chat__message--user").count() == 0


def test_a_letter_sent_as_a_photo_is_read_with_the_keyboard_only_and_a_pasted_one_keeps_its_lines(page, tmp_path):
    from playwright.sync_api import expect

    scan = tmp_path / "lettre-refus.jpg"
    scan.write_bytes(rendered(LETTER, LetterForm.PHOTO, seed=5))
    # Playwright turns the browser's file-picker interception on without waiting for it (fire and forget), so
    # a picker opened right after expect_file_chooser() can be missed. Listening from the start turns it on
    # long before the key is pressed.
    page.on("filechooser", lambda chooser: None)
    page.get_by_role("button", name="Refus Entrée express ? Parlons-en").click()
    bot_says(page, "Dites-moi où vous en êtes")
    # The attach button is reached with Tab from the message box, and opens the file picker with Enter.
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Joindre votre lettre")).to_be_focused()
    with page.expect_file_chooser() as chosen:
        page.keyboard.press("Enter")
    chosen.value.set_files(str(scan))
    page.locator(".ee-chat__message--user", has_text="lettre-refus.jpg").wait_for()
    bot_says(page, "J'ai lu votre lettre")
    bot_says(page, "certificat de police")
    # The "reading your letter" notice went with the answer, and the button is usable again.
    expect(page.locator(".ee-chat__message", has_text=widget_texts()["reading"])).to_have_count(0)
    expect(page.get_by_role("button", name="Joindre votre lettre")).not_to_have_attribute("aria-disabled", "true")
    shot(page, "5-letter-photo")

    # Pasted into the message box, the letter keeps its line breaks: the letterhead's office is read.
    page.get_by_role("button", name="Nouvelle conversation").click()
    bot_says(page, "Dites-moi où vous en êtes")
    page.get_by_label("Votre message").fill(LETTER)
    page.keyboard.press("Enter")
    bot_says(page, "J'ai lu votre lettre")
    assert page.locator(".ee-chat__message--user", has_text="Ambassade du Canada").count() == 1


def test_typed_html_is_shown_as_text_and_never_run(page):
    page.get_by_role("button", name="Refus Entrée express ? Parlons-en").click()
    bot_says(page, "Dites-moi où vous en êtes")
    attack = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
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


# --- Rendering, against canned replies: no model, no Rasa -------------------------------------------

FEDERAL_COURT = "https://www.fct-cf.gc.ca/fr/pages/immigration-et-refugies"
IRPA = "https://laws-lois.justice.gc.ca/fra/lois/i-2.5/"
CRS = (
    "https://www.canada.ca/fr/immigration-refugies-citoyennete/services/immigrer-canada/entree-express/"
    "admissibilite/criteres-systeme-classement-global.html"
)
# Rasa's REST channel answers the page's origin only; a routed reply must say so too.
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Content-Type"}
PHONE = {"width": 360, "height": 740}


def remedy(name: str, source_url: str) -> str:
    """A remedy as the assistant sends it: domain.yml's text with its source and dates filled in."""
    return file_response_text(f"utter_remedy_{name}").format(
        source_url=source_url, reviewed_on="2026-11-01", limit_days=15, last_day="14 décembre 2026", days_left=15
    )


def handoff() -> str:
    return file_response_text("utter_handoff").format(
        firm_name="Cabinet Exemple Immigration",
        cric_name="Marie Exemple",
        cric_licence="R123456",
        phone="514 555-0100",
        email="info@cabinet-exemple.ca",
        booking_url="https://www.cabinet-exemple.ca/rendez-vous",
    )


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo page alone (`python -m bot.web.demo`), pointed at a Rasa address where nothing listens."""
    need_chromium()
    folder = tmp_path_factory.mktemp("widget_demo")
    web_port = free_port()
    rasa_url = f"http://127.0.0.1:{free_port()}"
    demo = ChildProcess(
        [sys.executable, "-m", "bot.web.demo", "--port", str(web_port), "--rasa-url", rasa_url],
        folder / "web.log",
        port=web_port,
    )
    with demo:
        yield f"http://127.0.0.1:{web_port}", rasa_url


class CannedAssistant:
    """Chromium on the demo page; every message the widget sends to Rasa gets `replies` back."""

    def __init__(self, browser, origin: str, rasa_url: str):
        self.browser, self.origin, self.rasa_url = browser, origin, rasa_url
        self.sent = []

    def open(self, replies, viewport=None):
        """Opens the widget (it sends /greet) and waits until every reply is shown."""
        context = self.browser.new_context(locale="fr-CA", viewport=viewport or {"width": 390, "height": 800})
        page = context.new_page()
        page.set_default_timeout(15_000)

        def answer(route):
            if route.request.method == "OPTIONS":
                route.fulfill(status=204, headers=CORS)
                return
            self.sent.append(route.request.post_data_json["message"])
            body = [reply if isinstance(reply, dict) else {"text": reply} for reply in replies]
            route.fulfill(status=200, headers=CORS, content_type="application/json", body=json.dumps(body))

        def session(route):
            if route.request.method == "OPTIONS":
                route.fulfill(status=204, headers=CORS)
                return
            body = json.dumps({"sender": web_sender()})
            route.fulfill(status=200, headers=CORS, content_type="application/json", body=body)

        page.route(f"{self.rasa_url}/webhooks/rest/webhook", answer)
        page.route(f"{self.rasa_url}/webhooks/rest/session", session)
        page.goto(self.origin)
        page.get_by_role("button", name=widget_texts()["open"]).click()
        page.locator(".ee-chat__message--bot").nth(len(replies) - 1).wait_for()
        return page


@pytest.fixture
def assistant(demo_site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield CannedAssistant(browser, *demo_site)
        browser.close()


def shown_text(bubble) -> str:
    """A message's text as the widget lays it out, without the hidden "Assistant : " before it."""
    return bubble.evaluate(
        "b => Array.from(b.querySelectorAll('.ee-chat__line')).map(line => line.textContent).join('')"
    )


def test_a_source_address_is_a_short_link_to_the_full_address(assistant):
    sources = [
        ("judicial_review_open", FEDERAL_COURT, "fct-cf.gc.ca"),
        ("new_application", CRS, "canada.ca"),
        ("misrepresentation_bar", IRPA, "laws-lois.justice.gc.ca"),
    ]
    page = assistant.open([remedy(name, url) for name, url, _ in sources])
    bubbles = page.locator(".ee-chat__message--bot")
    assert bubbles.count() == len(sources)
    for index, (name, url, label) in enumerate(sources):
        bubble = bubbles.nth(index)
        link = bubble.locator("a")
        assert link.count() == 1, name
        assert link.inner_text() == label
        assert link.get_attribute("href") == url
        assert link.get_attribute("target") == "_blank"
        assert link.get_attribute("rel") == "noopener noreferrer"
        assert link.get_attribute("title") == widget_texts()["link_title"]
        # Everything else as sent, line breaks included: only the address became its label.
        text = remedy(name, url)
        assert f"({url})" in text
        assert shown_text(bubble) == text.replace(url, label)
    assert page.get_by_role("link", name="fct-cf.gc.ca").count() == 1


def test_other_schemes_and_disguised_addresses_stay_text(assistant):
    text = (
        "Source : (javascript:window.pwned=1) ; (JavaScript:alert(1)) ; (http://www.canada.ca/fr.html) ;\n"
        "- (data:text/html,<script>window.pwned=2</script>) ; (https://canada.ca@example.org/) ; (https://)"
    )
    page = assistant.open([text])
    bubble = page.locator(".ee-chat__message--bot").last
    assert page.locator(".ee-chat__log a").count() == 0
    assert shown_text(bubble) == text
    assert page.evaluate("window.pwned") is None


def test_what_the_person_types_never_becomes_a_link(assistant):
    page = assistant.open(["Bonjour !"])
    page.get_by_label(widget_texts()["input_label"]).fill("voir https://www.canada.ca/fr.html")
    page.keyboard.press("Enter")
    page.locator(".ee-chat__message--user").wait_for()
    page.locator(".ee-chat__message--bot").nth(1).wait_for()
    assert assistant.sent == ["/greet", "voir https://www.canada.ca/fr.html"]
    assert page.locator(".ee-chat__message--user a").count() == 0
    assert page.locator(".ee-chat__message--bot a").count() == 0


def test_on_a_360_px_phone_nothing_overflows_and_list_lines_hang(assistant, tmp_path):
    long_word = "Référence:" + "X" * 90
    replies = [
        remedy("judicial_review_open", FEDERAL_COURT),
        remedy(
            "gcms_notes",
            "https://www.canada.ca/fr/immigration-refugies-citoyennete/organisation/transparence/"
            "acces-information-protection-renseignements-personnels.html",
        ),
        remedy("new_application", CRS),
        remedy("misrepresentation_bar", IRPA),
        handoff(),
        f"Un mot sans espace : {long_word}\nUne adresse qui reste du texte : http://{'tres-long-' * 12}.example/",
        # A long host is a link that may wrap; a choice with a long title wraps too.
        {
            "text": f"Voir (https://{'sous-domaine-tres-long.' * 4}gc.ca/page)",
            "buttons": [{"title": "Oui, une consultation avec " + "un-consultant-" * 6, "payload": "/affirm"}],
        },
    ]
    page = assistant.open(replies, viewport=PHONE)
    page.get_by_label(widget_texts()["input_label"]).fill(long_word)
    page.keyboard.press("Enter")
    page.locator(".ee-chat__message--user").wait_for()
    page.locator(".ee-chat__message--bot").nth(2 * len(replies) - 1).wait_for()

    layout = page.evaluate(
        """() => {
          const log = document.querySelector('.ee-chat__log');
          const box = log.getBoundingClientRect();
          const outside = Array.from(log.querySelectorAll('.ee-chat__message, .ee-chat__link, .ee-chat__choices button'))
            .filter(node => { const r = node.getBoundingClientRect(); return r.left < box.left - 0.5 || r.right > box.right + 0.5; })
            .map(node => node.textContent.slice(0, 60));
          return {scrollWidth: log.scrollWidth, clientWidth: log.clientWidth, outside,
                  pageWidth: document.documentElement.scrollWidth};
        }"""
    )
    assert layout["scrollWidth"] <= layout["clientWidth"], layout
    assert layout["outside"] == [], layout
    assert layout["pageWidth"] <= PHONE["width"], layout

    # Each "- " line of the contact details wraps under its first word, not under the dash.
    hanging = page.evaluate(
        """() => Array.from(document.querySelectorAll('.ee-chat__line--item')).map(line => {
          const marker = line.querySelector('.ee-chat__marker').getBoundingClientRect();
          const range = document.createRange();
          range.setStartAfter(line.querySelector('.ee-chat__marker'));
          range.setEnd(line, line.childNodes.length);
          // Where each row of the text starts: the leftmost fragment at each height.
          const starts = new Map();
          for (const r of range.getClientRects()) {
            if (r.width === 0) continue;
            const row = Math.round(r.top);
            starts.set(row, Math.min(starts.has(row) ? starts.get(row) : Infinity, r.left));
          }
          return {dash: marker.left, starts: Array.from(starts.values()).map(Math.round)};
        })"""
    )
    assert len(hanging) >= 4
    assert any(len(line["starts"]) > 1 for line in hanging), hanging  # at least one item wraps
    for line in hanging:
        assert min(line["starts"]) > line["dash"] + 4, hanging
        assert len(set(line["starts"])) == 1, hanging

    # For a person to look at: the first remedy, at the top of the log.
    page.locator(".ee-chat__message--bot").first.evaluate("b => b.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(tmp_path / "widget-360-remedy.png"))


def test_a_conversation_id_the_server_no_longer_knows_starts_a_new_conversation_and_says_so(demo_site):
    """After a restart without WEB_SESSION_SECRET the server no longer knows the tab's id: the widget says the
    message was not read, asks for a new id and starts again, rather than sending an answer out of context."""
    from playwright.sync_api import sync_playwright

    origin, rasa_url = demo_site
    handed_out, received = [], []

    def session(route):
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers=CORS)
            return
        handed_out.append(web_sender())
        route.fulfill(
            status=200, headers=CORS, content_type="application/json", body=json.dumps({"sender": handed_out[-1]})
        )

    def webhook(route):
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers=CORS)
            return
        body = route.request.post_data_json
        received.append((body["sender"], body["message"]))
        if body["sender"] == handed_out[0]:
            refusal = '{"error": "unknown conversation: POST /webhooks/rest/session hands one out"}'
            route.fulfill(status=403, headers=CORS, content_type="application/json", body=refusal)
            return
        route.fulfill(status=200, headers=CORS, content_type="application/json", body='[{"text": "Bonjour !"}]')

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        page.route(f"{rasa_url}/webhooks/rest/session", session)
        page.route(f"{rasa_url}/webhooks/rest/webhook", webhook)
        page.goto(origin)
        page.get_by_role("button", name=widget_texts()["open"]).click()
        bot_says(page, "Bonjour !")
        notice = page.locator(".ee-chat__message--error")
        assert notice.count() == 1 and widget_texts()["expired"] in notice.inner_text()
        browser.close()
    assert len(handed_out) == 2
    assert received == [(handed_out[0], "/greet"), (handed_out[1], "/greet")]


# --- A letter sent as a file, against canned answers ----------------------------------------------


def letter_route(page, rasa_url: str, handle) -> None:
    """Routes the widget's file uploads (POST /webhooks/rest/letter?sender=...) to `handle(route)`."""
    prefix = f"{rasa_url}/webhooks/rest/letter?"

    def route_letter(route):
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers=CORS)
            return
        handle(route)

    page.route(lambda url: url.startswith(prefix), route_letter)


def reply(route, text: str, status: int = 200) -> None:
    route.fulfill(status=status, headers=CORS, content_type="application/json", body=json.dumps([{"text": text}]))


def file_of(path: Path, size: int) -> str:
    with path.open("wb") as out:
        out.truncate(size)
    return str(path)


def file_input(page):
    return page.locator(".ee-chat__form input[type=file]")


def wait_for(page, condition, what: str) -> None:
    """Lets the browser run (and Playwright call the route handlers) until `condition()` holds."""
    for _ in range(200):
        if condition():
            return
        page.wait_for_timeout(50)
    pytest.fail(f"still waiting for {what}")


def test_the_widget_refuses_a_file_with_the_servers_limit_and_answer():
    """texts.json carries the server's limit and its own answer to a file over it, not a widget copy."""
    texts = json.loads(json.dumps(widget_texts()))
    assert texts["max_file_bytes"] == MAX_FILE_BYTES
    assert texts["too_large"] == file_response_text(FileProblem.TOO_LARGE.answer)


def test_a_file_over_the_servers_limit_is_never_sent_and_gets_the_servers_answer(assistant, tmp_path):
    from playwright.sync_api import expect

    texts = widget_texts()
    too_large = texts["too_large"]
    page = assistant.open(["Bonjour !"])
    uploads = []

    def handle(route):
        uploads.append(len(route.request.post_data_buffer or b""))
        reply(route, "J'ai lu votre lettre.")

    letter_route(page, assistant.rasa_url, handle)

    file_input(page).set_input_files(file_of(tmp_path / "scan-trop-lourd.pdf", MAX_FILE_BYTES + 1))
    bot_says(page, too_large)
    page.wait_for_timeout(500)
    assert uploads == []
    # Nothing went: no "letter sent" line, no reading notice, and the button is usable at once.
    expect(page.locator(".ee-chat__message--user")).to_have_count(0)
    expect(page.locator(".ee-chat__message", has_text=texts["reading"])).to_have_count(0)
    expect(page.get_by_role("button", name=texts["attach"])).not_to_have_attribute("aria-disabled", "true")
    shot(page, "6-file-too-large")

    # At the limit exactly, the file goes, as the server and nginx accept it.
    file_input(page).set_input_files(file_of(tmp_path / "scan.pdf", MAX_FILE_BYTES))
    bot_says(page, "J'ai lu votre lettre.")
    assert uploads == [MAX_FILE_BYTES]

    # nginx's bare 413 (a page, no JSON) reads as the assistant's answer to a file too large, not as a failure.
    letter_route(
        page, assistant.rasa_url, lambda route: route.fulfill(status=413, headers=CORS, body="<html>413</html>")
    )
    file_input(page).set_input_files(file_of(tmp_path / "autre.pdf", 1000))
    expect(page.locator(".ee-chat__message--bot", has_text=too_large)).to_have_count(2)
    expect(page.locator(".ee-chat__message--error")).to_have_count(0)


def test_the_reading_notice_goes_when_the_answer_or_an_error_comes_and_is_never_saved(assistant, tmp_path):
    from playwright.sync_api import expect

    texts = widget_texts()
    page = assistant.open(["Bonjour !"])
    held = []
    letter_route(page, assistant.rasa_url, held.append)
    notice = page.locator(".ee-chat__message", has_text=texts["reading"])

    file_input(page).set_input_files(file_of(tmp_path / "lettre.pdf", 2000))
    notice.wait_for()
    wait_for(page, lambda: held, "the upload")
    # Shown, but not part of the conversation kept for the tab: a reload would show it with nothing coming.
    saved = page.evaluate("sessionStorage.getItem('ee-chat-v1')")
    assert "lettre.pdf" in saved and texts["reading"] not in saved
    shot(page, "7-reading")

    reply(held.pop(), "J'ai lu votre lettre : un refus.")
    bot_says(page, "J'ai lu votre lettre : un refus.")
    expect(notice).to_have_count(0)
    page.reload()
    page.locator(".ee-chat__message--bot", has_text="J'ai lu votre lettre : un refus.").wait_for()
    expect(notice).to_have_count(0)

    # An upload that fails takes the notice away too, and says the file did not go.
    letter_route(page, assistant.rasa_url, held.append)
    file_input(page).set_input_files(file_of(tmp_path / "lettre-2.pdf", 2000))
    notice.wait_for()
    wait_for(page, lambda: held, "the second upload")
    held.pop().abort()
    page.locator(".ee-chat__message--error", has_text=texts["error"]).wait_for()
    expect(notice).to_have_count(0)
    assert texts["reading"] not in page.evaluate("sessionStorage.getItem('ee-chat-v1')")


def test_a_letter_s_answer_arriving_after_a_new_conversation_began_stays_out_of_it(assistant, tmp_path):
    from playwright.sync_api import expect

    texts = widget_texts()
    page = assistant.open(["Bonjour !"])
    held = []
    letter_route(page, assistant.rasa_url, held.append)
    file_input(page).set_input_files(file_of(tmp_path / "lettre.pdf", 2000))
    wait_for(page, lambda: held, "the upload")
    page.get_by_role("button", name="Nouvelle conversation").click()
    bot_says(page, "Bonjour !")
    reply(held.pop(), "J'ai lu votre lettre : un refus.")
    # The upload is over once the attach button is available again; its answer is not the new conversation's.
    expect(page.get_by_role("button", name=texts["attach"])).not_to_have_attribute("aria-disabled", "true")
    expect(page.locator(".ee-chat__message", has_text="J'ai lu votre lettre")).to_have_count(0)
    assert "J'ai lu votre lettre" not in page.evaluate("sessionStorage.getItem('ee-chat-v1')")


def test_a_message_typed_while_a_letter_is_read_is_answered_after_the_letter(assistant, tmp_path):
    page = assistant.open(["Bonjour !"])
    held = []
    letter_route(page, assistant.rasa_url, held.append)
    file_input(page).set_input_files(file_of(tmp_path / "lettre.pdf", 2000))
    wait_for(page, lambda: held, "the upload")
    page.get_by_label("Votre message").fill("c'est urgent")
    page.keyboard.press("Enter")
    page.locator(".ee-chat__message--user", has_text="c'est urgent").wait_for()
    # Time for a message sent at once to be answered (the canned server answers at once): it must not be.
    page.wait_for_timeout(500)
    assert "c'est urgent" not in assistant.sent
    reply(held.pop(), "J'ai lu votre lettre : un refus.")
    wait_for(page, lambda: "c'est urgent" in assistant.sent, "the message, after the letter's answer")
    bot_says(page, "Bonjour !")
    replies = page.locator(".ee-chat__message--bot").all_inner_texts()
    letter_answer = next(i for i, text in enumerate(replies) if "J'ai lu votre lettre" in text)
    assert letter_answer < len(replies) - 1 and "Bonjour !" in replies[-1]


def test_while_a_letter_is_read_the_attach_button_is_unavailable_yet_keeps_the_keyboard(assistant, tmp_path):
    from playwright.sync_api import expect

    texts = widget_texts()
    page = assistant.open(["Bonjour !"])
    held, uploads = [], []

    def handle(route):
        uploads.append(route.request.url)
        held.append(route)

    letter_route(page, assistant.rasa_url, handle)
    choosers = []
    # Listening from the start turns the browser's file-picker interception on before any picker opens.
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    attach = page.get_by_role("button", name=texts["attach"])

    file_input(page).set_input_files(file_of(tmp_path / "lettre.pdf", 2000))
    wait_for(page, lambda: held, "the upload")
    expect(attach).to_have_attribute("aria-disabled", "true")
    expect(file_input(page)).to_be_disabled()
    # Still reached with the keyboard, but Enter opens no picker while the first file is read.
    attach.focus()
    expect(attach).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    page.wait_for_timeout(500)
    assert choosers == []
    assert len(uploads) == 1
    shot(page, "8-attach-unavailable")

    reply(held.pop(), "J'ai lu votre lettre.")
    bot_says(page, "J'ai lu votre lettre.")
    expect(attach).not_to_have_attribute("aria-disabled", "true")
    expect(file_input(page)).to_be_enabled()
    attach.focus()
    with page.expect_file_chooser() as chosen:
        page.keyboard.press("Enter")
    chosen.value.set_files(file_of(tmp_path / "lettre-2.pdf", 2000))
    wait_for(page, lambda: held, "the second upload")
    assert len(uploads) == 2
