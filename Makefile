# bpkit: the two commands a new user runs are `make demo` and `make test`.
# Both install the Debian packages bpkit needs when they are missing.

SWIFT ?= swift
# The test process and the many bpkit processes it starts open HDF5 files side
# by side; a child that inherits a descriptor keeps libhdf5's flock on a file
# the parent then reopens ("unable to lock file, errno = 11"). Tests turn
# libhdf5's own locking off; bpkit's runs hold their own checkpoint lock.
TEST_ENV := HDF5_USE_FILE_LOCKING=FALSE
# Debug builds (the tests) compile bpkit's kernels optimised; see Package.swift.
export BPKIT_OPTIMIZED_KERNELS := 1
# libhdf5 (serial build) and its headers,
# h5dump for the interoperability tests, pkg-config to find HDF5, binutils'
# objcopy to split the release binary's debug information off.
APT_PACKAGES := libhdf5-dev hdf5-tools pkg-config zlib1g-dev binutils
# Only `make test` needs these: Python's venv, to install from PyPI the test
# tools listed in Scripts/test-requirements.txt: check-jsonschema (to validate
# JSON documents against bpkit's published schemas); onnx, onnxruntime and
# safetensors (to check bpkit's ONNX and safetensors files with the tools
# their users run); Keras with the JAX CPU backend (to load the Keras files
# bpkit exports).
TEST_APT_PACKAGES := python3-venv
# Open MPI, for the MPI-enabled bpkit (`make mpi`) and the tests that run it
# under mpirun. The default build never needs it.
MPI_APT_PACKAGES := openmpi-bin libopenmpi-dev
MPI_DIR := .build-mpi
# mpirun refuses to run as root (as CI does) unless told to.
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
CI_VENV := .build/ci-venv
TEST_REQUIREMENTS := Scripts/test-requirements.txt
JSON_OUTPUTS := .build/json-outputs
INTERCHANGE_OUTPUTS := .build/interchange-outputs
KERAS_OUTPUTS := .build/keras-outputs
RELEASE_BIN := .build/release/bpkit
DEMO_DIR := .build/demo
# The example apps that embed BPKit. Each is its own package, depending on
# bpkit by path; the root package builds them as well, so they share its build.
EXAMPLES := PredictFromCheckpoint TrainAndResume
EXAMPLE_DIR := .build/example
EXAMPLE_PACKAGES := .build/example-packages
DEBUG_BIN := .build/debug/bpkit
TIMED := ./Scripts/timed.sh
DOCS_DIR := .build/docs

.PHONY: all deps test-deps mpi-deps mpi mpi-debug build static-hdf5 release test test-quick lint docs validate-json check-interchange keras-check demo bench example clean fuzz-build fuzz reliability-long

all: build

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "bpkit needs these Debian packages; install them with:"; \
	    echo "  sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi

# check-jsonschema validates the schemas and every JSON document the tests
# wrote; onnx, onnxruntime and safetensors check the ONNX and safetensors
# files they wrote; Keras loads every Keras file they exported. CI tools
# only, never needed to build or run bpkit. The venv stays in .build between
# runs and is reinstalled only when test-requirements.txt changes (about
# 900 MB; 2 to 3 minutes from PyPI, most of it JAX's jaxlib).
mpi-deps:
	@$(MAKE) --no-print-directory APT_PACKAGES="$(MPI_APT_PACKAGES)" deps

test-deps: deps mpi-deps
	@if ! cmp -s $(TEST_REQUIREMENTS) $(CI_VENV)/requirements.txt; then \
	  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then \
	    $(MAKE) --no-print-directory APT_PACKAGES="$(TEST_APT_PACKAGES)" deps; \
	  fi; \
	  echo "Installing the test tools of $(TEST_REQUIREMENTS) into $(CI_VENV)"; \
	  python3 -m venv $(CI_VENV) && $(CI_VENV)/bin/pip install -q -r $(TEST_REQUIREMENTS) \
	    && cp $(TEST_REQUIREMENTS) $(CI_VENV)/requirements.txt; \
	fi

