/*
 * Making one given thread run a script of ours, on itself, at its next safe point, for
 * free-threaded builds (pdb breaking into a running thread). With a GIL the payload can set a
 * trace function on another thread while it holds the GIL; without one, that thread runs on meanwhile.
 *
 * CPython 3.14 has the mechanism (PEP 768, what sys.remote_exec uses for a process's main
 * thread): each thread state has a pending-call flag and a script path, and a thread whose eval
 * breaker is set looks at them at its next check (a function's start, a backward jump, the end of a
 * call) and runs the file, in a fresh namespace. Here any thread can be asked, from inside the
 * process, with the world stopped so that the thread list and the flag are not read half-written.
 * A thread outside Python (sleeping, in a C call) runs it as soon as it comes back. The target's
 * own switches are honoured: -X disable-remote-debug (or PYTHON_DISABLE_REMOTE_DEBUG) refuses it.
 */
#define _GNU_SOURCE
#include "pending_call.h"

#include <stdatomic.h>
#include <string.h>

#include "debug_offsets.h"
#include "world_stop.h"

#define PLEASE_STOP_BIT (1u << 5) /* makes the thread look at its pending work; harmless alone */

struct request {
    const struct host_layout *at;
    unsigned long long ident;
    const char *path;
    int cancel;
    int outcome; /* 1 done, 0 no such thread, -2 refused by the target's settings */
};

static char *field(void *base, uint64_t offset)
{
    return (char *)base + offset;
}

static void post(void *data)
{
    struct request *r = data;
    const struct host_api *api = host_api();
    void *interpreter = api->PyInterpreterState_Get();
    int enabled;
    memcpy(&enabled, field(interpreter, r->at->interp_remote_enabled), sizeof enabled);
    for (void *tstate = api->PyInterpreterState_ThreadHead(interpreter); tstate; tstate = api->PyThreadState_Next(tstate)) {
        unsigned long long ident;
        memcpy(&ident, field(tstate, r->at->thread_id), sizeof ident);
        if (ident != r->ident)
            continue;
        char *support = field(tstate, r->at->thread_remote_support);
        _Atomic int32_t *pending = (_Atomic int32_t *)(support + r->at->remote_pending);
        if (r->cancel) {
            atomic_store(pending, 0);
            r->outcome = 1;
            return;
        }
        if (enabled != 1) {
            r->outcome = -2;
            return;
        }
        char *path = support + r->at->remote_path;
        memset(path, 0, r->at->remote_path_size);
        memcpy(path, r->path, strlen(r->path));
        atomic_store(pending, 1);
        __atomic_fetch_or((uintptr_t *)field(tstate, r->at->thread_eval_breaker), PLEASE_STOP_BIT, __ATOMIC_SEQ_CST);
        r->outcome = 1;
        return;
    }
    r->outcome = 0;
}

/* run_on_thread(ident, path) -> 1 asked, 0 no such thread, -1 not possible here, -2 refused by the target. */
static PyObject *run_on_thread(PyObject *self, PyObject *args)
{
    (void)self;
    const struct host_api *api = host_api();
    struct request r = {0};
    if (!api->PyArg_ParseTuple(args, "Ks", &r.ident, &r.path))
        return NULL;
    r.at = host_layout(api);
    if (r.at == NULL || strlen(r.path) >= r.at->remote_path_size || api->PyInterpreterState_Get == NULL)
        return api->PyLong_FromLongLong(-1);
    if (host_with_world_stopped(api, post, &r) != 0)
        return api->PyLong_FromLongLong(-1);
    return api->PyLong_FromLongLong(r.outcome);
}

/* cancel_on_thread(ident) -> 1 when a script still waiting there will not run, 0 no such thread, -1 not possible here. */
static PyObject *cancel_on_thread(PyObject *self, PyObject *args)
{
    (void)self;
    const struct host_api *api = host_api();
    struct request r = {0};
    r.cancel = 1;
    if (!api->PyArg_ParseTuple(args, "K", &r.ident))
        return NULL;
    r.at = host_layout(api);
    if (r.at == NULL || api->PyInterpreterState_Get == NULL || host_with_world_stopped(api, post, &r) != 0)
        return api->PyLong_FromLongLong(-1);
    return api->PyLong_FromLongLong(r.outcome);
}

static PyMethodDef methods[] = {
    {"run_on_thread", (void *)run_on_thread, METH_VARARGS, "run_on_thread(ident, path) -> 1, 0, -1 or -2"},
    {"cancel_on_thread", (void *)cancel_on_thread, METH_VARARGS, "cancel_on_thread(ident) -> 1, 0 or -1"},
    {NULL, NULL, 0, NULL},
};

PyMethodDef *host_pending_call_methods(void)
{
    return methods;
}
