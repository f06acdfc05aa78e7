# provbox - one multicall binary for device identity provisioning.
#
#   make            build/provbox (simulators linked in: libtpms + libcrypto)
#   make SIM=0      build/target/provbox, the initramfs flavour without them
#   make check      every test: unit (plain and ASan+UBSan), end-to-end, hostile
#                   input, binary hardening + key wiping (valgrind), fuzz smoke
#   make crash-test every tests/e2e/*_crash.sh with all its kill -9 trials
#   make demo       provision one simulated device end to end (FLOW=trustme|tee|kmu|all)
#   make check-demo the three demos, as make check runs them
#   make fuzz       run every fuzzer for FUZZ_SECONDS each, in parallel (long)
#   make coverage   line/branch coverage of the fuzz corpora: fuzz/COVERAGE.md
#   make deps       install the Debian packages the project needs (root)
#   make bench      benchmarks against openssl + tpm2-tools: bench/results.md, bench/flow.png
#   make install    PREFIX=/usr DESTDIR=...: binary, applet links, man pages,
#                   bash completion, docs, initramfs-tools hook, dracut module
#                   (the SIM=0 flavour unless SIM=1 is given); make uninstall
#
# Sources are found by directory: a new applets/NAME.c is a new applet,
# a new tests/unit/test_*.c a new test file, a new fuzz/fuzz_*.c a fuzzer.

# install and uninstall default to the target flavour.
ifneq ($(filter install uninstall,$(MAKECMDGOALS)),)
SIM ?= 0
endif
SIM ?= 1
CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
CLANG ?= clang
LLVM_PROFDATA ?= $(shell command -v llvm-profdata-14 || echo llvm-profdata)
LLVM_COV ?= $(shell command -v llvm-cov-14 || echo llvm-cov)

ifeq ($(SIM),1)
O ?= build
FLAVOUR := sim
else
O ?= build/target
FLAVOUR := target
endif

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
HARDEN := -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fPIE -fstack-clash-protection
# Where the compiler has them: CET branch protection, zeroed stack variables.
cc_has = $(shell $(1) -Werror $(2) -E -x c /dev/null >/dev/null 2>&1 && echo $(2))
HARDEN += $(call cc_has,$(CC),-fcf-protection) $(call cc_has,$(CC),-ftrivial-auto-var-init=zero)
# hal.c stubs the TEE / KMU constructors until their backend files exist.
HAL_DEFS := $(if $(wildcard hal/tee*.c),-DPB_HAL_TEE=1) $(if $(wildcard hal/kmu*.c),-DPB_HAL_KMU=1)
CSTD := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE
OPT ?= -O2 -g
CPPFLAGS_ALL := -I. -I$(O) -I/usr/include/bearssl -DPB_SIM=$(SIM) -DPB_VERSION='"$(VERSION)"' \
	-DPB_FLAVOUR='"$(FLAVOUR)"' $(HAL_DEFS)
# p11-kit's pkcs11.h, for the tee backend (hal/p11.c)
CPPFLAGS_ALL += -I/usr/include/p11-kit-1
CFLAGS_ALL := $(CSTD) $(OPT) $(WARN) $(HARDEN) $(CFLAGS)
LDFLAGS_ALL := -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(LDFLAGS)

# BearSSL (and with SIM=1 libtpms and the libcrypto it needs) statically;
# tpm2-tss is shipped by Debian only as shared objects.
LIBS_STATIC := -l:libbearssl.a
ifeq ($(SIM),1)
LIBS_STATIC += -l:libtpms.a -l:libcrypto.a
endif
TSS_LIBS := -ltss2-sys -ltss2-mu -ltss2-rc -ltss2-tcti-device -ltss2-tcti-swtpm
LIBS := $(LIBS_STATIC) $(TSS_LIBS) -lpthread -ldl

