# envoy-rasp — see README.md.
#
#   make run     build the filter, start a demo upstream and Envoy with it (Ctrl-C stops)
#   make test    everything CI runs: unit, accuracy and real-Envoy tests
#   make build   the wasm module at $(WASM)
#   make eval    detection / false-positive report over the development corpora
#   make bench   filter vs bare Envoy benchmark (writes BENCHMARKS.md)
#   make bench-native  the engine's native benches (benches/engine; BENCH_FILTER=requests for one group)
#   make schema  regenerate schema/rasp-config.schema.json from the parser
#   make oci     OCI image layout of the module (Istio wasm image) in build/oci/
#   make fuzz    every fuzz target for FUZZ_SECONDS (cargo-fuzz; `make fuzz-corpus` seeds it first)
#   make soak    10 minutes of mixed load through Envoy, VM memory sampled (writes SOAK.md)

SHELL := /bin/bash
WASM := target/wasm32-wasip1/release/envoy_rasp.wasm
CORPUS ?= $(or $(RASP_CORPUS),../shared/corpus)
PYTEST_ARGS ?=

export LISTEN_PORT ADMIN_PORT UPSTREAM_PORT RASP_CONFIG ENVOY_CONCURRENCY

.PHONY: build run test unit lint e2e venv eval clean test-wasm schema oci check-examples

build:
	@scripts/build-wasm.sh

venv:
	@scripts/ensure-venv.sh

run: build venv
	@scripts/run.sh

unit:
	cargo test --all-targets
	cargo test --doc

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	python3 scripts/config-table.py --check
	python3 scripts/arch-check.py
	@$(MAKE) --no-print-directory check-examples

# Every example configuration loads, as a user checks one before deploying it.
check-examples:
	@cargo build --quiet --bin rasp-explain
	@for f in examples/*.json; do \
	  printf '%s: ' "$$f"; target/debug/rasp-explain --check --config "$$f" || exit 1; \
	done

e2e: build venv
	.venv/bin/python -m pytest -q tests/e2e $(PYTEST_ARGS)

# The engine's unit tests, compiled to wasm32-wasip1 and run under Node.
test-wasm:
	@scripts/test-wasm.sh

test: lint unit test-wasm e2e

eval:
	cargo run --release --quiet --bin rasp-eval -- $(if $(wildcard $(CORPUS)),$(CORPUS),tests/data)

schema:
	cargo run --quiet --bin rasp-explain -- --print-schema > schema/rasp-config.schema.json.tmp
	mv schema/rasp-config.schema.json.tmp schema/rasp-config.schema.json
	python3 scripts/config-table.py

oci: build
	python3 scripts/oci.py --wasm $(WASM) --out build/oci

clean:
	cargo clean
	rm -rf target-debian target-debian-test .run build bench/noop-filter/target bench/noop-filter/target-debian

.PHONY: bench bench-native
# The engine alone, natively (`cargo bench --bench engine -- --list` names the groups).
bench-native:
	cargo bench --bench engine -- $(BENCH_FILTER)

# bench/noop-filter is an empty proxy-wasm filter: the benchmark's floor.
bench: build venv
	scripts/build-wasm.sh bench/noop-filter rasp_noop
	.venv/bin/python scripts/bench.py $(BENCH_ARGS)

# Fuzzing (cargo-fuzz, libFuzzer; RUSTC_BOOTSTRAP lets the stable toolchain
# take the flags). Seeds are generated from the development corpora.
FUZZ_SECONDS ?= 300
export FUZZ_SECONDS FUZZ_TARGETS FUZZ_JOBS FUZZ_SANITIZER FUZZ_MS_PER_KIB SOAK_SECONDS

.PHONY: fuzz fuzz-corpus soak
fuzz-corpus:
	python3 scripts/fuzz-corpus.py $(if $(wildcard $(CORPUS)),--corpus $(CORPUS),)

fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
	@[ -d fuzz/corpus ] || $(MAKE) fuzz-corpus
	python3 scripts/fuzz.py

# Not in CI: SOAK_SECONDS (default 600) of mixed load, memory sampled every 10 s.
soak: build venv
	.venv/bin/python scripts/soak.py $(SOAK_ARGS)
