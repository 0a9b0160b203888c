/* json_canon.c - test helper: checks that every input line is one JSON value
 * (parsed by jansson) and prints it canonically: keys sorted, compact.
 * Exit 1 (with the line number on stderr) at the first invalid line.
 *   json_canon [--count] [FILE]   --count: print only the number of lines */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	FILE *in = stdin;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int count_only = 0, argi = 1;

	if (argi < argc && strcmp(argv[argi], "--count") == 0) {
		count_only = 1;
		argi++;
	}
	if (argi < argc && !(in = fopen(argv[argi], "r"))) {
		perror(argv[argi]);
		return 2;
	}
	while ((n = getline(&line, &cap, in)) > 0) {
		json_error_t err;
		json_t *v;
		char *out;

		lineno++;
		v = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &err);
		if (!v) {
			fprintf(stderr, "line %zu: invalid JSON: %s (column %d)\n",
				lineno, err.text, err.column);
			return 1;
		}
		if (!count_only) {
			out = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT |
						    JSON_ENSURE_ASCII);
			puts(out);
			free(out);
		}
		json_decref(v);
	}
	if (count_only)
		printf("%zu\n", lineno);
	free(line);
	return 0;
}
