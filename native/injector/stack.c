/*
 * Unwinds a stopped thread of the target with libunwind's ptrace back end (loaded with dlopen, so
 * that host runs, through gdb, where libunwind is missing) and looks for frames that may hold a
 * lock the agent's dlopen and pthread_create need: the allocator, the dynamic loader, thread
 * creation, fork. The names and the rule are safe_point_policy.def's, which the gdb driver reads
 * too, plus HOST_EXTRA_UNSAFE_FRAMES. Unwind rules come from the target's memory (unwind_tables.c),
 * and a stack counts as safe only when every frame of it was unwound by its rules, to the outermost
 * one.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inject.h"

/* libunwind's ABI on x86_64 (libunwind-x86_64.h): a cursor is 127 words, the IP is register 16. */
typedef uint64_t unw_word_t;
typedef struct { unw_word_t opaque[127]; } unw_cursor_t;
typedef void *unw_addr_space_t;
#define UNW_REG_IP 16
#define UNW_CACHE_GLOBAL 1

/* libunwind's unw_accessors_t: find_proc_info, put_unwind_info, get_dyn_info_list_addr, access_mem,
 * then more; newer versions append members, so the copy takes the size of libunwind's own. */
#define ACCESSOR_FIND_PROC_INFO 0
#define ACCESSOR_ACCESS_MEM 3
#define ACCESSOR_COPY 16
typedef int (*access_mem_t)(unw_addr_space_t, unw_word_t, unw_word_t *, int, void *);

static void *accessors[ACCESSOR_COPY];
static access_mem_t ptrace_access_mem;

/* Reads through the page cache, writes (and what it cannot read) through ptrace. */
static int cached_access_mem(unw_addr_space_t space, unw_word_t address, unw_word_t *value, int write, void *arg)
{
    if (write)
        remote_memory_forget(address);
    else if (remote_memory_read_word(address, value) == 0)
        return 0;
    return ptrace_access_mem(space, address, value, write, arg);
}

static struct {
    void *accessors;
    void *(*upt_create)(int);
    void (*upt_destroy)(void *);
    unw_addr_space_t (*create_addr_space)(void *, int);
    int (*set_caching_policy)(unw_addr_space_t, int);
    int (*init_remote)(unw_cursor_t *, unw_addr_space_t, void *);
    int (*step)(unw_cursor_t *);
    int (*get_reg)(unw_cursor_t *, int, unw_word_t *);
    void *search_unwind_table;
    unw_addr_space_t space;
} unw;

static regex_t unsafe_frame, extra_unsafe;
static int have_extra;

/* The unsafe-frame rule of safe_point_policy.def as one extended regular expression,
 * ^(decoration|...)?(function|prefix[A-Za-z0-9_]*|...)$, the one the gdb driver builds from it. */
#define WORD "[A-Za-z0-9_]*"
static const char *const decorations[] = {
#define UNSAFE_DECORATION(name) name,
#include "safe_point_policy.def"
};
static const char *const unsafe_names[] = {
#define UNSAFE_FUNCTION(name) name,
#define UNSAFE_PREFIX(name) name WORD,
#include "safe_point_policy.def"
};

/* Appends text, or as much of it as fits (the result is then as long as the buffer allows). */
static void append(char *pattern, size_t size, const char *text)
{
    size_t used = strlen(pattern);
    snprintf(pattern + used, size - used, "%s", text);
}

static void join(char *pattern, size_t size, const char *const *parts, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        append(pattern, size, i ? "|" : "");
        append(pattern, size, parts[i]);
    }
}

const char *unsafe_frame_pattern(void)
{
    static char pattern[4096];
    pattern[0] = 0;
    append(pattern, sizeof pattern, "^(");
    join(pattern, sizeof pattern, decorations, sizeof decorations / sizeof decorations[0]);
    append(pattern, sizeof pattern, ")?(");
    join(pattern, sizeof pattern, unsafe_names, sizeof unsafe_names / sizeof unsafe_names[0]);
    append(pattern, sizeof pattern, ")$");
    /* Cut short, it would say less than the policy: never used. */
    return strlen(pattern) + 1 < sizeof pattern ? pattern : NULL;
}

static int compile_unsafe_frame(void)
{
    const char *pattern = unsafe_frame_pattern();
    return pattern && regcomp(&unsafe_frame, pattern, REG_EXTENDED | REG_NOSUB) == 0 ? 0 : -1;
}

