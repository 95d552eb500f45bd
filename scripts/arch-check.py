#!/usr/bin/env python3
"""Checks the layout rules of the crate (part of `make lint`).

* no non-test source file under src/ longer than MAX_FILE_LINES lines;
* no import cycle between source files longer than MAX_CYCLE files;
* src/host/ (the proxy-wasm glue) at most MAX_HOST_LINES lines in total.

Function length is checked by clippy (`clippy::too_many_lines`, threshold in
clippy.toml). Imports are read as text: every `use` path and every
`crate::`/`super::`/`self::` path in code, and every path that starts with
the name of one of the file's own child modules (`use keys::KeySpec;`,
`pub use config::Limits;`, `gcra::Limit::new(..)` in a `mod.rs`), is
resolved to the module it names and, when it names an item (a type,
function, constant, trait or macro), to the file that defines that item, so
a re-export through a `mod.rs` counts as an edge to the defining file, not
to the `mod.rs`. Visibility paths (`pub(in super::super)`) are not imports. Test files (`tests.rs`,
`#[cfg(test)]` modules at the end of a file) are not counted.

Usage: scripts/arch-check.py [--verbose]
"""

import os
import re
import sys

MAX_FILE_LINES = 1500
MAX_CYCLE = 2
MAX_HOST_LINES = 250

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SRC = os.path.join(ROOT, "src")

DEF_RE = re.compile(
    r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+fn|unsafe\s+fn|async\s+fn|fn|struct|enum|trait|type|const|static|union)\s+([A-Za-z_][A-Za-z0-9_]*)",
    re.M,
)
MACRO_RE = re.compile(r"^\s*macro_rules!\s*([A-Za-z_][A-Za-z0-9_]*)", re.M)
USE_RE = re.compile(r"\buse\s+([^;]+);", re.S)
PATH_RE = re.compile(r"\b((?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)+)")


def strip_tests(text):
    """The file without its trailing `#[cfg(test)]` module(s) and comments."""
    m = re.search(r"^#\[cfg\(test\)\]\s*\n\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{", text, re.M)
    if m:
        text = text[: m.start()]
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"pub\(in [^)]*\)", "pub", text)
    return text


def module_files():
    """module path (tuple, crate-relative) -> file, for the library crate."""
    mods = {}
    for dirpath, _dirs, files in os.walk(SRC):
        for f in files:
            if not f.endswith(".rs"):
                continue
            full = os.path.join(dirpath, f)
            rel = os.path.relpath(full, SRC)
            if rel.startswith("bin" + os.sep):
                continue
            parts = rel[:-3].split(os.sep)
            if parts[-1] in ("mod", "lib"):
                parts = parts[:-1]
            mods[tuple(parts)] = full
    return mods


def expand_use(tree):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e']."""
    tree = re.sub(r"\s+", "", tree)
    out = []

    def rec(prefix, s):
        i = s.find("{")
        if i < 0:
            for part in s.split(","):
                if part:
                    out.append(prefix + part)
            return
        head, body = s[:i], s[i + 1 :]
        depth, j = 1, 0
        while j < len(body) and depth:
            depth += {"{": 1, "}": -1}.get(body[j], 0)
            j += 1
        inner, rest = body[: j - 1], body[j:]
        items, depth, cur = [], 0, ""
        for ch in inner:
            if ch == "," and depth == 0:
                items.append(cur)
                cur = ""
                continue
            depth += {"{": 1, "}": -1}.get(ch, 0)
            cur += ch
        items.append(cur)
        for it in items:
            if it:
                rec(prefix + head, it)
        if rest.startswith(","):
            rec(prefix, rest[1:])

    rec("", tree)
    return [re.sub(r"\bas\b.*$", "", p) for p in out]


def main():
    verbose = "--verbose" in sys.argv
    mods = module_files()
    file_mod = {f: m for m, f in mods.items()}
    texts = {}
    defs = {}  # (module, name) -> file
    for m, f in mods.items():
        with open(f, encoding="utf-8") as fh:
            texts[f] = strip_tests(fh.read())
        for name in DEF_RE.findall(texts[f]) + MACRO_RE.findall(texts[f]):
            defs.setdefault((m, name), f)

    def resolve(cur, path):
        parts = path.split("::")
        base = list(cur) if not os.path.basename(mods[cur]) in ("mod.rs", "lib.rs") else list(cur)
        # `super` from a non-mod file is its parent module; from mod.rs too.
        if parts[0] == "crate":
            mod, parts = [], parts[1:]
        elif parts[0] == "self":
            mod, parts = base, parts[1:]
        else:
            mod = base
            while parts and parts[0] == "super":
                mod = mod[:-1]
                parts = parts[1:]
        # walk down modules as far as files exist
        while parts and tuple(mod + [parts[0]]) in mods:
            mod.append(parts[0])
            parts = parts[1:]
        mod = tuple(mod)
        if mod not in mods:
            return None
        if parts and (mod, parts[0]) in defs:
            return defs[(mod, parts[0])]
        if parts:
            # an item re-exported by `mod`: find its definition below it
            for (dm, name), f in defs.items():
                if name == parts[0] and dm[: len(mod)] == mod:
                    return f
        return mods[mod]

    edges = {f: set() for f in texts}
    for f, text in texts.items():
        cur = file_mod[f]
        paths = []
        for u in USE_RE.findall(text):
            paths.extend(expand_use(u))
        paths.extend(PATH_RE.findall(text))
        # Paths relative to the current module, through a child module.
        children = {m[len(cur)] for m in mods if len(m) == len(cur) + 1 and m[: len(cur)] == cur}
        if children:
            names = "|".join(map(re.escape, sorted(children)))
            child_re = re.compile(r"(?<![:\w])((?:" + names + r")(?:::[A-Za-z_][A-Za-z0-9_]*)+)")
            relative = child_re.findall(text)
            relative += [p for p in paths if p.split("::")[0] in children]
            paths.extend("self::" + p for p in relative)
        for p in paths:
            if not p.startswith(("crate::", "super::", "self::")):
                continue
            t = resolve(cur, p)
            if t and t != f:
                edges[f].add(t)

    # Tarjan's strongly connected components.
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            sccs.append(comp)

    for v in edges:
        if v not in index:
            strong(v)

    failed = False
    rel = lambda p: os.path.relpath(p, ROOT)
    for f, text in sorted(texts.items()):
        n = text.count("\n")
        if n > MAX_FILE_LINES:
            print(f"arch-check: {rel(f)}: {n} non-test lines (at most {MAX_FILE_LINES})")
            failed = True
    host = sum(t.count("\n") for f, t in texts.items() if rel(f).startswith(os.path.join("src", "host")))
    if host > MAX_HOST_LINES:
        print(f"arch-check: src/host/: {host} lines (at most {MAX_HOST_LINES})")
        failed = True
    big = max(sccs, key=len)
    for comp in sccs:
        if len(comp) > MAX_CYCLE:
            print(f"arch-check: import cycle of {len(comp)} files: " + ", ".join(sorted(rel(c) for c in comp)))
            failed = True
    largest = max(t.count("\n") for t in texts.values())
    print(
        f"arch-check: {len(texts)} files, largest {largest} lines, src/host/ {host} lines, "
        f"largest import cycle {len(big)} files" + (": FAILED" if failed else ": ok")
    )
    if verbose:
        for f in sorted(edges):
            for t in sorted(edges[f]):
                print(f"  {rel(f)} -> {rel(t)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
