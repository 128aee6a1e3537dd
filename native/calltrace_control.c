/*
 * The call recorder's control, called by the settrace payload's controller thread: start a
 * session, put the C hook on threads (2.7-3.11; 3.12+ registers calltrace.c's sys.monitoring
 * callbacks itself), drain the buffers, count, and stop.
 *
 * stop() releases what the hooks use (the payload's callables, the id table) only once no hook
 * is inside any more: on a free-threaded build a thread may be half-way through one when the
 * session ends. It waits for them without holding the GIL (a thread in a hook may be waiting for
 * it on a build that has one), and if one never leaves, it keeps those references rather than
 * free what a hook may still touch.
 */
#define _GNU_SOURCE
#include "calltrace.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "calltrace_state.h"
#include "trace_ids.h"

#define STOP_WAIT_NS 2000000000ull

static void after_fork_in_child(void)
{
    /* The controller thread does not exist in a forked child: its hooks stand down. */
    atomic_store(&calltrace.forked, 1);
}

static int set_hook(void *tstate, Py_tracefunc function, PyObject *object)
{
    const struct host_api *api = calltrace.api;
    int (*set_for)(void *, Py_tracefunc, PyObject *) = calltrace.mode == MODE_PROFILE ? api->PyEval_SetProfileFor : api->PyEval_SetTraceFor;
    if (set_for != NULL) {
        if (set_for(tstate, function, object) < 0)
            api->PyErr_Clear();
        return 0;
    }
    void *previous = api->PyThreadState_Swap(tstate);
    if (calltrace.mode == MODE_PROFILE)
        api->PyEval_SetProfile(function, object);
    else
        api->PyEval_SetTrace(function, object);
    api->PyThreadState_Swap(previous);
    return 0;
}

/* install() -> number of threads now hooked (every thread but the controller). 2.7-3.11 only. */
static PyObject *install(PyObject *self, PyObject *ignored)
{
    (void)self;
    (void)ignored;
    const struct host_api *api = calltrace.api;
    long hooked = 0;
    if (calltrace_running() && calltrace.mode != MODE_MONITORING) {
        void *interpreter = api->PyInterpreterState_Head();
        for (void *tstate = api->PyInterpreterState_ThreadHead(interpreter); tstate; tstate = api->PyThreadState_Next(tstate))
            if (tstate != calltrace.controller_tstate && set_hook(tstate, calltrace_hook(), calltrace.marker) == 0)
                hooked++;
    }
    return api->PyLong_FromLongLong(hooked);
}

/* uninstall(): removes the hook from every thread. */
static PyObject *uninstall(PyObject *self, PyObject *ignored)
{
    (void)self;
    (void)ignored;
    const struct host_api *api = calltrace.api;
    if (calltrace.mode != MODE_MONITORING && calltrace.mode != 0) {
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
    const struct host_api *api = calltrace.api;
    if (calltrace_running() && calltrace.mode != MODE_MONITORING)
        set_hook(api->PyThreadState_Get(), calltrace_hook(), calltrace.marker);
    return HOST_NONE_NEW(api);
}

/*
 * start(mode, kinds, max_depth, capacity, lossless, on_object, on_thread, marker, disable[, concurrent])
 * -> {"started_ns", "wake_fd"}, or None when another session is already tracing. concurrent: the
 * GIL is off (free-threaded builds), so hooks run while the controller does.
 * kinds is a bit mask of 1 << KIND_*; max_depth < 0 means no limit; capacity is the number of
 * records each thread's buffer holds.
 */
static PyObject *start(PyObject *self, PyObject *args)
{
    (void)self;
    const struct host_api *api = calltrace.api;
    int mode, lossless, concurrent = 1;
    unsigned kinds;
    long max_depth, capacity;
    PyObject *on_object, *on_thread, *marker, *disable;
    if (!api->PyArg_ParseTuple(args, "iIlliOOOO|i", &mode, &kinds, &max_depth, &capacity, &lossless,
                               &on_object, &on_thread, &marker, &disable, &concurrent))
        return NULL;
    if (atomic_load(&calltrace.active) || calltrace.on_object != NULL)
        return HOST_NONE_NEW(api); /* another session, or one whose hooks never all left */
    static int fork_handler_registered; /* only the controller thread gets here */
    if (!fork_handler_registered) {
        pthread_atfork(NULL, NULL, after_fork_in_child);
        fork_handler_registered = 1;
    }
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) < 0)
        return api->PyErr_SetFromErrno(*api->PyExc_OSError);
    unsigned generation = atomic_load(&calltrace.generation) + 1;
    trace_buffers_open((uint32_t)(capacity < 1024 ? 1024 : capacity > (1 << 22) ? (1 << 22) : capacity), (uint8_t)generation);
    calltrace.wake_read = pipe_fds[0];
    atomic_store(&calltrace.wake_write, pipe_fds[1]);
    atomic_store(&calltrace.woken, 0);
    calltrace.mode = mode;
    calltrace.kinds = kinds;
    calltrace.max_depth = max_depth;
    calltrace.lossless = lossless;
    calltrace.concurrent = concurrent;
    calltrace.on_object = on_object;
    calltrace.on_thread = on_thread;
    calltrace.marker = marker;
    calltrace.disable_marker = disable;
    api->Py_IncRef(on_object);
    api->Py_IncRef(on_thread);
    api->Py_IncRef(marker);
    api->Py_IncRef(disable);
    calltrace.controller_tstate = api->PyThreadState_Get();
    atomic_store(&calltrace.next_id, 0);
    atomic_store(&calltrace.next_slot, 0);
    atomic_store(&calltrace.generation, generation);
    atomic_store(&calltrace.forked, 0);
    calltrace_exclude_this_thread();
    atomic_store(&calltrace.active, 1);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    PyObject *time = api->PyLong_FromLongLong((long long)ts.tv_sec * 1000000000ll + ts.tv_nsec);
    PyObject *fd = api->PyLong_FromLongLong(calltrace.wake_read);
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

