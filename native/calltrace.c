/*
 * The call recorder behind `host run settrace`.
 *
 * Per-event cost inside the target is what matters, so the hooks are C: sys.monitoring
 * callbacks (3.12+, METH_FASTCALL functions registered by the payload) or a C profile/trace
 * function installed on every thread (2.7-3.11). A hook appends a 24-byte record (time, code id,
 * thread slot, depth, kind) to a buffer; the payload's controller thread drains it in batches
 * and the host does all the formatting. Names are sent once per code object: the first time a
 * code object (or exception type) is seen, the payload's on_object(obj, id) decides whether the
 * filters accept it, and rejected code is disabled for good (sys.monitoring.DISABLE) or skipped.
 *
 * Everything here runs with the GIL held, so the buffer and the registry need no other lock.
 * A hook never lets an error escape into the traced code: failures count as "filtered out".
 */
#define _GNU_SOURCE
#include "calltrace.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum mode { MODE_MONITORING = 1, MODE_PROFILE = 2, MODE_TRACE = 3 };
enum kind { KIND_CALL = 1, KIND_RETURN = 2, KIND_EXCEPTION = 3, KIND_UNWIND = 4 };

struct record {
    uint64_t time_ns;
    uint32_t code;
    uint32_t extra;
    uint32_t depth;
    uint16_t thread;
    uint8_t kind;
    uint8_t reserved;
};
_Static_assert(sizeof(struct record) == 24, "the host reads 24-byte records");

struct entry {
    PyObject *key;
    int32_t id; /* > 0 accepted, -1 rejected */
};

struct thread_state {
    unsigned generation;
    int status; /* 0 unseen, 1 traced, -1 ignored, 2 waiting for the payload to decide */
    uint16_t slot;
    int depth;
};

static const struct host_api *api;
static int active;
static int forked;
static unsigned generation = 1;
static int mode;
static unsigned kinds;
static long max_depth;
static int lossless;
static PyObject *on_object, *on_thread, *marker, *disable;
static void *controller_tstate;
static struct record *buffer;
static uint32_t capacity, count;
static unsigned long long recorded, dropped, beyond_depth;
static int wake_read = -1, wake_write = -1, woken;
static struct entry *table;
static size_t table_size, table_used;
static int32_t next_id;
static uint16_t next_slot;
static __thread struct thread_state tls;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void after_fork_in_child(void)
{
    /* The controller thread does not exist in a forked child: its hooks stand down. */
    forked = 1;
}

static size_t slot_of(PyObject *key)
{
    return (size_t)(((uintptr_t)key >> 4) * 0x9E3779B97F4A7C15ull) & (table_size - 1);
}

static struct entry *find(PyObject *key)
{
    for (size_t i = slot_of(key);; i = (i + 1) & (table_size - 1))
        if (table[i].key == key || table[i].key == NULL)
            return &table[i];
}

static int grow(void)
{
    struct entry *old = table;
    size_t old_size = table_size;
    size_t size = old_size ? old_size * 2 : 1024;
    struct entry *bigger = calloc(size, sizeof *bigger);
    if (bigger == NULL)
        return -1;
    table = bigger;
    table_size = size;
    for (size_t i = 0; i < old_size; i++)
        if (old[i].key != NULL)
            *find(old[i].key) = old[i];
    free(old);
    return 0;
}

/*
 * Calls the payload's callable(object, number), or callable(number) without an object:
 * 1 for a true answer, 0 for false, -1 for None (not decided yet). An error counts as false and
 * is cleared: it must never reach the traced code.
 */
static int ask_payload(PyObject *callable, PyObject *object, long long number)
{
    PyObject *boxed = api->PyLong_FromLongLong(number);
    PyObject *verdict = NULL;
    if (boxed != NULL)
        verdict = object != NULL ? api->PyObject_CallFunctionObjArgs(callable, object, boxed, NULL)
                                 : api->PyObject_CallFunctionObjArgs(callable, boxed, NULL);
    int answer = verdict == NULL ? 0 : verdict == api->none ? -1 : api->PyObject_IsTrue(verdict) == 1;
    if (verdict != NULL)
        api->Py_DecRef(verdict);
    if (boxed != NULL)
        api->Py_DecRef(boxed);
    if (api->PyErr_Occurred())
        api->PyErr_Clear();
    return answer;
}

