#define _GNU_SOURCE
#include "api.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct host_api api;
static int resolved; /* 0 not yet, 1 usable, -1 missing symbols */
static pthread_mutex_t resolve_lock = PTHREAD_MUTEX_INITIALIZER;

static int finalizing_from_variable(void)
{
    /* 3.6 exports the finalizing thread state as a variable. */
    static void **variable;
    if (variable == NULL)
        variable = dlsym(RTLD_DEFAULT, "_Py_Finalizing");
    return variable != NULL && *variable != NULL;
}

static int resolve(void)
{
#define LOAD(field, name) *(void **)(&api.field) = dlsym(RTLD_DEFAULT, name)
    api.is_python2 = dlsym(RTLD_DEFAULT, "PyString_FromStringAndSize") != NULL;
    api.none = dlsym(RTLD_DEFAULT, "_Py_NoneStruct");
    LOAD(PyArg_ParseTuple, "PyArg_ParseTuple");
    LOAD(PyCFunction_NewEx, "PyCFunction_NewEx");
    LOAD(PyDict_New, "PyDict_New");
    LOAD(PyDict_SetItemString, "PyDict_SetItemString");
    LOAD(PyLong_FromLongLong, "PyLong_FromLongLong");
    LOAD(PyBool_FromLong, "PyBool_FromLong");
    if (api.is_python2) {
        LOAD(PyBytes_FromStringAndSize, "PyString_FromStringAndSize");
        LOAD(PyBytes_AsStringAndSize, "PyString_AsStringAndSize");
    } else {
        LOAD(PyBytes_FromStringAndSize, "PyBytes_FromStringAndSize");
        LOAD(PyBytes_AsStringAndSize, "PyBytes_AsStringAndSize");
    }
    LOAD(PyObject_CallFunctionObjArgs, "PyObject_CallFunctionObjArgs");
    LOAD(PyObject_IsTrue, "PyObject_IsTrue");
    LOAD(PyObject_Type, "PyObject_Type");
    LOAD(PyTuple_GetItem, "PyTuple_GetItem");
    LOAD(PyErr_Occurred, "PyErr_Occurred");
    LOAD(PyErr_Clear, "PyErr_Clear");
    LOAD(PyErr_SetFromErrno, "PyErr_SetFromErrno");
    api.PyExc_OSError = dlsym(RTLD_DEFAULT, "PyExc_OSError");
    LOAD(Py_IncRef, "Py_IncRef");
    LOAD(Py_DecRef, "Py_DecRef");
    LOAD(PyEval_SaveThread, "PyEval_SaveThread");
    LOAD(PyEval_RestoreThread, "PyEval_RestoreThread");
    LOAD(Py_IsInitialized, "Py_IsInitialized");
    LOAD(Py_IsFinalizing, "Py_IsFinalizing");
    if (api.Py_IsFinalizing == NULL)
        LOAD(Py_IsFinalizing, "_Py_IsFinalizing");
    if (api.Py_IsFinalizing == NULL)
        api.Py_IsFinalizing = finalizing_from_variable;
    LOAD(PyThreadState_Get, "PyThreadState_Get");
    LOAD(PyThreadState_Swap, "PyThreadState_Swap");
    LOAD(PyInterpreterState_Head, "PyInterpreterState_Head");
    LOAD(PyInterpreterState_ThreadHead, "PyInterpreterState_ThreadHead");
    LOAD(PyThreadState_Next, "PyThreadState_Next");
    LOAD(PyEval_SetProfile, "PyEval_SetProfile");
    LOAD(PyEval_SetTrace, "PyEval_SetTrace");
    LOAD(PyEval_SetProfileFor, "_PyEval_SetProfile");
    LOAD(PyEval_SetTraceFor, "_PyEval_SetTrace");
    LOAD(PyFrame_GetCode, "PyFrame_GetCode");
    LOAD(PyThreadState_GetFrame, "PyThreadState_GetFrame");
    LOAD(PyUnstable_GC_VisitObjects, "PyUnstable_GC_VisitObjects");
    LOAD(PyUnstable_InterpreterFrame_GetLine, "PyUnstable_InterpreterFrame_GetLine");
    LOAD(PyInterpreterState_Get, "PyInterpreterState_Get");
    LOAD(PyTuple_New, "PyTuple_New");
    LOAD(PyTuple_SetItem, "PyTuple_SetItem");
    LOAD(PyList_New, "PyList_New");
    LOAD(PyList_Append, "PyList_Append");
    LOAD(PyLong_FromUnsignedLongLong, "PyLong_FromUnsignedLongLong");
    api.PyCode_Type = dlsym(RTLD_DEFAULT, "PyCode_Type");
    api.PyDict_Type = dlsym(RTLD_DEFAULT, "PyDict_Type");
    api.PyTuple_Type = dlsym(RTLD_DEFAULT, "PyTuple_Type");
    api.PyBytes_Type = dlsym(RTLD_DEFAULT, "PyBytes_Type");
    const char *(*get_version)(void) = (const char *(*)(void))dlsym(RTLD_DEFAULT, "Py_GetVersion");
    const char *version = get_version ? get_version() : NULL;
    api.minor = version && version[1] == '.' ? atoi(version + 2) : 0;
#undef LOAD
    void **required[] = {
        (void **)&api.none, (void **)&api.PyArg_ParseTuple, (void **)&api.PyCFunction_NewEx,
        (void **)&api.PyDict_New, (void **)&api.PyDict_SetItemString, (void **)&api.PyLong_FromLongLong,
        (void **)&api.PyBool_FromLong, (void **)&api.PyBytes_FromStringAndSize,
        (void **)&api.PyBytes_AsStringAndSize, (void **)&api.PyObject_CallFunctionObjArgs,
        (void **)&api.PyObject_IsTrue, (void **)&api.PyObject_Type, (void **)&api.PyTuple_GetItem, (void **)&api.PyErr_Occurred,
        (void **)&api.PyErr_Clear, (void **)&api.PyErr_SetFromErrno, (void **)&api.PyExc_OSError,
        (void **)&api.Py_IncRef, (void **)&api.Py_DecRef, (void **)&api.PyEval_SaveThread,
        (void **)&api.PyEval_RestoreThread, (void **)&api.Py_IsInitialized, (void **)&api.PyThreadState_Get,
        (void **)&api.PyThreadState_Swap, (void **)&api.PyInterpreterState_Head,
        (void **)&api.PyInterpreterState_ThreadHead, (void **)&api.PyThreadState_Next,
        (void **)&api.PyEval_SetProfile, (void **)&api.PyEval_SetTrace,
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (*required[i] == NULL)
            return -1;
    return 1;
}

const struct host_api *host_api(void)
{
    pthread_mutex_lock(&resolve_lock);
    if (resolved == 0)
        resolved = resolve();
    pthread_mutex_unlock(&resolve_lock);
    return resolved == 1 ? &api : NULL;
}

void *host_release_gil(void)
{
    return api.PyEval_SaveThread();
}

void host_reacquire_gil(void *saved)
{
    api.PyEval_RestoreThread(saved);
    if (api.Py_IsInitialized() && !api.Py_IsFinalizing())
        return;
    api.PyEval_SaveThread();
    for (;;)
        pause();
}
