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

/* remote_memory.c: the stopped target's memory, read a page at a time and kept (for the unwinder). */
void remote_memory_reset(int pid);
int remote_memory_read_word(uint64_t address, uint64_t *value);
void remote_memory_forget(uint64_t address);

/* stack.c: whether a stopped thread's stack holds an allocator, loader or thread-creation frame. */
enum { STACK_SAFE = 0, STACK_UNSAFE = 1, STACK_UNWINDER_MISSING = 2 };
int load_unwinder(void);
int stack_is_safe(int pid, int tid, char *unsafe, size_t unsafe_size);

#endif
