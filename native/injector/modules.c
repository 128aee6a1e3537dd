/*
 * The target's mapped ELF files, read from /proc/PID/maps and from the files themselves (through
 * /proc/PID/root, so a target under another root or in another mount namespace is read correctly),
 * and their function symbols from .symtab and .dynsym: to find the functions to call, and to name
 * stack frames the way gdb does without debug info (the nearest preceding function symbol).
 * A file is used only if it is the very one mapped (same device and inode): a library replaced on
 * disk since the target loaded it would give wrong addresses, and calling one would crash it.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "inject.h"

struct symbol {
    uint64_t address;
    const char *name;
    int exported; /* in .dynsym, default version */
};

struct module {
    char path[512];
    uint64_t start, end; /* the span of all its mappings */
    uint64_t image;      /* where its file offset 0 (the ELF header) is mapped, or 0 */
    uint64_t bias;
    unsigned long long inode;
    unsigned device_major, device_minor;
    int loaded;
    struct symbol *symbols;
    size_t count;
};

static struct module modules[512];
static int module_count = -1;

static void read_maps(int pid)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    module_count = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        unsigned long start, end, offset;
        unsigned major = 0, minor = 0;
        unsigned long long inode = 0;
        char perms[8], file[600] = "";
        if (sscanf(line, "%lx-%lx %7s %lx %x:%x %llu %599[^\n]", &start, &end, perms, &offset, &major, &minor, &inode, file) < 7)
            continue;
        /* Files, and the kernel's vDSO (an ELF image with unwind tables, but no file). */
        if (file[0] != '/' && strcmp(file, "[vdso]") != 0)
            continue;
        struct module *m = NULL;
        for (int i = 0; i < module_count; i++)
            if (strcmp(modules[i].path, file) == 0)
                m = &modules[i];
        if (!m) {
            if (module_count == (int)(sizeof modules / sizeof modules[0]))
                continue;
            m = &modules[module_count++];
            memset(m, 0, sizeof *m);
            snprintf(m->path, sizeof m->path, "%s", file);
            m->start = start;
            m->inode = inode;
            m->device_major = major;
            m->device_minor = minor;
            m->bias = offset == 0 ? start : 0;
        }
        if (offset == 0 && m->bias == 0)
            m->bias = start;
        if (offset == 0 && m->image == 0)
            m->image = start;
        if (start < m->start)
            m->start = start;
        if (end > m->end)
            m->end = end;
    }
    fclose(f);
}

static int by_address(const void *a, const void *b)
{
    const struct symbol *x = a, *y = b;
    return x->address < y->address ? -1 : x->address > y->address;
}

static void add_symbols(struct module *m, const unsigned char *image, size_t size, const Elf64_Shdr *sections, int index, const Elf64_Half *versions, size_t *capacity)
{
    const Elf64_Shdr *table = &sections[index];
    const Elf64_Shdr *strings = &sections[table->sh_link];
    if (table->sh_offset + table->sh_size > size || strings->sh_offset + strings->sh_size > size || table->sh_entsize != sizeof(Elf64_Sym))
        return;
    const Elf64_Sym *symbols = (const Elf64_Sym *)(image + table->sh_offset);
    size_t n = table->sh_size / sizeof(Elf64_Sym);
    for (size_t i = 0; i < n; i++) {
        const Elf64_Sym *s = &symbols[i];
        int type = ELF64_ST_TYPE(s->st_info);
        if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s->st_shndx == SHN_UNDEF || s->st_value == 0 || s->st_name >= strings->sh_size)
            continue;
        if (m->count == *capacity) {
            *capacity = *capacity ? *capacity * 2 : 1024;
            m->symbols = realloc(m->symbols, *capacity * sizeof *m->symbols);
        }
        struct symbol *out = &m->symbols[m->count++];
        out->address = s->st_value;
        out->name = (const char *)(image + strings->sh_offset + s->st_name);
        out->exported = table->sh_type == SHT_DYNSYM && !(versions && (versions[i] & 0x8000));
    }
}

static int is_mapped_file(const struct module *m, int fd, struct stat *st)
{
    return fstat(fd, st) == 0 && st->st_size >= (off_t)sizeof(Elf64_Ehdr) && st->st_ino == m->inode
           && major(st->st_dev) == m->device_major && minor(st->st_dev) == m->device_minor;
}

