# duoredis: build, test, lint and benchmark.
#
#   make deps && make test      install what the tests need, run both builds
#
# Targets: deps test test-pure test-hiredis test-valkey test-otel bench-parsers fuzz lint tour

SHELL := /bin/bash

GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
GOFMT := $(shell $(GO) env GOROOT)/bin/gofmt
GOBIN_DIR := $(firstword $(subst :, ,$(shell $(GO) env GOPATH)))/bin
STATICCHECK := $(GOBIN_DIR)/staticcheck
BENCHSTAT := $(GOBIN_DIR)/benchstat
STATICCHECK_VERSION := v0.8.2

# hiredis >= 1.0 for -tags hiredis: on a system without it (Debian 12),
# scripts/hiredis-deps.sh puts Debian 13's into hiredis/.prefix (git-ignored).
# Its pkg-config dir comes first on PKG_CONFIG_PATH. It is added even before it
# exists (pkg-config skips missing dirs), so that `make deps test` in one
# command sees the prefix that deps made.
HIREDIS_PC_DIR := $(CURDIR)/hiredis/.prefix/lib/pkgconfig
ifeq ($(findstring $(HIREDIS_PC_DIR),$(PKG_CONFIG_PATH)),)
export PKG_CONFIG_PATH := $(HIREDIS_PC_DIR)$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))
endif

FUZZTIME ?= 60s

# Valkey 8 for test-valkey: valkey-server on PATH, else the one that
# scripts/valkey-deps.sh unpacks into .valkey/ (git-ignored).
VALKEY_SERVER ?= $(or $(shell command -v valkey-server 2>/dev/null),$(CURDIR)/.valkey/usr/bin/valkey-server)
VALKEY_SENTINEL ?= $(or $(shell command -v valkey-sentinel 2>/dev/null),$(CURDIR)/.valkey/usr/bin/valkey-sentinel)

.DEFAULT_GOAL := help

.PHONY: help deps test test-pure test-hiredis test-valkey test-otel bench-parsers fuzz lint tour
.PHONY: bench bench-cluster

help:
	@echo 'make deps           install redis, pkg-config, gcc, hiredis >= 1.0, Valkey 8, Go modules and tools'
	@echo 'make test           test-pure, test-hiredis, test-valkey, then test-otel'
	@echo 'make test-pure      CGO_ENABLED=0 go test ./...'
	@echo 'make test-hiredis   go test -race -tags hiredis ./...'
	@echo 'make test-valkey    the client, pool, pipeline, pubsub, sentinel and cluster tests against Valkey 8 (pure build)'
	@echo 'make test-otel      the OpenTelemetry module extra/otel (a go.mod of its own)'
	@echo 'make bench-parsers  goparser vs cparser (benchstat)'
	@echo 'make bench          duoredis vs go-redis, rueidis, redigo and redis-benchmark, pinned and unpinned (BENCH_ROUNDS, BENCH_TIME, BENCH_PLACEMENTS); docs/benchmarks.*, README table'
	@echo 'make bench-cluster  duoredis cluster.Client vs go-redis ClusterClient and rueidis on a 3-master cluster it starts; docs/benchmarks.md, README'
	@echo 'make fuzz           fuzz both parsers and the MONITOR line parser for FUZZTIME each (now $(FUZZTIME))'
	@echo 'make lint           gofmt, go vet and staticcheck in both builds'
	@echo 'make tour           run examples/tour'

deps:
	scripts/system-deps.sh
	scripts/hiredis-deps.sh
	scripts/valkey-deps.sh
	$(GO) mod download
	cd extra/otel && '$(GO)' mod download
	GOBIN='$(GOBIN_DIR)' $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@if [ -x '$(BENCHSTAT)' ]; then echo 'benchstat: $(BENCHSTAT) is there'; \
	else echo 'GOBIN=$(GOBIN_DIR) $(GO) install golang.org/x/perf/cmd/benchstat@latest'; \
	GOBIN='$(GOBIN_DIR)' $(GO) install golang.org/x/perf/cmd/benchstat@latest; fi

test: test-pure test-hiredis test-valkey test-otel

test-pure:
	CGO_ENABLED=0 $(GO) test -count=1 ./...

test-hiredis:
	CGO_ENABLED=1 $(GO) test -count=1 -race -tags hiredis ./...

# extra/otel is a module of its own (OpenTelemetry stays out of the library's
# go.mod), so ./... above does not reach it. Its tests start redis-server
# from PATH.
test-otel:
	cd extra/otel && CGO_ENABLED=0 '$(GO)' test -count=1 ./...

# The tests start their servers from REDISTEST_SERVER. Without the binary
# they skip, except in CI (CI=true), where that fails them.
test-valkey:
	REDISTEST_SERVER='$(VALKEY_SERVER)' REDISTEST_SENTINEL='$(VALKEY_SENTINEL)' CGO_ENABLED=0 \
		$(GO) test -count=1 ./client/ ./pool/ ./pipeline/ ./pubsub/ ./sentinel/ ./cluster/

bench-parsers:
	CGO_ENABLED=1 $(GO) test -tags hiredis -run '^$$' -bench 'BenchmarkParse' -benchmem -count 6 ./cparser/ \
		> bench-parsers.txt || { cat bench-parsers.txt; exit 1; }
	$(BENCHSTAT) -col /parser bench-parsers.txt

# benchmarks/ is a module of its own (the peers' dependencies stay out of the
# library's go.mod); it starts its own redis-server and writes docs/benchmarks.*.
bench:
	cd benchmarks && GO='$(GO)' BENCH_COMMAND='make bench' CGO_ENABLED=1 '$(GO)' run ./cmd/bench

# The Redis Cluster table: 3 masters started by the program; duoredis's
# cluster.Client vs go-redis's ClusterClient and rueidis (BENCH_ROUNDS,
# BENCH_TIME); the cluster sections of docs/benchmarks.md and the README.
bench-cluster:
	cd benchmarks && GO='$(GO)' BENCH_CLUSTER=1 BENCH_COMMAND='make bench-cluster' CGO_ENABLED=1 '$(GO)' run ./cmd/bench

# A run that ends with a bare "context deadline exceeded" and writes no new
# file under testdata/fuzz found nothing: that is a race in Go 1.26's fuzz
# coordinator at the end of -fuzztime (go.dev/issue/75804, fixed in Go 1.27).
fuzz:
	CGO_ENABLED=1 $(GO) test -tags hiredis -run '^$$' -fuzz '^FuzzParsers$$' -fuzztime $(FUZZTIME) ./cparser/
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz '^FuzzGoParser$$' -fuzztime $(FUZZTIME) ./goparser/
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz '^FuzzParseMonitorLine$$' -fuzztime $(FUZZTIME) ./client/

lint:
	@echo 'gofmt -l .'; out="$$('$(GOFMT)' -l .)"; \
	if [ -n "$$out" ]; then echo "gofmt -l: these files need gofmt -w:"; echo "$$out"; exit 1; fi
	CGO_ENABLED=0 $(GO) vet ./...
	CGO_ENABLED=1 $(GO) vet -tags hiredis ./...
	CGO_ENABLED=0 $(STATICCHECK) ./...
	CGO_ENABLED=1 $(STATICCHECK) -tags hiredis ./...
	cd extra/otel && CGO_ENABLED=0 '$(GO)' vet ./... && CGO_ENABLED=0 '$(STATICCHECK)' ./...

tour:
	$(GO) run ./examples/tour
