# swiglu -- hand-written Makefile. `make help` lists the targets.
#
#   make              library (static + shared) and the `swiglu` CLI, in build/
#   make test         build and run the test suite (ends with "N passed, N failed")
#   make test-exhaustive  every one of the 2^32 float inputs of each activation (minutes)
#   make bench        build the CLI and run `swiglu bench act`
#   make bench-compare    our kernels against PyTorch's, as ratios (needs python3-torch)
#   make debug        -O0 -g with AddressSanitizer + UndefinedBehaviorSanitizer, in build-debug/
#   make test-asan    the test suite on an ASan + UBSan build (-O1), in build-asan/
#   make test-valgrind    the test binaries under valgrind memcheck (slow)
#   make fuzz         libFuzzer targets for every parser, FUZZ_SECONDS=60 each (clang)
#   make install      PREFIX=/usr/local: lib, header, swiglu.pc (+ swiglu-static.pc), the CLI
#   make install-python   the Python package (python/swiglu) into PYTHON_SITE
#   make clean
#
# Knobs: CC=clang, WERROR=1 (CI), NO_OMP=1, O=<build dir>.
# Rules of the tree (docs/DESIGN.md): only src/kernels/<isa>/ and
# src/gemm/<isa>/ (the GEMM micro-kernels) get ISA flags;
# nothing is ever built with fast-math flags (activation code refuses to compile).

CC      ?= gcc
O       ?= build
PREFIX  ?= /usr/local
PYTHON  ?= /usr/bin/python3

OPT     ?= -O2
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(WERROR),1)
WARN    += -Werror
endif
CFLAGS  ?= $(OPT) -g
SAN     ?=
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -fPIC -fvisibility=hidden -Iinclude -Isrc $(WARN) $(CFLAGS) $(SAN)
LDLIBS  := -lm -lpthread $(SAN)
# JSON (safetensors headers, config.json, tokenizer.json): Debian's cJSON
# (libcjson-dev), used by src/io only: linked with the io archive, never into
# libswiglu (nor named by its pkg-config files)
IO_LIBS := -lcjson