/* drain() -> the records gathered since the last drain, merged by time, as bytes. */
static PyObject *drain(PyObject *self, PyObject *ignored)
{
    (void)self;
    (void)ignored;
    const struct host_api *api = calltrace.api;
    if (calltrace.wake_read >= 0) {
        char sink[64];
        while (read(calltrace.wake_read, sink, sizeof sink) > 0) {
        }
    }
    atomic_store(&calltrace.woken, 0);
    size_t count = 0;
    struct record *records = trace_buffers_drain(&count);
    PyObject *data = api->PyBytes_FromStringAndSize(records ? (const char *)records : "", (ptrdiff_t)(count * sizeof *records));
    free(records);
    return data;
}

/* stats() -> {"recorded", "dropped", "beyond_depth"} since start. */
static PyObject *stats(PyObject *self, PyObject *ignored)
{
    (void)self;
    (void)ignored;
    const struct host_api *api = calltrace.api;
    unsigned long long values[3];
    trace_buffers_totals(&values[0], &values[1], &values[2]);
    const char *names[] = {"recorded", "dropped", "beyond_depth"};
    PyObject *result = api->PyDict_New();
    for (int i = 0; result && i < 3; i++) {
        PyObject *value = api->PyLong_FromLongLong((long long)values[i]);
        if (value) {
            api->PyDict_SetItemString(result, names[i], value);
            api->Py_DecRef(value);
        }
    }
    return result;
}

/* Waits, without the GIL, until no thread is inside a hook: 1 when none is, 0 after STOP_WAIT_NS. */
static int wait_for_hooks_to_leave(void)
{
    if (!trace_buffers_any_inside())
        return 1;
    const struct host_api *api = calltrace.api;
    void *saved = api->PyEval_SaveThread();
    int left = 0;
    for (unsigned long long waited = 0; waited < STOP_WAIT_NS; waited += 100000) {
        struct timespec pause_for = {0, 100000};
        nanosleep(&pause_for, NULL);
        if (!trace_buffers_any_inside()) {
            left = 1;
            break;
        }
    }
    api->PyEval_RestoreThread(saved);
    return left;
}

/* stop(): the hooks stand down (the payload has removed them first); references are released. */
static PyObject *stop(PyObject *self, PyObject *ignored)
{
    (void)self;
    (void)ignored;
    const struct host_api *api = calltrace.api;
    if (!atomic_load(&calltrace.active))
        return HOST_NONE_NEW(api);
    atomic_store(&calltrace.active, 0);
    atomic_fetch_add(&calltrace.generation, 1);
    int fd = atomic_exchange(&calltrace.wake_write, -1);
    if (!wait_for_hooks_to_leave()) {
        /* A hook is still inside: what it may touch stays allocated (leaked, never freed under it). */
        close(calltrace.wake_read);
        calltrace.wake_read = -1;
        return HOST_NONE_NEW(api);
    }
    trace_ids_clear(api);
    PyObject *held[] = {calltrace.on_object, calltrace.on_thread, calltrace.marker, calltrace.disable_marker};
    calltrace.on_object = calltrace.on_thread = calltrace.marker = calltrace.disable_marker = NULL;
    for (int i = 0; i < 4; i++)
        api->Py_DecRef(held[i]);
    close(calltrace.wake_read);
    close(fd);
    calltrace.wake_read = -1;
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
    {NULL, NULL, 0, NULL},
};

PyMethodDef *host_calltrace_methods(void)
{
    if (calltrace.api == NULL)
        calltrace.api = host_api();
    return methods;
}
