# hsync — plain GNU make build.
#
#   make              build everything into build/ (binaries in build/bin/)
#   make check        build and run the whole test suite
#   make check SAN=1  the same under ASan+UBSan, in build-san/
#   make fuzz         libFuzzer targets with clang, in build-fuzz/
#   make deps         install the Debian packages the build and tests need
#   make demo         the README's main job
#   make man          the man pages, generated from --help, into build/man/
#   make install      programs, man pages, example configuration, systemd
#                     unit, tmpfiles.d and sysusers.d files (PREFIX=/usr/local,
#                     DESTDIR, sbindir, bindir, mandir, sysconfdir=/etc/hsync,
#                     localstatedir=/var/lib/hsync, runstatedir=/run/hsync)
#   make uninstall    remove what install put there (not configuration, not the store)
#   make format       clang-format every source file
#
# Layout: every directory under src/ is a layer that builds into the one
# internal library libhsync.a; tools/<name>/*.c become build/bin/<name>;
# tests/<layer>/check_*.c become one Check binary each.
#
# Two stages. A fresh machine has no .pc files yet, so nothing may be computed
# from pkg-config before the packages are installed: stage 1 (this part) only
# runs scripts/deps.sh for the goal's package set and then re-enters make with
# HSYNC_STAGE=2, which reads the rest of this file with the packages present.

ifneq ($(HSYNC_STAGE),2)

.DEFAULT_GOAL := all
.PHONY: all check check-build fuzz demo deps format clean man install uninstall
Makefile: ;

# Which package set a goal needs (scripts/deps.sh --list SET shows it).
deps_set = $(if $(filter check check-build demo,$(1)),test,$(if $(filter fuzz,$(1)),fuzz,build))

all check check-build fuzz demo man install:
	@scripts/deps.sh $(call deps_set,$@)
	@$(MAKE) --no-print-directory HSYNC_STAGE=2 $@

deps:
	@scripts/deps.sh test

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-san build-fuzz

# Removing files needs no package and no pkg-config.
uninstall:
	@$(MAKE) --no-print-directory HSYNC_STAGE=2 HSYNC_NOPKG=1 uninstall

# Any other target (a single binary, an object) after the build packages.
.DEFAULT:
	@scripts/deps.sh build
	@$(MAKE) --no-print-directory HSYNC_STAGE=2 $@

else

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT := -O1
else
BUILD ?= build
SANFLAGS :=
OPT := -O2
endif

CC ?= cc
PKGS := openssl ldns msgpack libevent sqlite3
# Check is needed only by the test programs.
ifneq ($(filter check check-build $(BUILD)/tests/%,$(MAKECMDGOALS)),)
PKGS_NEEDED := $(PKGS) check
else
PKGS_NEEDED := $(PKGS)
endif
# Stop at once, naming the package, rather than link without it.
ifneq ($(HSYNC_NOPKG),1)
$(foreach p,$(PKGS_NEEDED),$(if $(shell pkg-config --exists $(p) && echo y),,\
  $(error pkg-config finds no '$(p)': its Debian -dev package is missing (scripts/deps.sh --check test names it))))
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))
CHECK_CFLAGS := $(if $(filter check,$(PKGS_NEEDED)),$(shell pkg-config --cflags check))
CHECK_LIBS := $(if $(filter check,$(PKGS_NEEDED)),$(shell pkg-config --libs check))

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wformat=2 -Wno-format-nonliteral
CFLAGS ?= $(OPT) -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -I. -Isrc -Itools -Itests $(PKG_CFLAGS)
LDLIBS := $(PKG_LIBS) -lpthread -lm
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)

