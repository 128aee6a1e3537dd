# Runs inside gdb (gdb -nx -batch -x gdb_driver.py).
#
# It attaches to the target, finds a thread stopped at a safe point, makes that
# thread perform the planned calls (typically: load the host agent, start its
# thread), and detaches at once. Results go to a file, never to a pipe, so a
# host killed with SIGKILL cannot make gdb die half-way through a call.
#
# A safe point is a thread that holds no allocator or dynamic-loader lock:
# preferably one blocked in a system call (futex, poll, sleep...), and never one
# whose stack shows malloc, free, the dynamic loader or thread creation. If no
# thread qualifies, the innermost unsafe frame is run to completion ("finish")
# and the threads are examined again, within the plan's deadline.
import errno
import json
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

AGENT_NEEDS_MAIN_THREAD = -4

# A stack gdb could not unwind to its outermost frame: never a safe point, and nothing to run to its end.
INCOMPLETE = object()

# More function names to treat as unsafe (a regular expression). Tests use it to drive the
# fallback path, which a real target reaches only by chance.
EXTRA_UNSAFE = (re.compile("^(%s)$" % os.environ["HOST_EXTRA_UNSAFE_FRAMES"])
                if os.environ.get("HOST_EXTRA_UNSAFE_FRAMES") else None)


def is_unsafe(name):
    return bool(name) and (UNSAFE_FRAME.match(name) is not None
                           or (EXTRA_UNSAFE is not None and EXTRA_UNSAFE.match(name) is not None))

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CTYPES = {"int": "int", "long": "long", "pointer": "void*", "string": "char*", "void": "void"}


