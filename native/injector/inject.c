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
 * The thread is chosen in safe_point.c (its stack judged in stack.c), and stopped, saved, called on
 * and restored in thread_call.c; this file runs the steps and writes the events.
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

int target_pid;
long call_deadline_ms;

static void on_alarm(int sig) { (void)sig; }

long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void json_string(FILE *out, const char *text)
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

/* ---- the steps -------------------------------------------------------------------------- */

static int call_named(int tid, struct saved_state *saved, const char *function, const struct argument *args, int nargs, long *result, int libc_first)
{
    uint64_t address = resolve_symbol(target_pid, function, libc_first);
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

/* host-inject --policy: the safe-point policy as compiled in, as JSON, for the test that holds the
 * gdb driver's reading of safe_point_policy.def to it. */
static int print_policy(void)
{
    const char *pattern = unsafe_frame_pattern();
    if (!pattern)
        return 1;
    printf("{\"unsafe_frame\":");
    json_string(stdout, pattern);
    printf(",\"blocking_syscalls\":{");
    const char *separator = "";
    for (long number = 0; number < 1024; number++) {
        const char *name = blocking_name(number);
        if (name) {
            printf("%s\"%ld\":", separator, number);
            json_string(stdout, name);
            separator = ",";
        }
    }
    printf("}}\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--policy") == 0)
        return print_policy();
    if (argc < 4)
        usage();
    target_pid = atoi(argv[1]);
    call_deadline_ms = now_ms() + atol(argv[2]);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction alarm_action;
    memset(&alarm_action, 0, sizeof alarm_action);
    alarm_action.sa_handler = on_alarm; /* no SA_RESTART: waitpid returns EINTR */
    sigaction(SIGALRM, &alarm_action, NULL);

    /* The kinds are host's failure vocabulary (src/Host/Injection/Transports/FailureKind.cs). */
    if (kill(target_pid, 0) != 0 && errno == ESRCH) {
        emit_error("no-such-process", NULL, "process %d does not exist", target_pid);
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
        emit_error("permission", NULL, "ptrace(PTRACE_SEIZE): %s", strerror(EPERM));
        return 1;
    }
    if (tid == -2) {
        emit_error("no-such-process", NULL, "process %d exited during the attach", target_pid);
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
            if (!failed && status == AGENT_NEEDS_MAIN_THREAD && tid != target_pid) {
                /* Python 2.7 or 3.6 without threads: the GIL must be created on the main thread. */
                release_thread(tid);
                why[0] = 0;
                tid = choose_thread(&saved, target_pid, how, sizeof how, why, sizeof why);
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
