# copub: co-publication bibliometrics analyser.
# Plain GNU make. `make` builds build/copub; `make check` runs every test;
# `make demo` shows the product on the bundled synthetic corpus.
#   DEVELOPER=1               warnings become errors
#   SANITIZE=address,undefined build with sanitizers (into build-san/)
#   PREFIX, DESTDIR           for `make install`

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
VERSION := 0.1.0

CC ?= cc
PKG_CONFIG ?= pkg-config
PYTHON ?= python3
MSGFMT ?= msgfmt
XGETTEXT ?= xgettext
PKGS = glib-2.0 gthread-2.0 libcurl yajl jansson libxml-2.0 sqlite3 zlib libisal geonames libzip

ifneq ($(SANITIZE),)
BUILDDIR ?= build-san
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILDDIR ?= build
SAN_FLAGS =
endif

WARNINGS = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wwrite-strings -Wno-overlength-strings
ifeq ($(DEVELOPER),1)
WARNINGS += -Werror
endif

# Recursive (=) on purpose: pkg-config runs only when something is compiled,
# after `deps` had its chance to install what is missing.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm -lpthread
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 $(WARNINGS) $(CFLAGS) $(SAN_FLAGS) \
    -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 -DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_74 \
    -DCOPUB_VERSION='"$(VERSION)"' -Iinclude -Isrc $(PKG_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

# The library's modules, one directory a stage of the pipeline (doc/architecture.md).
LIB_SRCS := $(sort $(wildcard src/*/*.c))
LIB_SRCS := $(filter-out src/cli/%,$(LIB_SRCS))
CLI_SRCS := $(sort $(wildcard src/cli/*.c))
TEST_SRCS := $(sort $(wildcard tests/test-*.c))
TESTLIB_OBJ := $(BUILDDIR)/tests/testlib.o
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz-*.c))

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILDDIR)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILDDIR)/%.o)
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILDDIR)/tests/%)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILDDIR)/tests/fuzz/%)
LIBCOPUB := $(BUILDDIR)/libcopub.a
COPUB := $(BUILDDIR)/copub

# The outputs' translations: po/LANG.po compiled into BUILDDIR/locale, where a copub
# built here finds them (src/base/datadir.c), installed into DATADIR/locale.
LINGUAS := $(shell cat po/LINGUAS)
MO_FILES := $(LINGUAS:%=$(BUILDDIR)/locale/%/LC_MESSAGES/copub.mo)

FORCE:
.PHONY: FORCE all fuzz deps check check-run demo demo-run install uninstall clean bench accuracy bench-affil pot
.DEFAULT_GOAL := all

MANPAGE := $(BUILDDIR)/copub.1

all: $(COPUB) $(MANPAGE) $(MO_FILES)

$(BUILDDIR)/locale/%/LC_MESSAGES/copub.mo: po/%.po
	@mkdir -p $(dir $@)
	$(MSGFMT) --check -o $@ $<

# po/copub.pot, the English texts to translate, from the files po/POTFILES lists.
pot:
	$(XGETTEXT) --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
	    --add-comments=TRANSLATORS: --package-name=copub --package-version=$(VERSION) \
	    --files-from=po/POTFILES -o po/copub.pot

# The man page is generated from the binary's own --help texts, so it cannot drift.
$(MANPAGE): $(COPUB) scripts/make-manpage
	$(PYTHON) scripts/make-manpage $(COPUB) $@

$(BUILDDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Where copub finds its data, compiled into one object only. BUILDDIR/COPUB-PATHS holds
# the flags and is rewritten only when they change (git's GIT-PREFIX): a new PREFIX or
# DATADIR rebuilds src/base/datadir.o and relinks, nothing else.
PATH_FLAGS = -DCOPUB_DATADIR='"$(DATADIR)/copub"' \
    -DCOPUB_BIN_TO_DATADIR='"$(shell realpath -m --relative-to='$(BINDIR)' '$(DATADIR)/copub')"' \
    -DCOPUB_BUILD_DIR='"$(abspath $(BUILDDIR))"' -DCOPUB_SOURCE_DATADIR='"$(abspath data)"'
$(BUILDDIR)/COPUB-PATHS: FORCE
	@mkdir -p $(dir $@)
	@echo '$(subst ','\'',$(PATH_FLAGS))' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; echo "    * new data paths"; fi

$(BUILDDIR)/src/base/datadir.o: src/base/datadir.c $(BUILDDIR)/COPUB-PATHS
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PATH_FLAGS) -MMD -MP -c -o $@ $<

$(LIBCOPUB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(COPUB): $(CLI_OBJS) $(LIBCOPUB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(LIBCOPUB) $(PKG_LIBS)

# Every unit test links tests/testlib.c, the helpers they share (fixture store, test server).
# Named as a target so that make keeps it (an intermediate file would be deleted).
$(TESTLIB_OBJ): tests/testlib.c
$(BUILDDIR)/tests/%: tests/%.c $(TESTLIB_OBJ) $(LIBCOPUB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(TESTLIB_OBJ) $(LIBCOPUB) $(PKG_LIBS)

# test-cli-exit tests a piece of the CLI (src/cli/exit.c, the exit statuses): it links it.
$(BUILDDIR)/tests/test-cli-exit: tests/test-cli-exit.c $(TESTLIB_OBJ) $(BUILDDIR)/src/cli/exit.o \
    $(LIBCOPUB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(TESTLIB_OBJ) $(BUILDDIR)/src/cli/exit.o \
	    $(LIBCOPUB) $(PKG_LIBS)

$(BUILDDIR)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/standalone-driver.c $(LIBCOPUB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< tests/fuzz/standalone-driver.c \
	    $(LIBCOPUB) $(PKG_LIBS)

# libFuzzer builds of the fuzz targets (make fuzz CC=clang), into BUILDDIR/libfuzzer/:
# the library with ASan/UBSan and coverage, each target linked with -fsanitize=fuzzer.
# Run one as build-fuzz/libfuzzer/fuzz-openalex fixtures/fuzz/openalex -max_total_time=60.
FUZZER_FLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
fuzz:
	$(MAKE) --no-print-directory BUILDDIR=build-fuzz CFLAGS='-O1 -g $(FUZZER_FLAGS)' \
	    build-fuzz/libcopub.a
	@mkdir -p build-fuzz/libfuzzer
	@for t in $(FUZZ_SRCS); do \
	    n=$$(basename $$t .c); echo "  FUZZ $$n"; \
	    $(CC) $(ALL_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined -o build-fuzz/libfuzzer/$$n \
	        $$t build-fuzz/libcopub.a $(PKG_LIBS) || exit 1; \
	done

# Install the missing Debian packages only when something is missing.
deps:
	@if ! command -v $(PKG_CONFIG) >/dev/null 2>&1 || ! $(PKG_CONFIG) --exists $(PKGS) \
	    || ! command -v $(PYTHON) >/dev/null 2>&1 || ! command -v gnuplot >/dev/null 2>&1 \
	    || ! command -v $(MSGFMT) >/dev/null 2>&1 \
	    || ! command -v chromium >/dev/null 2>&1 || ! test -f /usr/share/iso-codes/json/iso_3166-1.json \
	    || ! test -x /usr/sbin/slurmctld || ! test -x /usr/sbin/slurmd || ! test -x /usr/sbin/munged \
	    || ! command -v sbatch >/dev/null 2>&1; then \
	    echo "make: some dependencies are missing; running scripts/install-deps"; \
	    scripts/install-deps; \
	fi

check: deps
	@$(MAKE) --no-print-directory check-run

check-run: $(COPUB) $(MANPAGE) $(MO_FILES) $(TEST_BINS) $(FUZZ_BINS)
	@BUILDDIR=$(BUILDDIR) PYTHON=$(PYTHON) tests/run-tests

demo: deps
	@$(MAKE) --no-print-directory demo-run

demo-run: $(COPUB) $(MO_FILES)
	@BUILDDIR=$(BUILDDIR) PYTHON=$(PYTHON) scripts/demo

bench: $(COPUB)
	BUILDDIR=$(BUILDDIR) $(PYTHON) scripts/bench-import

# The normaliser scored on the dataesr strings and on raw OpenAlex strings labelled with the
# countries of the institutions OpenAlex matched, with and without the shipped registry.
ACCURACY_SETS = --file ../shared/samples/affiliations/dataesr-dev.tsv \
    --file $(BUILDDIR)/openalex-dev.tsv
accuracy: $(COPUB)
	-$(PYTHON) scripts/openalex-devset -o $(BUILDDIR)/openalex-dev.tsv
	BUILDDIR=$(BUILDDIR) $(PYTHON) scripts/accuracy $(ACCURACY_SETS)
	BUILDDIR=$(BUILDDIR) $(PYTHON) scripts/accuracy $(ACCURACY_SETS) --no-registry

bench-affil: $(COPUB)
	BUILDDIR=$(BUILDDIR) $(PYTHON) scripts/bench-affil

install: $(COPUB) $(MANPAGE) $(MO_FILES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/copub
	install -m 755 $(COPUB) $(DESTDIR)$(BINDIR)/copub
	install -m 644 $(MANPAGE) $(DESTDIR)$(MANDIR)/man1/copub.1
	cp -R data/. $(DESTDIR)$(DATADIR)/copub/
	for l in $(LINGUAS); do \
	    install -d $(DESTDIR)$(DATADIR)/locale/$$l/LC_MESSAGES && \
	    install -m 644 $(BUILDDIR)/locale/$$l/LC_MESSAGES/copub.mo \
	        $(DESTDIR)$(DATADIR)/locale/$$l/LC_MESSAGES/copub.mo || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/copub $(DESTDIR)$(MANDIR)/man1/copub.1
	rm -rf $(DESTDIR)$(DATADIR)/copub
	for l in $(LINGUAS); do rm -f $(DESTDIR)$(DATADIR)/locale/$$l/LC_MESSAGES/copub.mo; done

clean:
	rm -rf $(BUILDDIR) out

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(TESTLIB_OBJ:.o=.d) $(TEST_BINS:=.d) $(FUZZ_BINS:=.d)