CORE_SRC := $(wildcard core/*/*.c) $(wildcard hal/*.c)
ifeq ($(SIM),1)
CORE_SRC += $(wildcard sim/*.c)
endif
APPLET_SRC := $(sort $(wildcard applets/*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)

CORE_OBJ := $(CORE_SRC:%.c=$(O)/%.o)
APPLET_OBJ := $(APPLET_SRC:%.c=$(O)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(O)/%.o)

.PHONY: all docs check check-unit check-asan check-tsan check-e2e check-target check-install \
	check-fuzz check-demo demo fuzz deps bench bench-deps clean install uninstall coverage fuzzers \
	check-hostile check-hardening crash-test

all: $(O)/provbox docs

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# The applet table: one PB_APPLET(applet_NAME) per applets/NAME.c.
$(O)/applets.inc: $(APPLET_SRC) Makefile
	@mkdir -p $(O)
	@for f in $(APPLET_SRC); do n=$$(basename $$f .c); echo "PB_APPLET(applet_$$n)"; done > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(O)/main.o: $(O)/applets.inc

# hal.c's TEE/KMU stubs go when a backend file appears (HAL_DEFS): rebuild it then.
$(O)/hal/hal.o build/fuzz/lib/hal/hal.o: $(wildcard hal/tee*.c hal/kmu*.c)

$(O)/libprovbox.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(O)/provbox: $(O)/main.o $(APPLET_OBJ) $(O)/libprovbox.a
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $(O)/main.o $(APPLET_OBJ) $(O)/libprovbox.a $(LIBS)

$(O)/unit-tests: $(UNIT_OBJ) $(APPLET_OBJ) $(O)/libprovbox.a
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $(UNIT_OBJ) $(APPLET_OBJ) $(O)/libprovbox.a -lcriterion $(LIBS)

-include $(CORE_OBJ:.o=.d) $(APPLET_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(O)/main.d

# Man pages (help2man over each --help) and bash completion (from the option
# tables, through provbox --describe): made from the binary, so they cover
# every applet it has and cannot drift from it.
docs: $(O)/man/.stamp $(O)/provbox.bash

$(O)/man/.stamp: $(O)/provbox packaging/gen-man.sh packaging/help-filter.awk packaging/provbox.h2m
	@rm -rf $(O)/man
	packaging/gen-man.sh $(O)/provbox $(O)/man
	@touch $@

$(O)/provbox.bash: $(O)/provbox packaging/gen-completion.sh
	packaging/gen-completion.sh $(O)/provbox > $@.tmp && mv $@.tmp $@

# ---------------------------------------------------------------- deps
# initramfs-tools and dracut-core both: the dracut package conflicts with
# initramfs-tools, dracut-core (dracut, lsinitrd, the modules) does not.
DEB_PACKAGES := gcc make clang libclang-rt-14-dev libbearssl-dev libtpms-dev libssl-dev \
	libtss2-dev libcriterion-dev openssl swtpm swtpm-tools tpm2-tools tpm2-openssl \
	softhsm2 opensc efitools iproute2 procps time \
	help2man man-db groff-base bash-completion initramfs-tools dracut-core cpio python3 \
	llvm-14 valgrind binutils
# the tee backend: p11-kit's pkcs11.h; SoftHSM2, pkcs11-tool and openssl's pkcs11 engine in tests
DEB_PACKAGES += libp11-kit-dev libengine-pkcs11-openssl

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "make deps: run as root to install:" $$missing >&2; exit 1; fi; \
		DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# ---------------------------------------------------------------- tests
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# A sanitizer report exits 99, never 1: a test that expects a failure (exit
# 1) must not pass over a report that happens to exit with the same code.
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99 \
	LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0:exitcode=99

check: deps
	$(MAKE) check-target
	$(MAKE) check-install
	$(MAKE) check-e2e
	$(MAKE) check-hostile
	$(MAKE) check-hardening
	$(MAKE) check-demo
	$(MAKE) check-fuzz
	$(MAKE) check-unit
	$(MAKE) check-asan
	$(MAKE) check-tsan

check-unit: $(O)/unit-tests $(O)/provbox
	PROVBOX=$(abspath $(O)/provbox) $(O)/unit-tests --jobs 2

# The sanitizer build runs the unit tests and the end-to-end tests.
check-asan:
	$(MAKE) O=build/asan OPT="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" \
		build/asan/provbox build/asan/unit-tests
	PB_E2E_SANITIZED=1 PROVBOX=$(abspath build/asan/provbox) $(ASAN_ENV) tests/run-e2e.sh
	PROVBOX=$(abspath build/asan/provbox) $(ASAN_ENV) tests/hostile/run.sh
	@# one job: Criterion's parallel runner itself leaks 48 bytes now and then under LSan
	$(ASAN_ENV) PROVBOX=$(abspath build/asan/provbox) build/asan/unit-tests --jobs 1

# The threaded batch issuance once under ThreadSanitizer: pki-gen issue
# itself (chunk pipeline, file: signer shared by the threads) through the
# batch e2e test. Not the Criterion unit tests: Criterion 2.4's sandbox
# cannot run under TSan (SEGV in criterion_run_all_tests before any test).
TSAN_FLAGS := -O1 -g -fsanitize=thread -fno-omit-frame-pointer
TSAN_ENV := TSAN_OPTIONS=halt_on_error=1:exitcode=66:second_deadlock_stack=1
check-tsan:
	$(MAKE) O=build/tsan OPT="$(TSAN_FLAGS)" LDFLAGS="-fsanitize=thread" build/tsan/provbox
	PB_E2E_SANITIZED=1 PROVBOX=$(abspath build/tsan/provbox) $(TSAN_ENV) tests/run-e2e.sh pki_gen_batch

check-e2e: $(O)/provbox
	PROVBOX=$(abspath $(O)/provbox) tests/run-e2e.sh

# Hostile input for every input option of every applet (tests/hostile/).
check-hostile: $(O)/provbox
	PROVBOX=$(abspath $(O)/provbox) tests/hostile/run.sh

# readelf hardening flags, and the file backend's sign path under valgrind
# leaving no key bytes in freed heap (tests/hardening/check.sh).
$(O)/hardening/heapscan.o: tests/hardening/heapscan.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -c $< -o $@

$(O)/hardening/provbox-heapscan: $(O)/main.o $(APPLET_OBJ) $(O)/libprovbox.a $(O)/hardening/heapscan.o
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -Wl,--wrap=free,--wrap=realloc -o $@ $(O)/main.o $(APPLET_OBJ) \
		$(O)/hardening/heapscan.o $(O)/libprovbox.a $(LIBS)

check-hardening: $(O)/provbox $(O)/hardening/provbox-heapscan
	PROVBOX=$(abspath $(O)/provbox) HEAPSCAN=$(abspath $(O)/hardening/provbox-heapscan) \
		CET_EXPECTED=$(if $(call cc_has,$(CC),-fcf-protection),1,0) tests/hardening/check.sh

# Crash safety: every tests/e2e/*_crash.sh kills a writer at random instants
# PB_CRASH_TRIALS times. make check samples (CRASH_SAMPLE trials each, in
# the e2e runs); make crash-test runs all of them with CRASH_TRIALS.
CRASH_SAMPLE ?= 20
CRASH_TRIALS ?= 200
export PB_CRASH_TRIALS ?= $(CRASH_SAMPLE)
crash-test: $(O)/provbox
	PB_CRASH_TRIALS=$(CRASH_TRIALS) PROVBOX=$(abspath $(O)/provbox) tests/run-e2e.sh \
		$(patsubst tests/e2e/%.sh,%,$(wildcard tests/e2e/*_crash.sh))

# The target flavour builds and passes the tests that need no simulator.
check-target:
	$(MAKE) SIM=0 build/target/provbox
	@! nm build/target/provbox | grep -q 'TPMLIB_\|OPENSSL_init' || { echo "SIM=0 build carries libtpms/libcrypto" >&2; exit 1; }
	PB_E2E_TARGET=1 PROVBOX=$(abspath build/target/provbox) tests/run-e2e.sh

# make install into a scratch DESTDIR, then its man pages, completion,
# initramfs-tools hook (mkinitramfs) and dracut module (dracut) on it.
check-install:
	$(MAKE) SIM=0 build/target/provbox docs
	rm -rf build/target/destdir
	$(MAKE) SIM=0 install DESTDIR=$(abspath build/target/destdir) PREFIX=/usr >/dev/null
	PB_SUITE=install PB_SRC=$(CURDIR) PB_DESTDIR=$(abspath build/target/destdir) \
		PROVBOX=$(abspath build/target/provbox) tests/run-e2e.sh

# ---------------------------------------------------------------- fuzz
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_RUNS ?= 20000
FUZZ_CFLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -std=c11 -D_GNU_SOURCE \
	-Wall -Wextra -Werror -I. -I/usr/include/bearssl -DPB_SIM=1 -DPB_FUZZ=1 $(HAL_DEFS)
FUZZ_CFLAGS += -I/usr/include/p11-kit-1
FUZZERS := $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)
FUZZ_LIB_SRC := $(filter-out sim/%,$(CORE_SRC)) $(wildcard sim/*.c)
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=build/fuzz/lib/%.o)

# The library once, with coverage instrumentation; each harness links it.
build/fuzz/lib/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

build/fuzz/libprovbox.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/%: fuzz/%.c build/fuzz/libprovbox.a
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< build/fuzz/libprovbox.a \
		-l:libbearssl.a -l:libtpms.a -l:libcrypto.a $(TSS_LIBS) -lpthread -ldl

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZERS:=.d)

fuzzers: $(FUZZERS)

# Harness conventions (picked up automatically for a new fuzz/fuzz_NAME.c):
#   fuzz/corpus/NAME/   seed corpus (committed; scripts fuzz/make_*_corpus.sh)
#   fuzz/regress/NAME/  findings, replayed by check-fuzz and counted by coverage
#   fuzz/NAME.dict      its dictionary; the DER-ish harnesses in FUZZ_DER_DICT
#                       use fuzz/asn1.dict (fuzz/make_dict.sh)
FUZZ_DER_DICT := der x509 csr key pkcs12 pbes2 esl name pem tpm_response issue tls_certs chain certstore_ops token_import
fuzz_dict = $$(if [ -f fuzz/$$n.dict ]; then echo -dict=fuzz/$$n.dict; \
	elif echo " $(FUZZ_DER_DICT) " | grep -q " $$n "; then echo -dict=fuzz/asn1.dict; fi)
fuzz_dirs = fuzz/corpus/$$n $$([ -d fuzz/regress/$$n ] && echo fuzz/regress/$$n)
FUZZ_OPTS := -timeout=10 -rss_limit_mb=2048
FUZZ_JOBS ?= $(shell nproc)

# Every corpus and regression file once, then a short random run: in make
# check. New units go to build/fuzz/smoke-NAME (the first directory), not
# the corpus.
check-fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do n=$${f##*/fuzz_}; \
		echo "fuzz smoke: $$n"; \
		rm -rf build/fuzz/smoke-$$n; mkdir -p build/fuzz/smoke-$$n; \
		$$f -runs=$(FUZZ_SMOKE_RUNS) -max_len=8192 -seed=1 $(FUZZ_OPTS) $(fuzz_dict) \
			-artifact_prefix=build/fuzz/crash-$$n- build/fuzz/smoke-$$n $(fuzz_dirs) \
			>build/fuzz/$$n.log 2>&1 \
		|| { tail -40 build/fuzz/$$n.log; exit 1; }; \
	done

