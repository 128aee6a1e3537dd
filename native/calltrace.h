#ifndef HOST_CALLTRACE_H
#define HOST_CALLTRACE_H

#include "api.h"

/* The call recorder behind `host run settrace`, for the payload namespace (NULL-terminated):
 * its control (calltrace_control.c) and its sys.monitoring callbacks (calltrace.c). */
PyMethodDef *host_calltrace_methods(void);
PyMethodDef *calltrace_hook_methods(void);

#endif
