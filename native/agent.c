/*
 * The agent that `host` loads into a running CPython process.
 *
 * A transport (host-inject, or gdb as the fallback) calls host_agent_start_<id>()
 * from a thread stopped at a safe point (one that holds no allocator or loader lock). That call must stay tiny: it copies
 * the session path, starts a detached thread and returns. Only that new thread
 * touches Python, and only after taking the GIL the normal way, so no Python
 * code ever runs on a thread interrupted at an arbitrary instruction.
 *
 * CPython symbols are resolved with dlsym at run time so that one build serves
 * 2.7 to 3.15 (3.14t included), whether the interpreter is a libpython*.so or
 * linked into the executable.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calltrace.h"
#include "frame_snapshot.h"
#include "io_helpers.h"
#include "pending_call.h"
#include "thread_trace.h"

#define HOST_AGENT_OK 0
#define HOST_AGENT_NOT_PYTHON -1
#define HOST_AGENT_NOT_INITIALIZED -2
#define HOST_AGENT_THREAD_FAILED -3
#define HOST_AGENT_NEEDS_MAIN_THREAD -4
#define HOST_AGENT_BAD_ARGUMENT -5

typedef PyObject *PyObjectPtr;

struct python_api {
    int (*Py_IsInitialized)(void);
    int (*PyGILState_Ensure)(void);
    void (*PyGILState_Release)(int);
    PyObjectPtr (*PyDict_New)(void);
    int (*PyDict_SetItemString)(PyObjectPtr, const char *, PyObjectPtr);
    PyObjectPtr (*PyEval_GetBuiltins)(void);
    PyObjectPtr (*PyRun_StringFlags)(const char *, int, PyObjectPtr, PyObjectPtr, void *);
    PyObjectPtr (*PyText_FromString)(const char *);
    void (*PyErr_Clear)(void);
    void (*Py_DecRef)(PyObjectPtr);
    PyObjectPtr none;
    /* 2.7 and 3.6: until a second thread is started there is no GIL to take (lazy_gil). */
    int (*PyEval_ThreadsInitialized)(void);
    void (*PyEval_InitThreads)(void);
    void (*PyEval_ReleaseLock)(void);
    void *(*PyThreadState_Swap)(void *);
    void *(*PyEval_SaveThread)(void);
    void *(*PyGILState_GetThisThreadState)(void);
    void **PyThreadState_Current; /* 2.7: a pointer; 3.6: an atomic address, whose value comes first */
    int is_python2, lazy_gil;
};

/*
 * Runs inside the target, in a fresh namespace. It reads the payload and its
 * JSON parameters from the session directory, runs the payload, then removes
 * any module the payload imported that the target had not, so nothing is left
 * behind in sys.modules. Every error is swallowed: the target's own output must
 * never change because of us.
 * While the payload runs, the GIL switch interval is shortened (and then put
 * back): each time the payload does I/O it gives up the GIL, and with busy
 * threads in the target every way back would otherwise cost up to 5 ms. A
 * payload that runs for long puts it back itself (SWITCH_INTERVAL), and calls
 * IMPORTS_DONE() once it has imported what it needs: modules the target itself
 * imports after that are the target's, and stay.
 * NATIVE holds the agent's C helpers (blocking I/O, the call recorder).
 * MODULES_BEFORE names the modules the target had when the payload started.
 */
static const char BOOTSTRAP[] =
    "def _host_bootstrap(session):\n"
    "    import sys\n"
    "    before = set(sys.modules)\n"
    "    imported = []\n"
    "    interval = getattr(sys, 'getswitchinterval', lambda: None)()\n"
    "    try:\n"
    "        if interval is not None and interval > 0.0005:\n"
    "            sys.setswitchinterval(0.0005)\n"
    "        import os\n"
    "        path = os.path.join(session, 'payload.py')\n"
    "        f = open(path, 'rb')\n"
    "        try:\n"
    "            source = f.read()\n"
    "        finally:\n"
    "            f.close()\n"
    "        namespace = {'__name__': '__host_payload__', '__file__': path,\n"
    "                     '__builtins__': __builtins__, 'SESSION_DIR': session,\n"
    "                     'NATIVE': _host_native, 'SWITCH_INTERVAL': interval,\n"
    "                     'IMPORTS_DONE': lambda: imported.append(set(sys.modules)),\n"
    "                     'MODULES_BEFORE': frozenset(before)}\n"
    "        code = compile(source, path, 'exec')\n"
    "        exec(code, namespace)\n"
    "        namespace.clear()\n"
    "    except BaseException:\n"
    "        pass\n"
    "    finally:\n"
    "        if interval is not None and interval > 0.0005:\n"
    "            sys.setswitchinterval(interval)\n"
    "        for name in (imported[0] if imported else set(sys.modules)) - before:\n"
    "            sys.modules.pop(name, None)\n"
    "_host_bootstrap(_host_session)\n";

