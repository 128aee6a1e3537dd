#ifndef HOST_WORLD_STOP_H
#define HOST_WORLD_STOP_H

#include "api.h"

/*
 * Runs work(arg) once while every other thread of the interpreter is paused at a safe point and
 * the runtime's list of threads is locked (world_stop.c). work must be short and must not
 * allocate or free Python objects, block, or run Python code: it may read the interpreter's
 * structures and take references (Py_IncRef). Returns 0 when work ran, -1 when it could not.
 */
int host_with_world_stopped(const struct host_api *api, void (*work)(void *), void *arg);

#endif