/* The id of a code object or exception type, asking the payload the first time. */
static int32_t object_id(PyObject *key)
{
    struct entry *entry = find(key);
    if (entry->key == key)
        return entry->id;
    int32_t candidate = ++next_id;
    int accepted = ask_payload(on_object, key, candidate) == 1;
    if (!active)
        return -1;
    /* The payload ran Python: another thread may have changed the table meanwhile. */
    if ((table_used + 1) * 2 > table_size && grow() < 0)
        return -1;
    entry = find(key);
    if (entry->key == key)
        return entry->id;
    api->Py_IncRef(key);
    entry->key = key;
    entry->id = accepted ? candidate : -1;
    table_used++;
    return entry->id;
}

static void release_table(void)
{
    for (size_t i = 0; i < table_size; i++)
        if (table[i].key != NULL)
            api->Py_DecRef(table[i].key);
    free(table);
    table = NULL;
    table_size = table_used = 0;
}

/* This thread's state, or NULL when it is not traced. */
static struct thread_state *current_thread(void)
{
    struct thread_state *thread = &tls;
    if (thread->generation != generation) {
        thread->generation = generation;
        thread->status = 0;
        thread->depth = 0;
    }
    if (thread->status == 1)
        return thread;
    if (thread->status == -1)
        return NULL;
    if (thread->status == 0) {
        if (next_slot == UINT16_MAX) {
            thread->status = -1;
            return NULL;
        }
        thread->slot = ++next_slot;
        thread->status = 2;
    }
    int answer = ask_payload(on_thread, NULL, thread->slot);
    int status = answer == -1 ? 2 : answer == 1 ? 1 : -1;
    if (!active || thread->generation != generation)
        return NULL;
    thread->status = status;
    return status == 1 ? thread : NULL;
}

static void wake_controller(void)
{
    if (woken || wake_write < 0)
        return;
    woken = 1;
    ssize_t ignored = write(wake_write, "w", 1);
    (void)ignored;
}

static void append(const struct record *record)
{
    while (count >= capacity) {
        if (!lossless) {
            dropped++;
            return;
        }
        /* --lossless: this thread waits, without the GIL, for the controller to drain. */
        wake_controller();
        void *saved = api->PyEval_SaveThread();
        struct timespec pause_for = {0, 200000};
        nanosleep(&pause_for, NULL);
        api->PyEval_RestoreThread(saved);
        if (!active)
            return;
    }
    buffer[count++] = *record;
    recorded++;
    if (count == capacity / 2)
        wake_controller();
}

/* Records one event; returns 1 when the code object is filtered out (and may be disabled). */
static int on_event(PyObject *code, int kind, PyObject *exception_type)
{
    struct thread_state *thread = current_thread();
    if (thread == NULL)
        return 0;
    int32_t id = object_id(code);
    if (id < 0)
        return active;
    int depth;
    if (kind == KIND_CALL)
        depth = thread->depth++;
    else if (kind == KIND_EXCEPTION)
        depth = thread->depth;
    else
        depth = thread->depth > 0 ? --thread->depth : 0;
    if (!(kinds & (1u << kind)))
        return 0;
    if (max_depth >= 0 && depth > max_depth) {
        beyond_depth++;
        return 0;
    }
    struct record record = {
        .time_ns = now_ns(), .code = (uint32_t)id, .depth = (uint32_t)depth,
        .thread = thread->slot, .kind = (uint8_t)kind,
    };
    if (kind == KIND_EXCEPTION && exception_type != NULL) {
        int32_t type_id = object_id(exception_type);
        record.extra = type_id > 0 ? (uint32_t)type_id : 0;
        if (!active)
            return 0;
    }
    append(&record);
    return 0;
}

/* ---- 2.7 to 3.11: a C profile or trace function on every thread ---- */

static PyObject *frame_code(PyObject *frame)
{
    if (api->PyFrame_GetCode != NULL) {
        PyObject *code = api->PyFrame_GetCode(frame);
        /* A new reference, but the frame keeps the code alive while we look at it. */
        if (code != NULL)
            api->Py_DecRef(code);
        return code;
    }
    return *(PyObject **)((char *)frame + HOST_FRAME_F_CODE_OFFSET);
}

static int set_hook(void *tstate, Py_tracefunc function, PyObject *object)
{
    int (*set_for)(void *, Py_tracefunc, PyObject *) = mode == MODE_PROFILE ? api->PyEval_SetProfileFor : api->PyEval_SetTraceFor;
    if (set_for != NULL) {
        if (set_for(tstate, function, object) < 0)
            api->PyErr_Clear();
        return 0;
    }
    void *previous = api->PyThreadState_Swap(tstate);
    if (mode == MODE_PROFILE)
        api->PyEval_SetProfile(function, object);
    else
        api->PyEval_SetTrace(function, object);
    api->PyThreadState_Swap(previous);
    return 0;
}

