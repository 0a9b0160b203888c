/* fuzz_config.c - libFuzzer harness for the auenrich.conf parser.
 *
 * The input is a configuration file of any bytes, read through a memfd as
 * config_load reads a real file. Whatever it holds, the result is either an
 * error message naming the line or a configuration whose every value is in
 * its documented range. The same bytes split at the first NUL also go to
 * config_set as one key and value, as the command line would pass them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "fuzz_check.h"

static void check_ranges(const struct config *c)
{
	require(c->format == FORMAT_JSON || c->format == FORMAT_AUDIT);
	require(c->output && c->output[0]);
	require(!c->split_dir || c->split_dir[0]);
	require(c->event_timeout >= 1 && c->event_timeout <= 3600);
	require(c->max_events >= 16 && c->max_events <= 1 << 20);
}

static void load_file(const uint8_t *data, size_t size)
{
	char path[64], err[1024];
	struct config c;
	int fd = memfd_create("fuzz.conf", MFD_CLOEXEC);

	require(fd >= 0);
	require(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	config_defaults(&c);
	err[0] = 0;
	if (config_load(&c, path, err, sizeof(err)) == 0)
		check_ranges(&c);
	else
		require(strncmp(err, path, strlen(path)) == 0 &&
			memchr(err, 0, sizeof(err)) != NULL);
	config_free(&c);
	close(fd);
}

static void set_one(const uint8_t *data, size_t size)
{
	char *key = malloc(size + 1), *value, err[256];
	struct config c;

	require(key != NULL);
	memcpy(key, data, size);
	key[size] = 0;
	value = key + strlen(key);
	if (value < key + size)
		value++;
	config_defaults(&c);
	if (config_set(&c, key, value, err, sizeof(err)) == 0)
		check_ranges(&c);
	else
		require(err[0] != 0);
	config_free(&c);
	free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load_file(data, size);
	set_one(data, size);
	return 0;
}
