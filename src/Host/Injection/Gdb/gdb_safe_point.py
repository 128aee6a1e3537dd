# The first part of the gdb driver (joined before gdb_driver.py): finding a thread at a safe point.
#
# A safe point is a thread that holds no allocator or dynamic-loader lock: preferably one blocked
# in a system call (futex, poll, sleep...), and never one whose stack shows malloc, free, the
# dynamic loader or thread creation, nor one whose stack cannot be unwound to its outermost frame.
# If no thread qualifies, the innermost unsafe frame is run to completion ("finish") and the
# threads are examined again, within the plan's deadline.
import os
import re
import signal
import threading
import time

import gdb

# x86_64 numbers of system calls in which a thread waits for something outside
# the process and holds no user-space lock of its own.
BLOCKING_SYSCALLS = {
    0: "read", 7: "poll", 23: "select", 34: "pause", 35: "nanosleep",
    43: "accept", 45: "recvfrom", 47: "recvmsg", 61: "wait4", 128: "rt_sigtimedwait",
    130: "rt_sigsuspend", 202: "futex", 230: "clock_nanosleep", 232: "epoll_wait",
    247: "waitid", 270: "pselect6", 271: "ppoll", 281: "epoll_pwait", 288: "accept4",
    299: "recvmmsg", 441: "epoll_pwait2",
}

UNSAFE_FRAME = re.compile(
    r"^(__libc_|__GI___libc_|__GI_|_int_)?"
    r"(malloc|calloc|realloc|free|memalign|posix_memalign|aligned_alloc|valloc|pvalloc|"
    r"reallocarray|malloc_consolidate|sysmalloc|systrim|tcache_\w+|arena_\w+|"
    r"_dl_\w+|dl_\w+|dlopen\w*|dlclose\w*|dlsym\w*|dlmopen\w*|dlerror\w*|"
    r"pthread_create\w*|__pthread_create\w*|allocate_stack|__nptl_\w+|"
    r"fork|_Fork|__run_fork_handlers|__libc_fork)$"
)

# A stack gdb could not unwind to its outermost frame: never a safe point, and nothing to run to its end.
INCOMPLETE = object()

# More function names to treat as unsafe (a regular expression). Tests use it to drive the
# fallback path, which a real target reaches only by chance.
EXTRA_UNSAFE = (re.compile("^(%s)$" % os.environ["HOST_EXTRA_UNSAFE_FRAMES"])
                if os.environ.get("HOST_EXTRA_UNSAFE_FRAMES") else None)


def is_unsafe(name):
    return bool(name) and (UNSAFE_FRAME.match(name) is not None
                           or (EXTRA_UNSAFE is not None and EXTRA_UNSAFE.match(name) is not None))


class SafePoints(object):
    """What the driver uses to find its thread; it has self.pid, self.deadline and self.emit."""

    def syscall_of(self, tid):
        try:
            with open("/proc/%d/task/%d/syscall" % (self.pid, tid)) as f:
                first = f.read().split()[0]
            return int(first)
        except (IOError, OSError, ValueError, IndexError):
            return None

    def unsafe_frame(self, thread):
        """What makes `thread` unsafe: the outermost frame that may hold a lock we need (which can
        be run to its end), INCOMPLETE when its stack could not be unwound to its first frame (a
        frame we cannot see may be one), or None when it is at a safe point."""
        thread.switch()
        unsafe = None
        try:
            frame = gdb.newest_frame()
            depth = 0
            while depth < 200:
                if is_unsafe(frame.name()):
                    unsafe = frame
                older = frame.older()
                if older is None:
                    if frame.unwind_stop_reason() != gdb.FRAME_UNWIND_OUTERMOST:
                        return unsafe or INCOMPLETE
                    return unsafe
                frame = older
                depth += 1
        except gdb.error:
            pass
        return unsafe or INCOMPLETE

    def find_safe_thread(self):
        # Threads blocked in a system call are the best places; stacks are unwound
        # lazily, since unwinding every thread of a big process costs time.
        main_last = lambda thread: thread.ptid[1] == self.pid
        all_symbols = False
        while True:
            threads = sorted(gdb.selected_inferior().threads(), key=main_last)
            syscalls = dict((t.ptid[1], self.syscall_of(t.ptid[1])) for t in threads)
            blocked = [t for t in threads if syscalls[t.ptid[1]] in BLOCKING_SYSCALLS]
            others = [t for t in threads if t not in blocked]
            unsafe = []
            for thread in blocked + others:
                frame = self.unsafe_frame(thread)
                if frame is None:
                    number = syscalls[thread.ptid[1]]
                    how = ("blocked in " + BLOCKING_SYSCALLS[number]) if thread in blocked else "no lock held in its stack"
                    return thread, how
                unsafe.append((thread, frame))
            if not all_symbols and time.time() < self.deadline:
                # Unwinding through a library needs its unwind tables, and running a frame to its
                # end needs its caller's frame identified exactly: both need every library's
                # symbols (libpython above all), which the first look went without.
                gdb.execute("sharedlibrary", to_string=True)
                all_symbols = True
                continue
            unsafe = [(t, f) for t, f in unsafe if f is not INCOMPLETE]
            if time.time() > self.deadline or not unsafe:
                return None, None
            thread, frame = unsafe[0]
            thread.switch()
            frame.select()
            self.emit(event="waiting", tid=thread.ptid[1], frame=frame.name())
            if not self.finish_within_deadline():
                return None, None

    def finish_within_deadline(self):
        """Runs the selected frame to its end; a watchdog stops the target at the deadline."""
        state = {"running": True, "fired": False}
        lock = threading.Lock()

        def watchdog():
            while True:
                with lock:
                    if not state["running"]:
                        return
                    if time.time() > self.deadline:
                        state["fired"] = True
                        os.kill(self.pid, signal.SIGSTOP)
                        return
                time.sleep(0.01)

        dog = threading.Thread(target=watchdog)
        dog.daemon = True
        dog.start()
        try:
            gdb.execute("finish", to_string=True)
            finished = True
        except gdb.error as error:
            self.emit(event="error", kind="finish", message=str(error))
            finished = False
        with lock:
            state["running"] = False
            fired = state["fired"]
        dog.join()
        if fired:
            if not self.last_stop_was_sigstop():
                # The SIGSTOP raced with the end of "finish" and is still pending: let gdb
                # take it now (nopass), so that it can never stop the program after we detach.
                try:
                    gdb.execute("continue", to_string=True)
                except gdb.error:
                    pass
            return False
        return finished

    def last_stop_was_sigstop(self):
        try:
            return "SIGSTOP" in gdb.execute("info program", to_string=True)
        except gdb.error:
            return False
