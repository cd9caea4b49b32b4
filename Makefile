# Two commands do everything on a fresh clone: `make run` and `make test`.
SHELL := /bin/bash
PYTHON_VERSION := $(shell cat .python-version)
PYTHON ?= $(shell command -v python$(basename $(PYTHON_VERSION)) || echo $(HOME)/.pyenv/versions/$(PYTHON_VERSION)/bin/python)
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/assistant.tar.gz
ACTION_PORT ?= 5055
TRAINING_FILES := config.yml domain.yml $(shell find data -name '*.yml')
export PYTHONPATH := $(CURDIR)
# Rasa's anonymous telemetry is off: no call home from a firm's deployment.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: run test install train actions validate clean

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

# SQLAlchemy's 2.0 notice is about Rasa's own code, not ours: not shown to the person chatting.
run: export SQLALCHEMY_SILENCE_UBER_WARNING := 1
run: train
	$(BIN)/python -m bot.operator migrate
	@$(BIN)/rasa run actions --actions actions --port $(ACTION_PORT) > .rasa-actions.log 2>&1 & \
	  actions=$$!; \
	  $(BIN)/python -m bot.outbox > .outbox.log 2>&1 & \
	  outbox=$$!; \
	  trap "kill $$actions $$outbox 2>/dev/null" EXIT; \
	  $(BIN)/python -m bot.wait_for_port 127.0.0.1 $(ACTION_PORT) && \
	  $(BIN)/rasa shell --model $(MODEL) --endpoints endpoints.yml

test: train validate
	$(BIN)/python -m pytest

clean:
	rm -rf models results .pytest_cache
