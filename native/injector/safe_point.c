/*
 * Which thread of the target host-inject uses: one at a safe point, preferably blocked in a system
 * call (it waits for something outside the process and holds no user-space lock of its own), the
 * main thread last; its stack must show no allocator, loader or thread-creation frame (stack.c).
 * Only the candidate being looked at is ever stopped.
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

/* ---- the target's threads --------------------------------------------------------------- */

int thread_ids(int *tids, int max)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", target_pid);
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

long syscall_of(int tid)
{
    char path[64], text[64] = {0};
    snprintf(path, sizeof path, "/proc/%d/task/%d/syscall", target_pid, tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -2;
    long number = -2;
    if (fgets(text, sizeof text, f) && text[0] >= '0' && text[0] <= '9')
        number = strtol(text, NULL, 10);
    fclose(f);
    return number;
}

/* ---- choosing the thread ---------------------------------------------------------------- */

/* The name of a system call safe_point_policy.def counts as blocking, or NULL. */
const char *blocking_name(long number)
{
    switch (number) {
#define BLOCKING_SYSCALL(number, name) case number: return name;
#include "safe_point_policy.def"
    default: return NULL;
    }
}

struct candidate {
    int tid;
    long syscall;
};

static int rank(const struct candidate *c)
{
    return (blocking_name(c->syscall) ? 0 : 2) + (c->tid == target_pid ? 1 : 0);
}

static int by_rank(const void *a, const void *b)
{
    return rank(a) - rank(b);
}

/* Stops a thread at a safe point and saves its state: its tid, 0 if none, -1 not permitted. */
int choose_thread(struct saved_state *saved, int only_tid, char *how, size_t how_size, char *why, size_t why_size)
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
        int verdict = stack_is_safe(target_pid, tid, unsafe, sizeof unsafe);
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
