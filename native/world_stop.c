/*
 * A stopped world for free-threaded builds, where other threads run Python while the agent's
 * thread does: their frames are only still while they are paused. CPython stops the world for
 * its own purposes and exports one way to run code then: PyUnstable_GC_VisitObjects (3.12+)
 * pauses every other thread at a safe point, locks the thread list, and calls a visitor for each
 * GC object. The first call does the work and ends the visit. The same rules as for a visitor
 * apply: no allocation of Python objects, no Python code.
 */
#define _GNU_SOURCE
#include "world_stop.h"

struct visit {
    void (*work)(void *);
    void *arg;
    int done;
};

static int visitor(PyObject *object, void *data)
{
    (void)object;
    struct visit *visit = data;
    if (!visit->done) {
        visit->done = 1;
        visit->work(visit->arg);
    }
    return 0; /* stop visiting */
}

int host_with_world_stopped(const struct host_api *api, void (*work)(void *), void *arg)
{
    if (api->PyUnstable_GC_VisitObjects == NULL)
        return -1;
    struct visit visit = {work, arg, 0};
    api->PyUnstable_GC_VisitObjects(visitor, &visit);
    return visit.done ? 0 : -1;
}
