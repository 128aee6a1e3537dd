/*
 * The CPython functions that the payload helpers use, found with dlsym once. The bootstrap in
 * agent.c keeps its own, smaller table so that starting the agent thread stays minimal.
 */
#ifndef HOST_API_H
#define HOST_API_H

#include "cpython.h"

struct host_api {
    int is_python2;
    int minor; /* 3.<minor> (or 2.<minor>) */
    PyObject *none;
    int (*PyArg_ParseTuple)(PyObject *, const char *, ...);
    PyObject *(*PyCFunction_NewEx)(PyMethodDef *, PyObject *, PyObject *);
    PyObject *(*PyDict_New)(void);
    int (*PyDict_SetItemString)(PyObject *, const char *, PyObject *);
    PyObject *(*PyLong_FromLongLong)(long long);
    PyObject *(*PyBool_FromLong)(long);
    PyObject *(*PyBytes_FromStringAndSize)(const char *, ptrdiff_t);
    int (*PyBytes_AsStringAndSize)(PyObject *, char **, ptrdiff_t *);
    PyObject *(*PyObject_CallFunctionObjArgs)(PyObject *, ...);
    int (*PyObject_IsTrue)(PyObject *);
    PyObject *(*PyObject_Type)(PyObject *);
    PyObject *(*PyTuple_GetItem)(PyObject *, ptrdiff_t);
    PyObject *(*PyErr_Occurred)(void);
    void (*PyErr_Clear)(void);
    PyObject *(*PyErr_SetFromErrno)(PyObject *);
    PyObject **PyExc_OSError;
    void (*Py_IncRef)(PyObject *);
    void (*Py_DecRef)(PyObject *);
    void *(*PyEval_SaveThread)(void);
    void (*PyEval_RestoreThread)(void *);
    int (*Py_IsInitialized)(void);
    int (*Py_IsFinalizing)(void);
    void *(*PyThreadState_Get)(void);
    void *(*PyThreadState_Swap)(void *);
    void *(*PyInterpreterState_Head)(void);
    void *(*PyInterpreterState_ThreadHead)(void *);
    void *(*PyThreadState_Next)(void *);
    void (*PyEval_SetProfile)(Py_tracefunc, PyObject *);
    void (*PyEval_SetTrace)(Py_tracefunc, PyObject *);
    int (*PyEval_SetProfileFor)(void *, Py_tracefunc, PyObject *);
    int (*PyEval_SetTraceFor)(void *, Py_tracefunc, PyObject *);
    PyObject *(*PyFrame_GetCode)(PyObject *);
    PyObject *(*PyThreadState_GetFrame)(void *);
    /* 3.12+ (world-stopped work on free-threaded builds; see world_stop.c, frame_snapshot.c) */
    void (*PyUnstable_GC_VisitObjects)(int (*)(PyObject *, void *), void *);
    int (*PyUnstable_InterpreterFrame_GetLine)(void *);
    void *(*PyInterpreterState_Get)(void);
    PyObject *(*PyTuple_New)(ptrdiff_t);
    int (*PyTuple_SetItem)(PyObject *, ptrdiff_t, PyObject *);
    PyObject *(*PyList_New)(ptrdiff_t);
    int (*PyList_Append)(PyObject *, PyObject *);
    PyObject *(*PyLong_FromUnsignedLongLong)(unsigned long long);
    PyObject *PyCode_Type, *PyDict_Type, *PyTuple_Type, *PyBytes_Type;
};

/* The resolved table, or NULL when a required function is missing. */
const struct host_api *host_api(void);

/*
 * Gives up the GIL around a blocking call and takes it back. If the interpreter started shutting
 * down meanwhile, the thread never returns to Python: it waits for the process to end, because
 * Python 2 would otherwise let it run code on a half torn-down interpreter.
 */
void *host_release_gil(void);
void host_reacquire_gil(void *saved);

#define HOST_NONE_NEW(api) ((api)->Py_IncRef((api)->none), (api)->none)

#endif