/* A dict of the agent's C helpers for payloads, or None when this Python lacks one they need. */
static PyObjectPtr native_helpers(void)
{
    const struct host_api *api = host_api();
    if (api == NULL)
        return NULL;
    PyObjectPtr helpers = api->PyDict_New();
    PyMethodDef *tables[] = {host_io_methods(), host_calltrace_methods(), calltrace_hook_methods(), host_thread_trace_methods(),
                             host_frame_snapshot_methods(), host_pending_call_methods()};
    for (size_t t = 0; helpers && t < sizeof tables / sizeof tables[0]; t++) {
        for (PyMethodDef *method = tables[t]; method->ml_name != NULL; method++) {
            PyObjectPtr function = api->PyCFunction_NewEx(method, NULL, NULL);
            if (function == NULL || api->PyDict_SetItemString(helpers, method->ml_name, function) < 0) {
                api->PyErr_Clear();
                if (function)
                    api->Py_DecRef(function);
                api->Py_DecRef(helpers);
                return NULL;
            }
            api->Py_DecRef(function);
        }
    }
    return helpers;
}

static int resolve(struct python_api *api)
{
    memset(api, 0, sizeof *api);
#define LOAD(field, name) *(void **)(&api->field) = dlsym(RTLD_DEFAULT, name)
    LOAD(Py_IsInitialized, "Py_IsInitialized");
    LOAD(PyGILState_Ensure, "PyGILState_Ensure");
    LOAD(PyGILState_Release, "PyGILState_Release");
    LOAD(PyDict_New, "PyDict_New");
    LOAD(PyDict_SetItemString, "PyDict_SetItemString");
    LOAD(PyEval_GetBuiltins, "PyEval_GetBuiltins");
    LOAD(PyRun_StringFlags, "PyRun_StringFlags");
    LOAD(PyErr_Clear, "PyErr_Clear");
    LOAD(Py_DecRef, "Py_DecRef");
    LOAD(PyText_FromString, "PyUnicode_FromString");
    api->none = dlsym(RTLD_DEFAULT, "_Py_NoneStruct");
    if (dlsym(RTLD_DEFAULT, "PyString_FromString") != NULL) {
        LOAD(PyText_FromString, "PyString_FromString");
        api->is_python2 = 1;
    }
    /* Only 2.7 and 3.6 export the current thread state as a variable: the versions whose GIL is
     * made when the first thread starts (3.7+ make it at start-up). */
    api->PyThreadState_Current = dlsym(RTLD_DEFAULT, "_PyThreadState_Current");
    if (api->PyThreadState_Current != NULL) {
        api->lazy_gil = 1;
        LOAD(PyEval_ThreadsInitialized, "PyEval_ThreadsInitialized");
        LOAD(PyEval_InitThreads, "PyEval_InitThreads");
        LOAD(PyEval_ReleaseLock, "PyEval_ReleaseLock");
        LOAD(PyThreadState_Swap, "PyThreadState_Swap");
        LOAD(PyEval_SaveThread, "PyEval_SaveThread");
        LOAD(PyGILState_GetThisThreadState, "PyGILState_GetThisThreadState");
    }
#undef LOAD
    if (!api->Py_IsInitialized || !api->PyGILState_Ensure || !api->PyGILState_Release ||
        !api->PyDict_New || !api->PyDict_SetItemString || !api->PyEval_GetBuiltins ||
        !api->PyRun_StringFlags || !api->PyText_FromString || !api->PyErr_Clear ||
        !api->Py_DecRef || !api->none)
        return HOST_AGENT_NOT_PYTHON;
    if (api->lazy_gil && (!api->PyEval_ThreadsInitialized || !api->PyEval_InitThreads || !api->PyEval_ReleaseLock
                          || !api->PyThreadState_Swap || !api->PyEval_SaveThread || !api->PyGILState_GetThisThreadState))
        return HOST_AGENT_NOT_PYTHON;
    return HOST_AGENT_OK;
}

