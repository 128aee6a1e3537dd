/*
 * offsets.c -- print, as one JSON object, the struct layout an out-of-process
 * reader needs for the CPython whose headers this file is compiled against.
 *
 * Compiled once per installed CPython by tools/layouts/generate:
 *     gcc -DPy_BUILD_CORE -I<prefix>/include/pythonX.Y offsets.c
 * Every number printed is an offsetof()/sizeof() evaluated by the compiler
 * against that version's own headers (public and, for 3.7+, internal), so
 * nothing here is hand-written.  Fields a version does not have print null.
 *
 * x86_64 Linux only (the generator checks the compiler's target).
 */

/* Internal headers (3.7+) refuse to be included without Py_BUILD_CORE; the
 * generator passes -DPy_BUILD_CORE.  3.8's pycore_pystate.h also accepts
 * Py_BUILD_CORE_BUILTIN; defining Py_BUILD_CORE is enough everywhere. */
#include "Python.h"
#include "frameobject.h"
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#if PY_MAJOR_VERSION == 2
#  include "longintrepr.h"
#endif

#if PY_VERSION_HEX >= 0x03070000 && PY_VERSION_HEX < 0x03080000
#  include "internal/pystate.h"   /* _PyRuntimeState, gilstate, ceval.gil */
#elif PY_VERSION_HEX >= 0x03080000 && PY_VERSION_HEX < 0x03090000
#  include "internal/pycore_pystate.h"
#elif PY_VERSION_HEX >= 0x03090000
#  include "internal/pycore_runtime.h"
#  include "internal/pycore_interp.h"
#  include "internal/pycore_pystate.h"
#endif
#if PY_VERSION_HEX >= 0x030B0000
#  include "internal/pycore_frame.h"  /* _PyInterpreterFrame */
#  include "internal/pycore_code.h"
#endif
#if PY_VERSION_HEX >= 0x03070000
#  if PY_VERSION_HEX < 0x03080000
#    include "internal/gil.h"
#  else
#    include "internal/pycore_gil.h"  /* struct _gil_runtime_state */
#  endif
#endif

/* ---- tiny JSON emitter -------------------------------------------------- */
static int first = 1;
static int depth = 1;
static void indent(void) { for (int i = 0; i < depth; i++) fputs("  ", stdout); }
static void key(const char *k) {
    fputs(first ? "\n" : ",\n", stdout);
    first = 0;
    indent();
    printf("\"%s\": ", k);
}
static void num(const char *k, long long v) { key(k); printf("%lld", v); }
static void null(const char *k) { key(k); fputs("null", stdout); }
static void str(const char *k, const char *v) { key(k); printf("\"%s\"", v); }
static void open_(const char *k) { key(k); fputs("{", stdout); first = 1; depth++; }
static void close_(void) { depth--; fputs("\n", stdout); indent(); fputs("}", stdout); first = 0; }

#define OFF(k, T, m) num(k, (long long)offsetof(T, m))
#define SZ(k, T)     num(k, (long long)sizeof(T))

/* Bit position/width of a bitfield: set it to all-ones in a zeroed object
 * and see which bits of the enclosing word changed. */
static void bits(const char *k, const unsigned char *p, size_t n, size_t base) {
    int lo = -1, hi = -1;
    for (size_t i = 0; i < n * 8; i++)
        if (p[i / 8] & (1u << (i % 8))) { if (lo < 0) lo = (int)i; hi = (int)i; }
    open_(k);
    num("byte_offset", (long long)base);   /* offset of the word, in the object */
    num("shift", lo);                      /* bit 0 = LSB of that word (little endian) */
    num("width", hi - lo + 1);
    close_();
}

