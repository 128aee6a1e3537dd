/*
 * Setting a Python trace function on another thread, for `host run pdb`: sys.settrace only acts
 * on the calling thread, and the thread to debug is not ours. The target thread is found by its
 * current frame (what sys._current_frames() gives the payload), made current for the length of
 * one sys.settrace call, then swapped back. That thread is not running Python meanwhile: we hold
 * the GIL, and it can only be waiting for it or blocked outside the interpreter.
 */
#define _GNU_SOURCE
#include "thread_trace.h"

/* The thread state's current frame; borrowed. Layouts before 3.9 are fixed per version. */
static PyObject *current_frame(const struct host_api *api, void *tstate)
{
    if (api->PyThreadState_GetFrame != NULL) {
        PyObject *frame = api->PyThreadState_GetFrame(tstate);
        if (frame != NULL)
            api->Py_DecRef(frame); /* still referenced by the thread's running frame */
        return frame;
    }
    /* 2.7: next, interp, frame. 3.4 to 3.8: prev, next, interp, frame. */
    size_t words = api->is_python2 ? 2 : 3;
    return ((PyObject **)tstate)[words];
}

/* thread_settrace(frame, settrace, function) -> settrace(function) as the thread running frame, or None if no thread is. */
static PyObject *thread_settrace(PyObject *self, PyObject *args)
{
    (void)self;
    const struct host_api *api = host_api();
    PyObject *frame, *settrace, *function;
    if (!api->PyArg_ParseTuple(args, "OOO", &frame, &settrace, &function))
        return NULL;
    void *interpreter = api->PyInterpreterState_Head();
    for (void *tstate = api->PyInterpreterState_ThreadHead(interpreter); tstate; tstate = api->PyThreadState_Next(tstate)) {
        if (current_frame(api, tstate) != frame)
            continue;
        void *previous = api->PyThreadState_Swap(tstate);
        PyObject *result = api->PyObject_CallFunctionObjArgs(settrace, function, NULL);
        api->PyThreadState_Swap(previous);
        return result;
    }
    return HOST_NONE_NEW(api);
}

static PyMethodDef methods[] = {
    {"thread_settrace", (void *)thread_settrace, METH_VARARGS, "thread_settrace(frame, settrace, function)"},
    {NULL, NULL, 0, NULL},
};

PyMethodDef *host_thread_trace_methods(void)
{
    return methods;
}
