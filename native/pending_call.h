#ifndef HOST_PENDING_CALL_H
#define HOST_PENDING_CALL_H

#include "api.h"

/* run_on_thread, cancel_on_thread: a script run by one given thread at its next safe point (pending_call.c). */
PyMethodDef *host_pending_call_methods(void);

#endif
