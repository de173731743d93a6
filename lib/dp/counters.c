/* SPDX-License-Identifier: BSD-3-Clause */
#include "dp/counters.h"

const char *const drop_names[DROP_MAX] = {
	"none",
#define X(n, d) #n,
	ESPRIT_DROPS(X)
#undef X
};

const char *const drop_descs[DROP_MAX] = {
	"not dropped",
#define X(n, d) d,
	ESPRIT_DROPS(X)
#undef X
};
