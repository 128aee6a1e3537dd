/*
 * Every thread's Python stack, taken while the world is stopped, for free-threaded builds.
 *
 * With a GIL, a payload that holds it can walk any thread's frames (sys._current_frames, f_back):
 * no other thread moves. Without one, the other threads keep pushing and popping frames while we
 * walk, and making a frame object for another thread's live frame (what f_back does) writes into
 * that frame as its thread pops it: both sides can crash. So here the frames are read while every
 * other thread is paused at a safe point (world_stop.c), straight from the interpreter's
 * structures (debug_offsets.c), taking a reference to what the payload will need afterwards (each
 * frame's code object, globals and, when asked, local values). No frame object is made and nothing
 * is allocated then; the result is built once the world runs again, from references we own.
 */
#define _GNU_SOURCE
#include "frame_snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "debug_offsets.h"
#include "world_stop.h"

#define MAX_THREADS 1024
#define MAX_FRAMES 16384
#define MAX_DEPTH 1024
#define MAX_VALUES (1 << 18)
#define MAX_LOCALS 4096
#define FRAME_OWNED_BY_INTERPRETER 3 /* and above: entry frames of the C stack, not Python code */

struct frame_copy {
    PyObject *code, *globals, *names, *kinds;
    int line;
    size_t first_value, value_count;
};

struct thread_copy {
    unsigned long long ident, native_id;
    size_t first_frame, frame_count;
};

struct capture {
    const struct host_api *api;
    const struct host_layout *at;
    int with_locals, only_one;
    unsigned long long only;
    PyObject *unbound; /* stands for a local without a value */
    struct thread_copy threads[MAX_THREADS];
    size_t thread_count;
    struct frame_copy *frames;
    size_t frame_count;
    PyObject **values;
    size_t value_count;
};

static uintptr_t word(const void *base, uint64_t offset)
{
    uintptr_t value;
    memcpy(&value, (const char *)base + offset, sizeof value);
    return value;
}

static int is_a(const struct capture *c, PyObject *object, PyObject *type)
{
    return object != NULL && type != NULL && (PyObject *)word(object, c->at->object_type) == type;
}

/* A reference to an object (or NULL) held by the copy. */
static PyObject *hold(const struct capture *c, PyObject *object)
{
    if (object != NULL)
        c->api->Py_IncRef(object);
    return object;
}

static void copy_locals(struct capture *c, struct frame_copy *frame, const char *interpreter_frame)
{
    const struct host_layout *at = c->at;
    PyObject *names = (PyObject *)word(frame->code, at->code_localsplusnames);
    PyObject *kinds = (PyObject *)word(frame->code, at->code_localspluskinds);
    if (!is_a(c, names, c->api->PyTuple_Type) || !is_a(c, kinds, c->api->PyBytes_Type))
        return;
    size_t count = (size_t)word(names, at->tuple_size);
    if (count > MAX_LOCALS || c->value_count + count > MAX_VALUES)
        return;
    frame->names = hold(c, names);
    frame->kinds = hold(c, kinds);
    frame->first_value = c->value_count;
    frame->value_count = count;
    for (size_t i = 0; i < count; i++) {
        uintptr_t reference = word(interpreter_frame, at->frame_localsplus + i * sizeof(uintptr_t));
        /* A stack reference: its low bits are tags; both set is a tagged integer, not an object. */
        PyObject *value = (reference & 3) == 3 ? NULL : (PyObject *)(reference & ~(uintptr_t)3);
        c->values[c->value_count++] = hold(c, value != NULL ? value : c->unbound);
    }
}

static void copy_thread(struct capture *c, void *tstate)
{
    const struct host_layout *at = c->at;
    struct thread_copy *thread = &c->threads[c->thread_count++];
    thread->ident = (unsigned long long)word(tstate, at->thread_id);
    thread->native_id = (unsigned long long)word(tstate, at->thread_native_id);
    thread->first_frame = c->frame_count;
    thread->frame_count = 0;
    const char *frame = (const char *)word(tstate, at->thread_current_frame);
    for (int depth = 0; frame != NULL && depth < MAX_DEPTH && c->frame_count < MAX_FRAMES; depth++, frame = (const char *)word(frame, at->frame_previous)) {
        if ((unsigned char)frame[at->frame_owner] >= FRAME_OWNED_BY_INTERPRETER)
            continue;
        PyObject *code = (PyObject *)(word(frame, at->frame_executable) & ~(uintptr_t)3);
        if (!is_a(c, code, c->api->PyCode_Type))
            continue;
        struct frame_copy *copy = &c->frames[c->frame_count++];
        memset(copy, 0, sizeof *copy);
        copy->code = hold(c, code);
        copy->line = c->api->PyUnstable_InterpreterFrame_GetLine((void *)frame);
        PyObject *globals = (PyObject *)word(frame, at->frame_globals);
        copy->globals = is_a(c, globals, c->api->PyDict_Type) ? hold(c, globals) : NULL;
        if (c->with_locals)
            copy_locals(c, copy, frame);
        thread->frame_count++;
    }
}

