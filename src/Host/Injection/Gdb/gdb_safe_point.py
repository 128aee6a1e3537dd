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

# The safe-point policy is native/injector/safe_point_policy.def, which host-inject compiles in:
# host writes it beside the plan (GdbDriverFiles.cs), and it is read here as data.
POLICY_ENTRY = re.compile(r'^(UNSAFE_DECORATION|UNSAFE_FUNCTION|UNSAFE_PREFIX)\("([A-Za-z0-9_]+)"\)$'
                          r'|^BLOCKING_SYSCALL\(([0-9]+), *"([A-Za-z0-9_]+)"\)$')
# Any other line that looks like an entry is an entry this parser does not know: refuse it
# rather than follow a policy that says less than host-inject's.
POLICY_MACRO = re.compile(r"^[A-Z_]+\(")
WORD = "[A-Za-z0-9_]*"


def read_policy(text):
    """(unsafe-frame regex, {syscall number: name}) from the text of safe_point_policy.def."""
    decorations, names, syscalls = [], [], {}
    for line in text.splitlines():
        line = line.strip()
        entry = POLICY_ENTRY.match(line)
        if entry is None:
            if POLICY_MACRO.match(line):
                raise ValueError("safe_point_policy.def: unknown entry %r" % line)
            continue
        macro, name, number, syscall = entry.groups()
        if syscall is not None:
            syscalls[int(number)] = syscall
        elif macro == "UNSAFE_DECORATION":
            decorations.append(name)
        else:
            # Functions and prefixes in one alternation, in the file's order, as stack.c has them.
            names.append(name + WORD if macro == "UNSAFE_PREFIX" else name)
    return "^(%s)?(%s)$" % ("|".join(decorations), "|".join(names)), syscalls


def _load_policy():
    # Beside the plan: host writes the driver, the policy and the plan into one private folder.
    path = os.path.join(os.path.dirname(os.environ["HOST_GDB_PLAN"]), "safe_point_policy.def")
    with open(path) as f:
        pattern, syscalls = read_policy(f.read())
    return re.compile(pattern), syscalls


# x86_64 numbers of system calls in which a thread waits for something outside the process and
# holds no user-space lock of its own, and the frames that may hold a lock we need.
UNSAFE_FRAME, BLOCKING_SYSCALLS = _load_policy()

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
