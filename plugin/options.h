/* options.h - the command line:
 * auenrich [-c FILE] [-f json|audit] [-o DEST] [--split-dir DIR] [--no-live]
 *          [--stats] [FILE|DIR ...] */
#ifndef AUENRICH_OPTIONS_H
#define AUENRICH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct options {
	const char *config_path;   /* -c */
	const char *format;        /* -f, NULL if not given */
	const char *output;        /* -o */
	const char *split_dir;     /* --split-dir */
	bool no_live;
	bool stats;
	char **inputs;             /* FILE|DIR arguments */
	size_t ninputs;
};

enum options_result { OPTIONS_RUN, OPTIONS_EXIT_OK, OPTIONS_USAGE_ERROR };

enum options_result options_parse(struct options *o, int argc, char **argv);
void options_usage(FILE *to);

#endif