static int hook(PyObject *object, PyObject *frame, int what, PyObject *arg)
{
    (void)object;
    if (!active || forked) {
        /* A straggler (or a forked child): remove ourselves from this thread. */
        if (mode == MODE_PROFILE)
            api->PyEval_SetProfile(NULL, NULL);
        else
            api->PyEval_SetTrace(NULL, NULL);
        return 0;
    }
    switch (what) {
    case PyTrace_CALL:
        on_event(frame_code(frame), KIND_CALL, NULL);
        break;
    case PyTrace_RETURN:
        on_event(frame_code(frame), arg == NULL ? KIND_UNWIND : KIND_RETURN, NULL);
        break;
    case PyTrace_EXCEPTION:
        on_event(frame_code(frame), KIND_EXCEPTION, arg != NULL ? api->PyTuple_GetItem(arg, 0) : NULL);
        if (api->PyErr_Occurred())
            api->PyErr_Clear();
        break;
    default:
        break;
    }
    return 0;
}

/* install() -> number of threads now hooked (every thread but the controller). */
static PyObject *install(PyObject *self, PyObject *ignored)
{
    (void)self;
    (void)ignored;
    long hooked = 0;
    if (active && mode != MODE_MONITORING) {
        void *interpreter = api->PyInterpreterState_Head();
        for (void *tstate = api->PyInterpreterState_ThreadHead(interpreter); tstate; tstate = api->PyThreadState_Next(tstate))
            if (tstate != controller_tstate && set_hook(tstate, hook, marker) == 0)
                hooked++;
    }
    return api->PyLong_FromLongLong(hooked);
}

/* uninstall(): removes the hook from every thread. */
static PyObject *uninstall(PyObject *self, PyObject *ignored)
{
    (void)self;
    (void)ignored;
    if (mode != MODE_MONITORING && mode != 0) {
        void *interpreter = api->PyInterpreterState_Head();
        for (void *tstate = api->PyInterpreterState_ThreadHead(interpreter); tstate; tstate = api->PyThreadState_Next(tstate))
            set_hook(tstate, NULL, NULL);
    }
    return HOST_NONE_NEW(api);
}

/* install_here(frame, event, arg): given to threading.setprofile/settrace for threads started later. */
static PyObject *install_here(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    if (active && !forked && mode != MODE_MONITORING)
        set_hook(api->PyThreadState_Get(), hook, marker);
    return HOST_NONE_NEW(api);
}

/* ---- 3.12+: sys.monitoring callbacks ---- */

static PyObject *monitoring_result(int filtered_out, int can_disable)
{
    if (can_disable && (filtered_out || !active || forked)) {
        api->Py_IncRef(disable);
        return disable;
    }
    return HOST_NONE_NEW(api);
}

#define MONITORING_CALLBACK(name, kind, can_disable)                                          \
    static PyObject *name(PyObject *self, PyObject *const *args, ptrdiff_t nargs)              \
    {                                                                                          \
        (void)self;                                                                            \
        if (!active || forked || nargs < 2)                                                    \
            return monitoring_result(0, can_disable);                                          \
        PyObject *type = (kind) == KIND_EXCEPTION && nargs > 2 ? args[2]->ob_type : NULL;      \
        return monitoring_result(on_event(args[0], kind, type), can_disable);                  \
    }

MONITORING_CALLBACK(on_py_start, KIND_CALL, 1)
MONITORING_CALLBACK(on_py_return, KIND_RETURN, 1)
MONITORING_CALLBACK(on_py_unwind, KIND_UNWIND, 0)
MONITORING_CALLBACK(on_raise, KIND_EXCEPTION, 0)

/* ---- control, from the payload's controller thread ---- */

/*
 * start(mode, kinds, max_depth, capacity, lossless, on_object, on_thread, marker, disable)
 * -> {"started_ns", "wake_fd"}, or None when another session is already tracing.
 * kinds is a bit mask of 1 << KIND_*; max_depth < 0 means no limit.
 */