build: deps
	$(SWIFT) build

# The release binary links libhdf5 statically, from the libhdf5.a that
# Debian's libhdf5-dev ships, with the szip codec it needs (libsz.a and
# libaec.a, from libaec-dev). Only the objects bpkit calls are linked:
# libhdf5.a's read-only S3 driver, and with it libcurl and OpenSSL, stays
# out (the shared libhdf5_serial.so brings libcurl, GnuTLS, Kerberos and
# LDAP into every process). SwiftPM finds CHDF5 through pkg-config, so a
# folder holding only the static archives and an `hdf5-serial.pc` naming
# them is put first on PKG_CONFIG_PATH. Debug builds (the tests) keep the
# shared library.
LIB_DIR := /usr/lib/$(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
STATIC_HDF5 := $(CURDIR)/.build/static-hdf5

static-hdf5: deps
	@mkdir -p $(STATIC_HDF5)
	@ln -sf $(LIB_DIR)/hdf5/serial/libhdf5.a $(STATIC_HDF5)/libhdf5.a
	@ln -sf $(LIB_DIR)/libsz.a $(STATIC_HDF5)/libsz.a
	@ln -sf $(LIB_DIR)/libaec.a $(STATIC_HDF5)/libaec.a
	@printf '%s\n' 'Name: HDF5' 'Description: libhdf5 (serial), linked statically' \
	  "Version: $$(pkg-config --modversion hdf5-serial)" \
	  "Cflags: $$(pkg-config --cflags hdf5-serial)" \
	  'Libs: -L$(STATIC_HDF5) -lhdf5 -lsz -laec -lz -ldl -lm' > $(STATIC_HDF5)/hdf5-serial.pc

# The HDF5 probe that bpkit runs in a child process on every untrusted HDF5
# file (Sources/bpkit-probe, Sources/CHDF5Probe) is C; it is compiled here
# with cc and libhdf5.a alone, beside bpkit, because SwiftPM links every
# executable with the Swift runtime, whose start-up would add 1.5 ms of
# processor time to every file bpkit opens. It is linked statically, libc
# included, as a position-independent executable (`-static-pie`, so it keeps
# address-space randomisation): with no shared library for the loader to
# find and relocate, each probe starts 0.3 ms sooner (BENCHMARKS.md,
# start-up). The probe turns libhdf5's plugin loading off, so it never needs
# the `dlopen` a static libc cannot offer in full.
PROBE_SOURCES := Sources/CHDF5Probe/probe.c Sources/CHDF5Probe/attribute_messages.c Sources/bpkit-probe/main.c

# The release binary is linked by lld (the Swift toolchain's) with four
# start-up savings, measured in BENCHMARKS.md (start-up):
# - it is one static, position-independent executable (`-static-pie`, as
#   bpkit-probe is): libc, libm, libz and libstdc++ are linked in, so no
#   dynamic loader runs (it searched for, mapped and relocated five shared
#   libraries and bound their symbols: 2.3 million instructions of every
#   run) and address-space randomisation is kept. Nothing bpkit calls needs
#   what a static libc cannot do (loading NSS modules or plugins: libhdf5's
#   plugin loading is turned off before any file is opened). clang's note
#   that `-pie` is unused (swiftc passes it; `-static-pie` includes it) is
#   silenced. SwiftPM's `$ORIGIN` run path is left out
#   (`--disable-local-rpath`): a static executable loads no library, and
#   glibc's start-up code of a static PIE stops on an assertion when the
#   binary names a run path;
# - its 94,000 relative relocations are packed (`-z pack-relative-relocs`,
#   read by glibc 2.36 and newer): the loader reads 12 KB of them, not 2.2 MB;
# - the functions that one-row inference runs come first in the code, in the
#   order of Scripts/startup-order.txt (made by Scripts/startup-order.sh), so
#   a run maps less of the binary. A function missing from the list is only
#   placed elsewhere: the list never changes what the binary does;
# - bpkit's own 14,600 symbols are not exported (`--no-export-dynamic`
#   after the `-export-dynamic` of Swift's static-stdlib-args.lnk): nothing
#   looks them up, and the runtime's `dladdr` of itself at start-up read
#   them all.
RELEASE_LINK := -Xswiftc -use-ld=lld -Xswiftc -Xclang-linker -Xswiftc -static-pie \
  -Xswiftc -Xclang-linker -Xswiftc -Wno-unused-command-line-argument -Xlinker -z -Xlinker pack-relative-relocs \
  -Xlinker --symbol-ordering-file=$(CURDIR)/Scripts/startup-order.txt -Xlinker --no-warn-symbol-ordering \
  -Xlinker --no-export-dynamic

# The shipped bpkit keeps its symbol table, so a crash backtrace names
# every function, and leaves its DWARF debug information (28 of the linked
# binary's 117 MB) in bpkit.debug beside it, compressed: gdb, lldb and
# addr2line find it there through the binary's .gnu_debuglink and give file
# and line. Only a freshly linked binary holds DWARF to move (SwiftPM
# leaves an up-to-date one alone), so the step runs only then.
release: static-hdf5
	PKG_CONFIG_PATH=$(STATIC_HDF5) $(SWIFT) build -c release --product bpkit --static-swift-stdlib --disable-local-rpath $(RELEASE_LINK)
	@if readelf -S -W .build/release/bpkit | grep -q ' \.debug_info '; then \
	  objcopy --only-keep-debug --compress-debug-sections=zlib .build/release/bpkit .build/release/bpkit.debug && \
	  objcopy --strip-debug --add-gnu-debuglink=.build/release/bpkit.debug .build/release/bpkit && \
	  echo "bpkit: debug information moved to .build/release/bpkit.debug"; fi
	$(CC) -O2 -ISources/CHDF5Probe/include $$(pkg-config --cflags hdf5-serial) $(PROBE_SOURCES) \
	  $$(PKG_CONFIG_PATH=$(STATIC_HDF5) pkg-config --libs hdf5-serial) -static-pie -o .build/release/bpkit-probe
	@# A static PIE that cannot start fails here, not at a user's first run.
	@.build/release/bpkit --version >/dev/null

# The MPI-enabled bpkit, in its own build folder: BPKIT_MPI adds the CMPI
# and BPKitMPI targets to the package (see Package.swift), so the default
# build never sees Open MPI. `mpirun -np N $(MPI_DIR)/release/bpkit train ...`
# (README, "Running on a cluster"). mpi-debug builds the one the tests run.
mpi: static-hdf5 mpi-deps
	BPKIT_MPI=1 PKG_CONFIG_PATH=$(STATIC_HDF5) $(SWIFT) build -c release --product bpkit --static-swift-stdlib \
	  --scratch-path $(MPI_DIR)

mpi-debug: deps mpi-deps
	BPKIT_MPI=1 $(SWIFT) build --product bpkit --scratch-path $(MPI_DIR)

lint:
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests Fuzz Examples Package.swift

# Each stage prints its time. test-quick leaves out the reliability suite
# and the example apps.
test: test-deps
	@$(TIMED) lint $(MAKE) --no-print-directory lint
	rm -rf $(JSON_OUTPUTS) $(INTERCHANGE_OUTPUTS) $(KERAS_OUTPUTS)
	@$(TIMED) build $(SWIFT) build --build-tests
	@$(TIMED) build-mpi $(MAKE) --no-print-directory mpi-debug
	@$(TIMED) tests env $(TEST_ENV) $(SWIFT) test --skip-build
	@$(TIMED) examples $(MAKE) --no-print-directory example
	@$(TIMED) validate-json $(MAKE) --no-print-directory validate-json
	@$(TIMED) docs $(MAKE) --no-print-directory docs
	@$(TIMED) check-interchange $(MAKE) --no-print-directory check-interchange
	@$(TIMED) keras-check $(MAKE) --no-print-directory keras-check

test-quick: test-deps
	@$(TIMED) lint $(MAKE) --no-print-directory lint
	rm -rf $(JSON_OUTPUTS) $(INTERCHANGE_OUTPUTS) $(KERAS_OUTPUTS)
	@$(TIMED) build $(SWIFT) build --build-tests
	@$(TIMED) build-mpi $(MAKE) --no-print-directory mpi-debug
	@$(TIMED) tests env $(TEST_ENV) $(SWIFT) test --skip-build --skip ReliabilityTests
	@$(TIMED) validate-json $(MAKE) --no-print-directory validate-json
	@$(TIMED) docs $(MAKE) --no-print-directory docs
	@$(TIMED) check-interchange $(MAKE) --no-print-directory check-interchange
	@$(TIMED) keras-check $(MAKE) --no-print-directory keras-check

# Every ONNX file the tests wrote passes onnx.checker (full_check) and runs in
# onnxruntime within 1e-5 of bpkit's (or Keras') predictions; every
# safetensors file loads with safetensors and computes, as the PyTorch
# modules of Schemas/PYTORCH.md, what bpkit computed.
check-interchange:
	$(CI_VENV)/bin/python Scripts/check_interchange.py $(INTERCHANGE_OUTPUTS)

# Every Keras file the tests exported with a compiled optimizer and loss
# loads in real Keras with compile=True and trains one step.
keras-check:
	$(CI_VENV)/bin/python Scripts/keras_load_check.py $(KERAS_OUTPUTS)

# The DocC documentation of BPKit and HDF5 (swift-docc-plugin), with every
# warning an error: a broken symbol link or an undocumented parameter fails.
# Then every public symbol written in the sources must carry its own comment
# (Scripts/doc_coverage.py counts them in the symbol graphs DocC read).
docs:
	mkdir -p $(DOCS_DIR)
	@for target in HDF5 BPKit; do \
	  $(SWIFT) package --allow-writing-to-directory $(DOCS_DIR) generate-documentation --target $$target \
	    --warnings-as-errors --output-path $(DOCS_DIR)/$$target || exit 1; \
	  python3 Scripts/doc_coverage.py $$(ls -d .build/*/extracted-symbols/*/$$target | head -1) $$target \
	    --require-all || exit 1; \
	done

# The schemas against the draft 2020-12 meta-schema; the examples and every
# document the tests wrote against the schemas; and the documents the tests
# made invalid on purpose must be rejected by the schemas too.
validate-json:
	@checker=$(CI_VENV)/bin/check-jsonschema; \
	set -e; \
	$$checker --check-metaschema Schemas/bpkit-model.schema.json Schemas/bpkit-checkpoint.schema.json; \
	$$checker --schemafile Schemas/bpkit-model.schema.json Schemas/examples/model-*.json \
	  $$(find $(JSON_OUTPUTS)/model -name '*.json' 2>/dev/null); \
	$$checker --schemafile Schemas/bpkit-checkpoint.schema.json Schemas/examples/checkpoint*.json \
	  $$(find $(JSON_OUTPUTS)/checkpoint -name '*.json' 2>/dev/null); \
	for kind in model checkpoint; do \
	  for file in $$(find $(JSON_OUTPUTS)/invalid-$$kind -name '*.json' 2>/dev/null); do \
	    if $$checker --schemafile Schemas/bpkit-$$kind.schema.json $$file >/dev/null 2>&1; then \
	      echo "the $$kind schema accepts $$file, which bpkit rejects"; exit 1; \
	    fi; \
	  done; \
	done; \
	echo "JSON: schemas, examples and $$(find $(JSON_OUTPUTS) -name '*.json' | wc -l) test documents validated"

# Builds the example apps (in the root package's build) and checks that each
# one's own package resolves against bpkit; then trains a small digits
# classifier with the bpkit just built and runs PredictFromCheckpoint on its
# checkpoint, and runs TrainAndResume, which trains, cancels and resumes in
# process. The apps open files as untrusted, so BPKit runs the HDF5 probe,
# bpkit-probe, built beside them (see the DocC article "Loading files safely").
example:
	$(SWIFT) build
	@for name in $(EXAMPLES); do \
	  $(SWIFT) package --package-path Examples/$$name --scratch-path $(EXAMPLE_PACKAGES) show-dependencies \
	    >/dev/null || exit 1; \
	done
	rm -rf $(EXAMPLE_DIR) && mkdir -p $(EXAMPLE_DIR)
	$(DEBUG_BIN) train --layers "64,32:tanh,10:softmax" --data Fixtures/datasets/digits.h5 --epochs 10 \
	  --quiet --checkpoint $(EXAMPLE_DIR)/digits.ckpt.h5
	.build/debug/PredictFromCheckpoint $(EXAMPLE_DIR)/digits.ckpt.h5 Fixtures/datasets/digits.h5
	.build/debug/TrainAndResume Fixtures/datasets/digits.h5 $(EXAMPLE_DIR)/train-and-resume

demo: release
	@./Scripts/demo.sh $(RELEASE_BIN) $(DEMO_DIR)

bench: release
	$(RELEASE_BIN) bench

# The reliability suite runs in `make test` in its quick mode; this runs it
# in its long mode (every command on 1,000 flips of every file, 256
# truncation points, ...; see RELIABILITY.md), then fuzzes.
reliability-long: test-deps
	$(SWIFT) build --build-tests
	rm -f .build/reliability-report.txt
	BPKIT_RELIABILITY=long $(SWIFT) test --skip-build --filter ReliabilityTests
	@$(MAKE) --no-print-directory fuzz

# libFuzzer on the model/checkpoint loader, the JSON reader and the CSV
# reader, FUZZ_SECONDS each, from Fixtures/fuzz-corpus. A separate build
# folder, since every Swift module is instrumented (ASan and coverage);
# lld links it (gold 2.40 fails on ASan's debug information).
FUZZ_DIR := .build-fuzz
FUZZ_SECONDS ?= 120
FUZZ_FLAGS := -Xswiftc -sanitize=fuzzer,address -Xswiftc -DBPKIT_LIBFUZZER -Xswiftc -use-ld=lld

fuzz-build: deps
	$(SWIFT) build --product bpkit-fuzz --scratch-path $(FUZZ_DIR) $(FUZZ_FLAGS)

# Crashes inside libhdf5 are expected findings for HDF5 input the fuzzer
# makes (the fuzzer opens its inputs as trusted, in-process; bpkit and the
# library contain untrusted files with the child-process probe),
# so libFuzzer keeps going past them (-fork) and each finding is then given
# to the built bpkit, which must refuse it cleanly.
fuzz: fuzz-build build
	@set -e; for target in model json csv; do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$target $(FUZZ_DIR)/findings/$$target; \
	  echo "fuzzing $$target for $(FUZZ_SECONDS) s"; \
	  ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 $(FUZZ_DIR)/debug/bpkit-fuzz $$target $(FUZZ_DIR)/corpus/$$target Fixtures/fuzz-corpus/$$target \
	    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -max_total_time=$(FUZZ_SECONDS) \
	    -timeout=20 -rss_limit_mb=4096 -detect_leaks=0 -artifact_prefix=$(FUZZ_DIR)/findings/$$target/ \
	    >$(FUZZ_DIR)/$$target.log 2>&1 || true; \
	  grep -E "^#[0-9]+.*(DONE|pulse)|INFO: fuzzed for" $(FUZZ_DIR)/$$target.log | tail -1; \
	  echo "$$target: $$(ls $(FUZZ_DIR)/findings/$$target | wc -l) findings in $(FUZZ_DIR)/findings/$$target"; \
	done; \
	for finding in $$(find $(FUZZ_DIR)/findings/model -type f); do \
	  status=0; timeout 60 .build/debug/bpkit inspect $$finding >/dev/null 2>&1 || status=$$?; \
	  case $$status in 0|3|4) ;; *) echo "bpkit inspect $$finding: exit $$status"; exit 1;; esac; \
	done; \
	echo "every model finding is refused cleanly by bpkit"

clean:
	rm -rf .build $(FUZZ_DIR) $(MPI_DIR)
