# envoy-rasp — see README.md.
#
#   make run     build the filter, start a demo upstream and Envoy with it (Ctrl-C stops)
#   make test    everything CI runs: unit, accuracy and real-Envoy tests
#   make build   the wasm module at $(WASM)
#   make eval    detection / false-positive report over the development corpora
#   make bench   filter vs bare Envoy benchmark (writes BENCHMARKS.md)
#   make schema  regenerate schema/rasp-config.schema.json from the parser
#   make oci     OCI image layout of the module (Istio wasm image) in build/oci/

SHELL := /bin/bash
WASM := target/wasm32-wasip1/release/envoy_rasp.wasm
CORPUS ?= ../shared/corpus
PYTEST_ARGS ?=

export LISTEN_PORT ADMIN_PORT UPSTREAM_PORT RASP_CONFIG ENVOY_CONCURRENCY

.PHONY: build run test unit lint e2e venv eval clean test-wasm schema oci

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
	rm -rf target-debian target-debian-test .run build

.PHONY: bench
bench: build venv
	.venv/bin/python scripts/bench.py $(BENCH_ARGS)
