#!/usr/bin/env python3
"""tools/layouts/walk.py PID -- print the Python stacks of a running CPython
using only process_vm_readv and layouts.json (no code run in the target, no
debug info used).  A check of the table, not part of host: it does what the
C# reader will do, in the simplest way.

Finds the interpreter list head:
  3.7+      _PyRuntime (exported, .dynsym) + runtime.interpreters_head
  2.7, 3.6  interp_head (static in pystate.c; LOCAL in .symtab, so only on
            unstripped builds such as pyenv's)
"""
import ctypes, json, os, re, struct, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
libc = ctypes.CDLL(None, use_errno=True)

class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]

libc.process_vm_readv.argtypes = [ctypes.c_int, ctypes.POINTER(iovec), ctypes.c_ulong,
                                  ctypes.POINTER(iovec), ctypes.c_ulong, ctypes.c_ulong]
libc.process_vm_readv.restype = ctypes.c_ssize_t

def reader(pid):
    def read(addr, n):
        buf = ctypes.create_string_buffer(n)
        local, remote = iovec(ctypes.cast(buf, ctypes.c_void_p), n), iovec(addr, n)
        got = libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
        if got != n:
            raise OSError(ctypes.get_errno(), f"process_vm_readv {addr:#x}+{n}")
        return buf.raw
    return read

def find_python(pid):
    """(path, load base) of the mapped libpython or, for a static build, the executable."""
    exe = os.readlink(f"/proc/{pid}/exe")
    maps = open(f"/proc/{pid}/maps").read().splitlines()
    cands = [l for l in maps if re.search(r"/libpython[23]\.\d+", l)] or \
            [l for l in maps if l.endswith(exe)]
    first = cands[0].split()
    path = first[5]
    hdr = subprocess.run(["readelf", "-h", path], capture_output=True, text=True).stdout
    if re.search(r"Type:\s+EXEC", hdr):          # non-PIE (e.g. Debian's /usr/bin/python3.11)
        return path, 0                            # symbol values are absolute
    return path, int(first[0].split("-")[0], 16) - int(first[2], 16)

def symbol(path, name):
    out = subprocess.run(["readelf", "-sW", path], capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[7] == name and f[1] != "0000000000000000":
            return int(f[1], 16)
    return None

def main():
    pid = int(sys.argv[1])
    read = reader(pid)
    ptr = lambda a: struct.unpack("<Q", read(a, 8))[0]
    i32 = lambda a: struct.unpack("<i", read(a, 4))[0]
    i64 = lambda a: struct.unpack("<q", read(a, 8))[0]

    path, base = find_python(pid)
    minor = re.search(r"python([23]\.\d+)", path).group(1)
    L = json.load(open(os.path.join(here, "layouts.json")))["versions"][minor]
    print(f"pid {pid}: {path} -> layout {minor} ({L['version']})")

    if L["runtime"]["interpreters_head"] is not None:
        interp = ptr(base + symbol(path, "_PyRuntime") + L["runtime"]["interpreters_head"])
    else:
        interp = ptr(base + symbol(path, "interp_head"))

    def pystr(o):
        if o == 0:
            return None
        if minor.startswith("2."):
            n = i64(o + L["object"]["ob_size"])
            return read(o + L["bytes"]["ob_sval"], n).decode("latin-1")
        U = L["unicode"]; sb = U["state_bits"]
        st = struct.unpack("<I", read(o + U["state"], 4))[0]
        f = lambda b: (st >> sb[b]["shift"]) & ((1 << sb[b]["width"]) - 1)
        n = i64(o + U["length"])
        kind, compact, ascii_ = f("kind"), f("compact"), f("ascii")
        if not compact:
            return "<legacy str>"
        data = o + (U["sizeof_ascii"] if ascii_ else U["sizeof_compact"])
        raw = read(data, n * kind)
        return raw.decode({1: "latin-1", 2: "utf-16-le", 4: "utf-32-le"}[kind])

    def code_desc(code):
        C = L["code"]
        name = pystr(ptr(code + (C["co_qualname"] or C["co_name"])))
        fn = pystr(ptr(code + C["co_filename"]))
        first = i32(code + C["co_firstlineno"])
        return f"{name} ({fn}, def line {first})"

    while interp:
        iid = i64(interp + L["interpreter"]["id"]) if L["interpreter"]["id"] is not None else 0
        ts = ptr(interp + L["interpreter"]["tstate_head"])
        while ts:
            T = L["thread"]
            tid = ptr(ts + T["thread_id"])
            ntid = ptr(ts + T["native_thread_id"]) if T["native_thread_id"] is not None else None
            print(f"interp {iid} thread {tid:#x} native {ntid}")
            if T["frame"] is not None:                     # <= 3.10: PyFrameObject chain
                F = L["frame_object"]
                f = ptr(ts + T["frame"])
                while f:
                    lasti = i32(f + F["f_lasti"])
                    print(f"  {code_desc(ptr(f + F['f_code']))}  f_lasti={lasti}")
                    f = ptr(f + F["f_back"])
            else:                                          # 3.11+: _PyInterpreterFrame chain
                I = L["interpreter_frame"]
                if T["cframe"] is not None:
                    f = ptr(ptr(ts + T["cframe"]) + L["cframe"]["current_frame"])
                else:
                    f = ptr(ts + T["current_frame"])
                while f:
                    owner = read(f + I["owner"], 1)[0]
                    code = ptr(f + I["f_code"])
                    if owner != I["owner_values"].get("FRAME_OWNED_BY_CSTACK"):
                        tp = ptr(code + L["object"]["ob_type"])
                        tpname = read(ptr(tp + L["object"]["tp_name"]), 16).split(b"\0")[0]
                        if tpname == b"code":
                            instr = ptr(f + I["prev_instr"])
                            off = (instr - (code + L["code"]["co_code_adaptive"])) // 2
                            print(f"  {code_desc(code)}  instr_index={off}")
                    f = ptr(f + I["previous"])
            ts = ptr(ts + T["next"])
        interp = ptr(interp + L["interpreter"]["next"])

main()
