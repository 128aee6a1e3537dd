#ifndef HOST_INJECT_H
#define HOST_INJECT_H
#include <stddef.h>
#include <stdint.h>

long now_ms(void);
void emit_error(const char *kind, const char *function, const char *format, ...);

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
int stack_is_safe(int pid, int tid, char *unsafe, size_t unsafe_size);

#endif
