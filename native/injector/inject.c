/*
 * host-inject: the quick injection path, with ptrace and no gdb.
 *
 *   host-inject PID TIMEOUT_MS STEP...
 *     STEP = start-agent AGENT SYMBOL SESSION
 *          | call FUNCTION RETURNS NARGS ARG...   (RETURNS: int long pointer string void;
 *                                                 ARG: i:NUMBER or s:TEXT)
 *
 * It does what the gdb driver does, in a few milliseconds: find a thread at a safe point (blocked
 * in a system call, no allocator, loader or thread-creation frame in its stack), make that one
 * thread perform the calls, put it back exactly as it was, and detach. Only the chosen thread is
 * ever stopped; the others keep running. Results are JSON lines on stdout, the same events as the
 * gdb driver writes. When no thread is at a safe point, or stacks cannot be unwound here, it says
 * so ("no-safe-point", "unavailable") and the host falls back to gdb, which can wait for one.
 *
 * It is never interrupted half-way through a call: SIGINT, SIGTERM, SIGHUP and SIGPIPE are
 * ignored (a host killed with SIGKILL leaves it to finish and detach), and every wait is bounded.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
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

static int pid;
static long deadline_ms;

long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void json_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

void emit_error(const char *kind, const char *function, const char *format, ...)
{
    char message[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    printf("{\"event\": \"error\", \"kind\": ");
    json_string(stdout, kind);
    if (function) {
        printf(", \"function\": ");
        json_string(stdout, function);
    }
    printf(", \"message\": ");
    json_string(stdout, message);
    printf("}\n");
    fflush(stdout);
}

static void emit_result(const char *function, const char *returns, long value, const char *text)
{
    printf("{\"event\": \"result\", \"function\": ");
    json_string(stdout, function);
    printf(", \"value\": ");
    if (strcmp(returns, "void") == 0 || (strcmp(returns, "string") == 0 && text == NULL))
        printf("null");
    else if (strcmp(returns, "string") == 0)
        json_string(stdout, text);
    else if (strcmp(returns, "int") == 0)
        printf("%d", (int)value);
    else
        printf("%ld", value);
    printf("}\n");
    fflush(stdout);
}

/* ---- the target's threads --------------------------------------------------------------- */

static int thread_ids(int *tids, int max)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *dir = opendir(path);
    if (!dir)
        return -1;
    int n = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) && n < max) {
        if (entry->d_name[0] >= '0' && entry->d_name[0] <= '9')
            tids[n++] = atoi(entry->d_name);
    }
    closedir(dir);
    return n;
}

