/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRITCTL_JSON_TEXT_H
#define ESPRITCTL_JSON_TEXT_H
/* Render a JSON document as indented "key: value" text for people.
 * Returns 0, or -1 if the input is not JSON (nothing is printed then). */
#include <stdio.h>

int json_text_print(const char *json, FILE *f);

#endif