struct job {
    struct python_api api;
    char *session;
};

static void run_payload(struct job *job)
{
    struct python_api *api = &job->api;
    int gil = api->PyGILState_Ensure();
    PyObjectPtr globals = api->PyDict_New();
    PyObjectPtr session = api->PyText_FromString(job->session);
    PyObjectPtr helpers = native_helpers();
    if (globals && session &&
        api->PyDict_SetItemString(globals, "__builtins__", api->PyEval_GetBuiltins()) == 0 &&
        api->PyDict_SetItemString(globals, "_host_session", session) == 0 &&
        api->PyDict_SetItemString(globals, "_host_native", helpers ? helpers : api->none) == 0) {
        PyObjectPtr result = api->PyRun_StringFlags(BOOTSTRAP, PY_FILE_INPUT, globals, globals, NULL);
        if (result)
            api->Py_DecRef(result);
    }
    api->PyErr_Clear();
    if (helpers)
        api->Py_DecRef(helpers);
    if (session)
        api->Py_DecRef(session);
    if (globals)
        api->Py_DecRef(globals);
    api->PyGILState_Release(gil);
}

static void *agent_thread(void *arg)
{
    struct job *job = arg;
    run_payload(job);
    free(job->session);
    free(job);
    return NULL;
}

/*
 * Python 2.7 and 3.6 create their GIL only when a second thread is first started. Until then
 * PyGILState_Ensure would not exclude the main thread at all (and 3.6's would make the agent's
 * thread the interpreter's "main thread", which alone runs signal handlers), so the GIL has to be
 * created here, on the main thread, in the state the interpreter expects: held if the main thread
 * is running Python, free if it is inside a Py_BEGIN_ALLOW_THREADS section (no current thread
 * state). 3.6 takes the GIL for the current thread state, so in the second case the main thread's
 * own state is made current for that, and given back at once.
 */
static int prepare_lazy_gil(struct python_api *api)
{
    if (api->PyEval_ThreadsInitialized())
        return HOST_AGENT_OK;
    if (getpid() != (pid_t)gettid())
        return HOST_AGENT_NEEDS_MAIN_THREAD;
    int running_python = *api->PyThreadState_Current != NULL;
    if (api->is_python2) {
        api->PyEval_InitThreads();
        if (!running_python)
            api->PyEval_ReleaseLock();
        return HOST_AGENT_OK;
    }
    if (running_python) {
        api->PyEval_InitThreads();
        return HOST_AGENT_OK;
    }
    void *main_state = api->PyGILState_GetThisThreadState();
    if (main_state == NULL)
        return HOST_AGENT_NOT_INITIALIZED;
    api->PyThreadState_Swap(main_state);
    api->PyEval_InitThreads();
    api->PyEval_SaveThread();
    return HOST_AGENT_OK;
}

#ifndef HOST_AGENT_ID
#error "build with -DHOST_AGENT_ID=<id> (native/agent.targets does)"
#endif
#define HOST_CONCAT2(a, b) a##b
#define HOST_CONCAT(a, b) HOST_CONCAT2(a, b)

/* Named host_agent_start_<id of this source>: see native/agent.targets. */
__attribute__((visibility("default"))) int HOST_CONCAT(host_agent_start_, HOST_AGENT_ID)(const char *session)
{
    if (session == NULL || session[0] != '/')
        return HOST_AGENT_BAD_ARGUMENT;
    struct job *job = calloc(1, sizeof *job);
    if (job == NULL)
        return HOST_AGENT_THREAD_FAILED;
    int status = resolve(&job->api);
    if (status == HOST_AGENT_OK && !job->api.Py_IsInitialized())
        status = HOST_AGENT_NOT_INITIALIZED;
    if (status == HOST_AGENT_OK && job->api.lazy_gil)
        status = prepare_lazy_gil(&job->api);
    if (status == HOST_AGENT_OK && (job->session = strdup(session)) == NULL)
        status = HOST_AGENT_THREAD_FAILED;
    if (status != HOST_AGENT_OK) {
        free(job);
        return status;
    }

    pthread_attr_t attr;
    pthread_t thread;
    sigset_t all, previous;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* The new thread must never be picked to handle the target's signals. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int failed = pthread_create(&thread, &attr, agent_thread, job);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    pthread_attr_destroy(&attr);
    if (failed) {
        free(job->session);
        free(job);
        return HOST_AGENT_THREAD_FAILED;
    }
    return HOST_AGENT_OK;
}
