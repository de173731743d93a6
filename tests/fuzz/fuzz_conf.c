/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the configuration loader: any text must give a
 * configuration or one "NAME:LINE: message", never a crash or a leak.
 *
 *   tests/fuzz/build.sh conf    (clang, -fsanitize=fuzzer,address,undefined)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONF_ERR_MAX];
	char *text = malloc(size + 1);
	struct conf *c;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	c = conf_load_string(text, "fuzz.conf", err, sizeof(err));
	if (c == NULL && strncmp(err, "fuzz.conf:", 10) != 0)
		abort(); /* every error names the file and line */
	conf_free(c);
	free(text);
	return 0;
}
