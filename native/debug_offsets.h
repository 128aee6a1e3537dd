/*
 * Where the fields of CPython's own structures are, read from the interpreter itself: 3.13+ put
 * _Py_DebugOffsets at the start of _PyRuntime for debuggers (debug_offsets.c).
 */
#ifndef HOST_DEBUG_OFFSETS_H
#define HOST_DEBUG_OFFSETS_H

#include <stdint.h>

#include "api.h"

struct host_layout {
    int free_threaded;
    /* PyThreadState */
    uint64_t thread_current_frame, thread_id, thread_native_id, thread_eval_breaker, thread_remote_support;
    /* PyInterpreterState */
    uint64_t interp_remote_enabled;
    /* _PyInterpreterFrame */
    uint64_t frame_previous, frame_executable, frame_owner, frame_localsplus, frame_globals;
    /* PyCodeObject */
    uint64_t code_localsplusnames, code_localspluskinds;
    /* PyObject, tuples, bytes */
    uint64_t object_type, tuple_size, bytes_data;
    /* the pending remote debugger call of a thread (PEP 768) */
    uint64_t remote_pending, remote_path, remote_path_size;
};

/* The layout of this interpreter, or NULL where host does not know how to read it (before 3.14,
 * or a version whose table differs from 3.14's): then no world-stopped work is possible. */
const struct host_layout *host_layout(const struct host_api *api);

#endif
