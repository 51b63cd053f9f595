# Quick start: `make run` (install, build, run the default sweep) and `make test` (install, build, test).
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DEBIAN_PACKAGES := cmake g++ make libboost-fiber-dev librapidcheck-dev libgtest-dev \
                   nlohmann-json3-dev libcli11-dev libfmt-dev \
                   zookeeper libzookeeper-mt-dev python3 chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CTEST_ARGS ?=

.PHONY: deps build run test bench asan conformance clean

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

# AddressSanitizer + UndefinedBehaviorSanitizer build and test run (slower; not part of `make test`).
asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHASIM_SANITIZE=ON > /dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS) -LE audit $(CTEST_ARGS)

clean:
	rm -rf $(BUILD_DIR) build-asan