# Every harness for FUZZ_SECONDS, FUZZ_JOBS at a time. New units go to
# fuzz/corpus-new/NAME (minimise them into the corpus by hand), crashes to
# build/fuzz/crash-NAME-*; build/fuzz/last-run.txt sums up each run.
fuzz: $(FUZZERS)
	@mkdir -p build/fuzz; : > build/fuzz/last-run.txt; \
	for f in $(FUZZERS); do echo $$f; done | xargs -P $(FUZZ_JOBS) -I{} sh -c 'f={}; n=$${f##*/fuzz_}; \
		mkdir -p fuzz/corpus-new/$$n; echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=16384 $(FUZZ_OPTS) $(fuzz_dict) \
			-artifact_prefix=build/fuzz/crash-$$n- -print_final_stats=1 fuzz/corpus-new/$$n $(fuzz_dirs) \
			> build/fuzz/$$n.fuzz.log 2>&1; rc=$$?; \
		echo "$$n rc=$$rc execs=$$(grep -a "^stat::number_of_executed_units" build/fuzz/$$n.fuzz.log | tr -dc 0-9)" \
			"$$(grep -ao "cov: [0-9]*" build/fuzz/$$n.fuzz.log | tail -1)" \
			"artifacts=$$(ls build/fuzz/crash-$$n-* 2>/dev/null | wc -l)" >> build/fuzz/last-run.txt; \
		[ $$rc = 0 ] || { tail -30 build/fuzz/$$n.fuzz.log; exit 255; }'; \
	rc=$$?; sort build/fuzz/last-run.txt; exit $$rc