static void load_module(int pid, struct module *m)
{
    m->loaded = 1;
    if (m->path[0] != '/')
        return;
    /* maps names a file as host-inject sees it when it can (a chroot under our root), else as the
     * target sees it (a container's own root): whichever is the mapped file itself. */
    char rooted[700];
    snprintf(rooted, sizeof rooted, "/proc/%d/root%s", pid, m->path);
    const char *paths[] = {m->path, rooted};
    int fd = -1;
    struct stat st;
    for (int i = 0; i < 2 && fd < 0; i++) {
        fd = open(paths[i], O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && !is_mapped_file(m, fd, &st)) {
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0)
        return;
    size_t size = (size_t)st.st_size;
    /* Mapped for good: symbol names point into it. */
    const unsigned char *image = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (image == MAP_FAILED)
        return;
    const Elf64_Ehdr *header = (const Elf64_Ehdr *)image;
    if (memcmp(header->e_ident, ELFMAG, SELFMAG) != 0 || header->e_ident[EI_CLASS] != ELFCLASS64
        || header->e_shoff + (size_t)header->e_shnum * sizeof(Elf64_Shdr) > size
        || header->e_phoff + (size_t)header->e_phnum * sizeof(Elf64_Phdr) > size)
        return;
    /* Load bias: where the segment at file offset 0 was mapped, less its link-time address. */
    const Elf64_Phdr *segments = (const Elf64_Phdr *)(image + header->e_phoff);
    for (int i = 0; i < header->e_phnum; i++) {
        if (segments[i].p_type == PT_LOAD) {
            m->bias -= segments[i].p_vaddr & ~(uint64_t)0xfff;
            break;
        }
    }
    const Elf64_Shdr *sections = (const Elf64_Shdr *)(image + header->e_shoff);
    const Elf64_Half *versions = NULL;
    for (int i = 0; i < header->e_shnum; i++)
        if (sections[i].sh_type == SHT_GNU_versym && sections[i].sh_offset + sections[i].sh_size <= size)
            versions = (const Elf64_Half *)(image + sections[i].sh_offset);
    size_t capacity = 0;
    for (int i = 0; i < header->e_shnum; i++) {
        if (sections[i].sh_type == SHT_DYNSYM || sections[i].sh_type == SHT_SYMTAB) {
            if (sections[i].sh_link >= header->e_shnum)
                continue;
            add_symbols(m, image, size, sections, i, sections[i].sh_type == SHT_DYNSYM ? versions : NULL, &capacity);
        }
    }
    qsort(m->symbols, m->count, sizeof *m->symbols, by_address);
}

static uint64_t exported_address(const struct module *m, const char *name)
{
    for (size_t k = 0; k < m->count; k++)
        if (m->symbols[k].exported && strcmp(m->symbols[k].name, name) == 0)
            return m->bias + m->symbols[k].address;
    return 0;
}

uint64_t resolve_symbol(int pid, const char *name, int libc_first)
{
    if (module_count < 0)
        read_maps(pid);
    /* The C library, where dlopen and dlsym live, is on every stack, so it has been read while
     * unwinding; looking there first spares reading the symbol tables of every module mapped before it. */
    for (int i = 0; libc_first && i < module_count; i++) {
        uint64_t address = modules[i].loaded ? exported_address(&modules[i], name) : 0;
        if (address)
            return address;
    }
    for (int i = 0; i < module_count; i++) {
        struct module *m = &modules[i];
        if (!m->loaded)
            load_module(pid, m);
        uint64_t address = exported_address(m, name);
        if (address)
            return address;
    }
    return 0;
}

int symbols_at(int pid, uint64_t address, const char **names, int max)
{
    if (module_count < 0)
        read_maps(pid);
    for (int i = 0; i < module_count; i++) {
        struct module *m = &modules[i];
        if (address < m->start || address >= m->end)
            continue;
        if (!m->loaded)
            load_module(pid, m);
        uint64_t relative = address - m->bias;
        size_t low = 0, high = m->count;
        while (low < high) { /* the first symbol above the address */
            size_t middle = (low + high) / 2;
            if (m->symbols[middle].address <= relative)
                low = middle + 1;
            else
                high = middle;
        }
        int count = 0;
        for (size_t k = low; k > 0 && count < max && m->symbols[k - 1].address == m->symbols[low - 1].address; k--)
            names[count++] = m->symbols[k - 1].name;
        return count;
    }
    return 0;
}

int module_at(int pid, uint64_t address, uint64_t *start, uint64_t *end, uint64_t *image)
{
    if (module_count < 0)
        read_maps(pid);
    for (int i = 0; i < module_count; i++) {
        const struct module *m = &modules[i];
        if (address >= m->start && address < m->end && m->image != 0) {
            *start = m->start;
            *end = m->end;
            *image = m->image;
            return 0;
        }
    }
    return -1;
}
