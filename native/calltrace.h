#ifndef HOST_CALLTRACE_H
#define HOST_CALLTRACE_H

#include "api.h"

/* The call recorder behind `host run settrace`: NULL-terminated, for the payload namespace. */
PyMethodDef *host_calltrace_methods(void);

#endif
