/*
 * The firm's chat widget: talks to Rasa's REST channel, keeps the conversation across page
 * reloads of its tab only (sessionStorage, forgotten after 30 idle minutes: a shared computer does
 * not reopen someone's name and phone number), shows choices as buttons, and renders every text inertly
 * (textContent only: what a person types is never read as HTML). In the assistant's messages an
 * https: address becomes a link labelled with its host ("canada.ca"); any other address stays text.
 * The conversation's id is the server's (POST /webhooks/rest/session): the widget never makes one up.
 * The letter can be pasted, or sent as a PDF or a photo (POST /webhooks/rest/letter), read by the server:
 * one file at a time, none over the server's limit (texts.json's max_file_bytes, from bot/web/demo.py).
 *
 * <script src=".../widget.js" data-rasa-url="https://assistant.example" defer></script>
 * Its words come from domain.yml, through texts.json next to this file.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var rasaUrl = (script.getAttribute("data-rasa-url") || "").replace(/\/$/, "");
  var textsUrl = script.getAttribute("data-texts-url") || new URL("texts.json", script.src).href;
  var STORE = "ee-chat-v1";
  var IDLE_MS = 30 * 60 * 1000;

  function newState() {
    // sender: the conversation id the server hands out on the first message.
    return { sender: null, open: false, messages: [], active: Date.now() };
  }

  function load() {
    try {
      localStorage.removeItem(STORE); // what an earlier version kept with no expiry
      var saved = JSON.parse(sessionStorage.getItem(STORE));
      var fresh = saved && typeof saved.active === "number" && Date.now() - saved.active < IDLE_MS;
      if (fresh && Array.isArray(saved.messages)) return saved;
      sessionStorage.removeItem(STORE);
    } catch (ignored) { /* a damaged store starts a new conversation */ }
    return newState();
  }

  var state = load();

  function save() {
    state.active = Date.now();
    try { sessionStorage.setItem(STORE, JSON.stringify(state)); } catch (ignored) { /* private mode */ }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // An https: address as the assistant writes it, e.g. "(https://www.canada.ca/fr/…)": no spaces, quotes,
  // angle brackets or guillemets; parentheses only in balanced pairs, so the enclosing ones stay text.
  var HTTPS_ADDRESS = /https:\/\/(?:[^\s()<>"'«»]|\([^\s()<>"'«»]*\))+/gi;
  var TRAILING_PUNCTUATION = /[.,;:!?…]+$/;
  // A label this short is kept on one line ("fct-cf.gc.ca" does not break at its hyphen); a longer one
  // may wrap anywhere, so that it never overflows a phone's screen.
  var UNBROKEN_LABEL = 24;
  var LIST_ITEM = /^([-•–] )([\s\S]*)$/;

  // The address as a link target, or null when it must stay text: https: only, a host, no user name
  // or password (https://canada.ca@example.org would read as canada.ca).
  function linkTarget(address) {
    var url;
    try { url = new URL(address); } catch (ignored) { return null; }
    if (url.protocol !== "https:" || !url.hostname || url.username || url.password) return null;
    return url;
  }

  // One line of a message into `parent`: text nodes, and links for the https: addresses when `links`.
  function appendInline(parent, line, links, linkTitle) {
    var at = 0;
    var match;
    HTTPS_ADDRESS.lastIndex = 0;
    while (links && (match = HTTPS_ADDRESS.exec(line)) !== null) {
      var address = match[0].replace(TRAILING_PUNCTUATION, "");
      var url = linkTarget(address);
      if (!url) continue;
      if (match.index > at) parent.appendChild(document.createTextNode(line.slice(at, match.index)));
      var label = url.host.replace(/^www\./i, "");
      var link = el("a", label.length <= UNBROKEN_LABEL ? "ee-chat__link ee-chat__link--short" : "ee-chat__link", label);
      link.href = url.href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      if (linkTitle) link.title = linkTitle;
      parent.appendChild(link);
      at = match.index + address.length;
    }
    if (at < line.length) parent.appendChild(document.createTextNode(line.slice(at)));
  }

  // A message's text, one block per line; a "- " line has its dash in a box of its own, so that the
  // line wraps under its first word. Each line keeps its "\n": the text reads (and copies) exactly as sent.
  function appendText(parent, text, links, linkTitle) {
    var lines = String(text).split("\n");
    lines.forEach(function (line, index) {
      var item = LIST_ITEM.exec(line);
      var row = el("span", item ? "ee-chat__line ee-chat__line--item" : "ee-chat__line");
      if (item) {
        row.appendChild(el("span", "ee-chat__marker", item[1]));
        line = item[2];
      }
      appendInline(row, line, links, linkTitle);
      if (index < lines.length - 1) row.appendChild(document.createTextNode("\n"));
      parent.appendChild(row);
    });
  }

  function start(t) {
    var root = el("div", "ee-chat");
    var toggle = el("button", "ee-chat__toggle", t.open);
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", "ee-chat-panel");

    var panel = el("section", "ee-chat__panel");
    panel.id = "ee-chat-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-labelledby", "ee-chat-title");

    var header = el("div", "ee-chat__header");
    var title = el("h2", null, t.title);
    title.id = "ee-chat-title";
    var restart = el("button", null, t.restart);
    restart.type = "button";
    var close = el("button", null, "×");
    close.type = "button";
    close.setAttribute("aria-label", t.close);
    header.append(title, restart, close);

    var log = el("div", "ee-chat__log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-relevant", "additions");
    log.tabIndex = 0;

    var form = el("form", "ee-chat__form");
    var label = el("label", "ee-chat__who", t.input_label);
    label.setAttribute("for", "ee-chat-input");
    // A text area: a pasted letter keeps its lines (the letterhead's office, the date line). Enter sends,
    // Shift+Enter starts a new line. 5,000 characters: the server's limit for one message.
    var input = el("textarea", "ee-chat__input");
    input.id = "ee-chat-input";
    input.rows = 1;
    input.autocomplete = "off";
    input.maxLength = 5000;
    input.placeholder = t.input_placeholder;
    // The letter as a file: a real button (keyboard, screen readers) opening the phone's or computer's picker.
    var file = el("input");
    file.type = "file";
    file.accept = "application/pdf,image/*";
    file.hidden = true;
    var attach = el("button", "ee-chat__attach", "📎");
    attach.type = "button";
    attach.setAttribute("aria-label", t.attach);
    attach.title = t.attach;
    var send = el("button", null, t.send);
    send.type = "submit";
    form.append(label, attach, file, input, send);

    // The server's limit for a file (MAX_FILE_BYTES, through texts.json). A larger file is not sent: nginx
    // would refuse it with a bare 413, after the person waited for megabytes to go up. A texts.json written
    // before the limit was in it leaves the check to the server.
    var maxFileBytes = typeof t.max_file_bytes === "number" ? t.max_file_bytes : Infinity;
    // The "reading your letter" notice while a file is read: shown after the messages but never one of them, so
    // that it is neither saved (a reload would show it forever) nor left in the history once the answer comes.
    // It belongs to the conversation it was sent in: a restart meanwhile does not show it in the new one.
    var reading = null;

    panel.append(header, log, form);
    root.append(toggle, panel);
    document.body.appendChild(root);

    function render() {
      log.textContent = "";
      state.messages.forEach(function (message, index) {
        var bubble = el("div", "ee-chat__message ee-chat__message--" + message.from);
        bubble.appendChild(el("span", "ee-chat__who", (message.from === "user" ? t.you : t.assistant) + " : "));
        appendText(bubble, message.text || "", message.from === "bot", t.link_title);
        log.appendChild(bubble);
        var last = index === state.messages.length - 1;
        if (message.buttons && message.buttons.length && last) {
          var group = el("div", "ee-chat__choices");
          group.setAttribute("role", "group");
          message.buttons.forEach(function (button) {
            var choice = el("button", null, button.title);
            choice.type = "button";
            choice.addEventListener("click", function () { say(button.payload, button.title); });
            group.appendChild(choice);
          });
          log.appendChild(group);
        }
      });
      if (reading && reading.owner === state) {
        var notice = el("div", "ee-chat__message ee-chat__message--bot ee-chat__message--pending");
        notice.appendChild(el("span", "ee-chat__who", t.assistant + " : "));
        appendText(notice, reading.text, false);
        log.appendChild(notice);
      }
      log.scrollTop = log.scrollHeight;
    }

    function add(message) {
      state.messages.push(message);
      save();
      render();
    }

    function post(path, body) {
      return fetch(rasaUrl + "/webhooks/rest/" + path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body)
      });
    }

    // One request for an id at a time, however many messages wait for it; an answer for a conversation the
    // person has since restarted is not kept.
    var asking = null;
    var askingFor = null;
    function conversation() {
      if (state.sender) return Promise.resolve(state.sender);
      if (!asking || askingFor !== state) {
        var owner = askingFor = state;
        var request = post("session", {}).then(function (answer) {
          if (!answer.ok) throw new Error(String(answer.status));
          return answer.json();
        }).then(function (body) {
          if (owner.sender === null) owner.sender = body.sender;
          save();
          return owner.sender;
        });
        var done = function () { if (asking === request) asking = null; };
        request.then(done, done);
        asking = request;
      }
      return asking;
    }

    // 403 naming the conversation: the server no longer knows this id (restarted without WEB_SESSION_SECRET,
    // or an id of an earlier widget). The person is told, and a new conversation starts; the message is not
    // sent again, as an answer ("oui") would mean nothing there.
    function expired(answer, sender) {
      if (answer.status !== 403) return Promise.resolve(false);
      return answer.clone().json().then(function (body) {
        var unknown = /conversation/.test((body && body.error) || "");
        if (unknown && state.sender === sender) {
          state.sender = null;
          add({ from: "error", text: t.expired });
          say("/greet", null);
        }
        return unknown;
      }, function () { return false; });
    }

    // One request to the assistant, by `send(conversation id)`; its replies shown. 413 and 429 carry the
    // assistant's own French answer (a file too large, too many messages at once), shown as a reply; a 413
    // without one is nginx refusing the body before the assistant saw it, which means the same.
    // `settle`, when given, runs once the request is over, just before its replies or the error are shown.
    function exchange(send, settle) {
      // The conversation the request belongs to: replies arriving after a restart are not the new one's.
      var owner = state;
      var sender;
      return conversation().then(function (id) {
        sender = id;
        return send(id);
      }).then(function (answer) {
        return expired(answer, sender).then(function (unknown) {
          if (unknown) return [];
          if (!answer.ok && answer.status !== 413 && answer.status !== 429) throw new Error(String(answer.status));
          if (answer.status === 413) {
            return answer.json().catch(function () { return [{ text: t.too_large || t.error }]; });
          }
          return answer.json();
        });
      }).then(function (replies) {
        return (replies || []).map(function (reply) {
          return { from: "bot", text: reply.text || "", buttons: reply.buttons || [] };
        });
      }).catch(function () {
        return [{ from: "error", text: t.error }];
      }).then(function (messages) {
        if (settle) settle();
        if (state === owner) messages.forEach(add);
      });
    }

    // The letter being read, and its conversation: a message typed meanwhile goes after the letter's turn, as
    // the person wrote it after sending the letter (the server would otherwise answer it first).
    var letterRead = null;

    function say(payload, shown) {
      if (shown !== null) add({ from: "user", text: shown });
      var before = letterRead && letterRead.owner === state ? letterRead.done : Promise.resolve();
      return before.then(function () {
        return exchange(function (id) { return post("webhook", { sender: id, message: payload }); });
      });
    }

    // While a file goes up and is read, the attach button says it is unavailable and does nothing: a second
    // file would be read concurrently and its answer mixed with the first's. aria-disabled rather than
    // `disabled` keeps the button in the tab order with its focus, and screen readers announce it as dimmed.
    var uploading = false;
    function setUploading(on) {
      uploading = on;
      file.disabled = on;
      if (on) attach.setAttribute("aria-disabled", "true");
      else attach.removeAttribute("aria-disabled");
    }

    // The file is the request's body; the server reads it and answers as to a message. One over the server's
    // limit is not sent: the assistant's own answer to such a file is shown at once (nothing was sent, so no
    // "letter sent" line either).
    function sendLetter(letter) {
      if (uploading) return Promise.resolve();
      if (letter.size > maxFileBytes) {
        add({ from: "bot", text: t.too_large });
        return Promise.resolve();
      }
      setUploading(true);
      add({ from: "user", text: t.attached.replace("{name}", letter.name) });
      reading = { owner: state, text: t.reading };
      render();
      var done = exchange(function (id) {
        return fetch(rasaUrl + "/webhooks/rest/letter?sender=" + encodeURIComponent(id), {
          method: "POST",
          headers: { "Content-Type": "application/octet-stream" },
          body: letter
        });
      }, function () {
        reading = null;
        setUploading(false);
        render();
      });
      letterRead = { owner: state, done: done };
      return done;
    }

    function setOpen(open) {
      state.open = open;
      save();
      panel.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      if (open) {
        input.focus();
        // The assistant speaks first: who it is, and the article's question.
        if (!state.messages.length) say("/greet", null);
      } else {
        toggle.focus();
      }
    }

    toggle.addEventListener("click", function () { setOpen(panel.hidden); });
    close.addEventListener("click", function () { setOpen(false); });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") setOpen(false);
    });
    restart.addEventListener("click", function () {
      state = newState();
      state.open = true;
      save();
      render();
      say("/greet", null);
      input.focus();
    });
    attach.addEventListener("click", function () { if (!uploading) file.click(); });
    file.addEventListener("change", function () {
      var letter = file.files && file.files[0];
      file.value = "";
      if (letter) sendLetter(letter);
      input.focus();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : send.click();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      say(text, text);
    });

    render();
    if (state.open) {
      panel.hidden = false;
      toggle.setAttribute("aria-expanded", "true");
    }
  }

  fetch(textsUrl).then(function (answer) { return answer.json(); }).then(start);
})();
