/*
 * Reads the stopped target's memory a page at a time (process_vm_readv) and keeps the pages, for
 * the unwinder: libunwind's ptrace back end reads every word with its own PTRACE_PEEKDATA, hundreds
 * per frame while it parses the unwind tables, which made unwinding most of host-inject's time.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/uio.h>

#include "inject.h"

#define PAGE 4096u
#define SLOTS 64u

static struct {
    uint64_t page;
    int valid;
    unsigned char data[PAGE];
} cache[SLOTS];
static int cache_pid;

void remote_memory_reset(int pid)
{
    cache_pid = pid;
    for (unsigned i = 0; i < SLOTS; i++)
        cache[i].valid = 0;
}

int remote_memory_read_word(uint64_t address, uint64_t *value)
{
    uint64_t page = address & ~(uint64_t)(PAGE - 1);
    if (address - page > PAGE - sizeof *value)
        return -1; /* a word across two pages: left to the caller */
    unsigned slot = (unsigned)(page / PAGE) % SLOTS;
    if (!cache[slot].valid || cache[slot].page != page) {
        struct iovec local = {cache[slot].data, PAGE};
        struct iovec remote = {(void *)(uintptr_t)page, PAGE};
        cache[slot].valid = 0;
        if (process_vm_readv(cache_pid, &local, 1, &remote, 1, 0) != (ssize_t)PAGE)
            return -1; /* unmapped, or not allowed here (seccomp): left to the caller */
        cache[slot].page = page;
        cache[slot].valid = 1;
    }
    memcpy(value, cache[slot].data + (address - page), sizeof *value);
    return 0;
}

void remote_memory_forget(uint64_t address)
{
    uint64_t page = address & ~(uint64_t)(PAGE - 1);
    unsigned slot = (unsigned)(page / PAGE) % SLOTS;
    if (cache[slot].page == page)
        cache[slot].valid = 0;
}

int remote_memory_read(uint64_t address, void *buffer, size_t size)
{
    unsigned char *out = buffer;
    while (size > 0) {
        uint64_t word, aligned = address & ~(uint64_t)7;
        if (remote_memory_read_word(aligned, &word) != 0)
            return -1;
        size_t skip = (size_t)(address - aligned), n = 8 - skip < size ? 8 - skip : size;
        memcpy(out, (unsigned char *)&word + skip, n);
        out += n;
        address += n;
        size -= n;
    }
    return 0;
}
