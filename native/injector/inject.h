#ifndef HOST_INJECT_H
#define HOST_INJECT_H
#include <stddef.h>
#include <stdint.h>

#include <sys/uio.h>
#include <sys/user.h>

/* inject.c: the target, the deadline of every call, and the JSON events on stdout. */
extern int target_pid;
extern long call_deadline_ms;
long now_ms(void);
#include <stdio.h>
void json_string(FILE *out, const char *text);
void emit_error(const char *kind, const char *function, const char *format, ...);

/* thread_call.c: one stopped thread, its saved registers, and calls made on it. */
struct saved_state {
    struct user_regs_struct regs;
    unsigned char fp[8192];
    struct iovec fp_iov;
    int fp_kind; /* NT_X86_XSTATE, NT_PRFPREG, or 0 */
};
struct argument {
    int is_string;
    long number;
    const char *text;
};
/* Seizes and stops one thread: 1 stopped, 0 could not (gone, busy), -1 not permitted. */
int stop_thread(int tid, int *pending_signal);
void release_thread(int tid);
int save_state(int tid, struct saved_state *s);
int restore_state(int tid, struct saved_state *s);
int read_string(uint64_t address, char *buffer, size_t size);
/* Runs function(args) on the thread: 0 with its rax in *result, or -1 (reported); the thread's
 * registers are as they were before the call, whatever happens. */
int call_in_thread(int tid, struct saved_state *saved, const char *name, uint64_t function,
                   const struct argument *args, int nargs, long *result);

/* safe_point.c: the target's threads, and the one to use. */
int thread_ids(int *tids, int max);
long syscall_of(int tid);
/* Stops a thread at a safe point and saves its state: its tid; 0 none (why says, per thread),
 * -1 not permitted, -2 no such process, -3 stacks cannot be unwound here. */
int choose_thread(struct saved_state *saved, int only_tid, char *how, size_t how_size, char *why, size_t why_size);
/* The name of a system call in which a thread counts as blocked (safe_point_policy.def), or NULL. */
const char *blocking_name(long number);

/* modules.c: the target's mapped ELF files and their symbols. */
/* The address of an exported function, looked up in the order the target's modules are mapped (as the
 * dynamic linker does); with libc_first, in the modules already read while unwinding first. */
uint64_t resolve_symbol(int pid, const char *name, int libc_first);
/* The names of the function containing address (its aliases too: read, __read, __libc_read...). */
int symbols_at(int pid, uint64_t address, const char **names, int max);
/* The mapped module holding address: the span of its mappings, and where its ELF header is mapped. */
int module_at(int pid, uint64_t address, uint64_t *start, uint64_t *end, uint64_t *image);

/* unwind_tables.c: a frame's unwind rules, found in the target's memory (not in files). */
int unwind_tables_find(void *space, uint64_t ip, void *proc_info, int need_unwind_info, void *arg);
/* How many frames of the current walk had no unwind rules (the walk is then not to be trusted). */
int unwind_tables_missed(void);
void unwind_tables_reset(int pid, void *search);

/* remote_memory.c: the stopped target's memory, read a page at a time and kept (for the unwinder). */
void remote_memory_reset(int pid);
int remote_memory_read_word(uint64_t address, uint64_t *value);
int remote_memory_read(uint64_t address, void *buffer, size_t size);
void remote_memory_forget(uint64_t address);

/* stack.c: whether a stopped thread's stack holds an allocator, loader or thread-creation frame. */
enum { STACK_SAFE = 0, STACK_UNSAFE = 1, STACK_UNWINDER_MISSING = 2 };
int load_unwinder(void);
/* The unsafe-frame rule built from safe_point_policy.def (an extended regex), or NULL. */
const char *unsafe_frame_pattern(void);
int stack_is_safe(int pid, int tid, char *unsafe, size_t unsafe_size);

#endif
