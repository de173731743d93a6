/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A pre-scan of the configuration text, before libconfig parses it.
 *
 * libconfig 1.5 (Debian 12) reads a plain integer literal with atoi(): a
 * value beyond 32 bits ("hard_bytes = 10000000000;", "0x100000000") comes
 * out silently truncated. On a security gateway a lifetime that quietly
 * becomes another number is not acceptable, so such literals are rejected
 * here, at their line, with the fix (the L suffix). Hex literals up to
 * 0xffffffff are fine: conf_int_value() reads them back as unsigned.
 *
 * The scanner knows just enough of the syntax: comments (#, //, / * * /),
 * strings, names (which may contain digits), floats, and @include lines,
 * whose files are scanned too.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_int.h"
#include "util/hex.h"

#define INCLUDE_DEPTH_MAX 10
#define TEXT_MAX (1u << 30)

/* The whole file, NUL-terminated; returns its length or -errno. Growing
 * copies are zeroed: the text holds keys. */
int conf_read_text(const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, len = 0, n;
	char *buf = NULL;

	if (f == NULL)
		return -errno;
	for (;;) {
		if (cap - len < 4096) {
			size_t ncap = cap ? 2 * cap : 1 << 16;
			char *nb = ncap <= TEXT_MAX ? malloc(ncap) : NULL;

			if (nb && buf)
				memcpy(nb, buf, len);
			if (buf)
				secure_zero(buf, len);
			free(buf);
			buf = nb;
			cap = ncap;
			if (buf == NULL) {
				fclose(f);
				return -ENOMEM;
			}
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		secure_zero(buf, len);
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[len] = '\0';
	*out = buf;
	return (int)(len > INT_MAX ? INT_MAX : len);
}

static const char *skip_string(const char *p, int *line)
{
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		if (*p == '\n')
			(*line)++;
	}
	return *p ? p + 1 : p;
}

static const char *skip_comment(const char *p, int *line)
{
	if (p[0] == '/' && p[1] == '*') {
		for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
			if (*p == '\n')
				(*line)++;
		return *p ? p + 2 : p;
	}
	return p + strcspn(p, "\n");
}

/* The literal is not quoted: a key mistyped as a bare hex number must not
 * end up in the message. */
static int too_big(struct cctx *x, const char *file, int line, bool hex)
{
	return cerr_at(x, file, line,
		       "%s integer does not fit in 32 bits: give 64-bit values "
		       "the L suffix (%s)", hex ? "a hex" : "an",
		       hex ? "0x100000000L" : "10000000000L");
}

/* A numeric literal at *pp (optionally signed). */
static int number(struct cctx *x, const char **pp, const char *file, int line)
{
	const char *p = *pp, *d;
	bool neg = false, big, hex = false;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		hex = true;
		for (p += 2, d = p; isxdigit((unsigned char)*p); p++)
			;
		while (d < p - 1 && *d == '0')
			d++;
		big = p - d > 8;
	} else {
		for (d = p; isdigit((unsigned char)*p); p++)
			;
		if (*p == '.' || *p == 'e' || *p == 'E') {
			/* a float: libconfig keeps it a double */
			while (isdigit((unsigned char)*p) || *p == '.' ||
			       *p == 'e' || *p == 'E' ||
			       ((*p == '-' || *p == '+') &&
				(p[-1] == 'e' || p[-1] == 'E')))
				p++;
			*pp = p;
			return 0;
		}
		while (d < p - 1 && *d == '0')
			d++;
		big = p - d > 10 ||
		      strtoull(d, NULL, 10) > (neg ? 2147483648ULL : 2147483647ULL);
	}
	if (*p == 'L') {
		while (*p == 'L')
			p++;
		big = false;
	}
	*pp = p;
	return big ? too_big(x, file, line, hex) : 0;
}

static int scan_include(struct cctx *x, const char **pp, const char *incdir,
			int depth)
{
	const char *p = *pp + strlen("@include"), *q;
	char path[CONF_PATH_MAX * 2];
	char *text;
	int r;

	p += strspn(p, " \t");
	if (*p != '"')
		return 0;
	q = strchr(p + 1, '"');
	if (q == NULL || q - p - 1 >= CONF_PATH_MAX)
		return 0;
	if (incdir && p[1] != '/')
		snprintf(path, sizeof(path), "%s/%.*s", incdir, (int)(q - p - 1),
			 p + 1);
	else
		snprintf(path, sizeof(path), "%.*s", (int)(q - p - 1), p + 1);
	*pp = q + 1;
	/* An unreadable file or a deep nest is libconfig's to report. */
	if (depth >= INCLUDE_DEPTH_MAX || conf_read_text(path, &text) < 0)
		return 0;
	r = conf_prescan(x, text, path, incdir, depth + 1);
	secure_zero(text, strlen(text));
	free(text);
	return r;
}

int conf_prescan(struct cctx *x, const char *text, const char *file,
		 const char *incdir, int depth)
{
	const char *p = text;
	bool bol = true; /* only blanks since the start of the line */
	int line = 1;

	while (*p) {
		unsigned char c = (unsigned char)*p;

		if (c == '\n') {
			line++;
			bol = true;
			p++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
			p++;
			continue;
		}
		if (bol && strncmp(p, "@include", 8) == 0) {
			if (scan_include(x, &p, incdir, depth) < 0)
				return -1;
		} else if (c == '#' || (c == '/' && (p[1] == '/' || p[1] == '*'))) {
			p = skip_comment(p, &line);
		} else if (c == '"') {
			p = skip_string(p, &line);
		} else if (isalpha(c) || c == '*') {
			while (isalnum((unsigned char)*p) || *p == '-' ||
			       *p == '_' || *p == '*')
				p++;
		} else if (isdigit(c) || ((c == '-' || c == '+') &&
					  isdigit((unsigned char)p[1]))) {
			if (number(x, &p, file, line) < 0)
				return -1;
		} else {
			p++;
		}
		bol = false;
	}
	return 0;
}
