# fuzz.mk - the libFuzzer harnesses, built with clang, ASan and UBSan.
#   make -f tests/fuzz/fuzz.mk SRC=<source tree> OUT=<build dir> [BUILD=<dir
#   holding build_config.h>]
# tests/run-fuzz builds with it and runs each harness for a bounded time;
# `make -C tests fuzz` in a configured tree does both.
SRC ?= ../..
OUT ?= fuzz-build
BUILD ?= $(OUT)
CC = clang
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
CFLAGS = -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter
# The gcc builds are the warning gate; clang warns differently on lib/.
HARNESS_CFLAGS = -Werror
# lib/ holds one folder per stage; headers are included by bare name.
LIB_DIRS = $(patsubst %/,%,$(wildcard $(SRC)/lib/*/))
CPPFLAGS = -D_GNU_SOURCE $(addprefix -I,$(LIB_DIRS)) -I$(BUILD)
LIBS = $(shell pkg-config --libs audit auparse jansson libcap-ng relp 2>/dev/null) -lev -lpthread

HARNESSES = fuzz_record fuzz_assembler fuzz_event_json fuzz_config fuzz_plugin
LIB_SRCS = $(wildcard $(SRC)/lib/*/*.c)
LIB_OBJS = $(patsubst $(SRC)/lib/%.c,$(OUT)/lib/%.o,$(LIB_SRCS))
HEADERS = $(wildcard $(SRC)/lib/*/*.h $(SRC)/tests/fuzz/*.h)

all: $(addprefix $(OUT)/,$(HARNESSES))

$(OUT)/lib/%.o: $(SRC)/lib/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -fsanitize=fuzzer-no-link $(CPPFLAGS) -c -o $@ $<

# An archive, so that a harness links only the modules it uses.
$(OUT)/libfuzzlib.a: $(LIB_OBJS)
	rm -f $@ && ar cr $@ $(LIB_OBJS)

# Plugin mode: the loop of plugin/ as well.
PLUGIN_SRCS = $(SRC)/plugin/live_loop.c
PLUGIN_HEADERS = $(wildcard $(SRC)/plugin/*.h)
$(OUT)/fuzz_plugin: $(SRC)/tests/fuzz/fuzz_plugin.c $(PLUGIN_SRCS) $(OUT)/libfuzzlib.a $(HEADERS) $(PLUGIN_HEADERS)
	$(CC) $(CFLAGS) $(HARNESS_CFLAGS) $(SAN) -fsanitize=fuzzer $(CPPFLAGS) -I$(SRC)/plugin -o $@ $< $(PLUGIN_SRCS) $(OUT)/libfuzzlib.a $(LIBS)

$(OUT)/%: $(SRC)/tests/fuzz/%.c $(OUT)/libfuzzlib.a $(HEADERS)
	$(CC) $(CFLAGS) $(HARNESS_CFLAGS) $(SAN) -fsanitize=fuzzer $(CPPFLAGS) -o $@ $< $(OUT)/libfuzzlib.a $(LIBS)

.PHONY: all
.SECONDARY:
