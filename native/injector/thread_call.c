/*
 * host-inject's hands on one thread: stopping it (PTRACE_SEIZE + PTRACE_INTERRUPT), saving and
 * restoring every register it has (general, x87/SSE/AVX, the interrupted system call), writing to
 * its stack, and making it call a function, whose return to address 0 faults and so says it is done.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "inject.h"

/* ---- ptrace helpers --------------------------------------------------------------------- */

/* waitpid for one thread, bounded by the deadline: 1 stopped, 0 timed out, -1 gone. */
static int wait_stop(int tid, int *status, long limit_ms)
{
    long left = limit_ms - now_ms();
    if (left < 1)
        left = 1;
    struct itimerval timer = {{0, 0}, {left / 1000, (left % 1000) * 1000}};
    setitimer(ITIMER_REAL, &timer, NULL);
    int r = waitpid(tid, status, __WALL);
    int saved = errno;
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    if (r == tid)
        return WIFSTOPPED(*status) ? 1 : -1;
    return saved == EINTR ? 0 : -1;
}

/* Seizes and stops one thread: 1 stopped, 0 could not (gone, busy), -1 not permitted. */
int stop_thread(int tid, int *pending_signal)
{
    *pending_signal = 0;
    if (ptrace(PTRACE_SEIZE, tid, 0, 0) != 0)
        return errno == EPERM ? -1 : 0;
    if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0)
        return 0;
    for (int i = 0; i < 16; i++) {
        int status;
        int r = wait_stop(tid, &status, now_ms() + 1000);
        if (r <= 0)
            return 0;
        if ((status >> 16) == PTRACE_EVENT_STOP)
            return 1;
        /* A signal arrived first: keep it for the thread, and wait for our stop. */
        *pending_signal = WSTOPSIG(status);
        ptrace(PTRACE_CONT, tid, 0, (void *)(long)*pending_signal);
        *pending_signal = 0;
    }
    return 0;
}

void release_thread(int tid)
{
    ptrace(PTRACE_DETACH, tid, 0, 0);
}

/* ---- the thread's saved state ------------------------------------------------------------ */


#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif
#ifndef NT_PRFPREG
#define NT_PRFPREG 2
#endif

int save_state(int tid, struct saved_state *s)
{
    if (ptrace(PTRACE_GETREGS, tid, 0, &s->regs) != 0)
        return -1;
    s->fp_iov.iov_base = s->fp;
    s->fp_iov.iov_len = sizeof s->fp;
    s->fp_kind = NT_X86_XSTATE;
    if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &s->fp_iov) != 0) {
        s->fp_iov.iov_len = sizeof s->fp;
        s->fp_kind = NT_PRFPREG;
        if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRFPREG, &s->fp_iov) != 0)
            s->fp_kind = 0;
    }
    return 0;
}

int restore_state(int tid, struct saved_state *s)
{
    int ok = ptrace(PTRACE_SETREGS, tid, 0, &s->regs) == 0;
    if (s->fp_kind)
        ok &= ptrace(PTRACE_SETREGSET, tid, (void *)(long)s->fp_kind, &s->fp_iov) == 0;
    return ok ? 0 : -1;
}

/* ---- target memory ----------------------------------------------------------------------- */

static int write_memory(int tid, uint64_t address, const void *data, size_t size)
{
    struct iovec local = {(void *)data, size}, remote = {(void *)address, size};
    if (process_vm_writev(target_pid, &local, 1, &remote, 1, 0) == (ssize_t)size)
        return 0;
    /* process_vm_writev honours page protections; POKEDATA is the fallback (and slower). */
    for (size_t i = 0; i < size; i += sizeof(long)) {
        long word = 0;
        size_t n = size - i < sizeof(long) ? size - i : sizeof(long);
        if (n < sizeof(long)) {
            errno = 0;
            word = ptrace(PTRACE_PEEKDATA, tid, (void *)(address + i), 0);
            if (errno)
                return -1;
        }
        memcpy(&word, (const char *)data + i, n);
        if (ptrace(PTRACE_POKEDATA, tid, (void *)(address + i), (void *)word) != 0)
            return -1;
    }
    return 0;
}

