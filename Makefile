# dbadvise — the README's first two commands are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift

.PHONY: all build deps demo test unit samples bench lint clean dist dist-check docs install
PREFIX ?= /usr/local

all: build

deps:
	@scripts/ensure-deps.sh

build: deps
	$(SWIFT) build

# A throwaway PostgreSQL, a short real pgbench workload, and a live analysis of it.
demo: deps
	$(SWIFT) build -c release
	scripts/with-test-server.sh scripts/demo.sh .build/release/dbadvise

# Every test, against throwaway PostgreSQL 15, 16 and 18 servers in turn (stopped even on
# failure; PG=16 or PG=15,18 picks some): one results line per server. Integration tests
# must run: DBADVISE_REQUIRE_SERVER makes them fail instead of skipping, and the log is
# checked for skips.
test: deps
	$(SWIFT) build --build-tests
	scripts/run-tests.sh
	$(MAKE) --no-print-directory dist-check

# Unit tests only, no server (integration suites are skipped with a reason).
unit:
	$(SWIFT) test

# Regenerates samples/ from a real workload on a throwaway server (FIXTURE=1 also refreshes
# the rule tests' captured fixture).
samples: deps
	$(SWIFT) build
	scripts/with-test-server.sh scripts/make-samples.sh .build/debug/dbadvise

# Collect and analyze on catalogs of about 1,000, 10,000 and 50,000 relations in a throwaway
# PostgreSQL (release build), and analyze of 100, 1,000 and 2,160-snapshot histories (history-bench):
# prints each target of issue 9 met or not and writes the figures into BENCHMARKS.md. A benchmark, not a test: nothing in `make test` depends on speed.
bench: deps
	$(SWIFT) build -c release
	scripts/bench.sh .build/release/dbadvise

# The portable binary (Swift runtime, Foundation, libpg_query linked in: needs only glibc and
# libpq5), then dist/dbadvise-VERSION-linux-ARCH.tar.gz and dist/dbadvise_VERSION_ARCH.deb
# with their .sha256. The release build is incremental in .build-dist/.
dist:
	scripts/dist.sh

# What make dist made works without Swift: ldd, env -i, the .deb installed and removed, make
# install, the CI samples (scripts/dist-check.sh). make test runs it.
dist-check: dist
	scripts/dist-check.sh

# docs/ (reference, config, keys, rules, man page) from the code; a test compares.
docs: build
	scripts/make-docs.py .build/debug/dbadvise docs

# The portable binary, its man page and completions under $(DESTDIR)$(PREFIX).
install:
	scripts/install-tree.sh "$$(scripts/dist.sh binary)" "$(DESTDIR)$(PREFIX)"

lint:
	$(SWIFT) format lint --recursive Sources Tests

clean:
	rm -rf .build .build-dist dist
