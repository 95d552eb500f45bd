"""A minimal proxy-wasm module, assembled byte by byte, that crashes on demand.

It exports just enough of the proxy-wasm ABI (0.2.1) for Envoy to load it:
the VM and the plugin start (`proxy_on_vm_start` and `proxy_on_configure`
return true), and `proxy_on_request_headers` lets a request through unless
it has `trap_at` or more headers, in which case it executes `unreachable`:
a wasm trap, exactly what a Rust panic becomes with `panic = "abort"`.
No toolchain is needed to build it, so the failure-policy tests can crash a
VM at will without shipping a second Rust crate.
"""

I32 = 0x7F


def _uleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _vec(items):
    return _uleb(len(items)) + b"".join(items)


def _section(sid, payload):
    return bytes([sid]) + _uleb(len(payload)) + payload


def _name(s):
    return _uleb(len(s)) + s.encode()


def _functype(params, results):
    return b"\x60" + _vec([bytes([p]) for p in params]) + _vec([bytes([r]) for r in results])


def module(trap_at=12):
    """The module's bytes. Requests with `trap_at` or more headers (pseudo
    headers and the ones Envoy adds included) crash the VM."""
    types = [_functype([], []), _functype([I32, I32], []), _functype([I32, I32], [I32]),
             _functype([I32, I32, I32], [I32]), _functype([I32], [I32])]
    # (export name, type index, body without the locals vector)
    funcs = [
        ("proxy_abi_version_0_2_1", 0, b"\x0b"),
        ("proxy_on_context_create", 1, b"\x0b"),
        ("proxy_on_vm_start", 2, b"\x41\x01\x0b"),       # i32.const 1
        ("proxy_on_configure", 2, b"\x41\x01\x0b"),      # i32.const 1
        # local.get 1; i32.const trap_at; i32.ge_u; if; unreachable; end; i32.const 0 (Continue)
        ("proxy_on_request_headers", 3,
         b"\x20\x01\x41" + _uleb(trap_at) + b"\x4f\x04\x40\x00\x0b\x41\x00\x0b"),
        ("proxy_on_memory_allocate", 4, b"\x41\x80\x08\x0b"),  # a fixed scratch address
    ]
    out = b"\x00asm\x01\x00\x00\x00"
    out += _section(1, _vec(types))
    out += _section(3, _vec([_uleb(t) for _, t, _ in funcs]))
    out += _section(5, _vec([b"\x00\x01"]))  # one memory, at least one page
    exports = [_name(n) + b"\x00" + _uleb(i) for i, (n, _, _) in enumerate(funcs)]
    exports.append(_name("memory") + b"\x02\x00")
    out += _section(7, _vec(exports))
    out += _section(10, _vec([_uleb(len(code) + 1) + b"\x00" + code for _, _, code in funcs]))
    return out