# OpenMP: the library's threads (and oneDNN's: Debian builds it on libgomp, so
# we link the same runtime and there is one pool, not two).
ifneq ($(NO_OMP),1)
ALL_CFLAGS += -fopenmp
LDLIBS     += -fopenmp
endif
comma := ,
# The pkg-config files name the OpenMP runtime itself, not -fopenmp: a
# program linking libswiglu.a may be built by another compiler than the
# library, and -fopenmp means libgomp to gcc, libomp to clang. clang's
# libomp lives in its own folder (the rpath its driver adds, read off -###).
ifeq ($(NO_OMP),1)
PC_OMP :=
else ifneq ($(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n 1)),)
OMP_RT_DIR := $(shell $(CC) -fopenmp -xc /dev/null -o /dev/null -\#\#\# 2>&1 | tr ' ' '\n' | grep -A1 '^"-rpath"$$' | tail -n 1 | tr -d '"')
PC_OMP := $(if $(OMP_RT_DIR),-L$(OMP_RT_DIR) -Wl$(comma)-rpath$(comma)$(OMP_RT_DIR)) -lomp
else
PC_OMP := -lgomp
endif

# Per-ISA flags: these and nothing else enable wider instructions.
ISA_avx2   := -mavx2 -mfma
ISA_avx512 := -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma -mavx2
ISA_avx512bf16 := $(ISA_avx512) -mavx512bf16

# Feature probes (printed by `make info`).
# (-include, not a '#include' line: make 4.3 keeps the backslash of '\#' inside $(shell))
HAVE_DNNL := $(shell echo 'int main(void){return 0;}' | $(CC) -x c -include dnnl.h - -o /dev/null -ldnnl 2>/dev/null && echo 1)
ifeq ($(HAVE_DNNL),1)
ALL_CFLAGS += -DSWIGLU_HAVE_DNNL=1
LDLIBS     += -ldnnl
endif

# Open MPI (data-parallel `swiglu train`, the lab under mpirun;
# docs/CLUSTER.md): only tools/comm.c sees mpi.h, only the CLI links libmpi.
# Without mpicc, comm.c builds its one-process fallback.
MPI_CFLAGS := $(shell mpicc --showme:compile 2>/dev/null)
MPI_LIBS   := $(shell mpicc --showme:link 2>/dev/null)
ifneq ($(MPI_LIBS),)
MPI_CFLAGS += -DSWIGLU_HAVE_MPI=1
endif

LIB_SRC   := $(sort $(wildcard src/core/*.c src/kernels/*.c src/kernels/ref/*.c \
               src/kernels/avx2/*.c src/kernels/avx512/*.c src/gemm/*.c \
               src/gemm/avx2/*.c src/gemm/avx512/*.c src/gemm/avx512bf16/*.c src/ffn/*.c))
# Above the library (docs/DESIGN.md), each its own archive, linked into the
# CLI, the tests and the fuzz targets, never into libswiglu: io (file
# parsers), model (the transformer, its trainer and checkpoints) and the lab
# (`swiglu compare`). libswiglu is the public API and nothing else.
IO_SRC    := $(sort $(wildcard src/io/*.c))
MODEL_SRC := $(sort $(wildcard src/model/*.c))
LAB_SRC   := $(sort $(wildcard src/lab/*.c))
TOOL_SRC  := $(sort $(wildcard tools/*.c))
TEST_SRC  := $(sort $(wildcard tests/test_*.c))
TEST_SUPPORT := $(sort $(wildcard tests/support/*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(O)/%.o)
IO_OBJ    := $(IO_SRC:%.c=$(O)/%.o)
MODEL_OBJ := $(MODEL_SRC:%.c=$(O)/%.o)
LAB_OBJ   := $(LAB_SRC:%.c=$(O)/%.o)
TOOL_OBJ  := $(TOOL_SRC:%.c=$(O)/%.o)
TEST_BIN  := $(TEST_SRC:tests/%.c=$(O)/tests/%)
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(O)/%.o)

VERSION_MAJOR := $(shell sed -n 's/^\#define SWIGLU_VERSION_MAJOR \([0-9]*\).*/\1/p' include/swiglu.h)
VERSION   := $(VERSION_MAJOR).$(shell sed -n 's/^\#define SWIGLU_VERSION_MINOR \([0-9]*\).*/\1/p' include/swiglu.h).$(shell sed -n 's/^\#define SWIGLU_VERSION_PATCH \([0-9]*\).*/\1/p' include/swiglu.h)
STATIC    := $(O)/libswiglu.a
SHARED    := $(O)/libswiglu.so
IO        := $(O)/libswiglu_io.a
MODEL     := $(O)/libswiglu_model.a
LAB       := $(O)/libswiglu_lab.a
# what a program above the library links, in link order (each archive uses
# only those after it)
APP_LIBS  := $(LAB) $(MODEL) $(IO) $(STATIC)
LAB_LIBS  := -lcurl
CLI       := $(O)/swiglu

.PHONY: all lib tests-build test test-asan test-valgrind test-exhaustive bench bench-compare debug install install-python uninstall clean info help
.DEFAULT_GOAL := all

all: $(STATIC) $(SHARED) $(CLI)
lib: $(STATIC) $(SHARED)

help:
	@sed -n '2,18p' Makefile | sed 's/^# \{0,1\}//'

info:
	@echo "CC      $(CC) ($(shell $(CC) -dumpversion))"
	@echo "CFLAGS  $(ALL_CFLAGS)"
	@if [ "$(HAVE_DNNL)" = 1 ]; then echo "✓ oneDNN found (libdnnl)"; else echo "✗ oneDNN not found: scripts/deps.sh installs libdnnl-dev"; fi
	@if [ "$(NO_OMP)" = 1 ]; then echo "✗ OpenMP off (NO_OMP=1)"; else echo "✓ OpenMP"; fi
	@if [ -n "$(MPI_LIBS)" ]; then echo "✓ Open MPI (mpicc: $(MPI_LIBS))"; else echo "✗ no mpicc: one-process train and compare; scripts/deps.sh installs libopenmpi-dev"; fi

# --- objects: ISA directories get their flags, everything else plain ---
$(O)/src/kernels/avx2/%.o: src/kernels/avx2/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ISA_avx2) -MMD -MP -c $< -o $@
$(O)/src/kernels/avx512/%.o: src/kernels/avx512/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ISA_avx512) -MMD -MP -c $< -o $@
# our GEMM engine's micro-kernels (src/gemm/gemm_own.h): the same rule
$(O)/src/gemm/avx2/%.o: src/gemm/avx2/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ISA_avx2) -MMD -MP -c $< -o $@
$(O)/src/gemm/avx512/%.o: src/gemm/avx512/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ISA_avx512) -MMD -MP -c $< -o $@
$(O)/src/gemm/avx512bf16/%.o: src/gemm/avx512bf16/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ISA_avx512bf16) -MMD -MP -c $< -o $@
$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(SHARED): $(LIB_OBJ)
	$(CC) -shared -o $@ $^ $(LDLIBS) -Wl,-soname,libswiglu.so.$(VERSION_MAJOR)
