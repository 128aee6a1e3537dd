#ifndef HOST_FRAME_SNAPSHOT_H
#define HOST_FRAME_SNAPSHOT_H

#include "api.h"

/* snapshot_threads: every thread's stack read with the world stopped (frame_snapshot.c), for payloads. */
PyMethodDef *host_frame_snapshot_methods(void);

#endif