static long syscall_of(int tid)
{
    char path[64], text[64] = {0};
    snprintf(path, sizeof path, "/proc/%d/task/%d/syscall", pid, tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -2;
    long number = -2;
    if (fgets(text, sizeof text, f) && text[0] >= '0' && text[0] <= '9')
        number = strtol(text, NULL, 10);
    fclose(f);
    return number;
}

/* ---- ptrace helpers --------------------------------------------------------------------- */

static void on_alarm(int sig) { (void)sig; }

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
static int stop_thread(int tid, int *pending_signal)
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

static void release_thread(int tid)
{
    ptrace(PTRACE_DETACH, tid, 0, 0);
}

/* ---- the thread's saved state ------------------------------------------------------------ */

struct saved_state {
    struct user_regs_struct regs;
    unsigned char fp[8192];
    struct iovec fp_iov;
    int fp_kind; /* NT_X86_XSTATE, NT_PRFPREG, or 0 */
};

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif
#ifndef NT_PRFPREG
#define NT_PRFPREG 2
#endif

static int save_state(int tid, struct saved_state *s)
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

static int restore_state(int tid, struct saved_state *s)
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
    if (process_vm_writev(pid, &local, 1, &remote, 1, 0) == (ssize_t)size)
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

static int read_string(uint64_t address, char *buffer, size_t size)
{
    size_t got = 0;
    while (got + 1 < size) {
        /* Read page by page: a string may end just before an unmapped page. */
        size_t chunk = 4096 - ((address + got) & 4095);
        if (chunk > size - 1 - got)
            chunk = size - 1 - got;
        struct iovec local = {buffer + got, chunk}, remote = {(void *)(address + got), chunk};
        ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
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

struct argument {
    int is_string;
    long number;
    const char *text;
};

/* Runs function(args) on the thread and returns 0 with its rax, or -1 (reported). The thread's
 * registers are left as they were before the call, whatever happens. */
static int call_in_thread(int tid, struct saved_state *saved, const char *name, uint64_t function,
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
    long limit = deadline_ms > now_ms() + 2000 ? deadline_ms : now_ms() + 2000;
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

/* ---- choosing the thread ---------------------------------------------------------------- */

static const char *blocking_name(long number)
{
    switch (number) {
    case 0: return "read"; case 7: return "poll"; case 23: return "select"; case 34: return "pause";
    case 35: return "nanosleep"; case 43: return "accept"; case 45: return "recvfrom";
    case 47: return "recvmsg"; case 61: return "wait4"; case 128: return "rt_sigtimedwait";
    case 130: return "rt_sigsuspend"; case 202: return "futex"; case 230: return "clock_nanosleep";
    case 232: return "epoll_wait"; case 247: return "waitid"; case 270: return "pselect6";
    case 271: return "ppoll"; case 281: return "epoll_pwait"; case 288: return "accept4";
    case 299: return "recvmmsg"; case 441: return "epoll_pwait2";
    default: return NULL;
    }
}

struct candidate {
    int tid;
    long syscall;
};

static int rank(const struct candidate *c)
{
    return (blocking_name(c->syscall) ? 0 : 2) + (c->tid == pid ? 1 : 0);
}

static int by_rank(const void *a, const void *b)
{
    return rank(a) - rank(b);
}

/* Stops a thread at a safe point and saves its state: its tid, 0 if none, -1 not permitted. */
static int choose_thread(struct saved_state *saved, int only_tid, char *how, size_t how_size, char *why, size_t why_size)
{
    static int tids[4096];
    static struct candidate candidates[4096];
    int n = thread_ids(tids, 4096);
    if (n <= 0)
        return -2;
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (only_tid && tids[i] != only_tid)
            continue;
        candidates[count].tid = tids[i];
        candidates[count].syscall = syscall_of(tids[i]);
        count++;
    }
    qsort(candidates, (size_t)count, sizeof candidates[0], by_rank);
    int seen = 0;
    for (int i = 0; i < count; i++) {
        int tid = candidates[i].tid, pending;
        int stopped = stop_thread(tid, &pending);
        if (stopped < 0)
            return seen ? 0 : -1;
        if (stopped == 0)
            continue;
        seen = 1;
        char unsafe[256] = "";
        int verdict = stack_is_safe(pid, tid, unsafe, sizeof unsafe);
        if (verdict == STACK_UNWINDER_MISSING) {
            release_thread(tid);
            return -3;
        }
        size_t used = strlen(why);
        if (verdict != STACK_SAFE && used + 1 < why_size)
            snprintf(why + used, why_size - used, "%sthread %d: %s", used ? "; " : "", tid, unsafe);
        if (verdict == STACK_SAFE && save_state(tid, saved) == 0) {
            const char *blocked = blocking_name(candidates[i].syscall);
            if (blocked)
                snprintf(how, how_size, "blocked in %s", blocked);
            else
                snprintf(how, how_size, "no lock held in its stack");
            return tid;
        }
        release_thread(tid);
    }
    return 0;
}

/* ---- the steps -------------------------------------------------------------------------- */

static int call_named(int tid, struct saved_state *saved, const char *function, const struct argument *args, int nargs, long *result, int libc_first)
{
    uint64_t address = resolve_symbol(pid, function, libc_first);
    if (!address) {
        emit_error("call", function, "No symbol \"%s\" in the target", function);
        return -1;
    }
    return call_in_thread(tid, saved, function, address, args, nargs, result);
}

#define AGENT_NEEDS_MAIN_THREAD -4

static int start_agent(int tid, struct saved_state *saved, const char *agent, const char *symbol, const char *session, long *status)
{
    long address = 0, handle = 0;
    struct argument lookup[2] = {{0, 0, NULL}, {1, 0, symbol}};
    if (call_named(tid, saved, "dlsym", lookup, 2, &address, 1) != 0)
        return -1;
    if (address == 0) {
        struct argument open_args[2] = {{1, 0, agent}, {0, 258 /* RTLD_NOW | RTLD_GLOBAL */, NULL}};
        if (call_named(tid, saved, "dlopen", open_args, 2, &handle, 1) != 0)
            return -1;
        if (handle == 0) {
            long text = 0;
            char error[512] = "unknown error";
            if (call_named(tid, saved, "dlerror", NULL, 0, &text, 1) == 0 && text)
                read_string((uint64_t)text, error, sizeof error);
            emit_error("call", "start-agent", "dlopen of the agent failed: %s", error);
            return -1;
        }
        lookup[0].number = handle;
        if (call_named(tid, saved, "dlsym", lookup, 2, &address, 1) != 0)
            return -1;
        if (address == 0) {
            emit_error("call", "start-agent", "the agent library does not export %s", symbol);
            return -1;
        }
    }
    struct argument start_args[1] = {{1, 0, session}};
    if (call_in_thread(tid, saved, symbol, (uint64_t)address, start_args, 1, status) != 0)
        return -1;
    *status = (int)*status;
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: host-inject PID TIMEOUT_MS (start-agent AGENT SYMBOL SESSION | call FUNCTION RETURNS NARGS ARG...)...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 4)
        usage();
    pid = atoi(argv[1]);
    deadline_ms = now_ms() + atol(argv[2]);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction alarm_action;
    memset(&alarm_action, 0, sizeof alarm_action);
    alarm_action.sa_handler = on_alarm; /* no SA_RESTART: waitpid returns EINTR */
    sigaction(SIGALRM, &alarm_action, NULL);

    if (kill(pid, 0) != 0 && errno == ESRCH) {
        emit_error("attach", NULL, "ptrace: No such process.");
        return 1;
    }
    if (load_unwinder() != 0) {
        emit_error("unavailable", NULL, "libunwind-ptrace is not installed");
        return 3;
    }
    int tids[4096];
    printf("{\"event\": \"attached\", \"threads\": %d}\n", thread_ids(tids, 4096));
    fflush(stdout);

    struct saved_state saved;
    char how[128], why[512] = "";
    int tid = choose_thread(&saved, 0, how, sizeof how, why, sizeof why);
    if (tid == -1) {
        emit_error("attach", NULL, "ptrace: Operation not permitted.");
        return 1;
    }
    if (tid == -2) {
        emit_error("attach", NULL, "ptrace: No such process.");
        return 1;
    }
    if (tid == -3) {
        emit_error("unavailable", NULL, "libunwind could not unwind this target's stacks");
        return 3;
    }
    if (tid == 0) {
        emit_error("no-safe-point", NULL, "no thread was at a safe point (%s)", why[0] ? why : "no thread could be stopped");
        return 3;
    }
    printf("{\"event\": \"safe-point\", \"tid\": %d, \"how\": ", tid);
    json_string(stdout, how);
    printf("}\n");
    fflush(stdout);

    int failed = 0;
    for (int i = 3; i < argc && !failed;) {
        if (strcmp(argv[i], "start-agent") == 0 && i + 3 < argc) {
            long status = 0;
            failed = start_agent(tid, &saved, argv[i + 1], argv[i + 2], argv[i + 3], &status) != 0;
            if (!failed && status == AGENT_NEEDS_MAIN_THREAD && tid != pid) {
                /* Python 2.7 or 3.6 without threads: the GIL must be created on the main thread. */
                release_thread(tid);
                why[0] = 0;
                tid = choose_thread(&saved, pid, how, sizeof how, why, sizeof why);
                if (tid <= 0) {
                    tid = 0;
                } else {
                    printf("{\"event\": \"safe-point\", \"tid\": %d, \"how\": \"main thread (no thread started yet)\"}\n", tid);
                    fflush(stdout);
                    failed = start_agent(tid, &saved, argv[i + 1], argv[i + 2], argv[i + 3], &status) != 0;
                }
            }
            if (!failed)
                emit_result("start-agent", "int", status, NULL);
            i += 4;
        } else if (strcmp(argv[i], "call") == 0 && i + 3 < argc) {
            const char *function = argv[i + 1], *returns = argv[i + 2];
            int nargs = atoi(argv[i + 3]);
            if (nargs < 0 || nargs > 6 || i + 4 + nargs > argc)
                usage();
            struct argument args[6];
            for (int a = 0; a < nargs; a++) {
                const char *arg = argv[i + 4 + a];
                args[a].is_string = strncmp(arg, "s:", 2) == 0;
                args[a].text = arg + 2;
                args[a].number = args[a].is_string ? 0 : strtol(arg + 2, NULL, 0);
            }
            long value = 0;
            failed = call_named(tid, &saved, function, args, nargs, &value, 0) != 0;
            if (!failed) {
                char text[4096];
                int is_string = strcmp(returns, "string") == 0;
                const char *shown = is_string && value && read_string((uint64_t)value, text, sizeof text) == 0 ? text : NULL;
                emit_result(function, returns, value, shown);
            }
            i += 4 + nargs;
        } else {
            usage();
        }
    }
    if (tid > 0)
        release_thread(tid);
    printf("{\"event\": \"detached\"}\n");
    fflush(stdout);
    return failed ? 1 : 0;
}
