#!/usr/bin/env python3
"""Regenerates (or, with --check, verifies) the configuration table in
README.md from schema/rasp-config.schema.json (itself generated from the
parser by `rasp-explain --print-schema`) and the defaults
(`rasp-explain --print-defaults`), so the README lists every field, its
default and its meaning, and cannot drift from the code.

The table sits between the markers
<!-- config-table:begin --> and <!-- config-table:end -->.
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- config-table:begin -->", "<!-- config-table:end -->"


def node(s):
    """The non-null branch of a nullable schema node."""
    for b in s.get("oneOf", []):
        if b.get("type") != "null":
            return b
    return s


def fmt_default(v):
    if v is None:
        return "`null`"
    text = json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    if len(text) > 60:
        text = text[:57] + "…"
    return "`" + text.replace("|", "\\|") + "`"


def rows(schema, defaults, path=""):
    props = node(schema).get("properties", {})
    order = list(defaults.keys()) if isinstance(defaults, dict) else []
    order += [k for k in props if k not in order]
    for k in order:
        if k not in props:
            continue
        sub = props[k]
        p = f"{path}.{k}" if path else k
        inner = node(sub)
        # A section that is off by default (`siem: null`) has no defaults of
        # its own: its fields show the schema's, which are what applies once
        # the section is set.
        has = isinstance(defaults, dict) and k in defaults
        d = defaults[k] if has else sub.get("default")
        desc = sub.get("description", "").replace("|", "\\|").replace("\n", " ")
        rng = []
        if "minimum" in inner and "maximum" in inner:
            rng.append(f"{inner['minimum']}–{inner['maximum']}")
        elif "minimum" in inner and inner["minimum"] > 0:
            rng.append(f"≥ {inner['minimum']}")
        if "enum" in inner:
            rng.append("one of " + ", ".join(f"`{e}`" for e in inner["enum"]))
        extra = f" ({'; '.join(rng)})" if rng else ""
        if inner.get("type") == "object" and "properties" in inner:
            yield f"| **`{p}`** | | {desc} |"
            yield from rows(inner, d if isinstance(d, dict) else {}, p)
        elif inner.get("type") == "array" and node(inner.get("items", {})).get("type") == "object":
            shown = "`[]`" if d in (None, []) else fmt_default(d)
            yield f"| `{p}` | {shown} | {desc} |"
            item = node(inner["items"])
            yield from rows(item, {k2: v.get("default") for k2, v in item.get("properties", {}).items()},
                            p + "[]")
        else:
            default = fmt_default(d) if "default" in sub or d is not None else "required"
            yield f"| `{p}` | {default} | {desc}{extra} |"


def table():
    schema = json.loads((ROOT / "schema" / "rasp-config.schema.json").read_text())
    out = subprocess.run(["cargo", "run", "--quiet", "--bin", "rasp-explain", "--", "--print-defaults"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    defaults = json.loads(out.stdout)
    lines = ["| field | default | meaning |", "|---|---|---|"]
    lines += list(rows(schema, defaults))
    return "\n".join(lines)


def main():
    readme = (ROOT / "README.md").read_text()
    if BEGIN not in readme or END not in readme:
        sys.exit("config-table: README.md lacks the config-table markers")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{BEGIN}\n{table()}\n{END}{tail}"
    if "--check" in sys.argv:
        if new != readme:
            sys.exit("config-table: README.md's configuration table is out of date: run `make schema`")
        return
    (ROOT / "README.md").write_text(new)


if __name__ == "__main__":
    main()
