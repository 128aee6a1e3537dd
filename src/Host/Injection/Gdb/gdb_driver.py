# Runs inside gdb (gdb -nx -batch -x FILE, FILE being gdb_safe_point.py and this one, joined).
#
# It attaches to the target, finds a thread stopped at a safe point, makes that
# thread perform the planned calls (typically: load the host agent, start its
# thread), and detaches at once. Results go to a file, never to a pipe, so a
# host killed with SIGKILL cannot make gdb die half-way through a call.
#
# How the thread is found: gdb_safe_point.py (SafePoints).
import json
import os
import re
import time

import gdb

AGENT_NEEDS_MAIN_THREAD = -4
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CTYPES = {"int": "int", "long": "long", "pointer": "void*", "string": "char*", "void": "void"}


def attach_failure(message):
    """The failure kind (src/Host/Injection/Transports/FailureKind.cs) of a failed attach.

    gdb says why only in words (its rendering of errno), so they are read here, the one place that
    knows gdb: nothing above the transports reads a tool's wording."""
    if "Operation not permitted" in message:
        return "permission"
    if "No such process" in message:
        return "no-such-process"
    return "attach"


class Driver(SafePoints):
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
            self.emit(event="error", kind=attach_failure(str(error)), message=str(error))
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