int load_unwinder(void)
{
    if (compile_unsafe_frame() != 0)
        return -1;
    const char *extra = getenv("HOST_EXTRA_UNSAFE_FRAMES");
    if (extra && *extra) {
        char pattern[1024];
        snprintf(pattern, sizeof pattern, "^(%s)$", extra);
        have_extra = regcomp(&extra_unsafe, pattern, REG_EXTENDED | REG_NOSUB) == 0;
    }
    /* libunwind-ptrace leaves its dependencies to the program: load them first, globally. */
    dlopen("liblzma.so.5", RTLD_NOW | RTLD_GLOBAL);
    dlopen("libunwind.so.8", RTLD_NOW | RTLD_GLOBAL);
    dlopen("libunwind-x86_64.so.8", RTLD_NOW | RTLD_GLOBAL);
    void *library = dlopen("libunwind-ptrace.so.0", RTLD_NOW | RTLD_GLOBAL);
    if (!library)
        return -1;
    unw.accessors = dlsym(RTLD_DEFAULT, "_UPT_accessors");
    unw.upt_create = (void *(*)(int))dlsym(RTLD_DEFAULT, "_UPT_create");
    unw.upt_destroy = (void (*)(void *))dlsym(RTLD_DEFAULT, "_UPT_destroy");
    unw.create_addr_space = (unw_addr_space_t (*)(void *, int))dlsym(RTLD_DEFAULT, "_Ux86_64_create_addr_space");
    unw.set_caching_policy = (int (*)(unw_addr_space_t, int))dlsym(RTLD_DEFAULT, "_Ux86_64_set_caching_policy");
    unw.init_remote = (int (*)(unw_cursor_t *, unw_addr_space_t, void *))dlsym(RTLD_DEFAULT, "_Ux86_64_init_remote");
    unw.step = (int (*)(unw_cursor_t *))dlsym(RTLD_DEFAULT, "_Ux86_64_step");
    unw.get_reg = (int (*)(unw_cursor_t *, int, unw_word_t *))dlsym(RTLD_DEFAULT, "_Ux86_64_get_reg");
    unw.search_unwind_table = dlsym(RTLD_DEFAULT, "_Ux86_64_dwarf_search_unwind_table");
    if (!unw.accessors || !unw.upt_create || !unw.upt_destroy || !unw.create_addr_space
        || !unw.init_remote || !unw.step || !unw.get_reg || !unw.search_unwind_table)
        return -1;
    /* Unwind rules from the target's memory and the page cache in front of ptrace's reads replace
     * libunwind's own accessors; a table of another shape cannot be patched, and is not used. */
    Dl_info where;
    const Elf64_Sym *symbol = NULL;
    if (!dladdr1(unw.accessors, &where, (void **)&symbol, RTLD_DL_SYMENT) || !symbol
        || symbol->st_size < (ACCESSOR_ACCESS_MEM + 1) * sizeof(void *) || symbol->st_size > sizeof accessors)
        return -1;
    memcpy(accessors, unw.accessors, symbol->st_size);
    ptrace_access_mem = (access_mem_t)accessors[ACCESSOR_ACCESS_MEM];
    accessors[ACCESSOR_ACCESS_MEM] = (void *)cached_access_mem;
    accessors[ACCESSOR_FIND_PROC_INFO] = (void *)unwind_tables_find;
    unw.space = unw.create_addr_space(accessors, 0);
    if (!unw.space)
        return -1;
    if (unw.set_caching_policy)
        unw.set_caching_policy(unw.space, UNW_CACHE_GLOBAL);
    return 0;
}

static int is_unsafe(const char *name)
{
    return name && (regexec(&unsafe_frame, name, 0, NULL, 0) == 0
                    || (have_extra && regexec(&extra_unsafe, name, 0, NULL, 0) == 0));
}

int stack_is_safe(int pid, int tid, char *unsafe, size_t unsafe_size)
{
    if (!unw.space)
        return STACK_UNWINDER_MISSING;
    remote_memory_reset(pid);
    unwind_tables_reset(pid, unw.search_unwind_table);
    void *context = unw.upt_create(tid);
    if (!context)
        return STACK_UNSAFE;
    unw_cursor_t cursor;
    int verdict = STACK_UNSAFE;
    if (unw.init_remote(&cursor, unw.space, context) == 0) {
        for (int depth = 0; depth < 200; depth++) {
            unw_word_t ip = 0;
            if (unw.get_reg(&cursor, UNW_REG_IP, &ip) != 0)
                break;
            /* A return address points after the call: name the call itself. */
            const char *names[16];
            int count = symbols_at(pid, depth == 0 ? ip : ip - 1, names, 16);
            const char *name = count ? names[0] : NULL;
            int found = 0;
            for (int i = 0; i < count && !found; i++) {
                if (is_unsafe(names[i])) {
                    snprintf(unsafe, unsafe_size, "%s", names[i]);
                    found = 1;
                }
            }
            if (found)
                break;
            int stepped = unw.step(&cursor);
            if (stepped == 0 && unwind_tables_missed()) {
                /* libunwind guessed past a frame it had no rules for: the end it found proves nothing. */
                snprintf(unsafe, unsafe_size, "(no unwind information for a frame near %s)", name ? name : "an unknown function");
                break;
            }
            if (stepped == 0) {
                verdict = STACK_SAFE; /* the outermost frame: nothing unsafe in the whole stack */
                break;
            }
            if (stepped < 0) {
                /* Frames we cannot see may be unsafe ones. */
                snprintf(unsafe, unsafe_size, "(stack not unwound past %s)", name ? name : "an unknown frame");
                break;
            }
        }
    }
    unw.upt_destroy(context);
    return verdict;
}