static PyObject *start(PyObject *self, PyObject *args)
{
    (void)self;
    int new_mode, new_lossless;
    unsigned new_kinds;
    long new_max_depth, new_capacity;
    PyObject *new_on_object, *new_on_thread, *new_marker, *new_disable;
    if (!api->PyArg_ParseTuple(args, "iIlliOOOO", &new_mode, &new_kinds, &new_max_depth, &new_capacity, &new_lossless,
                               &new_on_object, &new_on_thread, &new_marker, &new_disable))
        return NULL;
    if (active)
        return HOST_NONE_NEW(api);
    static int fork_handler_registered;
    if (!fork_handler_registered) {
        pthread_atfork(NULL, NULL, after_fork_in_child);
        fork_handler_registered = 1;
    }
    if (new_capacity < 1024)
        new_capacity = 1024;
    if ((uint32_t)new_capacity != capacity) {
        free(buffer);
        buffer = malloc((size_t)new_capacity * sizeof *buffer);
        capacity = buffer ? (uint32_t)new_capacity : 0;
    }
    int pipe_fds[2];
    if (buffer == NULL || grow() < 0 || pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) < 0)
        return api->PyErr_SetFromErrno(*api->PyExc_OSError);
    wake_read = pipe_fds[0];
    wake_write = pipe_fds[1];
    woken = 0;
    mode = new_mode;
    kinds = new_kinds;
    max_depth = new_max_depth;
    lossless = new_lossless;
    on_object = new_on_object;
    on_thread = new_on_thread;
    marker = new_marker;
    disable = new_disable;
    api->Py_IncRef(on_object);
    api->Py_IncRef(on_thread);
    api->Py_IncRef(marker);
    api->Py_IncRef(disable);
    controller_tstate = api->PyThreadState_Get();
    count = 0;
    recorded = dropped = beyond_depth = 0;
    next_id = 0;
    next_slot = 0;
    generation++;
    tls.generation = generation;
    tls.status = -1; /* the controller itself is never traced */
    forked = 0;
    active = 1;
    uint64_t started = now_ns();
    PyObject *time = api->PyLong_FromLongLong((long long)started);
    PyObject *fd = api->PyLong_FromLongLong(wake_read);
    PyObject *result = api->PyDict_New();
    if (result && time && fd) {
        api->PyDict_SetItemString(result, "started_ns", time);
        api->PyDict_SetItemString(result, "wake_fd", fd);
    }
    if (time)
        api->Py_DecRef(time);
    if (fd)
        api->Py_DecRef(fd);
    return result;
}

/* drain() -> the records gathered since the last drain, as bytes. */
static PyObject *drain(PyObject *self, PyObject *ignored)
{
    (void)self;
    (void)ignored;
    PyObject *data = api->PyBytes_FromStringAndSize((const char *)buffer, (ptrdiff_t)count * (ptrdiff_t)sizeof *buffer);
    if (data != NULL)
        count = 0;
    if (wake_read >= 0) {
        char sink[64];
        while (read(wake_read, sink, sizeof sink) > 0) {
        }
    }
    woken = 0;
    return data;
}

/* stats() -> {"recorded", "dropped", "beyond_depth"} since start. */
static PyObject *stats(PyObject *self, PyObject *ignored)
{
    (void)self;
    (void)ignored;
    PyObject *result = api->PyDict_New();
    const char *names[] = {"recorded", "dropped", "beyond_depth"};
    unsigned long long values[] = {recorded, dropped, beyond_depth};
    for (int i = 0; result && i < 3; i++) {
        PyObject *value = api->PyLong_FromLongLong((long long)values[i]);
        if (value) {
            api->PyDict_SetItemString(result, names[i], value);
            api->Py_DecRef(value);
        }
    }
    return result;
}

/* stop(): the hooks stand down (the payload has removed them first); references are released. */
static PyObject *stop(PyObject *self, PyObject *ignored)
{
    (void)self;
    (void)ignored;
    if (!active)
        return HOST_NONE_NEW(api);
    active = 0;
    generation++;
    release_table();
    PyObject *held[] = {on_object, on_thread, marker, disable};
    on_object = on_thread = marker = disable = NULL;
    for (int i = 0; i < 4; i++)
        api->Py_DecRef(held[i]);
    close(wake_read);
    close(wake_write);
    wake_read = wake_write = -1;
    return HOST_NONE_NEW(api);
}

static PyMethodDef methods[] = {
    {"calltrace_start", (void *)start, METH_VARARGS, NULL},
    {"calltrace_install", (void *)install, METH_NOARGS, NULL},
    {"calltrace_uninstall", (void *)uninstall, METH_NOARGS, NULL},
    {"calltrace_install_here", (void *)install_here, METH_VARARGS, NULL},
    {"calltrace_drain", (void *)drain, METH_NOARGS, NULL},
    {"calltrace_stats", (void *)stats, METH_NOARGS, NULL},
    {"calltrace_stop", (void *)stop, METH_NOARGS, NULL},
    {"calltrace_on_py_start", (void *)on_py_start, METH_FASTCALL, NULL},
    {"calltrace_on_py_return", (void *)on_py_return, METH_FASTCALL, NULL},
    {"calltrace_on_py_unwind", (void *)on_py_unwind, METH_FASTCALL, NULL},
    {"calltrace_on_raise", (void *)on_raise, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

PyMethodDef *host_calltrace_methods(void)
{
    api = host_api();
    return methods;
}
