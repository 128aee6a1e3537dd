/*
 * The few CPython ABI facts the agent relies on, stated without Python's headers so that one
 * build serves 2.7 to 3.14. Functions are looked up with dlsym at run time; only layouts that
 * have not changed across those versions are used directly.
 */
#ifndef HOST_CPYTHON_H
#define HOST_CPYTHON_H

#include <stddef.h>

typedef struct host_object {
    /* ob_refcnt and ob_type start every object in every (non free-threaded) build. */
    ptrdiff_t ob_refcnt;
    struct host_object *ob_type;
} PyObject;

typedef PyObject *(*PyCFunction)(PyObject *, PyObject *);

typedef struct {
    const char *ml_name;
    void *ml_meth;
    int ml_flags;
    const char *ml_doc;
} PyMethodDef;

#define METH_VARARGS 0x0001
#define METH_NOARGS 0x0004
#define METH_O 0x0008
/* (self, PyObject *const *args, Py_ssize_t nargs): the vectorcall form, 3.7+. */
#define METH_FASTCALL 0x0080

/* What a C trace or profile function receives (the same numbers in every version). */
#define PyTrace_CALL 0
#define PyTrace_EXCEPTION 1
#define PyTrace_LINE 2
#define PyTrace_RETURN 3

typedef int (*Py_tracefunc)(PyObject *, PyObject *frame, int what, PyObject *arg);

/* Up to 3.8 a frame's f_code follows its variable-size header and f_back. */
#define HOST_FRAME_F_CODE_OFFSET (3 * sizeof(void *) + sizeof(void *))

#define PY_FILE_INPUT 257

#endif