LAYERS := util wire store zone hpke sig0 dnssec transport engine daemon
LIB_SRC := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c src/$(l)/*/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libhsync.a

TOOL_DIRS := $(filter-out tools/common,$(patsubst %/,%,$(dir $(wildcard tools/*/*.c))))
TOOL_NAMES := $(sort $(notdir $(TOOL_DIRS)))
TOOL_COMMON_SRC := $(wildcard tools/common/*.c)
TOOL_COMMON_OBJ := $(TOOL_COMMON_SRC:%.c=$(BUILD)/obj/%.o)
TOOLS := $(TOOL_NAMES:%=$(BUILD)/bin/%)

TEST_SRC := $(wildcard tests/*/check_*.c)
TEST_BINS := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_LIB_SRC := $(wildcard tests/lib/*.c)
TEST_LIB_OBJ := $(TEST_LIB_SRC:%.c=$(BUILD)/obj/%.o)

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_SEED_BINS := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz-seed/%)
FUZZ_BUILD := build-fuzz
FUZZ_BINS := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)

.PHONY: all check check-build fuzz demo
.DEFAULT_GOAL := all
.SECONDARY:

all: $(LIB) $(TOOLS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# Every tool: its own directory's objects + tools/common + the library.
define tool_rule
$(BUILD)/bin/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/$(1)/*.c)) $(TOOL_COMMON_OBJ) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach t,$(TOOL_NAMES),$(eval $(call tool_rule,$(t))))

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TEST_LIB_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

# Seed-corpus runners: the libFuzzer entry point driven by a plain main().
$(BUILD)/fuzz-seed/%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/obj/tests/fuzz/standalone.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

check-build: all $(TEST_BINS) $(FUZZ_SEED_BINS)

check: check-build
	@BUILD=$(BUILD) SAN=$(SAN) tests/run-tests.sh

# libFuzzer builds (clang). Run e.g.: build-fuzz/fuzz_rdata tests/fuzz/corpus/fuzz_rdata
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer-no-link,address,undefined -I. -Isrc -Itools -Itests $(PKG_CFLAGS)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c -o $@ $<
$(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_LIB_OBJ)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
fuzz: $(FUZZ_BINS)

demo: all
	@scripts/demo.sh $(if $(SETUP),--setup $(SETUP))

# ---- man pages and installation ----------------------------------------------
#
# Every page is generated by the program itself from its --help text
# (--help-man), and hsyncd.conf(5) from the configuration schema
# (--help-config-man): one source for the help and the manual.

PREFIX ?= /usr/local
prefix ?= $(PREFIX)
sbindir ?= $(prefix)/sbin
bindir ?= $(prefix)/bin
mandir ?= $(prefix)/share/man
sysconfdir ?= /etc/hsync
localstatedir ?= /var/lib/hsync
runstatedir ?= /run/hsync
systemdunitdir ?= $(prefix)/lib/systemd/system
tmpfilesdir ?= $(prefix)/lib/tmpfiles.d
sysusersdir ?= $(prefix)/lib/sysusers.d
INSTALL ?= install

# hsyncd and hsyncctl are system administration (sbin, section 8); the
# rest are user commands (bin, section 1).
SBIN_TOOLS := hsyncd hsyncctl
BIN_TOOLS := $(filter-out $(SBIN_TOOLS),$(TOOL_NAMES))
MAN_PAGES := $(SBIN_TOOLS:%=$(BUILD)/man/%.8) $(BIN_TOOLS:%=$(BUILD)/man/%.1) \
	$(BUILD)/man/hsyncd.conf.5

$(BUILD)/man/%.8: $(BUILD)/bin/%
	@mkdir -p $(dir $@)
	$< --help-man >$@.tmp && mv $@.tmp $@
$(BUILD)/man/%.1: $(BUILD)/bin/%
	@mkdir -p $(dir $@)
	$< --help-man >$@.tmp && mv $@.tmp $@
$(BUILD)/man/hsyncd.conf.5: $(BUILD)/bin/hsyncd
	@mkdir -p $(dir $@)
	$< --help-config-man >$@.tmp && mv $@.tmp $@

man: $(MAN_PAGES)

# The paths of this installation in the unit, tmpfiles.d, sysusers.d and
# example files.
SUBST := sed -e 's|@sbindir@|$(sbindir)|g' -e 's|@sysconfdir@|$(sysconfdir)|g' \
	-e 's|@localstatedir@|$(localstatedir)|g' -e 's|@runstatedir@|$(runstatedir)|g' \
	-e 's|/etc/hsync/|$(sysconfdir)/|g' -e 's|/var/lib/hsync/|$(localstatedir)/|g' \
	-e 's|/run/hsync/|$(runstatedir)/|g'

install: all man
	$(INSTALL) -d $(DESTDIR)$(sbindir) $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man1 \
		$(DESTDIR)$(mandir)/man5 $(DESTDIR)$(mandir)/man8 $(DESTDIR)$(systemdunitdir) \
		$(DESTDIR)$(tmpfilesdir) $(DESTDIR)$(sysusersdir)
	$(INSTALL) -m 0755 $(SBIN_TOOLS:%=$(BUILD)/bin/%) $(DESTDIR)$(sbindir)/
	$(INSTALL) -m 0755 $(BIN_TOOLS:%=$(BUILD)/bin/%) $(DESTDIR)$(bindir)/
	$(INSTALL) -m 0644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(mandir)/man1/
	$(INSTALL) -m 0644 $(filter %.5,$(MAN_PAGES)) $(DESTDIR)$(mandir)/man5/
	$(INSTALL) -m 0644 $(filter %.8,$(MAN_PAGES)) $(DESTDIR)$(mandir)/man8/
	$(SUBST) dist/hsyncd.service.in >$(DESTDIR)$(systemdunitdir)/hsyncd.service
	$(SUBST) dist/hsync.tmpfiles.in >$(DESTDIR)$(tmpfilesdir)/hsync.conf
	$(SUBST) dist/hsync.sysusers.in >$(DESTDIR)$(sysusersdir)/hsync.conf
	chmod 0644 $(DESTDIR)$(systemdunitdir)/hsyncd.service $(DESTDIR)$(tmpfilesdir)/hsync.conf \
		$(DESTDIR)$(sysusersdir)/hsync.conf
	$(INSTALL) -d -m 0755 $(DESTDIR)$(sysconfdir)
	$(SUBST) doc/hsyncd.conf.example >$(DESTDIR)$(sysconfdir)/hsyncd.conf.example
	chmod 0644 $(DESTDIR)$(sysconfdir)/hsyncd.conf.example
	$(INSTALL) -d -m 0750 $(DESTDIR)$(localstatedir)
	@echo "installed under $(DESTDIR)$(prefix); next: README, 'Running hsyncd as a service'"

uninstall:
	rm -f $(SBIN_TOOLS:%=$(DESTDIR)$(sbindir)/%) $(BIN_TOOLS:%=$(DESTDIR)$(bindir)/%)
	rm -f $(SBIN_TOOLS:%=$(DESTDIR)$(mandir)/man8/%.8) $(BIN_TOOLS:%=$(DESTDIR)$(mandir)/man1/%.1)
	rm -f $(DESTDIR)$(mandir)/man5/hsyncd.conf.5 $(DESTDIR)$(systemdunitdir)/hsyncd.service
	rm -f $(DESTDIR)$(tmpfilesdir)/hsync.conf $(DESTDIR)$(sysusersdir)/hsync.conf
	rm -f $(DESTDIR)$(sysconfdir)/hsyncd.conf.example

-include $(shell find $(BUILD) $(FUZZ_BUILD) -name '*.d' 2>/dev/null)

endif