int read_string(uint64_t address, char *buffer, size_t size)
{
    size_t got = 0;
    while (got + 1 < size) {
        /* Read page by page: a string may end just before an unmapped page. */
        size_t chunk = 4096 - ((address + got) & 4095);
        if (chunk > size - 1 - got)
            chunk = size - 1 - got;
        struct iovec local = {buffer + got, chunk}, remote = {(void *)(address + got), chunk};
        ssize_t n = process_vm_readv(target_pid, &local, 1, &remote, 1, 0);
        if (n <= 0)
            break;
        if (memchr(buffer + got, 0, (size_t)n))
            return 0;
        got += (size_t)n;
    }
    buffer[got] = 0;
    return got ? 0 : -1;
}

/* ---- calling a function in the stopped thread ------------------------------------------- */


/* Runs function(args) on the thread and returns 0 with its rax, or -1 (reported). The thread's
 * registers are left as they were before the call, whatever happens. */
int call_in_thread(int tid, struct saved_state *saved, const char *name, uint64_t function,
                          const struct argument *args, int nargs, long *result)
{
    if (nargs > 6) {
        emit_error("call", name, "at most 6 arguments");
        return -1;
    }
    struct user_regs_struct regs = saved->regs;
    /* Below the red zone, then the strings, then an aligned stack whose return address is 0:
     * the function's return faults at address 0, which is how we know it is done. */
    uint64_t sp = (regs.rsp - 256) & ~(uint64_t)15;
    uint64_t values[6] = {0};
    for (int i = 0; i < nargs; i++) {
        if (args[i].is_string) {
            size_t len = strlen(args[i].text) + 1;
            sp = (sp - len) & ~(uint64_t)15;
            if (write_memory(tid, sp, args[i].text, len) != 0) {
                emit_error("call", name, "could not write to the stack of thread %d: %s", tid, strerror(errno));
                return -1;
            }
            values[i] = sp;
        } else {
            values[i] = (uint64_t)args[i].number;
        }
    }
    sp -= 8;
    uint64_t zero = 0;
    if (write_memory(tid, sp, &zero, sizeof zero) != 0) {
        emit_error("call", name, "could not write to the stack of thread %d: %s", tid, strerror(errno));
        return -1;
    }
    unsigned long long *slots[6] = {&regs.rdi, &regs.rsi, &regs.rdx, &regs.rcx, &regs.r8, &regs.r9};
    for (int i = 0; i < nargs; i++)
        *slots[i] = values[i];
    regs.rsp = sp;
    regs.rip = function;
    regs.rax = 0;
    /* Not in a system call any more: the kernel must not "restart" one at our function. */
    regs.orig_rax = (unsigned long long)-1;
    if (ptrace(PTRACE_SETREGS, tid, 0, &regs) != 0) {
        emit_error("call", name, "could not set the registers of thread %d: %s", tid, strerror(errno));
        return -1;
    }
    int deliver = 0;
    long limit = call_deadline_ms > now_ms() + 2000 ? call_deadline_ms : now_ms() + 2000;
    for (;;) {
        if (ptrace(PTRACE_CONT, tid, 0, (void *)(long)deliver) != 0) {
            emit_error("exited", name, "the thread ended during the call: %s", strerror(errno));
            return -1;
        }
        deliver = 0;
        int status;
        int r = wait_stop(tid, &status, limit);
        if (r < 0) {
            emit_error("exited", name, "the process ended during the call");
            return -1;
        }
        if (r == 0) {
            /* A call at a safe point that never returns is stuck inside the target; undoing it
             * would leave its locks held, so keep waiting for it (the host reports the overrun). */
            limit = now_ms() + 60000;
            printf("{\"event\": \"waiting\", \"function\": ");
            json_string(stdout, name);
            printf(", \"message\": \"the call has not returned yet; still waiting for it\"}\n");
            fflush(stdout);
            continue;
        }
        int sig = WSTOPSIG(status);
        if ((status >> 16) == PTRACE_EVENT_STOP)
            continue; /* a group stop or our own interrupt: finish the call first */
        struct user_regs_struct now;
        ptrace(PTRACE_GETREGS, tid, 0, &now);
        if (sig == SIGSEGV && now.rip == 0) {
            *result = (long)now.rax;
            restore_state(tid, saved);
            return 0;
        }
        if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGABRT || sig == SIGTRAP) {
            /* The function itself faulted: abandon it (as gdb's unwindonsignal does). */
            restore_state(tid, saved);
            emit_error("call", name, "the call raised signal %d (%s) in the target and was abandoned", sig, strsignal(sig));
            return -1;
        }
        deliver = sig; /* an ordinary signal for the program: let it have it */
    }
}
