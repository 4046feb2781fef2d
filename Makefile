# SPDX-License-Identifier: GPL-2.0-or-later
# nfban - native netfilter ban actions for Fail2ban.
#
#   make              build the shim and the plugins into build/
#   make check        install missing Debian deps, build (gcc, clang, ASan+UBSan), run every test
#                     (the fuzz harnesses a few seconds each)
#   make fuzz         the libFuzzer harnesses of tests/fuzz, FUZZ_SECONDS (300) each
#   make bench        nfban against Fail2ban's stock commands, side by side
#   make demo         a real Fail2ban banning a client, in two throw-away namespaces
#   make install      PREFIX=/usr/local DESTDIR= SYSCONFDIR=/etc
#                     (action.d/*.conf name $(SBINDIR)/nfban, nfban_action.py $(PLUGINDIR))
#   make deb          the Debian package: $(B)/deb/nfban_$(VERSION)_<arch>.deb (tools/deb.sh)

PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR    ?=
SBINDIR    ?= $(PREFIX)/sbin
PLUGINDIR  ?= $(PREFIX)/lib/nfban
MANDIR     ?= $(PREFIX)/share/man
ACTIONDIR  ?= $(SYSCONFDIR)/fail2ban/action.d

CC     ?= cc
B      ?= build
SAN    ?=
OPT    ?= -O2

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
VERSION  := 0.3.0
CPPFLAGS += -D_GNU_SOURCE -Iinclude -Isrc -Isrc/values -DNFBAN_VERSION='"$(VERSION)"' -DNFBAN_PLUGIN_DIR='"$(PLUGINDIR)"'
CFLAGS   ?= $(OPT) -g
CFLAGS   += -std=gnu11 $(WARN) -fPIC
LDFLAGS  ?=
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
SOFLAGS := -shared
else
SOFLAGS := -shared -Wl,-z,defs
endif

