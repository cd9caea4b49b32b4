# Two commands do everything on a fresh clone: `make run` and `make test`; `make check` after each change.
SHELL := /bin/bash
PYTHON_VERSION := $(shell cat .python-version)
PYTHON ?= $(shell command -v python$(basename $(PYTHON_VERSION)) || echo $(HOME)/.pyenv/versions/$(PYTHON_VERSION)/bin/python)
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/assistant.tar.gz
ACTION_PORT ?= 5055
RASA_PORT ?= 5005
WEB_PORT ?= 8080
# The pages allowed to talk to the assistant from a browser: make serve's demo page (deploy/env.example).
export ALLOWED_ORIGINS ?= http://127.0.0.1:$(WEB_PORT),http://localhost:$(WEB_PORT)
# Loopback by default: in production a reverse proxy (TLS) sits in front, see deploy/README.md.
RASA_INTERFACE ?= 127.0.0.1
# The action server is private (only Rasa calls it): rasa_sdk binds to SANIC_HOST, every interface otherwise.
export SANIC_HOST ?= 127.0.0.1
# endpoints-gateway.yml (make run, make serve): Rasa reaches the action servers through its own gateway route
# on RASA_PORT. endpoints.yml, which `rasa shell` and the other Rasa commands read, calls the action server directly.
export RASA_PORT
export ACTION_SERVER_URLS ?= http://127.0.0.1:$(ACTION_PORT)/webhook
# Rasa's call to its own gateway carries it (endpoints-gateway.yml): a new one for each make command unless set.
ifndef ACTION_GATEWAY_TOKEN
ACTION_GATEWAY_TOKEN := $(shell od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
endif
export ACTION_GATEWAY_TOKEN
# What Rasa's gateway (and endpoints.yml) send the action servers, which take no call without it. Kept in a
# private file, so that `make actions` and a Rasa command started in another shell share it.
ifndef ACTION_SERVER_TOKEN
ACTION_SERVER_TOKEN := $(shell mkdir -p var && { test -s var/action-server-token || \
  (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > var/action-server-token); } && cat var/action-server-token)
endif
export ACTION_SERVER_TOKEN
TRAINING_FILES := config.yml domain.yml $(shell find data -name '*.yml')
export PYTHONPATH := $(CURDIR)
# Rasa's anonymous telemetry is off: no call home from a firm's deployment.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

LOGS := var/log
# The unit tier: no service, no trained model (tests/conftest.py sets the tiers).
UNIT_TIER := unit and not integration and not system

.PHONY: run serve test check lint install install-dev train actions validate test-tools ocr bench audit clean

# What the assistant runs on (deploy/ installs the same lock); install-dev adds the tests' and tools' packages.
install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.lock .python-version
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==24.2
	$(BIN)/pip install --quiet --no-deps -r requirements.lock
	$(BIN)/pip check
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -r requirements-dev.lock
	$(BIN)/pip check
	touch $@

lint: install-dev
	$(BIN)/ruff check bot actions tests bench
	$(BIN)/ruff format --check bot actions tests bench
	$(BIN)/mypy

# After each change: lint, types of the domain, and the unit tier. No service, no model, under a minute.
check: lint
	$(BIN)/python -m pytest -m "$(UNIT_TIER)" -q

train: $(MODEL)

# Retrained only when missing or older than its data.
$(MODEL): $(VENV)/.installed $(TRAINING_FILES)
	$(BIN)/rasa train --fixed-model-name assistant --out models

validate: install
	$(BIN)/rasa data validate --fail-on-warnings

actions: install
	$(BIN)/python -m bot.rasa_plugins.action_server --actions actions --port $(ACTION_PORT)

# The processes both `run` and `serve` need next to Rasa, stopped when Rasa stops.
# Their logs go to var/log/, so that the terminal shows the conversation alone.
START_WORKERS = mkdir -p $(LOGS); \
	$(BIN)/python -m bot.storage.operator migrate >> $(LOGS)/migrate.log 2>&1 || { tail -5 $(LOGS)/migrate.log; exit 1; }; \
	$(BIN)/python -m bot.rasa_plugins.action_server --actions actions --port $(ACTION_PORT) >> $(LOGS)/actions.log 2>&1 & pids=$$!; \
	$(BIN)/python -m bot.storage.notice_worker >> $(LOGS)/notice_worker.log 2>&1 & pids="$$pids $$!"; \
	trap 'kill $$pids 2>/dev/null' EXIT; \
	$(BIN)/python -m bot.wait_for_port 127.0.0.1 $(ACTION_PORT)

# SQLAlchemy's 2.0 notice is about Rasa's own code, not ours: not shown to the person chatting.
run: export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# `rasa shell` would open the terminal channel alone; credentials-shell.yml adds the action gateway.
# Rasa's log lines and Python's warnings go to stderr, the conversation to stdout: stderr goes to a file.
run: train ocr
	@echo "Starting the assistant (about a minute). Logs: $(LOGS)/rasa.log, actions.log, notice_worker.log. Ctrl-C to stop."
	@$(START_WORKERS) && \
	  $(BIN)/rasa run --model $(MODEL) --endpoints endpoints-gateway.yml --credentials credentials-shell.yml \
	    --interface 127.0.0.1 --port $(RASA_PORT) 2>> $(LOGS)/rasa.log || { tail -20 $(LOGS)/rasa.log; exit 1; }

# The whole stack for the website and the messaging channels: action server, notice worker,
# the firm's demo page, and Rasa with every channel (REST, socket.io, Messenger, WhatsApp, Twilio).
# Rasa's HTTP API can replace the model and read every conversation (CVE-2024-49375): off unless
# RASA_API_TOKEN or RASA_JWT_SECRET is set, and never opened without one of them.
serve: export SQLALCHEMY_SILENCE_UBER_WARNING := 1
serve: RASA_API_FLAGS = $(if $(RASA_API_TOKEN),--enable-api --auth-token "$$RASA_API_TOKEN") \
	$(if $(RASA_JWT_SECRET),--enable-api --jwt-secret "$$RASA_JWT_SECRET" --jwt-method "$(or $(RASA_JWT_METHOD),HS256)")
serve: train ocr
	$(if $(and $(filter-out 0 false no,$(RASA_ENABLE_API) $(RASA_JWT_METHOD)),$(if $(RASA_API_TOKEN)$(RASA_JWT_SECRET),,no)),\
	  $(error Rasa's HTTP API was asked for (RASA_ENABLE_API or RASA_JWT_METHOD) but neither RASA_API_TOKEN nor RASA_JWT_SECRET is set: refusing to open it without authentication))
	@$(START_WORKERS) && \
	  { $(BIN)/python -m bot.web.demo --port $(WEB_PORT) --rasa-url http://127.0.0.1:$(RASA_PORT) & pids="$$pids $$!"; } && \
	  $(BIN)/rasa run --model $(MODEL) --endpoints endpoints-gateway.yml --credentials credentials.yml \
	    --interface $(RASA_INTERFACE) --port $(RASA_PORT) --cors http://127.0.0.1:$(WEB_PORT) $(RASA_API_FLAGS)

# What the tests drive, from Debian's packages: Chromium for the widget (never a browser downloaded at
# run time) and nginx for deploy/'s configuration.
test-tools: ocr
	@command -v chromium >/dev/null && command -v nginx >/dev/null || \
	  { apt-get update -qq && apt-get install -y -qq chromium nginx-light; }

# Tesseract with its French and English data reads the letters sent as photos or scans (Debian's packages;
# deploy/README.md installs the same).
ocr:
	@tesseract --list-langs 2>/dev/null | grep -qx fra && tesseract --list-langs 2>/dev/null | grep -qx eng || \
	  { apt-get update -qq && apt-get install -y -qq tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng; }

test: lint train validate test-tools
	$(BIN)/python -m pytest

# Accuracy and speed measured on this machine, against two reference pipelines: bench/results/report.md.
# More than an hour on 2 cores (5-fold cross-validation of two DIET pipelines); BENCH_QUICK=1 checks the
# machinery with 10 epochs and one fold, figures not to be quoted.
bench: install-dev
	$(BIN)/python -m bench

# Known vulnerabilities of the locked tree, from PyPI's advisory data. pip-audit lives in a venv of its own,
# so its dependencies never touch the product's. --strict: a package it could not check fails the audit
# instead of passing unchecked. Each advisory ignored is explained in audit/README.md.
audit:
	test -x .venv-audit/bin/python || $(PYTHON) -m venv .venv-audit
	.venv-audit/bin/pip install --quiet pip-audit==2.10.1
	.venv-audit/bin/pip-audit --requirement requirements.lock --no-deps --disable-pip --strict --progress-spinner off \
	  $(addprefix --ignore-vuln=,$(shell sed 's/#.*//' audit/ignored.txt))

clean:
	rm -rf models bench/results .pytest_cache
