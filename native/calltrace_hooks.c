/*
 * The call recorder's hooks, the entry points the interpreter calls: on 2.7 to 3.11 a C profile
 * or trace function installed on every thread, on 3.12+ sys.monitoring callbacks (METH_FASTCALL
 * functions the payload registers under a tool id of its own). Each hands its event to
 * calltrace_event (calltrace.c) and tells the interpreter what to do next: remove a straggler,
 * or disable a filtered-out location.
 */
#define _GNU_SOURCE
#include "calltrace.h"

#include "calltrace_state.h"

/* ---- 2.7 to 3.11: a C profile or trace function on every thread ---- */

static PyObject *frame_code(PyObject *frame)
{
    const struct host_api *api = calltrace.api;
    if (api->PyFrame_GetCode != NULL) {
        PyObject *code = api->PyFrame_GetCode(frame);
        /* A new reference, but the frame keeps the code alive while we look at it. */
        if (code != NULL)
            api->Py_DecRef(code);
        return code;
    }
    return *(PyObject **)((char *)frame + HOST_FRAME_F_CODE_OFFSET);
}

static int hook(PyObject *object, PyObject *frame, int what, PyObject *arg)
{
    (void)object;
    const struct host_api *api = calltrace.api;
    int running = 1;
    switch (what) {
    case PyTrace_CALL:
        calltrace_event(frame_code(frame), KIND_CALL, NULL, &running);
        break;
    case PyTrace_RETURN:
        calltrace_event(frame_code(frame), arg == NULL ? KIND_UNWIND : KIND_RETURN, NULL, &running);
        break;
    case PyTrace_EXCEPTION:
        calltrace_event(frame_code(frame), KIND_EXCEPTION, arg != NULL ? api->PyTuple_GetItem(arg, 0) : NULL, &running);
        if (api->PyErr_Occurred())
            api->PyErr_Clear();
        break;
    default:
        running = calltrace_running();
        break;
    }
    if (!running) {
        /* A straggler (or a forked child): remove ourselves from this thread. */
        if (calltrace.mode == MODE_PROFILE)
            api->PyEval_SetProfile(NULL, NULL);
        else
            api->PyEval_SetTrace(NULL, NULL);
    }
    return 0;
}

Py_tracefunc calltrace_hook(void)
{
    return hook;
}

/* ---- 3.12+: sys.monitoring callbacks ---- */

static PyObject *monitoring_result(int filtered_out, int running, int can_disable)
{
    const struct host_api *api = calltrace.api;
    if (can_disable && (filtered_out || !running)) {
        api->Py_IncRef(calltrace.disable_marker);
        return calltrace.disable_marker;
    }
    return HOST_NONE_NEW(api);
}

#define MONITORING_CALLBACK(name, kind, can_disable)                                          \
    static PyObject *name(PyObject *self, PyObject *const *args, ptrdiff_t nargs)              \
    {                                                                                          \
        (void)self;                                                                            \
        int running = 0, filtered = 0;                                                         \
        if (nargs >= 2)                                                                        \
            filtered = calltrace_event(args[0], kind, NULL, &running);                         \
        return monitoring_result(filtered, running, can_disable);                             \
    }

MONITORING_CALLBACK(on_py_start, KIND_CALL, 1)
MONITORING_CALLBACK(on_py_return, KIND_RETURN, 1)
MONITORING_CALLBACK(on_py_unwind, KIND_UNWIND, 0)

/* RAISE(code, offset, exception). */
static PyObject *on_raise(PyObject *self, PyObject *const *args, ptrdiff_t nargs)
{
    (void)self;
    const struct host_api *api = calltrace.api;
    int running = 0;
    if (nargs >= 3) {
        /* Not ob_type: that field is not at the same place on every build (free-threaded objects are larger). */
        PyObject *type = api->PyObject_Type(args[2]);
        if (type == NULL)
            api->PyErr_Clear();
        calltrace_event(args[0], KIND_EXCEPTION, type, &running);
        if (type != NULL)
            api->Py_DecRef(type); /* the exception keeps its type alive */
    }
    return monitoring_result(0, running, 0);
}

static PyMethodDef hook_methods[] = {
    {"calltrace_on_py_start", (void *)on_py_start, METH_FASTCALL, NULL},
    {"calltrace_on_py_return", (void *)on_py_return, METH_FASTCALL, NULL},
    {"calltrace_on_py_unwind", (void *)on_py_unwind, METH_FASTCALL, NULL},
    {"calltrace_on_raise", (void *)on_raise, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

PyMethodDef *calltrace_hook_methods(void)
{
    return hook_methods;
}
