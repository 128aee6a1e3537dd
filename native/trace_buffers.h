/*
 * Where the call recorder's hooks put their records: one buffer per traced thread (trace_buffers.c).
 */
#ifndef HOST_TRACE_BUFFERS_H
#define HOST_TRACE_BUFFERS_H

#include <stddef.h>
#include <stdint.h>

struct record {
    uint64_t time_ns;
    uint32_t code;
    uint32_t extra;
    uint32_t depth;
    uint16_t thread;
    uint8_t kind;
    uint8_t session; /* the low byte of the session's number: a late record of an older one is left out */
};
/* The host reads records by trace_vocabulary.def's layout: struct record must be that layout. */
#define TRACE_RECORD_SIZE(bytes) _Static_assert(sizeof(struct record) == bytes, "trace_vocabulary.def: the record's size");
#define TRACE_RECORD_FIELD(name, offset, bytes)                                                    \
    _Static_assert(offsetof(struct record, name) == offset && sizeof(((struct record *)0)->name) == bytes, \
                   "trace_vocabulary.def: the place of " #name);
#include "trace_vocabulary.def"

struct ring;

/* What a traced thread keeps: its buffer, and calltrace.c's state of it in the current session. */
struct trace_thread {
    struct ring *ring; /* NULL until its first event, and again once the thread has ended */
    unsigned generation;
    int status; /* 0 unseen, 1 traced, -1 ignored, 2 waiting for the payload to decide */
    uint16_t slot;
    int depth;
};

/* Sets the size of the buffers made from now on, and empties the existing ones for a new session. */
void trace_buffers_open(uint32_t records_per_thread, uint8_t session);
/* The calling thread's state; its buffer is made (or reused from a thread that ended) on first use,
 * and stays NULL if none can be had. One thread-local access: hooks call this once per event. */
struct trace_thread *trace_buffers_thread(void);
/* Appends a record: 1 appended, 0 full (the caller drops it or waits), and wakes the drainer at half full. */
int trace_buffers_append(struct ring *ring, const struct record *record, void (*wake)(void));
void trace_buffers_count(struct ring *ring, int dropped, int beyond_depth);
/* Takes every buffer's records, merged in time order (each thread's own order kept): a malloc'd
 * array the caller frees, with their number in *count. */
struct record *trace_buffers_drain(size_t *count);
/* Totals over every buffer since trace_buffers_open. */
void trace_buffers_totals(unsigned long long *recorded, unsigned long long *dropped, unsigned long long *beyond_depth);
/* Marks the calling thread as inside a hook (1) or out of it (0), and tells whether any thread is. */
void trace_buffers_enter(struct ring *ring, int inside);
int trace_buffers_any_inside(void);

#endif
