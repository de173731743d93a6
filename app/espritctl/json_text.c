/* SPDX-License-Identifier: BSD-3-Clause */
#include "json_text.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/* A recursive-descent walk that validates first (dry run) and prints on a
 * second pass, so malformed input prints nothing. */
struct jt {
	const char *p;
	FILE *f;	/* NULL during the dry run */
	int depth;
};

static void ws(struct jt *j)
{
	while (isspace((unsigned char)*j->p))
		j->p++;
}

static void out(struct jt *j, const char *s, size_t n)
{
	if (j->f)
		fwrite(s, 1, n, j->f);
}

static void indent(struct jt *j)
{
	for (int i = 0; i < j->depth && j->f; i++)
		fputs("  ", j->f);
}

static int string(struct jt *j, bool print)
{
	const char *s = ++j->p;

	while (*j->p && *j->p != '"') {
		if (*j->p == '\\' && j->p[1])
			j->p++;
		j->p++;
	}
	if (*j->p != '"')
		return -1;
	if (print)
		out(j, s, (size_t)(j->p - s));
	j->p++;
	return 0;
}

static int value(struct jt *j);

static bool scalar_next(struct jt *j)
{
	ws(j);
	return *j->p != '{' && *j->p != '[';
}

static int object(struct jt *j)
{
	j->p++;
	ws(j);
	if (*j->p == '}') {
		j->p++;
		out(j, " {}\n", 4);
		return 0;
	}
	if (j->depth > 0)	/* nested: keys start on the next line */
		out(j, "\n", 1);
	for (;;) {
		ws(j);
		if (*j->p != '"')
			return -1;
		indent(j);
		if (string(j, true) < 0)
			return -1;
		ws(j);
		if (*j->p++ != ':')
			return -1;
		out(j, ":", 1);
		if (scalar_next(j))
			out(j, " ", 1);
		j->depth++;
		if (value(j) < 0)
			return -1;
		j->depth--;
		ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p++ != '}')
			return -1;
		return 0;
	}
}

static int array(struct jt *j)
{
	j->p++;
	ws(j);
	if (*j->p == ']') {
		j->p++;
		out(j, " []\n", 4);
		return 0;
	}
	out(j, "\n", 1);
	for (;;) {
		indent(j);
		out(j, "-", 1);
		if (scalar_next(j))
			out(j, " ", 1);
		j->depth++;
		if (value(j) < 0)
			return -1;
		j->depth--;
		ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p++ != ']')
			return -1;
		return 0;
	}
}

static int value(struct jt *j)
{
	const char *s;

	ws(j);
	if (*j->p == '{')
		return object(j);
	if (*j->p == '[')
		return array(j);
	if (*j->p == '"') {
		if (string(j, true) < 0)
			return -1;
		out(j, "\n", 1);
		return 0;
	}
	s = j->p;
	while (*j->p && (isalnum((unsigned char)*j->p) || strchr("+-.", *j->p)))
		j->p++;
	if (j->p == s)
		return -1;
	out(j, s, (size_t)(j->p - s));
	out(j, "\n", 1);
	return 0;
}

int json_text_print(const char *json, FILE *f)
{
	struct jt dry = { json, NULL, 0 }, real = { json, f, 0 };

	if (value(&dry) < 0)
		return -1;
	ws(&dry);
	if (*dry.p != '\0')
		return -1;
	return value(&real);
}
