# bpkit: the two commands a new user runs are `make demo` and `make test`.
# Both install the Debian packages bpkit needs when they are missing.

SWIFT ?= swift
# libhdf5 (serial build) and its headers, OpenBLAS (loaded at run time),
# h5dump for the interoperability tests, pkg-config to find HDF5.
APT_PACKAGES := libhdf5-dev libopenblas0 hdf5-tools pkg-config zlib1g-dev
RELEASE_BIN := .build/release/bpkit
DEMO_DIR := .build/demo

.PHONY: all deps build release test lint demo bench clean

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

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product bpkit

lint:
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests Package.swift

test: deps lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: release
	@./Scripts/demo.sh $(RELEASE_BIN) $(DEMO_DIR)

bench: release
	$(RELEASE_BIN) bench

clean:
	rm -rf .build
