/*
 * The layout of this interpreter's structures, from the _Py_DebugOffsets table CPython keeps at
 * the start of _PyRuntime (3.13+, the same table out-of-process debuggers read). Each entry is an
 * offset; where a section starts in the table changes between minor versions, so only a table
 * whose version is known is used: 3.14's (the sections below were checked against 3.14.7t and
 * 3.14.10). Every value is checked for plausibility before it is trusted.
 */
#define _GNU_SOURCE
#include "debug_offsets.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

/* Positions in the 3.14 table (byte offsets of the u64 entries). */
enum {
    T_VERSION = 8, T_FREE_THREADED = 16,
    T_THREAD = 176,          /* size, prev, next, interp, current_frame, thread_id, native_thread_id, ... */
    T_FRAME = 248,           /* size, previous, executable, instr_ptr, localsplus, owner, ... */
    T_CODE = 312,            /* size, filename, name, qualname, linetable, firstlineno, argcount, localsplusnames, localspluskinds, ... */
    T_OBJECT = 400,          /* size, ob_type */
    T_TUPLE = 448,           /* size, ob_item, ob_size */
    T_BYTES = 592,           /* size, ob_size, ob_sval */
    T_DEBUGGER = 712,        /* eval_breaker, remote_debugger_support, remote_debugging_enabled, pending_call, script_path, script_path_size */
    T_END = 760,
};

static struct host_layout layout;
static int loaded; /* 0 not yet, 1 usable, -1 not */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t entry(const unsigned char *table, int at)
{
    uint64_t value;
    memcpy(&value, table + at, sizeof value);
    return value;
}

static int within(uint64_t offset, uint64_t size)
{
    return offset < size;
}

static int load(void)
{
    const unsigned char *table = dlsym(RTLD_DEFAULT, "_PyRuntime");
    if (table == NULL || memcmp(table, "xdebugpy", 8) != 0)
        return -1;
    uint64_t version = entry(table, T_VERSION);
    if ((version >> 24) != 3 || ((version >> 16) & 0xff) != 14)
        return -1;
    uint64_t thread_size = entry(table, T_THREAD), frame_size = entry(table, T_FRAME);
    uint64_t code_size = entry(table, T_CODE), object_size = entry(table, T_OBJECT);
    if (thread_size < 256 || thread_size > 65536 || frame_size < 64 || frame_size > 1024 || code_size < 128 || object_size < 16)
        return -1;
    layout.free_threaded = entry(table, T_FREE_THREADED) == 1;
    layout.thread_current_frame = entry(table, T_THREAD + 4 * 8);
    layout.thread_id = entry(table, T_THREAD + 5 * 8);
    layout.thread_native_id = entry(table, T_THREAD + 6 * 8);
    layout.frame_previous = entry(table, T_FRAME + 1 * 8);
    layout.frame_executable = entry(table, T_FRAME + 2 * 8);
    layout.frame_localsplus = entry(table, T_FRAME + 4 * 8);
    layout.frame_owner = entry(table, T_FRAME + 5 * 8);
    layout.code_localsplusnames = entry(table, T_CODE + 7 * 8);
    layout.code_localspluskinds = entry(table, T_CODE + 8 * 8);
    layout.object_type = entry(table, T_OBJECT + 1 * 8);
    layout.tuple_size = entry(table, T_TUPLE + 2 * 8);
    layout.bytes_data = entry(table, T_BYTES + 2 * 8);
    layout.thread_eval_breaker = entry(table, T_DEBUGGER);
    layout.thread_remote_support = entry(table, T_DEBUGGER + 1 * 8);
    layout.interp_remote_enabled = entry(table, T_DEBUGGER + 2 * 8);
    layout.remote_pending = entry(table, T_DEBUGGER + 3 * 8);
    layout.remote_path = entry(table, T_DEBUGGER + 4 * 8);
    layout.remote_path_size = entry(table, T_DEBUGGER + 5 * 8);
    /* f_globals is not in the table: in 3.14's _PyInterpreterFrame it follows f_executable,
     * previous and f_funcobj, which the table's previous and instr_ptr entries confirm. */
    if (layout.frame_executable != 0 || layout.frame_previous != 8 || entry(table, T_FRAME + 3 * 8) != 56)
        return -1;
    layout.frame_globals = 24;
    if (!within(layout.thread_current_frame, thread_size) || !within(layout.thread_id, thread_size)
        || !within(layout.thread_native_id, thread_size) || !within(layout.thread_eval_breaker, thread_size)
        || !within(layout.thread_remote_support + layout.remote_path + layout.remote_path_size, thread_size + 1)
        || !within(layout.frame_owner, frame_size) || !within(layout.frame_localsplus, frame_size + 1)
        || !within(layout.code_localsplusnames, code_size) || !within(layout.code_localspluskinds, code_size)
        || layout.remote_path_size < 64 || layout.remote_path_size > 4096)
        return -1;
    return 1;
}

const struct host_layout *host_layout(const struct host_api *api)
{
    (void)api;
    pthread_mutex_lock(&load_lock);
    if (loaded == 0)
        loaded = load();
    pthread_mutex_unlock(&load_lock);
    return loaded == 1 ? &layout : NULL;
}
