# Quick start: `make run` (install, build, run the default sweep) and `make test` (install, build, test).
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DEBIAN_PACKAGES := cmake g++ make libboost-fiber-dev librapidcheck-dev libgtest-dev \
                   nlohmann-json3-dev libcli11-dev libfmt-dev libyaml-cpp-dev \
                   zookeeper libzookeeper-mt-dev python3 python3-jsonschema chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CTEST_ARGS ?=

.PHONY: deps build run test test-sanitize fuzz bench asan conformance clean

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all Debian packages present"; fi

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) > /dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/harness/hasim run scenarios/standard.json --seeds 200 --jobs $(JOBS)

# Everything, the real-ZooKeeper conformance tests included (label `oracle`, run one at a time).
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The ZooKeeper conformance suite alone: the simulated side (label `conformance`) and the real
# ZooKeeper 3.8.0 oracle (label `oracle`). More sequences: HASIM_CONFORMANCE_CASES=1000 make conformance.
conformance: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L 'oracle|conformance' $(CTEST_ARGS)

# Issue 13's figures in one run (medians of 5; includes a 10,000-seed RSS sweep, ~10 min on 2 cores).
bench: build
	$(BUILD_DIR)/harness/hasim bench --json

# AddressSanitizer + UndefinedBehaviorSanitizer build of the whole suite; .ci/run calls it after
# `make test`. -O1 -g1 (line tables only): full debug info made the build three times slower. Scenario tests run SANITIZE_SEEDS seeds each (ASan makes a run 2-4x slower); the
# cross-build determinism test (label audit) is left out: it builds and compares unsanitized binaries.
SANITIZE_SEEDS ?= 4
test-sanitize: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DHASIM_SANITIZE=ON \
	  -DHASIM_SCENARIO_TEST_SEEDS=$(SANITIZE_SEEDS) > /dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS) -LE audit $(CTEST_ARGS)

asan: test-sanitize

# libFuzzer targets (clang; ASan+UBSan): the scenario loader, and load plus a 30-simulated-second run.
# Each runs FUZZ_SECONDS; `make fuzz FUZZ_SECONDS=3600` is the soak.
FUZZ_SECONDS ?= 60
fuzz: deps
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DHASIM_FUZZ=ON > /dev/null
	cmake --build build-fuzz --target scenario_loader_fuzzer scenario_run_fuzzer config_parsers_fuzzer -j $(JOBS)
	tools/run_fuzzers.sh build-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz
