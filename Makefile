# Two commands do everything on a fresh clone: `make run` and `make test`.
SHELL := /bin/bash
PYTHON_VERSION := $(shell cat .python-version)
PYTHON ?= $(shell command -v python$(basename $(PYTHON_VERSION)) || echo $(HOME)/.pyenv/versions/$(PYTHON_VERSION)/bin/python)
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/assistant.tar.gz
ACTION_PORT ?= 5055
RASA_PORT ?= 5005
WEB_PORT ?= 8080
# Loopback by default: in production a reverse proxy (TLS) sits in front, see the README.
RASA_INTERFACE ?= 127.0.0.1
# The action server is private (only Rasa calls it): rasa_sdk binds to SANIC_HOST, every interface otherwise.
export SANIC_HOST ?= 127.0.0.1
TRAINING_FILES := config.yml domain.yml $(shell find data -name '*.yml')
export PYTHONPATH := $(CURDIR)
# Rasa's anonymous telemetry is off: no call home from a firm's deployment.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: run serve test install train actions validate browser clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock .python-version
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==24.2
	$(BIN)/pip install --quiet --no-deps -r requirements.lock
	$(BIN)/pip check
	touch $@

train: $(MODEL)

# Retrained only when missing or older than its data.
$(MODEL): $(VENV)/.installed $(TRAINING_FILES)
	$(BIN)/rasa train --fixed-model-name assistant --out models

validate: install
	$(BIN)/rasa data validate --fail-on-warnings

actions: install
	$(BIN)/rasa run actions --actions actions --port $(ACTION_PORT)

# The processes both `run` and `serve` need next to Rasa, stopped when Rasa stops.
START_WORKERS = $(BIN)/python -m bot.operator migrate || exit 1; \
	$(BIN)/rasa run actions --actions actions --port $(ACTION_PORT) > .rasa-actions.log 2>&1 & pids=$$!; \
	$(BIN)/python -m bot.outbox > .outbox.log 2>&1 & pids="$$pids $$!"; \
	trap 'kill $$pids 2>/dev/null' EXIT; \
	$(BIN)/python -m bot.wait_for_port 127.0.0.1 $(ACTION_PORT)

# SQLAlchemy's 2.0 notice is about Rasa's own code, not ours: not shown to the person chatting.
run: export SQLALCHEMY_SILENCE_UBER_WARNING := 1
run: train
	@$(START_WORKERS) && \
	  $(BIN)/rasa shell --model $(MODEL) --endpoints endpoints.yml

# The whole stack for the website and the messaging channels: action server, notice worker,
# the firm's demo page, and Rasa with every channel (REST, socket.io, Messenger, WhatsApp, Twilio).
serve: export SQLALCHEMY_SILENCE_UBER_WARNING := 1
serve: train
	@$(START_WORKERS) && \
	  { $(BIN)/python -m bot.web_demo --port $(WEB_PORT) --rasa-url http://127.0.0.1:$(RASA_PORT) & pids="$$pids $$!"; } && \
	  $(BIN)/rasa run --model $(MODEL) --endpoints endpoints.yml --credentials credentials.yml \
	    --interface $(RASA_INTERFACE) --port $(RASA_PORT) --cors http://127.0.0.1:$(WEB_PORT)

# Browser tests drive Debian's Chromium; never a browser downloaded at run time.
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

test: train validate browser
	$(BIN)/python -m pytest

clean:
	rm -rf models results .pytest_cache
