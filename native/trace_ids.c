/*
 * The ids of the code objects and exception types the call recorder has seen: looked up on every
 * event, from every traced thread at once on a free-threaded build, and added to once per object.
 *
 * A lookup takes no lock. A table only ever changes by an empty slot being filled, its id first
 * and its key last (release order), so a reader that finds the key finds its id too. A table too
 * full for more is replaced by a bigger copy; the old one is kept until the session's end, since a
 * lookup may still be reading it. Additions are serialised by a mutex, held for no Python code.
 */
#define _GNU_SOURCE
#include "trace_ids.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct entry {
    _Atomic(PyObject *) key;
    _Atomic int32_t id;
};

struct table {
    size_t size; /* a power of two */
    struct table *older;
    struct entry entries[];
};

static _Atomic(struct table *) current;
static pthread_mutex_t add_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t used;

static size_t start_of(PyObject *key, size_t size)
{
    return (size_t)(((uintptr_t)key >> 4) * 0x9E3779B97F4A7C15ull) & (size - 1);
}

/* The slot holding key, or the empty slot where it belongs (NULL only if the table is full). */
static struct entry *probe(struct table *table, PyObject *key)
{
    size_t i = start_of(key, table->size);
    for (size_t n = 0; n < table->size; n++, i = (i + 1) & (table->size - 1)) {
        PyObject *found = atomic_load_explicit(&table->entries[i].key, memory_order_acquire);
        if (found == key || found == NULL)
            return &table->entries[i];
    }
    return NULL;
}

int trace_ids_find(PyObject *key, int32_t *id)
{
    struct table *table = atomic_load_explicit(&current, memory_order_acquire);
    if (table == NULL)
        return 0;
    struct entry *entry = probe(table, key);
    if (entry == NULL || atomic_load_explicit(&entry->key, memory_order_acquire) != key)
        return 0;
    *id = atomic_load_explicit(&entry->id, memory_order_relaxed);
    return 1;
}

static void put(struct table *table, PyObject *key, int32_t id)
{
    struct entry *entry = probe(table, key);
    atomic_store_explicit(&entry->id, id, memory_order_relaxed);
    atomic_store_explicit(&entry->key, key, memory_order_release);
}

/* A table twice the size with the same entries, published in place of the old one. */
static struct table *grow(struct table *old)
{
    size_t size = old ? old->size * 2 : 1024;
    struct table *bigger = calloc(1, sizeof *bigger + size * sizeof bigger->entries[0]);
    if (bigger == NULL)
        return NULL;
    bigger->size = size;
    bigger->older = old;
    for (size_t i = 0; old && i < old->size; i++) {
        PyObject *key = atomic_load_explicit(&old->entries[i].key, memory_order_relaxed);
        if (key != NULL)
            put(bigger, key, atomic_load_explicit(&old->entries[i].id, memory_order_relaxed));
    }
    atomic_store_explicit(&current, bigger, memory_order_release);
    return bigger;
}

int32_t trace_ids_add(const struct host_api *api, PyObject *key, int32_t id)
{
    pthread_mutex_lock(&add_lock);
    struct table *table = atomic_load_explicit(&current, memory_order_relaxed);
    int32_t existing;
    if (trace_ids_find(key, &existing)) {
        pthread_mutex_unlock(&add_lock);
        return existing;
    }
    if ((table == NULL || (used + 1) * 2 > table->size) && (table = grow(table)) == NULL) {
        pthread_mutex_unlock(&add_lock);
        return 0;
    }
    api->Py_IncRef(key);
    put(table, key, id);
    used++;
    pthread_mutex_unlock(&add_lock);
    return id;
}

void trace_ids_clear(const struct host_api *api)
{
    pthread_mutex_lock(&add_lock);
    struct table *table = atomic_exchange_explicit(&current, NULL, memory_order_acq_rel);
    for (size_t i = 0; table && i < table->size; i++) {
        PyObject *key = atomic_load_explicit(&table->entries[i].key, memory_order_relaxed);
        if (key != NULL)
            api->Py_DecRef(key);
    }
    while (table != NULL) {
        struct table *older = table->older;
        free(table);
        table = older;
    }
    used = 0;
    pthread_mutex_unlock(&add_lock);
}