VALUES_SRC := $(wildcard src/values/*.c)
LIB_SRC   := $(wildcard src/lib/*.c)
IPT_SRC   := $(wildcard plugins/ipt/*.c)
NFT_SRC   := $(wildcard plugins/nft/*.c)
# nfban's nf_tables layer: the nftables plugin and the iptables plugins' nf_tables backend.
NFNL_SRC  := $(wildcard src/nfnl/*.c)
IPT_PLUGINS := multiport allports perport
NFT_PLUGINS := nftables
# The ipset plugins: plugins/ipt for the jumps, libipset for the sets.
IPSET_SRC := $(wildcard plugins/ipset/*.c)
IPSET_PLUGINS := ipset ipset-allports
PLUGINS   := $(IPT_PLUGINS) $(NFT_PLUGINS) $(IPSET_PLUGINS)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
TESTLIB_SRC := $(wildcard tests/lib/*.c)
FIXTURE_SRC := $(wildcard tests/plugins/*.c)
HOST_SRC := $(wildcard tests/host/*.c)
TOOL_SRC := $(wildcard tests/tools/*.c)

# The shim refuses plugins that anyone but root could write, whatever the umask.
SECURE_PLUGIN = chmod 0644 $@ && chmod 0755 $(@D)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

SHIM_BIN  := $(B)/nfban
SHIM_SRC  := $(wildcard src/shim/*.c)
DOCTOR_SRC := $(wildcard src/doctor/*.c)
DOCTOR_BIN := $(B)/plugins/nfban-doctor
LIB_SO    := $(B)/plugins/libnfban.so
PLUGIN_SO := $(PLUGINS:%=$(B)/plugins/%.so)
UNIT_BIN  := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
TESTLIB_SO := $(patsubst tests/lib/%.c,$(B)/tests/%.so,$(TESTLIB_SRC))
FIXTURE_SO := $(patsubst tests/plugins/%.c,$(B)/tests/plugins/%.so,$(FIXTURE_SRC))
HOST_BIN := $(patsubst tests/host/%.c,$(B)/tests/host/%,$(HOST_SRC))
TOOL_BIN := $(patsubst tests/tools/%.c,$(B)/tests/tools/%,$(TOOL_SRC))

IPT_LIBS := -lip4tc -lip6tc
NFT_LIBS := -lnftnl -lmnl
IPSET_LIBS := -lipset

.PHONY: all tests check deps fuzz fuzzers bench demo install uninstall deb clean FORCE
all: $(SHIM_BIN) $(LIB_SO) $(PLUGIN_SO) $(DOCTOR_BIN)
tests: all $(UNIT_BIN) $(TESTLIB_SO) $(FIXTURE_SO) $(HOST_BIN) $(TOOL_BIN) $(B)/tools/keytab

# Header dependencies as the compiler sees them (-MMD: one .d per object, beside it; -MP: a
# removed header is no error), read back below: an object is rebuilt when a header it
# includes changes, and only then.  Objects are kept (.SECONDARY), not removed as
# intermediates of the .so and test rules (make would print `rm build/obj/...` after
# `make demo`'s last line and build them again next time).
DEPFLAGS = -MMD -MP
$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<
.SECONDARY:
# The shim and the doctor link libnfban's objects and use its internal headers.
$(B)/obj/src/shim/%.o $(B)/obj/src/doctor/%.o: CPPFLAGS += -Isrc/lib
# The ipset plugins' layer (and the unit tests of it) reach the iptables one's headers as "ipt/...".
$(B)/obj/plugins/%.o $(B)/fuzz/obj/plugins/%.o $(B)/obj/tests/unit/%.o $(B)/fuzz/obj/tests/%.o: CPPFLAGS += -Iplugins

# The plugin directory is compiled into the shim: rebuild it when PREFIX or
# PLUGINDIR change (make install PREFIX=/usr after a plain make).
$(B)/plugindir.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(PLUGINDIR)' | cmp -s - $@ || echo '$(PLUGINDIR)' > $@
$(B)/obj/src/lib/loader.o $(B)/obj/src/shim/main.o: $(B)/plugindir.stamp
FORCE:

# The shim links libnfban's objects in: one process, nothing more to load.
$(SHIM_BIN): $(call obj,$(SHIM_SRC) $(LIB_SRC) $(VALUES_SRC))
	$(CC) $(LDFLAGS) -o $@ $^ -ldl -lpthread

# `nfban doctor` is this program, which the shim execs (vetted as a plugin is):
# nothing of it is on the ban path.  It links libnfban's objects (its kernel
# probes run the plugins in a scratch network namespace) and only libc/libdl.
$(DOCTOR_BIN): $(call obj,$(DOCTOR_SRC) $(LIB_SRC) $(VALUES_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -ldl -lpthread
	chmod 0755 $@ $(@D)

# libnfban for every other host; it exports only its API (nfban.h).
$(LIB_SO): $(call obj,$(LIB_SRC) $(VALUES_SRC)) src/lib/libnfban.map
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(SOFLAGS) -Wl,--version-script=src/lib/libnfban.map -Wl,-soname,libnfban.so \
		-o $@ $(filter %.o,$^) -ldl -lpthread
	$(SECURE_PLUGIN)

$(B)/plugins/%.so: $(B)/obj/plugins/%.o $(call obj,$(IPT_SRC) $(NFNL_SRC) $(VALUES_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(SOFLAGS) -o $@ $^ $(IPT_LIBS) $(NFT_LIBS)
	$(SECURE_PLUGIN)

$(B)/plugins/nftables.so: $(B)/obj/plugins/nftables.o $(call obj,$(NFT_SRC) $(NFNL_SRC) $(VALUES_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(SOFLAGS) -o $@ $^ $(NFT_LIBS)
	$(SECURE_PLUGIN)

$(IPSET_PLUGINS:%=$(B)/plugins/%.so): $(B)/plugins/%.so: $(B)/obj/plugins/%.o $(call obj,$(IPSET_SRC) $(IPT_SRC) $(NFNL_SRC) $(VALUES_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(SOFLAGS) -o $@ $^ $(IPSET_LIBS) $(IPT_LIBS) $(NFT_LIBS) -lpthread
	$(SECURE_PLUGIN)

# Unit tests: the prefix of the file says what it links against.
$(B)/tests/test_values_%: $(B)/obj/tests/unit/test_values_%.o $(call obj,$(VALUES_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka
$(B)/tests/test_lib_%: $(B)/obj/tests/unit/test_lib_%.o $(call obj,$(LIB_SRC) $(VALUES_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka -ldl -lpthread
$(B)/tests/test_ipt_%: $(B)/obj/tests/unit/test_ipt_%.o $(call obj,$(IPT_SRC) $(NFNL_SRC) $(VALUES_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(IPT_LIBS) $(NFT_LIBS)
$(B)/tests/test_ipset_%: $(B)/obj/tests/unit/test_ipset_%.o $(call obj,$(IPSET_SRC) $(IPT_SRC) $(NFNL_SRC) $(VALUES_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(IPSET_LIBS) $(IPT_LIBS) $(NFT_LIBS) -lpthread
$(B)/tests/test_nft_%: $(B)/obj/tests/unit/test_nft_%.o $(call obj,$(NFT_SRC) $(NFNL_SRC) $(VALUES_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(NFT_LIBS)

# Long-lived hosts of libnfban (the in-process use), driven by tests/ns: they
# see nfban.h only and link the shared library as any other host would.
$(B)/tests/host/%: $(B)/obj/tests/host/%.o $(LIB_SO)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< -L$(B)/plugins -Wl,-rpath,$(abspath $(B)/plugins) -lnfban -lpthread

# The key tables as libnfban gives them to hosts, for tools/check_actions (a host of nfban.h).
$(B)/tools/keytab: $(B)/obj/tools/keytab.o $(LIB_SO)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< -L$(B)/plugins -Wl,-rpath,$(abspath $(B)/plugins) -lnfban

# Programs the tests drive others with (no nfban code in them).
$(B)/tests/tools/%: $(B)/obj/tests/tools/%.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $<

# Plugins that exist only to test the loader and libnfban.
$(B)/tests/plugins/%.so: $(B)/obj/tests/plugins/%.o $(call obj,$(VALUES_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -o $@ $^
	$(SECURE_PLUGIN)

# Test helpers loaded with LD_PRELOAD (fault injection at the syscall boundary).
$(B)/tests/%.so: $(B)/obj/tests/lib/%.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -o $@ $^ -ldl

# ---- fuzzing (tests/fuzz): libFuzzer harnesses, clang only -------------------------
# Each tests/fuzz/fuzz_<name>.c is linked with its own instrumented copy of the
# sources it feeds (objects in $(B)/fuzz/obj) into $(B)/fuzz/fuzz_<name>;
# fuzz_jail dlopens the real plugins, built the same way into $(B)/fuzz/plugins.
# `make fuzz` runs each for FUZZ_SECONDS over a corpus kept in $(B)/fuzz/corpus
# (seeded from tests/fuzz/corpus); crashes are written to $(B)/fuzz/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 300
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -O1 -g -std=gnu11 $(WARN) -fPIC $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN     := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))
FUZZ_PLUGIN_SO := $(PLUGINS:%=$(B)/fuzz/plugins/%.so)
fobj = $(patsubst %.c,$(B)/fuzz/obj/%.o,$(1))

$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -Isrc/lib $(FUZZ_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/fuzz/fuzz_%: $(B)/fuzz/obj/tests/fuzz/fuzz_%.o $(call fobj,$(VALUES_SRC))
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^
$(B)/fuzz/fuzz_jail: $(B)/fuzz/obj/tests/fuzz/fuzz_jail.o $(call fobj,$(LIB_SRC) $(VALUES_SRC)) $(FUZZ_PLUGIN_SO)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $(filter %.o,$^) -ldl -lpthread

$(B)/fuzz/plugins/%.so: $(B)/fuzz/obj/plugins/%.o $(call fobj,$(IPT_SRC) $(NFNL_SRC) $(VALUES_SRC))
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SAN) -shared -o $@ $^ $(IPT_LIBS) $(NFT_LIBS)
	$(SECURE_PLUGIN)
$(IPSET_PLUGINS:%=$(B)/fuzz/plugins/%.so): $(B)/fuzz/plugins/%.so: $(B)/fuzz/obj/plugins/%.o $(call fobj,$(IPSET_SRC) $(IPT_SRC) $(NFNL_SRC) $(VALUES_SRC))
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SAN) -shared -o $@ $^ $(IPSET_LIBS) $(IPT_LIBS) $(NFT_LIBS) -lpthread
$(B)/fuzz/plugins/nftables.so: $(B)/fuzz/obj/plugins/nftables.o $(call fobj,$(NFT_SRC) $(NFNL_SRC) $(VALUES_SRC))
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SAN) -shared -o $@ $^ $(NFT_LIBS)
	$(SECURE_PLUGIN)

fuzzers: $(FUZZ_BIN)

fuzz: deps fuzzers
	@rc=0; for f in $(FUZZ_BIN); do tests/fuzz/run --long "$$f" $(FUZZ_SECONDS) || rc=1; done; exit $$rc

deps:
	@tools/deps.sh

# The three builds use both cores (CHECK_JOBS); the suites then run in two lanes (tests/run).
# The Debian 13 tier's root (tools/trixie.sh: cached; made from Debian's archive when missing,
# which mostly waits on the network) is made in the background meanwhile; tests/run's tier waits
# for it.  NFBAN_TRIXIE=0 leaves the tier out.
CHECK_JOBS ?= 2
check: deps
	@if [ "$${NFBAN_TRIXIE:-1}" != 0 ] && tools/trixie.sh wanted; then mkdir -p build && \
		{ tools/trixie.sh root >build/trixie-root.log 2>&1 & }; fi
	$(MAKE) -j$(CHECK_JOBS) tests B=build-clang CC=clang
	$(MAKE) -j$(CHECK_JOBS) fuzzers B=build-clang
	$(MAKE) -j$(CHECK_JOBS) tests B=build-asan SAN=1 OPT=-O1
	$(MAKE) -j$(CHECK_JOBS) tests
	tests/run

# The timing driver of `make bench`: libnfban, run in-process.
# kcalls.o's socket calls are exported (-rdynamic) so that the plugins and their libraries
# call them: the time spent in the kernel's calls (bench/kcalls.h).
$(B)/bench/inproc: $(B)/obj/bench/inproc.o $(B)/obj/bench/kcalls.o $(LIB_SO)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -rdynamic -o $@ $(filter %.o,$^) -L$(B)/plugins -Wl,-rpath,$(abspath $(B)/plugins) -lnfban

# Preloaded into the in-process drivers only: their malloc thresholds fixed (bench/pin_malloc.c).
$(B)/bench/pin_malloc.so: $(B)/obj/bench/pin_malloc.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -o $@ $^

bench: deps all $(B)/bench/inproc $(B)/bench/pin_malloc.so
	B=$(B) bench/run

# The demo's second act runs on a kernel without multiport: the fault injector of the tests.
demo: deps all $(B)/tests/fakekernel.so
	B=$(B) demo/run

# Built by dpkg-buildpackage from a copy of the tree in $(B)/deb/nfban-$(VERSION)/, which runs
# this Makefile with PREFIX=/usr PLUGINDIR=/usr/lib/nfban SYSCONFDIR=/etc (debian/rules).
# debian/changelog's latest entry must be $(VERSION).
deb: deps
	tools/deb.sh $(B)/deb $(VERSION)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(ACTIONDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(SHIM_BIN) $(DESTDIR)$(SBINDIR)/nfban
	install -m 0644 $(LIB_SO) $(PLUGIN_SO) $(DESTDIR)$(PLUGINDIR)/
	install -m 0755 $(DOCTOR_BIN) $(DESTDIR)$(PLUGINDIR)/
	for f in action.d/*.conf action.d/*.py; do \
	  sed 's|@SBINDIR@|$(SBINDIR)|g; s|@PLUGINDIR@|$(PLUGINDIR)|g' $$f > $(DESTDIR)$(ACTIONDIR)/$$(basename $$f) && \
	  chmod 0644 $(DESTDIR)$(ACTIONDIR)/$$(basename $$f); done
	sed 's|@VERSION@|$(VERSION)|g' man/nfban.8 > $(DESTDIR)$(MANDIR)/man8/nfban.8 && chmod 0644 $(DESTDIR)$(MANDIR)/man8/nfban.8

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/nfban $(DESTDIR)$(MANDIR)/man8/nfban.8
	rm -f $(PLUGINS:%=$(DESTDIR)$(PLUGINDIR)/%.so) $(DESTDIR)$(PLUGINDIR)/libnfban.so $(DESTDIR)$(PLUGINDIR)/nfban-doctor
	-rmdir $(DESTDIR)$(PLUGINDIR)
	for f in action.d/*.conf action.d/*.py; do rm -f $(DESTDIR)$(ACTIONDIR)/$$(basename $$f); done
	rm -f $(DESTDIR)$(ACTIONDIR)/__pycache__/nfban-*.pyc $(DESTDIR)$(ACTIONDIR)/__pycache__/nfban_action.*.pyc
	-rmdir $(DESTDIR)$(ACTIONDIR)/__pycache__ 2>/dev/null

-include $(shell find $(B)/obj $(B)/fuzz/obj -name '*.d' 2>/dev/null)

clean:
	rm -rf build build-asan build-clang
