/*
 * Where libunwind finds each frame's unwind rules: in the target's own memory. Every module maps
 * its .eh_frame_hdr (PT_GNU_EH_FRAME), whose sorted table leads to the .eh_frame entry of any
 * address; libunwind searches it through the same page cache it reads the stack with.
 *
 * libunwind's ptrace back end would instead open the file named in /proc/PID/maps, in
 * host-inject's own filesystem. For a target under another root (a chroot, a container) or one
 * whose library was replaced on disk after it was loaded, that is another file: its rules walk the
 * stack into garbage, or end it early, and a thread in malloc could pass for one at a safe point.
 *
 * A frame without rules here makes the whole walk untrusted (unwind_tables_missed): libunwind
 * then guesses from the frame pointer, and a guess must never vouch for a stack.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <string.h>

#include "inject.h"

#define UNW_ENOINFO 10
#define DW_EH_PE_absptr 0x00
#define DW_EH_PE_udata4 0x03
#define DW_EH_PE_sdata4 0x0b
#define DW_EH_PE_udata8 0x04
#define DW_EH_PE_sdata8 0x0c
#define DW_EH_PE_datarel 0x30

/*
 * libunwind's unw_dyn_info_t (libunwind-dynamic.h), as words: next, prev, start_ip, end_ip, gp,
 * format (with padding), then the remote table (name, segment base, length in words, address).
 * libunwind 1.6 put a load offset before the table, and keeps the same soname, so both layouts are
 * tried: the wrong one makes the search read nonsense addresses, which fail, and nothing else.
 */
enum { DYN_START = 2, DYN_END = 3, DYN_FORMAT = 5, DYN_TABLE = 6, DYN_WORDS = 16 };
#define UNW_INFO_FORMAT_REMOTE_TABLE 2

typedef int (*search_t)(void *space, uint64_t ip, uint64_t *info, void *proc_info, int need, void *arg);

struct table {
    uint64_t start, end;       /* the module's mappings */
    uint64_t header, entries;  /* .eh_frame_hdr and its search table */
    uint64_t count;
    int usable;
};

static int pid;
static search_t search;
static int layout = -1; /* words before the remote table: 1 (libunwind 1.6+) or 0, once one worked */
static int missed;
static struct table tables[512];
static int table_count;

void unwind_tables_reset(int target, void *search_function)
{
    pid = target;
    search = (search_t)search_function;
    missed = 0;
}

int unwind_tables_missed(void)
{
    int count = missed;
    missed = 0;
    return count;
}

static int encoded_size(unsigned encoding)
{
    switch (encoding & 0x0f) {
    case DW_EH_PE_absptr: case DW_EH_PE_udata8: case DW_EH_PE_sdata8: return 8;
    case DW_EH_PE_udata4: case DW_EH_PE_sdata4: return 4;
    default: return -1;
    }
}

/* Reads the module's ELF header and program headers from memory, and its .eh_frame_hdr. */
static void locate(struct table *t, uint64_t image)
{
    Elf64_Ehdr header;
    if (remote_memory_read(image, &header, sizeof header) != 0 || memcmp(header.e_ident, ELFMAG, SELFMAG) != 0
        || header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_phentsize != sizeof(Elf64_Phdr) || header.e_phnum > 128)
        return;
    uint64_t first_load = UINT64_MAX, frame_header = UINT64_MAX;
    for (int i = 0; i < header.e_phnum; i++) {
        Elf64_Phdr segment;
        if (remote_memory_read(image + header.e_phoff + (uint64_t)i * sizeof segment, &segment, sizeof segment) != 0)
            return;
        if (segment.p_type == PT_LOAD && first_load == UINT64_MAX)
            first_load = segment.p_vaddr & ~(uint64_t)0xfff;
        if (segment.p_type == PT_GNU_EH_FRAME)
            frame_header = segment.p_vaddr;
    }
    if (first_load == UINT64_MAX || frame_header == UINT64_MAX)
        return;
    uint64_t address = image - first_load + frame_header;
    unsigned char head[4];
    if (address < t->start || address >= t->end || remote_memory_read(address, head, sizeof head) != 0)
        return;
    /* version 1; the table's entries must be the 32-bit data-relative pairs libunwind searches. */
    int pointer_size = encoded_size(head[1]), count_size = encoded_size(head[2]);
    if (head[0] != 1 || head[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4) || pointer_size < 0 || count_size < 0)
        return;
    uint64_t count = 0;
    if (remote_memory_read(address + 4 + (uint64_t)pointer_size, &count, (size_t)count_size) != 0 || count == 0 || count > (1u << 24))
        return;
    t->header = address;
    t->entries = address + 4 + (uint64_t)pointer_size + (uint64_t)count_size;
    t->count = count;
    t->usable = 1;
}

static struct table *table_for(uint64_t ip)
{
    for (int i = 0; i < table_count; i++)
        if (ip >= tables[i].start && ip < tables[i].end)
            return &tables[i];
    uint64_t start, end, image;
    if (module_at(pid, ip, &start, &end, &image) != 0 || table_count == (int)(sizeof tables / sizeof tables[0]))
        return NULL;
    struct table *t = &tables[table_count++];
    memset(t, 0, sizeof *t);
    t->start = start;
    t->end = end;
    locate(t, image);
    return t;
}

static int search_with_layout(int words_before, void *space, uint64_t ip, const struct table *t, void *proc_info, int need_unwind_info, void *arg)
{
    uint64_t info[DYN_WORDS];
    memset(info, 0, sizeof info);
    info[DYN_START] = t->start;
    info[DYN_END] = t->end;
    info[DYN_FORMAT] = UNW_INFO_FORMAT_REMOTE_TABLE;
    uint64_t *table = &info[DYN_TABLE + words_before];
    table[1] = t->header;                   /* segment base: data-relative entries count from here */
    table[2] = t->count * 8 / sizeof(uint64_t); /* two 32-bit fields per entry, counted in words */
    table[3] = t->entries;
    int found = search(space, ip, info, proc_info, need_unwind_info, arg);
    /* unw_proc_info_t starts with the function's span: it must hold the address asked for. */
    const uint64_t *span = proc_info;
    return found >= 0 && !(span[0] <= ip && ip < span[1]) ? -UNW_ENOINFO : found;
}

int unwind_tables_find(void *space, uint64_t ip, void *proc_info, int need_unwind_info, void *arg)
{
    struct table *t = table_for(ip);
    if (t == NULL || !t->usable || search == NULL) {
        missed++;
        return -UNW_ENOINFO;
    }
    int found;
    if (layout >= 0) {
        found = search_with_layout(layout, space, ip, t, proc_info, need_unwind_info, arg);
    } else {
        found = search_with_layout(1, space, ip, t, proc_info, need_unwind_info, arg);
        if (found >= 0)
            layout = 1;
        else if ((found = search_with_layout(0, space, ip, t, proc_info, need_unwind_info, arg)) >= 0)
            layout = 0;
    }
    if (found < 0)
        missed++;
    return found;
}
