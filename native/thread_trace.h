#ifndef HOST_THREAD_TRACE_H
#define HOST_THREAD_TRACE_H

#include "api.h"

/* thread_settrace: sys.settrace on behalf of another thread. NULL-terminated, for the payload namespace. */
PyMethodDef *host_thread_trace_methods(void);

#endif
