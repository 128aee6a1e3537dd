/*
 * What the call recorder's hooks (calltrace.c) and its control (calltrace_control.c) share: the
 * running session. Set by start() before any hook is installed and cleared by stop() after the last
 * hook has left; in between, only the atomics change.
 */
#ifndef HOST_CALLTRACE_STATE_H
#define HOST_CALLTRACE_STATE_H

#include <stdatomic.h>
#include <stdint.h>

#include "api.h"
#include "trace_buffers.h"

/* The numbers the payload and the host use too: trace_vocabulary.def has them. */
enum mode {
#define TRACE_MODE(name, number, label) MODE_##name = number,
#include "trace_vocabulary.def"
};
enum kind {
#define TRACE_KIND(name, number, event) KIND_##name = number,
#include "trace_vocabulary.def"
};

struct calltrace {
    const struct host_api *api;
    _Atomic int active;
    _Atomic int forked;
    _Atomic unsigned generation;
    int mode;
    unsigned kinds;
    long max_depth;
    int lossless;
    int concurrent; /* no GIL: hooks run while the controller does (free-threaded builds) */
    PyObject *on_object, *on_thread, *marker, *disable_marker;
    void *controller_tstate;
    _Atomic int32_t next_id;
    _Atomic int next_slot;
    _Atomic int wake_write, woken;
    int wake_read;
};

extern struct calltrace calltrace;

/* A session is running and this is not a forked child. */
int calltrace_running(void);
/* Records one event of the calling thread; 1 when the code object is filtered out. */
int calltrace_event(PyObject *code, int kind, PyObject *exception_type, int *running);
/* The calling thread (the controller) is never traced in the session being started. */
void calltrace_exclude_this_thread(void);
/* Tells the controller a buffer is half full (once until it drains). */
void calltrace_wake(void);
/* The C profile/trace function of 2.7-3.11, and the sys.monitoring callbacks of 3.12+. */
Py_tracefunc calltrace_hook(void);
PyMethodDef *calltrace_hook_methods(void);

#endif