/* Runs with the world stopped: reads, and takes references, nothing else. */
static void capture_all(void *data)
{
    struct capture *c = data;
    void *interpreter = c->api->PyInterpreterState_Get();
    for (void *tstate = c->api->PyInterpreterState_ThreadHead(interpreter); tstate && c->thread_count < MAX_THREADS;
         tstate = c->api->PyThreadState_Next(tstate)) {
        if (!c->only_one || (unsigned long long)word(tstate, c->at->thread_id) == c->only)
            copy_thread(c, tstate);
    }
}

/* Gives a reference we hold to a tuple slot (None for NULL). */
static void give(const struct host_api *api, PyObject *tuple, ptrdiff_t index, PyObject *held)
{
    api->PyTuple_SetItem(tuple, index, held != NULL ? held : HOST_NONE_NEW(api));
}

static PyObject *frame_tuple(const struct capture *c, const struct frame_copy *frame)
{
    const struct host_api *api = c->api;
    PyObject *values = NULL;
    if (frame->names != NULL) {
        values = api->PyTuple_New((ptrdiff_t)frame->value_count);
        for (size_t i = 0; i < frame->value_count; i++) {
            PyObject *value = c->values[frame->first_value + i];
            if (values != NULL)
                give(api, values, (ptrdiff_t)i, value);
            else if (value != NULL)
                api->Py_DecRef(value);
        }
    }
    PyObject *line = api->PyLong_FromLongLong(frame->line);
    PyObject *items[] = {frame->code, line, frame->globals, frame->names, frame->kinds, values};
    PyObject *tuple = api->PyTuple_New(6);
    for (ptrdiff_t i = 0; i < 6; i++) {
        if (tuple != NULL)
            give(api, tuple, i, items[i]);
        else if (items[i] != NULL)
            api->Py_DecRef(items[i]);
    }
    return tuple;
}

static PyObject *thread_tuple(const struct capture *c, const struct thread_copy *thread)
{
    const struct host_api *api = c->api;
    PyObject *frames = api->PyList_New(0);
    for (size_t i = 0; i < thread->frame_count; i++) {
        PyObject *frame = frame_tuple(c, &c->frames[thread->first_frame + i]);
        if (frame != NULL && frames != NULL)
            api->PyList_Append(frames, frame);
        if (frame != NULL)
            api->Py_DecRef(frame);
    }
    PyObject *tuple = api->PyTuple_New(3);
    if (tuple == NULL) {
        if (frames != NULL)
            api->Py_DecRef(frames);
        return NULL;
    }
    give(api, tuple, 0, api->PyLong_FromUnsignedLongLong(thread->ident));
    give(api, tuple, 1, api->PyLong_FromUnsignedLongLong(thread->native_id));
    give(api, tuple, 2, frames);
    return tuple;
}

/*
 * snapshot_threads(ident, with_locals, unbound) -> [(ident, native_id, [(code, line, globals, names,
 * kinds, values), ...innermost first]), ...] for every thread (or the one whose ident is given), or
 * None where this interpreter's layout is unknown. names, kinds and values are None without locals:
 * values are the frame's fast locals, cells and free variables, in the order of names (the code's
 * localsplus names), `unbound` for one without a value; kinds is their kind byte each
 * (co_localspluskinds).
 */
static PyObject *snapshot_threads(PyObject *self, PyObject *args)
{
    (void)self;
    const struct host_api *api = host_api();
    PyObject *wanted, *unbound;
    int with_locals;
    if (!api->PyArg_ParseTuple(args, "OiO", &wanted, &with_locals, &unbound))
        return NULL;
    const struct host_layout *at = host_layout(api);
    if (at == NULL || api->PyUnstable_InterpreterFrame_GetLine == NULL || api->PyInterpreterState_Get == NULL
        || api->PyTuple_New == NULL || api->PyList_New == NULL || api->PyCode_Type == NULL)
        return HOST_NONE_NEW(api);
    struct capture *c = calloc(1, sizeof *c);
    if (c == NULL)
        return HOST_NONE_NEW(api);
    c->api = api;
    c->at = at;
    c->with_locals = with_locals;
    c->unbound = unbound;
    c->only_one = wanted != api->none;
    c->only = 0;
    if (c->only_one && !api->PyArg_ParseTuple(args, "KiO", &c->only, &with_locals, &unbound)) {
        free(c);
        return NULL;
    }
    c->frames = malloc(MAX_FRAMES * sizeof *c->frames);
    c->values = with_locals ? malloc(MAX_VALUES * sizeof *c->values) : NULL;
    PyObject *result = NULL;
    if (c->frames != NULL && (c->values != NULL || !with_locals) && host_with_world_stopped(api, capture_all, c) == 0) {
        result = api->PyList_New(0);
        for (size_t i = 0; i < c->thread_count; i++) {
            PyObject *thread = thread_tuple(c, &c->threads[i]);
            if (thread != NULL && result != NULL)
                api->PyList_Append(result, thread);
            if (thread != NULL)
                api->Py_DecRef(thread);
        }
    }
    free(c->frames);
    free(c->values);
    free(c);
    return result != NULL ? result : HOST_NONE_NEW(api);
}

static PyMethodDef methods[] = {
    {"snapshot_threads", (void *)snapshot_threads, METH_VARARGS, "snapshot_threads(ident or None, with_locals, unbound)"},
    {NULL, NULL, 0, NULL},
};

PyMethodDef *host_frame_snapshot_methods(void)
{
    return methods;
}
