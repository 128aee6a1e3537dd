/*
 * One buffer per traced thread for the call recorder: a ring that only its thread writes and only
 * the controller reads. A hook's append is then a few stores and one release store, with no lock
 * and no shared cache line, even when (free-threaded builds) every thread runs Python at once.
 *
 * A ring outlives its thread: when the thread ends (its thread-specific value's destructor runs) the
 * ring is retired, drained one last time, then handed to the next new thread. Rings are never freed,
 * so the controller can read them without a lock; their number is bounded by the most threads
 * traced at the same time (at most MAX_RINGS; threads beyond that are not traced).
 */
#define _GNU_SOURCE
#include "trace_buffers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RINGS 4096

enum { RING_FREE = 0, RING_OWNED = 1, RING_RETIRED = 2 };

struct ring {
    _Atomic uint64_t head; /* written by the owner only */
    char pad1[56];
    _Atomic uint64_t tail; /* written by the controller only */
    _Atomic int state;
    _Atomic int inside;
    /* Counted by the owner alone, read by the controller. */
    _Atomic unsigned long long recorded, dropped, beyond_depth;
    uint8_t session;
    uint32_t mask;
    struct record records[];
};

static struct ring *_Atomic rings[MAX_RINGS];
static _Atomic size_t ring_count;
static pthread_mutex_t make_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t ring_size = 1u << 14;
static _Atomic uint8_t session;
static pthread_key_t owner_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static __thread struct trace_thread mine;

/* The thread ended (or could not register its ring): the ring gets no more records from it. */
static void retire(void *ring)
{
    mine.ring = NULL;
    atomic_store_explicit(&((struct ring *)ring)->state, RING_RETIRED, memory_order_release);
}

static void make_key(void)
{
    pthread_key_create(&owner_key, retire);
}

static void bump(_Atomic unsigned long long *counter, unsigned long long by)
{
    atomic_store_explicit(counter, atomic_load_explicit(counter, memory_order_relaxed) + by, memory_order_relaxed);
}

void trace_buffers_open(uint32_t records_per_thread, uint8_t new_session)
{
    pthread_once(&key_once, make_key);
    uint32_t size = 1024;
    while (size < records_per_thread && size < (1u << 22))
        size <<= 1;
    ring_size = size;
    atomic_store_explicit(&session, new_session, memory_order_release);
    /* No hook runs between sessions: what an older one left unread is dropped. */
    size_t count = atomic_load_explicit(&ring_count, memory_order_acquire);
    for (size_t i = 0; i < count; i++) {
        struct ring *ring = atomic_load_explicit(&rings[i], memory_order_acquire);
        atomic_store_explicit(&ring->tail, atomic_load_explicit(&ring->head, memory_order_acquire), memory_order_release);
        atomic_store_explicit(&ring->recorded, 0, memory_order_relaxed);
        atomic_store_explicit(&ring->dropped, 0, memory_order_relaxed);
        atomic_store_explicit(&ring->beyond_depth, 0, memory_order_relaxed);
    }
}

static struct ring *take_free_ring(void)
{
    size_t count = atomic_load_explicit(&ring_count, memory_order_acquire);
    for (size_t i = 0; i < count; i++) {
        struct ring *ring = atomic_load_explicit(&rings[i], memory_order_acquire);
        int expected = RING_FREE;
        if (atomic_compare_exchange_strong(&ring->state, &expected, RING_OWNED))
            return ring;
    }
    if (count == MAX_RINGS)
        return NULL;
    struct ring *ring = calloc(1, sizeof *ring + (size_t)ring_size * sizeof(struct record));
    if (ring == NULL)
        return NULL;
    ring->mask = ring_size - 1;
    atomic_store_explicit(&ring->state, RING_OWNED, memory_order_relaxed);
    atomic_store_explicit(&rings[count], ring, memory_order_release);
    atomic_store_explicit(&ring_count, count + 1, memory_order_release);
    return ring;
}

struct trace_thread *trace_buffers_thread(void)
{
    struct trace_thread *self = &mine;
    if (self->ring != NULL)
        return self;
    pthread_mutex_lock(&make_lock);
    struct ring *ring = take_free_ring();
    pthread_mutex_unlock(&make_lock);
    if (ring != NULL && pthread_setspecific(owner_key, ring) != 0) {
        retire(ring);
        return self;
    }
    self->ring = ring;
    return self;
}

int trace_buffers_append(struct ring *ring, const struct record *record, void (*wake)(void))
{
    uint64_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
    if (head - tail > ring->mask)
        return 0;
    struct record *slot = &ring->records[head & ring->mask];
    *slot = *record;
    slot->session = atomic_load_explicit(&session, memory_order_relaxed);
    atomic_store_explicit(&ring->head, head + 1, memory_order_release);
    bump(&ring->recorded, 1);
    if (head - tail + 1 == (ring->mask + 1) / 2)
        wake();
    return 1;
}

