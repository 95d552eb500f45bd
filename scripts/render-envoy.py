#!/usr/bin/env python3
"""Render envoy/envoy.yaml with other ports, module path or plugin config.

Replaces the values on the lines marked "# @NAME" (ADMIN_PORT, LISTEN_PORT,
UPSTREAM_PORT, WASM_PATH) and the block scalar after "# @RASP_CONFIG" with the
JSON of --config. Everything else is kept, so the rendered file is the
documented one with different numbers.
"""
import argparse
import json
import re
import sys


def strip_filter(text):
    """The same configuration without the wasm filter (bare Envoy)."""
    out, skipping = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == "- name: envoy.filters.http.wasm":
            skipping = True
            continue
        if skipping and stripped == "- name: envoy.filters.http.router":
            skipping = False
        if not skipping:
            out.append(line)
    return "\n".join(out) + "\n"


def render(text, listen=None, admin=None, upstream=None, wasm=None, config=None,
           extra_clusters=None):
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.search(r"#\s*@([A-Z_]+)\s*$", line)
        if not m:
            out.append(line)
            i += 1
            continue
        name = m.group(1)
        if name in ("ADMIN_PORT", "LISTEN_PORT", "UPSTREAM_PORT"):
            value = {"ADMIN_PORT": admin, "LISTEN_PORT": listen, "UPSTREAM_PORT": upstream}[name]
            if value is not None:
                line = re.sub(r"port_value:\s*\d+", f"port_value: {int(value)}", line)
            out.append(line)
            i += 1
        elif name == "WASM_PATH":
            if wasm is not None:
                line = re.sub(r"filename:\s*\S+", f"filename: {wasm}", line)
            out.append(line)
            i += 1
        elif name == "RASP_CONFIG":
            indent = len(line) - len(line.lstrip())
            out.append(line)
            i += 1
            block = []
            while i < len(lines) and (not lines[i].strip() or
                                      len(lines[i]) - len(lines[i].lstrip()) > indent):
                block.append(lines[i])
                i += 1
            if config is None:
                out.extend(block)
            else:
                pad = " " * (indent + 2)
                pretty = json.dumps(config, indent=2)
                out.extend(pad + l for l in pretty.splitlines())
        else:
            raise SystemExit(f"render-envoy: unknown marker @{name}")
    rendered = "\n".join(out) + "\n"
    if extra_clusters:
        rendered += extra_clusters
    return rendered


def embedded_config(text):
    """The JSON embedded after the @RASP_CONFIG marker."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.search(r"#\s*@RASP_CONFIG\s*$", line):
            indent = len(line) - len(line.lstrip())
            block = []
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or
                                      len(lines[j]) - len(lines[j].lstrip()) > indent):
                block.append(lines[j])
                j += 1
            return json.loads("\n".join(block))
    raise SystemExit("render-envoy: no @RASP_CONFIG marker")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--template", default="envoy/envoy.yaml")
    ap.add_argument("--listen-port", type=int)
    ap.add_argument("--admin-port", type=int)
    ap.add_argument("--upstream-port", type=int)
    ap.add_argument("--wasm")
    ap.add_argument("--config", help="plugin configuration JSON file")
    ap.add_argument("--no-filter", action="store_true", help="drop the wasm filter (bare Envoy)")
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    with open(a.template) as f:
        text = f.read()
    config = None
    if a.config:
        with open(a.config) as f:
            raw = f.read()
        try:
            config = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as e:
            raise SystemExit(f"render-envoy: {a.config} is not valid JSON: {e}")
    rendered = render(text, a.listen_port, a.admin_port, a.upstream_port, a.wasm, config)
    if a.no_filter:
        rendered = strip_filter(rendered)
    if a.out == "-":
        sys.stdout.write(rendered)
    else:
        with open(a.out, "w") as f:
            f.write(rendered)


if __name__ == "__main__":
    main()
