/*
 * Blocking I/O for long-running payloads (settrace's controller, pdb). Every call that can
 * block gives up the GIL through host_release_gil, so the target's threads run meanwhile and a
 * shutting-down interpreter is never re-entered.
 */
#define _GNU_SOURCE
#include "io_helpers.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

/* wait_readable(fd_a, fd_b, timeout_ms) -> bit 1 if fd_a is readable or hung up, bit 2 for fd_b. */
static PyObject *wait_readable(PyObject *self, PyObject *args)
{
    (void)self;
    const struct host_api *api = host_api();
    int a, b, timeout;
    if (!api->PyArg_ParseTuple(args, "iii", &a, &b, &timeout))
        return NULL;
    struct pollfd fds[2] = {{.fd = a, .events = POLLIN}, {.fd = b, .events = POLLIN}};
    void *saved = host_release_gil();
    int ready;
    do
        ready = poll(fds, 2, timeout);
    while (ready < 0 && errno == EINTR);
    host_reacquire_gil(saved);
    long mask = 0;
    if (ready > 0) {
        if (fds[0].revents)
            mask |= 1;
        if (fds[1].revents)
            mask |= 2;
    }
    return api->PyLong_FromLongLong(mask);
}

/* read_available(fd) -> bytes read now (b"" at end of file), or None when nothing is waiting. */
static PyObject *read_available(PyObject *self, PyObject *args)
{
    (void)self;
    const struct host_api *api = host_api();
    int fd;
    if (!api->PyArg_ParseTuple(args, "i", &fd))
        return NULL;
    char buffer[4096];
    ssize_t count;
    do
        count = read(fd, buffer, sizeof buffer);
    while (count < 0 && errno == EINTR);
    if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return HOST_NONE_NEW(api);
    if (count < 0)
        return api->PyErr_SetFromErrno(*api->PyExc_OSError);
    return api->PyBytes_FromStringAndSize(buffer, count);
}

/*
 * write_all(fd, data[, timeout_ms]): writes everything, waiting without the GIL while the pipe is
 * full; OSError(ETIMEDOUT) once timeout_ms have passed (default: no limit).
 */
static PyObject *write_all(PyObject *self, PyObject *args)
{
    (void)self;
    const struct host_api *api = host_api();
    int fd;
    PyObject *data;
    char *bytes;
    ptrdiff_t length;
    int timeout_ms = -1;
    if (!api->PyArg_ParseTuple(args, "iO|i", &fd, &data, &timeout_ms) || api->PyBytes_AsStringAndSize(data, &bytes, &length) < 0)
        return NULL;
    /* The bytes object stays alive (the caller holds it) while the GIL is released. */
    void *saved = host_release_gil();
    int error = 0;
    while (length > 0) {
        ssize_t written = write(fd, bytes, (size_t)length);
        if (written > 0) {
            bytes += written;
            length -= written;
            continue;
        }
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd out = {.fd = fd, .events = POLLOUT};
            int slice = timeout_ms < 0 || timeout_ms > 1000 ? 1000 : timeout_ms;
            if (timeout_ms == 0) {
                error = ETIMEDOUT;
                break;
            }
            if (timeout_ms > 0)
                timeout_ms -= slice;
            if (poll(&out, 1, slice) >= 0 && !(out.revents & (POLLERR | POLLHUP | POLLNVAL)))
                continue;
            error = EPIPE;
            break;
        }
        error = written < 0 ? errno : EPIPE;
        break;
    }
    host_reacquire_gil(saved);
    if (error) {
        errno = error;
        return api->PyErr_SetFromErrno(*api->PyExc_OSError);
    }
    return HOST_NONE_NEW(api);
}

static PyMethodDef methods[] = {
    {"wait_readable", (void *)wait_readable, METH_VARARGS, "wait_readable(fd_a, fd_b, timeout_ms) -> bit mask"},
    {"read_available", (void *)read_available, METH_VARARGS, "read_available(fd) -> bytes or None"},
    {"write_all", (void *)write_all, METH_VARARGS, "write_all(fd, data)"},
    {NULL, NULL, 0, NULL},
};

PyMethodDef *host_io_methods(void)
{
    return methods;
}
