/*
 * The call recorder behind `host run settrace`: what every hook does with one event.
 *
 * Per-event cost inside the target is what matters, so the hooks are C (calltrace_hooks.c). Each
 * event becomes a 24-byte record (time, code id, thread slot, depth, kind) in its thread's own
 * buffer (trace_buffers.c); the payload's controller thread drains them in batches and the host
 * does all the formatting. Names are sent once per code object: the first time a code object (or
 * exception type) is seen, the payload's on_object(obj, id) decides whether the filters accept it,
 * and rejected code is disabled for good (sys.monitoring.DISABLE) or skipped. The start and stop of
 * a session live in calltrace_control.c.
 *
 * Nothing here relies on the GIL: on a free-threaded build every traced thread runs its hooks at
 * the same time. Buffers are per thread, ids are looked up without a lock (trace_ids.c), the few
 * shared counters are atomic, and there each hook says when it is inside (trace_buffers_enter),
 * so that the session's end waits for the last one before it releases what the hooks use.
 * A hook never lets an error escape into the traced code: failures count as "filtered out".
 */
#define _GNU_SOURCE
#include "calltrace.h"

#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "calltrace_state.h"
#include "trace_ids.h"

struct calltrace calltrace = {.wake_write = -1, .wake_read = -1};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void calltrace_exclude_this_thread(void)
{
    struct trace_thread *self = trace_buffers_thread();
    self->generation = atomic_load(&calltrace.generation);
    self->status = -1;
}

int calltrace_running(void)
{
    return atomic_load_explicit(&calltrace.active, memory_order_seq_cst) && !atomic_load_explicit(&calltrace.forked, memory_order_relaxed);
}

/*
 * Calls the payload's callable(object, number), or callable(number) without an object:
 * 1 for a true answer, 0 for false, -1 for None (not decided yet). An error counts as false and
 * is cleared: it must never reach the traced code.
 */
static int ask_payload(PyObject *callable, PyObject *object, long long number)
{
    const struct host_api *api = calltrace.api;
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

/* The id of a code object or exception type (> 0 accepted, -1 rejected), asking the payload the first time. */
static int32_t object_id(PyObject *key)
{
    int32_t id;
    if (trace_ids_find(key, &id))
        return id;
    int32_t candidate = atomic_fetch_add(&calltrace.next_id, 1) + 1;
    int accepted = ask_payload(calltrace.on_object, key, candidate) == 1;
    if (!calltrace_running())
        return -1;
    /* Another thread may have asked about the same object meanwhile: the first answer stored wins. */
    id = trace_ids_add(calltrace.api, key, accepted ? candidate : -1);
    return id == 0 ? -1 : id;
}

/* This thread's state, or NULL when it is not traced. */
static struct trace_thread *current_thread(struct trace_thread *thread)
{
    unsigned generation = atomic_load_explicit(&calltrace.generation, memory_order_acquire);
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
        int slot = atomic_fetch_add(&calltrace.next_slot, 1) + 1;
        if (slot >= UINT16_MAX) {
            thread->status = -1;
            return NULL;
        }
        thread->slot = (uint16_t)slot;
        thread->status = 2;
    }
    int answer = ask_payload(calltrace.on_thread, NULL, thread->slot);
    int status = answer == -1 ? 2 : answer == 1 ? 1 : -1;
    if (!calltrace_running() || thread->generation != atomic_load_explicit(&calltrace.generation, memory_order_acquire))
        return NULL;
    thread->status = status;
    return status == 1 ? thread : NULL;
}

void calltrace_wake(void)
{
    int fd = atomic_load_explicit(&calltrace.wake_write, memory_order_relaxed);
    if (fd < 0 || atomic_exchange(&calltrace.woken, 1))
        return;
    ssize_t ignored = write(fd, "w", 1);
    (void)ignored;
}

static void append(struct ring *ring, const struct record *record)
{
    const struct host_api *api = calltrace.api;
    while (!trace_buffers_append(ring, record, calltrace_wake)) {
        if (!calltrace.lossless) {
            trace_buffers_count(ring, 1, 0);
            return;
        }
        /* --lossless: this thread waits, without the GIL, for the controller to drain. */
        calltrace_wake();
        void *saved = api->PyEval_SaveThread();
        struct timespec pause_for = {0, 200000};
        nanosleep(&pause_for, NULL);
        api->PyEval_RestoreThread(saved);
        if (!calltrace_running())
            return;
    }
}

/* Records one event; returns 1 when the code object is filtered out (and may be disabled). */
static int record_event(struct trace_thread *self, PyObject *code, int kind, PyObject *exception_type)
{
    struct ring *ring = self->ring;
    struct trace_thread *thread = current_thread(self);
    if (thread == NULL)
        return 0;
    int32_t id = object_id(code);
    if (id < 0)
        return calltrace_running();
    int depth;
    if (kind == KIND_CALL)
        depth = thread->depth++;
    else if (kind == KIND_EXCEPTION)
        depth = thread->depth;
    else
        depth = thread->depth > 0 ? --thread->depth : 0;
    if (!(calltrace.kinds & (1u << kind)))
        return 0;
    if (calltrace.max_depth >= 0 && depth > calltrace.max_depth) {
        trace_buffers_count(ring, 0, 1);
        return 0;
    }
    struct record record = {
        .time_ns = now_ns(), .code = (uint32_t)id, .depth = (uint32_t)depth,
        .thread = thread->slot, .kind = (uint8_t)kind,
    };
    if (kind == KIND_EXCEPTION && exception_type != NULL) {
        int32_t type_id = object_id(exception_type);
        record.extra = type_id > 0 ? (uint32_t)type_id : 0;
        if (!calltrace_running())
            return 0;
    }
    append(ring, &record);
    return 0;
}

/*
 * Every hook enters here. Without a GIL it says it is inside (so the session's end waits for it)
 * before it looks at anything the session owns; with one, the session cannot end while it runs
 * (the controller needs the GIL), and what may change while a hook runs Python code is checked
 * again after. It records the event if a session is running.
 */
int calltrace_event(PyObject *code, int kind, PyObject *exception_type, int *running)
{
    struct trace_thread *self = trace_buffers_thread();
    *running = 0;
    if (self->ring == NULL)
        return 0;
    int concurrent = calltrace.concurrent;
    if (concurrent)
        trace_buffers_enter(self->ring, 1);
    int filtered = 0;
    if (calltrace_running()) {
        *running = 1;
        filtered = record_event(self, code, kind, exception_type);
    }
    if (concurrent)
        trace_buffers_enter(self->ring, 0);
    return filtered;
}