class Driver(object):
    def __init__(self, plan):
        self.plan = plan
        self.pid = int(plan["pid"])
        self.deadline = time.time() + float(plan.get("timeout", 10))
        self.out = open(plan["result"], "w")

    def emit(self, **event):
        self.out.write(json.dumps(event) + "\n")
        self.out.flush()

    def run(self):
        # The deadline watchdog stops a running target with SIGSTOP; it must never reach the program.
        for command in ("handle SIGSTOP stop print nopass",
                        "set pagination off", "set confirm off", "set verbose off",
                        "set print thread-events off", "set unwindonsignal on",
                        "set unwind-on-terminating-exception on",
                        "set auto-solib-add off", "set width 0",
                        # The target's libraries as the target sees them: under another root (a
                        # chroot, a container) gdb's own "target:" lookup opens other files, whose
                        # addresses are wrong, and a call through one kills the target.
                        "set sysroot /proc/%d/root" % self.pid):
            gdb.execute(command, to_string=True)
        try:
            # The program through /proc: under another root, the path gdb reads from the kernel
            # names a file that is not there (or another one) in gdb's own filesystem.
            gdb.execute("file /proc/%d/exe" % self.pid, to_string=True)
            gdb.execute("attach %d" % self.pid, to_string=True)
        except gdb.error as error:
            self.emit(event="error", kind="attach", message=str(error))
            return
        try:
            # Reading every library's symbols costs more than the rest of the attach; only the C
            # library and the loader (malloc, dlopen, their frames), plus any the plan names
            # (libpython for Python API calls), are needed.
            # gdb's regular expressions are POSIX basic ones: alternation is a backslash and a bar.
            libraries = "\\|".join(["libc[.-]", "ld-linux", "libpthread", "libdl[.-]", "libgcc_s"] + self.plan.get("libraries", []))
            gdb.execute("sharedlibrary " + libraries, to_string=True)
            self.emit(event="attached", threads=len(gdb.selected_inferior().threads()))
            thread, how = self.find_safe_thread()
            if thread is None:
                self.emit(event="error", kind="no-safe-point",
                          message="no thread reached a safe point before the deadline")
                return
            thread.switch()
            self.emit(event="safe-point", tid=thread.ptid[1], how=how)
            for call in self.plan["calls"]:
                if not self.perform(call):
                    break
        finally:
            self.detach()

    def detach(self):
        try:
            gdb.execute("detach", to_string=True)
            self.emit(event="detached")
        except gdb.error as error:
            self.emit(event="error", kind="detach", message=str(error))

    # --- finding a safe point -------------------------------------------------

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

    # --- calls ---------------------------------------------------------------

    def literal(self, argument):
        if isinstance(argument, bool):
            return "1" if argument else "0"
        if isinstance(argument, int):
            return str(argument)
        text = str(argument)
        if any(ord(c) < 32 or ord(c) > 126 for c in text):
            raise ValueError("string arguments must be printable ASCII")
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def perform(self, call):
        kind = call.get("kind", "call")
        try:
            if kind == "start-agent":
                value = self.start_agent(call["agent"], call["function"], call["session"])
                if value == AGENT_NEEDS_MAIN_THREAD and self.move_to_main_thread():
                    value = self.start_agent(call["agent"], call["function"], call["session"])
            else:
                value = self.call_function(call["function"], call.get("returns", "long"),
                                           call.get("args", []))
        except (gdb.error, ValueError, RuntimeError) as error:
            self.emit(event="error", kind="call", function=call.get("function", kind),
                      message=str(error))
            return False
        self.emit(event="result", function=call.get("function", kind), value=value)
        return True

    def move_to_main_thread(self):
        """Python 2.7 or 3.6 without threads: the GIL must be created on the main thread."""
        for thread in gdb.selected_inferior().threads():
            if thread.ptid[1] == self.pid and self.unsafe_frame(thread) is None:
                thread.switch()
                self.emit(event="safe-point", tid=self.pid, how="main thread (no thread started yet)")
                return True
        return False

    def call_function(self, function, returns, args):
        if not NAME.match(function):
            raise ValueError("not a C function name: %r" % function)
        if returns not in CTYPES:
            raise ValueError("unknown return type: %r" % returns)
        expression = "(%s)%s(%s)" % (CTYPES[returns], function,
                                     ", ".join(self.literal(a) for a in args))
        if returns == "void":
            gdb.execute("call " + expression, to_string=True)
            return None
        value = gdb.parse_and_eval(expression)
        if returns == "string":
            return None if int(value) == 0 else value.string(errors="replace")
        return int(value)

    def start_agent(self, agent, symbol, session):
        # The agent stays loaded once it is there (a library cannot unload the
        # code its own thread runs), so later sessions reuse it through dlsym.
        if not NAME.match(symbol):
            raise ValueError("not a C function name: %r" % symbol)
        address = int(gdb.parse_and_eval('(void*)dlsym((void*)0, %s)' % self.literal(symbol)))
        if address == 0:
            handle = int(gdb.parse_and_eval('(void*)dlopen(%s, 258)' % self.literal(agent)))
            if handle == 0:
                error = self.call_function("dlerror", "string", [])
                raise RuntimeError("dlopen of the agent failed: %s" % error)
            address = int(gdb.parse_and_eval('(void*)dlsym((void*)%d, %s)' % (handle, self.literal(symbol))))
            if address == 0:
                raise RuntimeError("the agent library does not export %s" % symbol)
        return int(gdb.parse_and_eval('(int)((int(*)(const char*))%d)(%s)' % (address, self.literal(session))))


def host_alive(pid):
    # gdb is the host's child: once the host is gone (even as a zombie not yet reaped) gdb has
    # been handed to another parent.
    return os.getppid() == pid


def wait_for_plan(path):
    # gdb is started before the host knows what to do; the plan arrives as a file (renamed into
    # place whole). No plan, no attach: quit when the host is gone or removed our folder.
    host = int(os.environ.get("HOST_PID", "0"))
    folder = os.path.dirname(path)
    started = time.time()
    while not os.path.exists(path):
        if not os.path.isdir(folder) or (host and not host_alive(host)) or time.time() - started > 600:
            return None
        time.sleep(0.002)
    with open(path) as f:
        return json.load(f)


def main():
    plan = wait_for_plan(os.environ["HOST_GDB_PLAN"])
    if plan is not None:
        Driver(plan).run()
    # Detached (or never attached): gdb's own tear-down would only cost the user time.
    os._exit(0)


main()
