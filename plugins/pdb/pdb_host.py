# Part of `host run pdb`'s payload (joined after pdb_link.py): pdb itself, made to talk to the
# host instead of the target's stdin and stdout, and to detach instead of raising into the target.

def _pdb_options():
    options = {"stdin": None, "stdout": None}
    code = pdb.Pdb.__init__
    names = getattr(getattr(code, "__code__", None), "co_varnames", ())
    if "nosigint" in names:
        options["nosigint"] = True  # never touch the target's SIGINT handler
    if "readrc" in names:
        options["readrc"] = False  # never run the target's .pdbrc
    return options


class HostPdb(pdb.Pdb):
    def __init__(self, link):
        options = _pdb_options()
        options.update(stdin=Input(link), stdout=Output(link))
        pdb.Pdb.__init__(self, **options)
        self.rcLines = []
        self.use_rawinput = 0
        self.prompt = "(Pdb) "
        self.link = link
        self.prompt_lock = _allocate_lock()
        self.detached = False
        self.live = False  # the prompt runs on the debugged thread itself
        self.resume = ("step", None)

    def interaction(self, frame, traceback):
        if self.detached:
            return
        # One prompt at a time: the debugged thread waits while the controller inspects it.
        with self.prompt_lock:
            if self.detached:
                return
            self.live = _get_ident() != self.link.controller
            try:
                pdb.Pdb.interaction(self, frame, traceback)
            finally:
                # "running": the thread goes on; "waiting": it is outside Python and will stop (or
                # go on, per the command) when it next runs Python.
                state = "running" if self.live else "waiting"
                self.live = False
            if not self.detached:
                self.link.send({"type": state})

    def detach(self, arg=None):
        self.detached = True
        self.clear_all_breaks()
        bdb.Bdb.set_continue(self)
        return 1

    # While the controller inspects a thread that is outside Python, the commands that make it run
    # are remembered, and applied on that thread when it breaks in (see Debugger.break_in).
    def set_continue(self):
        if self._inspecting():
            self.resume = ("continue", None)
        else:
            bdb.Bdb.set_continue(self)

    def set_step(self):
        if self._inspecting():
            self.resume = ("step", None)
        else:
            bdb.Bdb.set_step(self)

    def set_next(self, frame):
        if self._inspecting():
            self.resume = ("next", frame)
        else:
            bdb.Bdb.set_next(self, frame)

    def set_return(self, frame):
        if self._inspecting():
            self.resume = ("return", frame)
        else:
            bdb.Bdb.set_return(self, frame)

    def _inspecting(self):
        return not self.detached and _get_ident() == self.link.controller

    do_quit = do_q = do_exit = detach

    # What the host's Tab asks for: cmd.Cmd.complete's choices, without the readline module.
    COMPLETION_DELIMITERS = " \t\n`~!@#$%^&*()-=+[{]}\\|;:'\",<>/?"

    def completions(self, line):
        begin = len(line)
        while begin > 0 and line[begin - 1] not in self.COMPLETION_DELIMITERS:
            begin -= 1
        text = line[begin:]
        stripped = len(line) - len(line.lstrip())
        try:
            if begin > stripped:
                command = self.parseline(line.lstrip())[0]
                choose = getattr(self, "complete_" + command, self.completedefault) if command else self.completedefault
            else:
                choose = self.completenames
            items = sorted(set(choose(text, line, begin, len(line)) or []))
        except Exception:
            items = []
        return {"type": "completions", "prefix": line[:begin], "items": [_text(i) for i in items[:200]]}

    def do_interact(self, arg):
        """interact: a Python console in the current frame's namespace, over the host's terminal."""
        namespace = dict(self.curframe.f_globals)
        namespace.update(getattr(self, "curframe_locals", self.curframe.f_locals))
        HostConsole(self, namespace).interact("*interactive* (Ctrl-D goes back to pdb)")

    def _refuse(self, arg=None):
        """Commands that would raise into the target (run/restart raise Restart) or take over its
        own stdin and stdout (debug) are refused."""
        self.message("*** not available when attached to a running process")

    do_run = do_restart = do_debug = _refuse

    def do_EOF(self, arg):
        self.message("")
        return self.detach()

    if not hasattr(pdb.Pdb, "message"):
        def message(self, text):
            self.stdout.write(text + "\n")


class HostConsole(_code.InteractiveConsole):
    """pdb's `interact`, reading and writing through the host instead of the target's stdin/stdout."""

    def __init__(self, debugger, namespace):
        _code.InteractiveConsole.__init__(self, namespace)
        self.debugger = debugger
        self.leaving = False

    def raw_input(self, prompt=""):
        if self.leaving:
            raise EOFError
        self.debugger.stdout.write(prompt)
        line = self.debugger.link.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    def write(self, data):
        self.debugger.stdout.write(data)

    def runcode(self, code):
        # Like pdb's own statements: input and output go through the host only while this line
        # runs (exit() closes sys.stdin: never the target's own).
        saved = sys.stdin, sys.stdout, sys.displayhook
        sys.stdin = self.debugger.stdin
        sys.stdout = self.debugger.stdout
        sys.displayhook = self._display
        try:
            _code.InteractiveConsole.runcode(self, code)
        except SystemExit:
            # exit() here must not end the target's thread (or the target): it leaves the console.
            self.write("(exit() leaves interact; the process runs on)\n")
            self.leaving = True
        finally:
            sys.stdin, sys.stdout, sys.displayhook = saved

    def _display(self, value):
        if value is not None:
            self.debugger.stdout.write(repr(value) + "\n")