int main(void) {
    printf("{");
    str("version", PY_VERSION);
    num("hexversion", PY_VERSION_HEX);
    num("sizeof_void_p", (long long)sizeof(void *));

    /* ---- runtime -------------------------------------------------------- */
    open_("runtime");
#if PY_VERSION_HEX >= 0x03070000
    str("symbol", "_PyRuntime");
    SZ("sizeof", _PyRuntimeState);
    OFF("interpreters_head", _PyRuntimeState, interpreters.head);
    OFF("interpreters_main", _PyRuntimeState, interpreters.main);
#else
    /* No _PyRuntime: interp_head is a static in Python/pystate.c. */
    str("symbol", "interp_head");  /* static in Python/pystate.c: LOCAL in .symtab, not in .dynsym */
    null("sizeof");
    null("interpreters_head");
    null("interpreters_main");
#endif
    close_();

    /* ---- PyInterpreterState -------------------------------------------- */
    open_("interpreter");
    SZ("sizeof", PyInterpreterState);
    OFF("next", PyInterpreterState, next);
#if PY_VERSION_HEX >= 0x030B0000
    OFF("tstate_head", PyInterpreterState, threads.head);
    str("tstate_head_field", "threads.head");
#else
    OFF("tstate_head", PyInterpreterState, tstate_head);
    str("tstate_head_field", "tstate_head");
#endif
#if PY_VERSION_HEX >= 0x030C0000
    OFF("modules", PyInterpreterState, imports.modules);
    str("modules_field", "imports.modules");
#else
    OFF("modules", PyInterpreterState, modules);
    str("modules_field", "modules");
#endif
#if PY_VERSION_HEX >= 0x03070000
    OFF("id", PyInterpreterState, id);
#else
    null("id");
#endif
#if PY_VERSION_HEX >= 0x030C0000
    OFF("ceval_gil", PyInterpreterState, ceval.gil);   /* struct _gil_runtime_state * */
    OFF("own_gil_struct", PyInterpreterState, _gil);   /* the struct ceval.gil points to for own-GIL interps (and main) */
#else
    null("ceval_gil");
    null("own_gil_struct");
#endif
    close_();

    /* ---- PyThreadState -------------------------------------------------- */
    open_("thread");
    SZ("sizeof", PyThreadState);
    OFF("next", PyThreadState, next);
    OFF("interp", PyThreadState, interp);
#if PY_VERSION_HEX >= 0x030D0000
    null("frame");
    null("cframe");
    OFF("current_frame", PyThreadState, current_frame);  /* 3.13: no _PyCFrame */
#elif PY_VERSION_HEX >= 0x030B0000
    null("frame");
    OFF("cframe", PyThreadState, cframe);
    null("current_frame");
#else
    OFF("frame", PyThreadState, frame);
    null("cframe");
    null("current_frame");
#endif
    OFF("thread_id", PyThreadState, thread_id);
#if PY_VERSION_HEX >= 0x030B0000   /* added in 3.11, not 3.8 */
    OFF("native_thread_id", PyThreadState, native_thread_id);
#else
    null("native_thread_id");
#endif
    close_();

    /* ---- _PyCFrame (3.11, 3.12) ---------------------------------------- */
    open_("cframe");
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030D0000
    SZ("sizeof", _PyCFrame);
    OFF("current_frame", _PyCFrame, current_frame);
    OFF("previous", _PyCFrame, previous);
#else
    null("sizeof");
    null("current_frame");
    null("previous");
#endif
    close_();

    /* ---- PyFrameObject (<= 3.10) --------------------------------------- */
    open_("frame_object");
#if PY_VERSION_HEX < 0x030B0000
    SZ("sizeof", PyFrameObject);
    OFF("f_back", PyFrameObject, f_back);
    OFF("f_code", PyFrameObject, f_code);
    OFF("f_lasti", PyFrameObject, f_lasti);
    SZ("f_lasti_size", int);
    OFF("f_lineno", PyFrameObject, f_lineno);
    OFF("f_localsplus", PyFrameObject, f_localsplus);
#else
    SZ("sizeof", PyFrameObject);   /* opaque to readers in 3.11+; kept for reference */
    null("f_back");
    null("f_code");
    null("f_lasti");
    null("f_lasti_size");
    null("f_lineno");
    null("f_localsplus");
#endif
    close_();

    /* ---- _PyInterpreterFrame (3.11+) ----------------------------------- */
    open_("interpreter_frame");
#if PY_VERSION_HEX >= 0x030B0000
    SZ("sizeof", _PyInterpreterFrame);
    OFF("previous", _PyInterpreterFrame, previous);
#  if PY_VERSION_HEX >= 0x030D0000
    OFF("f_code", _PyInterpreterFrame, f_executable);
    str("f_code_field", "f_executable");
    OFF("prev_instr", _PyInterpreterFrame, instr_ptr);
    str("prev_instr_field", "instr_ptr");
#  else
    OFF("f_code", _PyInterpreterFrame, f_code);
    str("f_code_field", "f_code");
    OFF("prev_instr", _PyInterpreterFrame, prev_instr);
    str("prev_instr_field", "prev_instr");
#  endif
    OFF("localsplus", _PyInterpreterFrame, localsplus);
    OFF("owner", _PyInterpreterFrame, owner);
    SZ("owner_size", char);
#  if PY_VERSION_HEX < 0x030C0000
    OFF("is_entry", _PyInterpreterFrame, is_entry);
#  else
    null("is_entry");
#  endif
    open_("owner_values");
    num("FRAME_OWNED_BY_THREAD", FRAME_OWNED_BY_THREAD);
    num("FRAME_OWNED_BY_GENERATOR", FRAME_OWNED_BY_GENERATOR);
    num("FRAME_OWNED_BY_FRAME_OBJECT", FRAME_OWNED_BY_FRAME_OBJECT);
#  if PY_VERSION_HEX >= 0x030C0000
    num("FRAME_OWNED_BY_CSTACK", FRAME_OWNED_BY_CSTACK);
#  else
    null("FRAME_OWNED_BY_CSTACK");
#  endif
    close_();
#else
    null("sizeof");
    null("previous");
    null("f_code");
    null("f_code_field");
    null("prev_instr");
    null("prev_instr_field");
    null("localsplus");
    null("owner");
    null("owner_size");
    null("is_entry");
    null("owner_values");
#endif
    close_();

    /* ---- PyCodeObject --------------------------------------------------- */
    open_("code");
    SZ("sizeof", PyCodeObject);
    OFF("co_filename", PyCodeObject, co_filename);
    OFF("co_name", PyCodeObject, co_name);
#if PY_VERSION_HEX >= 0x030B0000
    OFF("co_qualname", PyCodeObject, co_qualname);
#else
    null("co_qualname");
#endif
    OFF("co_firstlineno", PyCodeObject, co_firstlineno);
#if PY_VERSION_HEX >= 0x030A0000
    null("co_lnotab");
    OFF("co_linetable", PyCodeObject, co_linetable);
#else
    OFF("co_lnotab", PyCodeObject, co_lnotab);
    null("co_linetable");
#endif
#if PY_VERSION_HEX >= 0x030B0000
    null("co_code");
    OFF("co_code_adaptive", PyCodeObject, co_code_adaptive);
    OFF("co_nlocalsplus", PyCodeObject, co_nlocalsplus);
    OFF("co_localsplusnames", PyCodeObject, co_localsplusnames);
    OFF("co_nlocals", PyCodeObject, co_nlocals);
    null("co_varnames");
#else
    OFF("co_code", PyCodeObject, co_code);
    null("co_code_adaptive");
    null("co_nlocalsplus");
    null("co_localsplusnames");
    OFF("co_nlocals", PyCodeObject, co_nlocals);
    OFF("co_varnames", PyCodeObject, co_varnames);
#endif
#if PY_MAJOR_VERSION >= 3
    SZ("code_unit_size", _Py_CODEUNIT);   /* 3.6+: fixed 2-byte (opcode, oparg) units */
#else
    null("code_unit_size");               /* 2.7: 1 byte, or 3 with an argument */
#endif
    close_();

    /* ---- objects -------------------------------------------------------- */
    open_("object");
    OFF("ob_refcnt", PyObject, ob_refcnt);
    OFF("ob_type", PyObject, ob_type);
    OFF("ob_size", PyVarObject, ob_size);
    OFF("tp_name", PyTypeObject, tp_name);
    OFF("tp_flags", PyTypeObject, tp_flags);
    close_();

    open_("unicode");
#if PY_MAJOR_VERSION >= 3
    SZ("sizeof_ascii", PyASCIIObject);
    SZ("sizeof_compact", PyCompactUnicodeObject);
    OFF("length", PyASCIIObject, length);
    OFF("hash", PyASCIIObject, hash);
    OFF("state", PyASCIIObject, state);
    SZ("state_size", ((PyASCIIObject *)0)->state);
    OFF("utf8_length", PyCompactUnicodeObject, utf8_length);
    OFF("utf8", PyCompactUnicodeObject, utf8);
    {
        PyASCIIObject o;
        size_t base = offsetof(PyASCIIObject, state);
        const unsigned char *p = (const unsigned char *)&o.state;
        size_t n = sizeof(o.state);
#define BIT(name)  memset(&o, 0, sizeof o); o.state.name = 0; o.state.name--;  /* all ones */ bits(#name, p, n, base)
        open_("state_bits");
        BIT(interned);
        BIT(kind);
        BIT(compact);
        BIT(ascii);
#  if PY_VERSION_HEX < 0x030C0000
        BIT(ready);
        null("statically_allocated");
#  else
        null("ready");
        BIT(statically_allocated);
#  endif
        close_();
#undef BIT
    }
    null("py2_str");
    null("py2_unicode_size");
#else
    /* 2.7: PyUnicodeObject { PyObject_HEAD; Py_ssize_t length; Py_UNICODE *str; long hash; PyObject *defenc; } */
    SZ("sizeof_unicode", PyUnicodeObject);
    OFF("length", PyUnicodeObject, length);
    OFF("py2_str", PyUnicodeObject, str);
    num("py2_unicode_size", Py_UNICODE_SIZE);
#endif
    close_();

    open_("bytes");
#if PY_MAJOR_VERSION >= 3
    str("type", "PyBytesObject");
    OFF("ob_sval", PyBytesObject, ob_sval);
#else
    str("type", "PyStringObject");
    OFF("ob_sval", PyStringObject, ob_sval);
#endif
    close_();

    open_("long");
    SZ("digit_size", digit);
    num("digit_shift", PyLong_SHIFT);
#if PY_VERSION_HEX >= 0x030C0000
    OFF("lv_tag", PyLongObject, long_value.lv_tag);
    OFF("ob_digit", PyLongObject, long_value.ob_digit);
    num("non_size_bits", _PyLong_NON_SIZE_BITS);
    num("sign_mask", _PyLong_SIGN_MASK);
#else
    null("lv_tag");
    OFF("ob_digit", PyLongObject, ob_digit);
    null("non_size_bits");
    null("sign_mask");
#endif
#if PY_MAJOR_VERSION == 2
    OFF("py2_int_ob_ival", PyIntObject, ob_ival);
#else
    null("py2_int_ob_ival");
#endif
    close_();

    open_("float");
    OFF("ob_fval", PyFloatObject, ob_fval);
    close_();
    open_("tuple");
    OFF("ob_item", PyTupleObject, ob_item);
    close_();
    open_("list");
    OFF("ob_item", PyListObject, ob_item);
    OFF("allocated", PyListObject, allocated);
    close_();
    open_("dict");
    OFF("ma_used", PyDictObject, ma_used);
    close_();

    /* ---- GIL / current thread ------------------------------------------ */
    open_("gil");
#if PY_VERSION_HEX >= 0x03070000 && PY_VERSION_HEX < 0x030C0000
    OFF("runtime_tstate_current", _PyRuntimeState, gilstate.tstate_current);
    OFF("runtime_gil_locked", _PyRuntimeState, ceval.gil.locked);
    OFF("runtime_gil_last_holder", _PyRuntimeState, ceval.gil.last_holder);
#else
    null("runtime_tstate_current");
    null("runtime_gil_locked");
    null("runtime_gil_last_holder");
#endif
#if PY_VERSION_HEX >= 0x03070000
    OFF("gil_locked", struct _gil_runtime_state, locked);
    OFF("gil_last_holder", struct _gil_runtime_state, last_holder);
#else
    null("gil_locked");
    null("gil_last_holder");
#endif
#if PY_VERSION_HEX >= 0x030C0000
    OFF("interp_ceval_gil", PyInterpreterState, ceval.gil);
#else
    null("interp_ceval_gil");
#endif
    close_();

    fputs("\n}\n", stdout);
    return 0;
}