# Source-based coverage of the committed corpora (and regression inputs)
# over core/, hal/ and sim/: fuzz/COVERAGE.md. No sanitizers, no fuzzing:
# each harness replays its directories once (-runs=0).
COV_FLAGS := $(filter-out -O1 -fsanitize=% -fno-sanitize-recover=%,$(FUZZ_CFLAGS)) -O0 \
	-fprofile-instr-generate -fcoverage-mapping
COV_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=build/cov/lib/%.o)
COVERS := $(FUZZ_SRC:fuzz/%.c=build/cov/%)

build/cov/lib/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(COV_FLAGS) -MMD -MP -c $< -o $@

build/cov/libprovbox.a: $(COV_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/cov/%: fuzz/%.c build/cov/libprovbox.a
	$(CLANG) $(COV_FLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< build/cov/libprovbox.a \
		-l:libbearssl.a -l:libtpms.a -l:libcrypto.a $(TSS_LIBS) -lpthread -ldl

-include $(COV_LIB_OBJ:.o=.d) $(COVERS:=.d)

coverage: $(COVERS)
	@rm -rf build/cov/prof; mkdir -p build/cov/prof
	@for f in $(COVERS); do n=$${f##*/fuzz_}; \
		LLVM_PROFILE_FILE=build/cov/prof/$$n.profraw $$f -runs=0 $(FUZZ_OPTS) $(fuzz_dirs) \
			> build/cov/$$n.log 2>&1 || { tail -20 build/cov/$$n.log; exit 1; }; \
	done
	$(LLVM_PROFDATA) merge -sparse build/cov/prof/*.profraw -o build/cov/all.profdata
	LLVM_COV=$(LLVM_COV) fuzz/coverage-report.sh build/cov/all.profdata $(COVERS) > fuzz/COVERAGE.md
	@sed -n '/^## Summary/,/^$$/p' fuzz/COVERAGE.md

# ---------------------------------------------------------------- demo, bench
# FLOW=trustme (default): TPM + softtoken; FLOW=tee: the Welma flow (TEE=sim, the
# default, or TEE=softhsm); FLOW=kmu: the Nordic/PSA flow on the simulated KMU;
# FLOW=all: the three. Each script runs in a new temporary work dir (its
# state in WORK/state), kept with KEEP=1 (the default), removed with KEEP=0;
# a failed one is always kept and named.
FLOW ?= trustme
KEEP ?= 1
DEMO_trustme := examples/provision-trustme.sh
DEMO_tee := examples/provision-welma.sh
DEMO_kmu := examples/provision-psa.sh
DEMO_all := $(DEMO_trustme) $(DEMO_tee) $(DEMO_kmu)
demo: deps $(O)/provbox
	@test -n "$(DEMO_$(FLOW))" || { echo "make demo: FLOW is trustme, tee, kmu or all" >&2; exit 2; }
	@for s in $(DEMO_$(FLOW)); do \
		w=$$(mktemp -d "$${TMPDIR:-/tmp}/provbox-demo.XXXXXX") || exit 1; \
		echo; echo "== $$s"; \
		WORK=$$w PROVBOX=$(abspath $(O)/provbox) $$s || { echo "make demo: $$s failed, work dir $$w" >&2; exit 1; }; \
		if [ "$(KEEP)" = 0 ]; then rm -rf "$$w"; fi; \
	done

# The three demos in make check (they need the simulators: not in check-target).
check-demo:
	$(MAKE) demo FLOW=all KEEP=0

# make bench: every benchmark (bench/run.sh), figures into bench/results.md and
# the flow's plot into bench/flow.png; a few minutes. Only it needs
# BENCH_PACKAGES (gnuplot for the plot, strace to count processes, time(1)
# for peak RSS): make check does not.
BENCH_PACKAGES := gnuplot-nox strace time

bench-deps:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(BENCH_PACKAGES)"

bench: deps bench-deps $(O)/provbox
	$(MAKE) SIM=0 build/target/provbox
	PROVBOX=$(abspath $(O)/provbox) PROVBOX_TARGET=$(abspath build/target/provbox) bench/run.sh

# ---------------------------------------------------------------- install
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DOCDIR ?= $(DATADIR)/doc/provbox
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
# initramfs-tools and dracut look only here, whatever PREFIX is.
INITRAMFS_TOOLS_DIR ?= /usr/share/initramfs-tools
DRACUT_DIR ?= /usr/lib/dracut

install: $(O)/provbox docs
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(INITRAMFS_TOOLS_DIR)/hooks \
		$(DESTDIR)$(DRACUT_DIR)/modules.d/90provbox
	install -m 0755 $(O)/provbox $(DESTDIR)$(BINDIR)/provbox
	install -m 0644 $(O)/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(O)/provbox.bash $(DESTDIR)$(BASHCOMPDIR)/provbox
	@# one link per applet, and per applet a completion link that bash-completion loads by name
	for a in $$($(O)/provbox --list); do \
		ln -sfn provbox $(DESTDIR)$(BINDIR)/$$a && ln -sfn provbox $(DESTDIR)$(BASHCOMPDIR)/$$a || exit 1; \
	done
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 0755 examples/*.sh $(DESTDIR)$(DOCDIR)/examples/
	sed 's|@BINDIR@|$(BINDIR)|g' packaging/initramfs-tools/hook > $(DESTDIR)$(INITRAMFS_TOOLS_DIR)/hooks/provbox
	chmod 0755 $(DESTDIR)$(INITRAMFS_TOOLS_DIR)/hooks/provbox
	sed 's|@BINDIR@|$(BINDIR)|g' packaging/dracut/90provbox/module-setup.sh \
		> $(DESTDIR)$(DRACUT_DIR)/modules.d/90provbox/module-setup.sh
	chmod 0755 $(DESTDIR)$(DRACUT_DIR)/modules.d/90provbox/module-setup.sh

# What install made: the applet links are the symlinks to provbox.
uninstall:
	@for l in $(DESTDIR)$(BINDIR)/* $(DESTDIR)$(BASHCOMPDIR)/*; do \
		if [ -L "$$l" ] && [ "$$(readlink "$$l")" = provbox ]; then echo "rm $$l"; rm -f "$$l"; fi; \
	done
	rm -f $(DESTDIR)$(BINDIR)/provbox $(DESTDIR)$(MANDIR)/man1/provbox.1 $(DESTDIR)$(MANDIR)/man1/provbox-*.1 \
		$(DESTDIR)$(BASHCOMPDIR)/provbox $(DESTDIR)$(INITRAMFS_TOOLS_DIR)/hooks/provbox
	rm -rf $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DRACUT_DIR)/modules.d/90provbox

clean:
	rm -rf build