void trace_buffers_count(struct ring *ring, int dropped, int beyond_depth)
{
    if (dropped)
        bump(&ring->dropped, (unsigned long long)dropped);
    if (beyond_depth)
        bump(&ring->beyond_depth, (unsigned long long)beyond_depth);
}

void trace_buffers_enter(struct ring *ring, int inside)
{
    /* Entering must be seen before the hook reads whether a session runs (stop() writes that, then
     * reads this: one of the two sees the other); leaving only has to come after the hook's work. */
    atomic_store_explicit(&ring->inside, inside, inside ? memory_order_seq_cst : memory_order_release);
}

int trace_buffers_any_inside(void)
{
    size_t count = atomic_load_explicit(&ring_count, memory_order_acquire);
    for (size_t i = 0; i < count; i++)
        if (atomic_load_explicit(&atomic_load_explicit(&rings[i], memory_order_acquire)->inside, memory_order_seq_cst))
            return 1;
    return 0;
}

/* ---- draining: every ring's new records, merged by time ---- */

struct run {
    const struct record *next, *end;
};

static int earlier(const struct run *a, const struct run *b)
{
    return a->next->time_ns < b->next->time_ns;
}

/* Restores the heap order below position i (a min-heap of runs by their next record's time). */
static void sift_down(struct run *heap, size_t n, size_t i)
{
    for (;;) {
        size_t least = i, left = 2 * i + 1, right = left + 1;
        if (left < n && earlier(&heap[left], &heap[least]))
            least = left;
        if (right < n && earlier(&heap[right], &heap[least]))
            least = right;
        if (least == i)
            return;
        struct run swap = heap[i];
        heap[i] = heap[least];
        heap[least] = swap;
        i = least;
    }
}

/* Copies a ring's unread records (oldest first) to out; returns how many. */
static size_t take(struct ring *ring, struct record *out, size_t room)
{
    uint64_t head = atomic_load_explicit(&ring->head, memory_order_acquire);
    uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    size_t n = (size_t)(head - tail) < room ? (size_t)(head - tail) : room;
    uint8_t current = atomic_load_explicit(&session, memory_order_relaxed);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const struct record *record = &ring->records[(tail + i) & ring->mask];
        if (record->session == current)
            out[kept++] = *record;
    }
    atomic_store_explicit(&ring->tail, tail + n, memory_order_release);
    return kept;
}

struct record *trace_buffers_drain(size_t *count)
{
    size_t rings_now = atomic_load_explicit(&ring_count, memory_order_acquire);
    size_t total = 0;
    for (size_t i = 0; i < rings_now; i++) {
        struct ring *ring = atomic_load_explicit(&rings[i], memory_order_acquire);
        total += (size_t)(atomic_load_explicit(&ring->head, memory_order_acquire) - atomic_load_explicit(&ring->tail, memory_order_relaxed));
    }
    *count = 0;
    struct record *gathered = malloc((total ? total : 1) * sizeof *gathered);
    struct run *heap = malloc((rings_now ? rings_now : 1) * sizeof *heap);
    struct record *merged = malloc((total ? total : 1) * sizeof *merged);
    if (gathered == NULL || heap == NULL || merged == NULL) {
        free(gathered);
        free(heap);
        free(merged);
        return NULL;
    }
    size_t used = 0, runs = 0;
    for (size_t i = 0; i < rings_now; i++) {
        struct ring *ring = atomic_load_explicit(&rings[i], memory_order_acquire);
        int state = atomic_load_explicit(&ring->state, memory_order_acquire);
        size_t n = take(ring, gathered + used, total - used);
        if (n > 0)
            heap[runs++] = (struct run){gathered + used, gathered + used + n};
        used += n;
        /* A ring whose thread ended is free once emptied (no one writes to it any more). */
        int retired = RING_RETIRED;
        if (state == RING_RETIRED && atomic_load_explicit(&ring->head, memory_order_acquire) == atomic_load_explicit(&ring->tail, memory_order_relaxed))
            atomic_compare_exchange_strong(&ring->state, &retired, RING_FREE);
    }
    for (size_t i = runs; i-- > 0;)
        sift_down(heap, runs, i);
    size_t out = 0;
    while (runs > 0) {
        merged[out++] = *heap[0].next++;
        if (heap[0].next == heap[0].end)
            heap[0] = heap[--runs];
        sift_down(heap, runs, 0);
    }
    free(gathered);
    free(heap);
    *count = out;
    return merged;
}

void trace_buffers_totals(unsigned long long *recorded, unsigned long long *dropped, unsigned long long *beyond_depth)
{
    *recorded = *dropped = *beyond_depth = 0;
    size_t count = atomic_load_explicit(&ring_count, memory_order_acquire);
    for (size_t i = 0; i < count; i++) {
        struct ring *ring = atomic_load_explicit(&rings[i], memory_order_acquire);
        *recorded += atomic_load_explicit(&ring->recorded, memory_order_relaxed);
        *dropped += atomic_load_explicit(&ring->dropped, memory_order_relaxed);
        *beyond_depth += atomic_load_explicit(&ring->beyond_depth, memory_order_relaxed);
    }
}
