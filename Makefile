# masakari-pcmk: build, install, the lab, the demo and the tests.
# `make demo` and `make test` are the two commands of README.md; both install what they need first.

PREFIX     ?= /usr
SYSCONFDIR ?= /etc
DESTDIR    ?=
CARGO      ?= cargo
LAB        ?= lab

sbindir    := $(PREFIX)/sbin
bindir     := $(PREFIX)/bin
libexecdir := $(PREFIX)/libexec/masakari-pcmk
ocfdir     := $(PREFIX)/lib/ocf/resource.d/masakari
# Where cargo puts release builds (CARGO_TARGET_DIR is honoured, as cargo itself does).
release    := $(or $(CARGO_TARGET_DIR),target)/release
# Where install-files takes the binaries from (lab tests stage target/debug with BUILD_DIR=..., and the
# demo and the lab tests that run what operators install stage this release build).
BUILD_DIR  ?= $(release)

# fence_ipmilan and the aliases fence-agents ships for it; ours carry the _rs suffix, chosen by argv[0].
FENCE_AGENTS := fence_ipmilan fence_ipmilanplus fence_idrac fence_ilo3 fence_ilo4 fence_ilo5 fence_imm

.PHONY: all deps build install install-files demo test check unit-tests lab-tests lab-up lab-down clean

all: build

## Debian packages, unpacked pacemaker-remoted and the Masakari venv (idempotent).
deps:
	tests/lab/setup/install-deps.sh

# The OCF agents (one binary each, installed under resource.d/masakari/ without the ocf- prefix).
OCF_AGENTS := hostmonitor instancemonitor

## Release binaries; then the OCF agents again, alone and statically linked (glibc's libc.a): Pacemaker
## runs their monitors every few seconds, and static they start as cheaply as /bin/true (BENCHMARKS.md).
## Alone, because in the workspace build they share the daemons' features, and corosync is shared-only.
build:
	$(CARGO) build --release --workspace --bins
	for agent in $(OCF_AGENTS); do \
		$(CARGO) rustc --release -p ocf-agent --bin ocf-$$agent -- -C target-feature=+crt-static || exit 1; done

## Installs every binary where the cluster looks for it (DESTDIR and PREFIX as usual).
install: build install-files

install-files:
	install -d $(DESTDIR)$(sbindir) $(DESTDIR)$(bindir) $(DESTDIR)$(libexecdir) $(DESTDIR)$(ocfdir)
	install -m 0755 $(BUILD_DIR)/fence_ipmilan_rs $(DESTDIR)$(sbindir)/fence_ipmilan_rs
	for agent in $(filter-out fence_ipmilan,$(FENCE_AGENTS)); do \
		ln -sf fence_ipmilan_rs $(DESTDIR)$(sbindir)/$${agent}_rs; done
	install -m 0755 $(BUILD_DIR)/fence_redfish_rs $(DESTDIR)$(sbindir)/fence_redfish_rs
	install -m 0755 $(BUILD_DIR)/masakari-hostmonitor $(DESTDIR)$(bindir)/masakari-hostmonitor
	install -m 0755 $(BUILD_DIR)/masakari-hostmonitor-alert $(DESTDIR)$(libexecdir)/masakari-hostmonitor-alert
	install -m 0755 $(BUILD_DIR)/masakari-instancemonitor $(DESTDIR)$(bindir)/masakari-instancemonitor
	for agent in $(OCF_AGENTS); do \
		install -m 0755 $(BUILD_DIR)/ocf-$$agent $(DESTDIR)$(ocfdir)/$$agent || exit 1; done
	install -d $(DESTDIR)$(SYSCONFDIR)/masakari-pcmk
	install -m 0640 hostmonitor/etc/hostmonitor.toml $(DESTDIR)$(SYSCONFDIR)/masakari-pcmk/hostmonitor.toml
	install -m 0640 instancemonitor/etc/instancemonitor.toml \
		$(DESTDIR)$(SYSCONFDIR)/masakari-pcmk/instancemonitor.toml