$(IO): $(IO_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(MODEL): $(MODEL_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(LAB): $(LAB_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(O)/tools/comm.o: ALL_CFLAGS += $(MPI_CFLAGS)
$(CLI): $(TOOL_OBJ) $(APP_LIBS)
	$(CC) -o $@ $(TOOL_OBJ) $(APP_LIBS) $(LDLIBS) $(IO_LIBS) $(LAB_LIBS) $(MPI_LIBS)

# --- tests: one binary per tests/test_*.c, linked statically with the
# archives above (they may use the internal kernel API), run by scripts/test.sh ---
$(O)/tests/%: tests/%.c $(TEST_SUPPORT_OBJ) $(APP_LIBS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -Itests/support -MMD -MP -o $@ $< $(TEST_SUPPORT_OBJ) $(APP_LIBS) $(LDLIBS) $(IO_LIBS) $(LAB_LIBS)
$(O)/tests/support/%.o: tests/support/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -Itests/support -MMD -MP -c $< -o $@

tests-build: $(TEST_BIN) $(CLI)
test: tests-build
	@O=$(O) bash scripts/run_tests.sh
test-exhaustive: $(O)/tests/test_act_accuracy
	$(O)/tests/test_act_accuracy --exhaustive

bench: $(CLI)
	$(CLI) bench act
bench-compare: $(CLI)
	@O=$(O) PYTHON=$(PYTHON) bash scripts/bench_compare.sh

# (SAN reaches the tests too: those that link the library themselves need it)
ASAN := -fsanitize=address,undefined -fno-sanitize-recover=all
debug:
	$(MAKE) O=build-debug CFLAGS="-O0 -g -fno-omit-frame-pointer" SAN="$(ASAN)" all tests-build
	O=build-debug SAN="$(ASAN)" bash scripts/run_tests.sh
# the whole suite on an ASan + UBSan build (-O1: the numeric tests stay
# fast enough for CI); any report fails its test
test-asan:
	$(MAKE) O=build-asan CFLAGS="-O1 -g -fno-omit-frame-pointer" SAN="$(ASAN)" all tests-build
	O=build-asan SAN="$(ASAN)" bash scripts/run_tests.sh

# every test binary and a few CLI runs under valgrind's memcheck (slow; not in CI)
test-valgrind: tests-build
	O=$(O) bash scripts/valgrind.sh

# --- install (static + shared library, header, pkg-config file, CLI) ---
install: all
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/libswiglu.so.$(VERSION)
	ln -sf libswiglu.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libswiglu.so.$(VERSION_MAJOR)
	ln -sf libswiglu.so.$(VERSION_MAJOR) $(DESTDIR)$(PREFIX)/lib/libswiglu.so
	install -m 644 include/swiglu.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/
	for pc in swiglu swiglu-static; do \
	    sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	        -e 's|@LIBS_PRIVATE@|$(strip $(filter-out -fopenmp,$(LDLIBS)) $(PC_OMP))|' $$pc.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/$$pc.pc || exit 1; \
	done
# --- the Python package (ctypes over libswiglu.so: nothing to compile) ---
# Copies python/swiglu into PYTHON_SITE (default: Debian's site folder for
# PREFIX, /usr/local/lib/python3.X/dist-packages, on /usr/bin/python3's path);
# the package then loads the system's libswiglu.so.0 (make install).
# `pip install ./python` does the same through python/pyproject.toml.
PYTHON_SITE ?= $(PREFIX)/lib/python$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)/dist-packages
install-python:
	install -d $(DESTDIR)$(PYTHON_SITE)/swiglu
	install -m 644 python/swiglu/*.py $(DESTDIR)$(PYTHON_SITE)/swiglu/
uninstall:
	rm -rf $(DESTDIR)$(PYTHON_SITE)/swiglu
	rm -f $(DESTDIR)$(PREFIX)/lib/libswiglu.a $(DESTDIR)$(PREFIX)/lib/libswiglu.so* \
	    $(DESTDIR)$(PREFIX)/include/swiglu.h $(DESTDIR)$(PREFIX)/bin/swiglu \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/swiglu.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/swiglu-static.pc

clean:
	rm -rf build build-debug build-asan build-fuzz build-clang

-include $(shell find $(O) -name '*.d' 2>/dev/null)

# --- fuzzing (clang + libFuzzer; never part of `all`) ---
# `make fuzz FUZZ_SECONDS=N` builds build-fuzz/fuzz_<name> from each
# tests/fuzz/fuzz_<name>.c on a library instrumented with ASan + UBSan and runs
# every target for N seconds (scripts/fuzz.sh: the counts, and a non-zero exit
# on any crash, leak or sanitizer report). One target by hand:
#   build-fuzz/fuzz_llama2c build-fuzz/corpus/llama2c tests/fuzz/corpus_llama2c
# (new inputs go to the first folder; tests/fuzz/corpus_* are the committed seeds)
FUZZ_O       ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(FUZZ_O)/%,$(wildcard tests/fuzz/fuzz_*.c))
# the CLI's objects without main (the CLI target runs its parsers)
CLI_LIB  := $(O)/libswiglu_cli.a
$(CLI_LIB): $(filter-out $(O)/tools/swiglu.o,$(TOOL_OBJ))
	@rm -f $@
	ar rcs $@ $^
.PHONY: fuzz fuzz-build
fuzz-build:
	$(MAKE) O=$(FUZZ_O) CC=clang CFLAGS="-O1 -g -Wno-pass-failed" SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
	    $(FUZZ_O)/libswiglu.a $(FUZZ_O)/libswiglu_io.a $(FUZZ_O)/libswiglu_model.a \
	    $(FUZZ_O)/libswiglu_lab.a $(FUZZ_O)/libswiglu_cli.a
	$(MAKE) $(FUZZ_BIN)
fuzz: fuzz-build
	FUZZ_O=$(FUZZ_O) bash scripts/fuzz.sh $(FUZZ_SECONDS)
FUZZ_LIBS := $(addprefix $(FUZZ_O)/,libswiglu_cli.a libswiglu_lab.a libswiglu_model.a libswiglu_io.a libswiglu.a)
$(FUZZ_O)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(FUZZ_LIBS)
	clang -std=c11 -D_GNU_SOURCE -O1 -g -Iinclude -Isrc -Itools -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< \
	    $(FUZZ_LIBS) \
	    -lm -lpthread $(IO_LIBS) -fopenmp $(LAB_LIBS) $(MPI_LIBS) $(if $(filter 1,$(HAVE_DNNL)),-ldnnl)
