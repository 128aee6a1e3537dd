#ifndef HOST_IO_HELPERS_H
#define HOST_IO_HELPERS_H

#include "api.h"

/* wait_readable, read_available, write_all: NULL-terminated, for the payload namespace. */
PyMethodDef *host_io_methods(void);

#endif
