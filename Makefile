# Thin front door over CMake. `make demo` and `make test` are the README's set-up commands.
BUILD   ?= build
ASAN    ?= build-asan
FUZZ    ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CI_RUNS ?= 5000
VALGRIND_BUILD ?= build-valgrind
JOBS    ?= $(shell nproc)
MAKEFLAGS += --no-print-directory
CMAKE_FLAGS ?=

.PHONY: all deps build demo examples test test-fast test-asan test-fuzz fuzz check-valgrind bench install clean

all: build

deps:
	@sh scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@sh scripts/demo.sh $(BUILD)/acrl

# examples/*.c: a program and a plugin each, in $(BUILD)/examples (see README, custom envs)
examples: build
	cmake --build $(BUILD) --target examples -j $(JOBS)
	@ls $(BUILD)/examples

test-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

$(ASAN)/CMakeCache.txt: | deps
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DACRL_SANITIZE=ON $(CMAKE_FLAGS)

test-asan: deps $(ASAN)/CMakeCache.txt
	cmake --build $(ASAN) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    ctest --test-dir $(ASAN) --output-on-failure -j $(JOBS) -LE slow

# libFuzzer harnesses (tests/fuzz, clang): the committed corpus plus FUZZ_CI_RUNS mutations
# each from a fixed seed (a few seconds); skipped with a message when clang is missing
test-fuzz:
	@sh tests/fuzz/run.sh ci $(FUZZ) $(FUZZ_CI_RUNS) $(JOBS)

test: test-fast test-asan test-fuzz

# each harness for FUZZ_SECONDS (default 60); FUZZERS=fuzz_x limits the set
fuzz:
	@ACRL_FUZZ=1 sh scripts/install-deps.sh
	@sh tests/fuzz/run.sh long $(FUZZ) $(FUZZ_SECONDS) $(JOBS) $(FUZZERS)

# Short PPO and SAC runs under valgrind (memcheck, leaks), in a build of its own without
# -march=native: Debian's valgrind cannot run AVX-512 code.
$(VALGRIND_BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(VALGRIND_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACRL_NATIVE=OFF $(CMAKE_FLAGS)

check-valgrind: deps $(VALGRIND_BUILD)/CMakeCache.txt
	cmake --build $(VALGRIND_BUILD) -j $(JOBS) --target acrl
	@sh scripts/check-valgrind.sh $(VALGRIND_BUILD)/acrl

bench: build
	@sh bench/run.sh $(BUILD)

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN) $(VALGRIND_BUILD) $(FUZZ)
