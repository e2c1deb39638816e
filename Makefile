# analytics-bot: the commands of the README.
SHELL := /bin/bash
BIN := bin/analytics-bot
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
DEFAULT_QUESTION := what was DAU by platform last week?
QUESTION ?= $(DEFAULT_QUESTION)
export POSTGRES_HOST ?= 127.0.0.1
# nomsgpack leaves out gin's MessagePack codec, which the bot never uses: 6 MB
# less binary, and less of it resident.
GOTAGS := nomsgpack

.PHONY: build run check-model serve test lint bench release clean

build:
	go build -trimpath -tags $(GOTAGS) -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/analytics-bot

# The bot on local defaults: local PostgreSQL, migrations, demo data, one
# question through `ask`. Other questions than the default, which the demo
# knowledge verifies, need OPENAI_API_KEY (or OPENAI_BASE_URL).
run: check-model build
	@scripts/ensure-postgres.sh
	$(BIN) migrate
	$(BIN) demo-data
	$(BIN) ask "$(QUESTION)"

# Fails in a second, before building and migrating, when no model is
# configured (the binary checks the same again, SSM included).
check-model:
	@QUESTION="$(QUESTION)" DEFAULT_QUESTION="$(DEFAULT_QUESTION)" scripts/check-model.sh

# The Slack server on local defaults (needs the Slack settings too).
serve: build
	@scripts/ensure-postgres.sh
	$(BIN) migrate
	$(BIN) serve

# The whole test suite, as CI runs it.
test:
	@scripts/ensure-postgres.sh
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go test -race -count=1 ./...
	bash deploy/check.sh

lint:
	gofmt -l .
	go vet ./...

# Speed figures: benchmarks print them; nothing asserts timings.
bench:
	@scripts/ensure-postgres.sh
	go test -run '^$$' -bench . -benchtime 20x ./...

release:
	bash deploy/release.sh $(VERSION)

clean:
	rm -rf bin dist
