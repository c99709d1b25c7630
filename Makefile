# Careergraph: `make run` serves the API, `make test` checks everything.
# Both create the virtual environment from the lock file on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck schema schema-check migrations migrations-check \
        unit bench audit worker clean system-deps

# What weasyprint (PDF rendering) needs from the system: pango; harfbuzz's subsetter
# (without it weasyprint subsets fonts with fontTools, seconds per CJK font); a font
# with CJK glyphs for the `noto` theme (Noto Sans CJK, a 57 MB download, which also
# brings Noto Serif CJK and Noto Sans Mono CJK for the other themes).
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig \
                fonts-noto-cjk fonts-dejavu-core
# OCR of scanned and photographed resumes (services/documents/ocr.py)
APT_PACKAGES += tesseract-ocr tesseract-ocr-eng
# the HTTP load generator of bench/throughput.py
APT_PACKAGES += wrk
# the production layout's balancer and an own Redis for its end-to-end test
# (deploy/layout.py, tests/test_layout.py)
APT_PACKAGES += nginx-light redis-server

$(STAMP): requirements.lock pyproject.toml | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

system-deps:  ## install pango, harfbuzz-subset and a CJK font with apt when missing
	@libs=$$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p); \
	if echo "$$libs" | grep -q 'libpango-1.0' \
	  && echo "$$libs" | grep -q 'libharfbuzz-subset' \
	  && fc-list :lang=zh 2>/dev/null | grep -q . \
	  && command -v tesseract >/dev/null \
	  && command -v wrk >/dev/null \
	  && { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null \
	  && command -v redis-server >/dev/null; then exit 0; fi; \
	command -v apt-get >/dev/null || { echo "PDF rendering needs pango," \
	  "libharfbuzz-subset and a CJK font (Noto Sans CJK): install them"; exit 1; }; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif [ -t 0 ]; then sudo="sudo"; else sudo="sudo -n"; fi; \
	echo "installing $(APT_PACKAGES) (for PDF rendering and OCR)"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	  && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	     --no-install-recommends $(APT_PACKAGES) </dev/null

run: $(STAMP)  ## serve the API (migrations applied on start)
	$(BIN)/python server.py serve

worker: $(STAMP)  ## run background jobs from Redis (REDIS_URL must be set)
	$(BIN)/python server.py worker

test: lint lint-imports typecheck schema-check schema-breaks migrations-check unit  ## everything CI checks

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

.PHONY: lint-imports
lint-imports: $(STAMP)  ## one-way imports (contracts in pyproject.toml), no private name across modules
	$(BIN)/lint-imports --no-cache
	$(BIN)/python tools/private_names.py

typecheck: $(STAMP)
	$(BIN)/mypy

schema: $(STAMP)  ## regenerate schema.graphql
	$(BIN)/python server.py export-schema > schema.graphql

schema-check: $(STAMP)  ## fail when schema.graphql is not what the code builds
	$(BIN)/python server.py export-schema | diff -u schema.graphql - \
	  || (echo "schema.graphql is stale: run 'make schema'" && exit 1)

.PHONY: schema-breaks
schema-breaks: $(STAMP)  ## list breaking changes against the committed schema.graphql (SCHEMA_BASE, default HEAD); fail on unlisted ones
	$(BIN)/python -m schema.changes

migrations: $(STAMP)  ## write a migration for model changes
	DATABASE_URL=sqlite://:memory: $(BIN)/tortoise -c settings.TORTOISE_ORM makemigrations

migrations-check: $(STAMP)  ## fail when a model change has no migration
	DATABASE_URL=sqlite://:memory: $(BIN)/python server.py check-migrations

unit: $(STAMP)  ## the suite on SQLite, then on PostgreSQL + Redis when configured
	TEST_BACKEND=sqlite $(BIN)/pytest -q
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
	  echo "--- again on PostgreSQL + Redis"; \
	  TEST_BACKEND=postgres $(BIN)/pytest -q; \
	elif [ -n "$$REQUIRE_SERVICES" ]; then \
	  echo "REQUIRE_SERVICES is set but TEST_POSTGRES_URL is not" && exit 1; \
	fi

bench: $(STAMP)  ## benchmarks print ratios against a baseline measured in the same run
	$(BIN)/python bench/viewer_throughput.py
	$(BIN)/python bench/parse_eval.py
	$(BIN)/python bench/parse_speed.py
	$(BIN)/python bench/upload_latency.py
	$(BIN)/python bench/render.py
	$(BIN)/python bench/tailor_stages.py
	$(BIN)/python bench/match_agents.py
	$(BIN)/python bench/chat_eval.py
	$(BIN)/python bench/indexing.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/subscribers.py
	$(BIN)/python bench/scale.py

audit: $(STAMP)  ## the GraphQL-over-HTTP reference audit against a server it starts
	$(BIN)/pytest -q tests/test_http_audit.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
