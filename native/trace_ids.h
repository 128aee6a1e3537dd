/*
 * The ids of the code objects and exception types the call recorder has seen (trace_ids.c).
 */
#ifndef HOST_TRACE_IDS_H
#define HOST_TRACE_IDS_H

#include <stdint.h>

#include "api.h"

/* 1 with its id when key is known, 0 when it is not. Takes no lock. */
int trace_ids_find(PyObject *key, int32_t *id);
/* Records key (a new reference is kept) with id, unless another thread did first: the id stored,
 * or 0 when memory ran out (the object then counts as filtered out). */
int32_t trace_ids_add(const struct host_api *api, PyObject *key, int32_t id);
/* Forgets every key (their references are released) and frees the tables. Only when no hook runs. */
void trace_ids_clear(const struct host_api *api);

#endif