## The main job: a throwaway cluster running our agents; compute1 fails, Pacemaker fences it with
## fence_ipmilan_rs, the host monitor notifies the Masakari API; prints the timeline. By default the
## seed's setup: a real Keystone, keystone auth and HTTPS (`make demo DEMO_AUTH=` for noauth2).
## `make demo BMC=redfish` gives the nodes Redfish BMCs (sushy-emulator) fenced by fence_redfish_rs.
DEMO_AUTH ?= --keystone
BMC ?= ipmi
DEMO_AGENT = $(if $(filter redfish,$(BMC)),fence_redfish_rs,fence_ipmilan_rs)
demo: deps
	$(CARGO) build --release --workspace --bins
	$(release)/masakari-lab --name demo demo --bmc $(BMC) --fence-agent $(DEMO_AGENT) --reboot-action off $(DEMO_AUTH) \
		$(if $(DEMO_STAGE),--stage $(DEMO_STAGE))

## The whole test suite: formatting, lints, the fuzz targets type-checked, unit tests, the lab tests
## against the real stack, and the RPMs built and installed into a scratch root.
test: deps check unit-tests lab-tests rpm-test

check:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	RUSTFLAGS="--cfg fuzzing" $(CARGO) check --manifest-path fuzz/Cargo.toml --target-dir target/fuzz-check --bins

unit-tests:
	$(CARGO) test --workspace --lib --bins
	$(CARGO) test --workspace --no-fail-fast --exclude masakari-lab --test '*'

# Each lab test brings up its own cluster; one at a time keeps 2-core machines within Pacemaker's timeouts.
# Most stage the debug build (overflow checks on); the demo's test and the mass-failure test stage
# the release build, as operators install it (make build).
lab-tests: build
	$(CARGO) build --workspace --bins
	$(CARGO) test -p masakari-lab --no-fail-fast --test '*' -- --test-threads=1

lab-up: deps
	$(CARGO) build --release -p masakari-lab
	$(release)/masakari-lab --name $(LAB) up $(LAB_ARGS)

lab-down:
	$(CARGO) build --release -p masakari-lab
	$(release)/masakari-lab --name $(LAB) down

clean:
	$(CARGO) clean

## RPMs for EL9 from git HEAD, vendored and offline, checked by rpmlint: build/rpm/RPMS (rpm/README.md).
## rpm-test installs them into a scratch root and checks every file, the agents and the man pages.
.PHONY: rpm rpm-test
rpm:
	rpm/build-rpm.sh

rpm-test:
	rpm/test-rpm.sh

## Benchmark (not a test): fence_redfish_rs vs fence_redfish on one sushy-emulator; prints Markdown.
.PHONY: bench-fence-redfish
bench-fence-redfish: deps
	$(CARGO) build --release -p fence-agent
	python3 fence-agent/bench/compare_redfish.py --runs 7

## Benchmark (not a test): our host monitor vs masakari-monitors' on the lab, and a simulated
## 1,000-node failure of 50; prints Markdown for BENCHMARKS.md. BENCH_ARGS e.g. --trials 7 --skip-scale.
bench-hostmonitor: deps
	$(CARGO) build --release --workspace --bins
	$(release)/bench-hostmonitor $(BENCH_ARGS)
.PHONY: bench-hostmonitor

## Benchmark (not a test): our instance monitor vs masakari-monitors' on one lab compute (the same
## libvirtd, guests and Masakari API): guest kill -> stored, RSS, idle CPU; prints Markdown for
## BENCHMARKS.md. Holds the lab lock while it runs. BENCH_ARGS e.g. --trials 20 --idle 120.
bench-instancemonitor: deps
	$(CARGO) build --release --workspace --bins
	flock -o /tmp/masakari-lab.lock $(release)/bench-instancemonitor $(BENCH_ARGS)
.PHONY: bench-instancemonitor
