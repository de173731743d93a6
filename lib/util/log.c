/* SPDX-License-Identifier: BSD-3-Clause */
#include "util/log.h"

RTE_LOG_REGISTER(esprit_logtype, esprit, INFO);
