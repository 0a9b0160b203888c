/* options.c - getopt_long front end. */
#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "build_config.h"

enum { OPT_SPLIT_DIR = 256, OPT_NO_LIVE, OPT_STATS };

void options_usage(FILE *to)
{
	fputs("usage: auenrich [-c FILE] [-f json|audit] [-o DEST] "
	      "[--split-dir DIR] [--no-live] [--stats] [FILE|DIR ...]\n"
	      "Groups Linux audit records into events and writes them enriched.\n"
	      "Without FILE arguments, reads an auditd plugin stream on stdin.\n"
	      "  -c FILE          configuration (see auenrich.conf(5))\n"
	      "  -f json|audit    JSON lines (default) or audit text\n"
	      "  -o DEST          output: - (stdout, default), FILE, syslog,\n"
	      "                   tcp:HOST:PORT, unix:PATH, relp:HOST:PORT or\n"
	      "                   none; several separated by spaces\n"
	      "  --split-dir DIR  one log per container under DIR\n"
	      "  --no-live        never consult /proc or NSS\n"
	      "  --stats          counters as JSON on stderr at exit\n"
	      "  -h, --help       this text;  -V, --version  the version\n",
	      to);
}

enum options_result options_parse(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "split-dir", required_argument, NULL, OPT_SPLIT_DIR },
		{ "no-live", no_argument, NULL, OPT_NO_LIVE },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:f:o:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config_path = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "audit")) {
				fprintf(stderr, "auenrich: -f takes json or "
					"audit, not '%s'\n", optarg);
				return OPTIONS_USAGE_ERROR;
			}
			o->format = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_SPLIT_DIR:
			o->split_dir = optarg;
			break;
		case OPT_NO_LIVE:
			o->no_live = true;
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case 'h':
			options_usage(stdout);
			return OPTIONS_EXIT_OK;
		case 'V':
			puts("auenrich " PACKAGE_VERSION);
			return OPTIONS_EXIT_OK;
		default:
			if (optopt && strchr("cfo", optopt))
				fprintf(stderr, "auenrich: -%c needs a value\n",
					optopt);
			else
				fprintf(stderr, "auenrich: unknown option '%s'\n",
					argv[optind - 1]);
			options_usage(stderr);
			return OPTIONS_USAGE_ERROR;
		}
	}
	o->inputs = argv + optind;
	o->ninputs = (size_t)(argc - optind);
	return OPTIONS_RUN;
}
