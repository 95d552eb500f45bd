#!/usr/bin/env python3
"""Builds tests/data/real/: benign values and requests copied from public,
permissively licensed repositories that hold real application traffic
(browser captures, error-report and telemetry payloads, API examples, GraphQL
documents, message catalogues, developer Markdown).

    scripts/make-real-corpus.py [--out tests/data/real] GITDIR...

Each GITDIR is a bare clone (or a work tree's .git) of one repository listed
in SOURCES; its owner/name comes from a parent directory named `owner+name`
or from an `owner/name=GITDIR` argument. The script reads the commit at HEAD
with `git show`, so its output depends only on those commits: it is
deterministic (sorted paths, no clocks, no randomness, a SHA-256 split where a
zone is chosen). It documents provenance; CI does not run it.

Every row is copied from a source file: nothing is written by hand, and
nothing is taken from attack or WAF-test collections. A row is
`{"class": "benign", "value", "zone", "source": "owner/repo@commit:path",
"licence"}`; `zone` says where the value travels (see rasp-eval's zones):
query parameter values as `query:NAME`, request targets as `url`, headers as
`header:NAME`, posted bodies as `body_json` or `body:CONTENT-TYPE`, JSON
fields as `json:NAME`, form fields as `body_form`. Rows are deduplicated on
(value, zone) over the whole corpus, first source wins.
"""

import argparse
import ast
import base64
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.parse

import yaml

# Largest value kept (bytes); bigger bodies are left out rather than cut, so
# that every row is a whole value as sent.
MAX_VALUE = 48 * 1024

# Request headers a browser sends that carry no application data (the
# pseudo headers become :path and :authority, which the rows already have).
SKIP_HEADERS = {"host", "content-length", "connection"}

# Credentials are left out even where a public capture holds them: headers
# that carry them, and any value with the shape of a provider key (these
# captures are public, but a key-shaped string in this repository would be
# reported by secret scanners and is nothing a detector needs).
CREDENTIAL_HEADERS = {"authorization", "proxy-authorization", "x-api-key", "x-goog-api-key",
                      "x-amz-security-token", "x-csrf-jwt"}
SECRET_SHAPES = re.compile(
    r"AIza[0-9A-Za-z_\-]{35}|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|gh[pousr]_[0-9A-Za-z]{36}"
    r"|xox[abprs]-[0-9A-Za-z-]{10,}|sk_live_[0-9A-Za-z]{20,}|-----BEGIN [A-Z ]*PRIVATE KEY"
    r"|glpat-[0-9A-Za-z_-]{20}"
)


class Repo:
    def __init__(self, name, gitdir):
        self.name = name
        self.gitdir = gitdir
        self.commit = self.git("rev-parse", "HEAD").decode().strip()
        self.short = self.commit[:12]
        self._paths = None

    def git(self, *args):
        return subprocess.run(
            ["git", "--git-dir", self.gitdir, *args], check=True, capture_output=True
        ).stdout

    def paths(self):
        if self._paths is None:
            out = self.git("ls-tree", "-r", "-z", "--name-only", "HEAD")
            self._paths = sorted(p for p in out.decode("utf-8", "replace").split("\0") if p)
        return self._paths

    def show(self, path):
        """The blob, or None when the snapshot lacks it (large files)."""
        r = subprocess.run(
            ["git", "--git-dir", self.gitdir, "show", f"HEAD:{path}"], capture_output=True
        )
        if r.returncode != 0:
            return None
        data = r.stdout
        if path.endswith(".gz"):
            try:
                data = gzip.decompress(data)
            except OSError:
                return None
        return data

    def text(self, path):
        b = self.show(path)
        if b is None:
            return None
        return b.decode("utf-8-sig", "replace")

    def glob(self, pattern):
        rx = re.compile(pattern)
        return [p for p in self.paths() if rx.search(p)]


class Corpus:
    def __init__(self):
        self.seen = set()
        self.dropped_secrets = 0
        self.rows = {}  # file kind -> rows
        self.stats = {}  # (kind, repo) -> {"paths": set, "n": int, "what": set}

    def add(self, kind, value, zone, repo, path, licence, what):
        if not isinstance(value, str):
            return
        if not value.strip() or len(value.encode("utf-8", "surrogatepass")) > MAX_VALUE:
            return
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return  # lone surrogates: not a value a client can send as UTF-8
        if SECRET_SHAPES.search(value):
            self.dropped_secrets += 1
            return
        key = (value, zone)
        if key in self.seen:
            return
        self.seen.add(key)
        self.rows.setdefault(kind, []).append(
            {
                "class": "benign",
                "value": value,
                "zone": zone,
                "source": f"{repo.name}@{repo.short}:{path}",
                "licence": licence,
            }
        )
        st = self.stats.setdefault(
            (kind, repo.name), {"paths": set(), "n": 0, "what": set(), "commit": repo.commit}
        )
        st["paths"].add(path)
        st["n"] += 1
        st["what"].add(what)


def split_zone(value, a, b):
    """A stable choice between two zones (the value's SHA-256 parity)."""
    return a if hashlib.sha256(value.encode()).digest()[0] % 2 == 0 else b


# --------------------------------------------------------------------------
# Browser captures: HAR files and Chrome DevTools protocol logs.


def har_entries(doc):
    """(method, url, [(name, value)], mime, body) from a HAR document."""
    log = doc.get("log") if isinstance(doc, dict) else None
    for e in (log or {}).get("entries") or []:
        req = e.get("request") or {}
        headers = [(h.get("name", ""), h.get("value", "")) for h in req.get("headers") or []]
        pd = req.get("postData") or {}
        body = pd.get("text")
        if body is None and pd.get("params"):
            # Only the parsed fields were kept: each is a form field value.
            body = [p.get("value") for p in pd["params"] if isinstance(p, dict)]
        yield req.get("method", "GET"), req.get("url", ""), headers, pd.get("mimeType", ""), body


def devtools_entries(events):
    """The same from a DevTools protocol log (Network.* events): the request
    headers of requestWillBeSentExtraInfo (what went on the wire, cookies
    included) where present, else those of requestWillBeSent."""
    if isinstance(events, dict):
        events = events.get("traceEvents") or events.get("log") or []
    if not isinstance(events, list):
        return
    extra = {}
    for ev in events:
        if isinstance(ev, dict) and ev.get("method") == "Network.requestWillBeSentExtraInfo":
            p = ev.get("params") or {}
            extra.setdefault(p.get("requestId"), p.get("headers") or {})
    for ev in events:
        if not isinstance(ev, dict) or ev.get("method") != "Network.requestWillBeSent":
            continue
        p = ev.get("params") or {}
        req = p.get("request") or {}
        hdrs = extra.get(p.get("requestId")) or req.get("headers") or {}
        headers = list(hdrs.items()) if isinstance(hdrs, dict) else []
        mime = next((v for k, v in headers if k.lower() == "content-type"), "")
        body = req.get("postData")
        if body is None and req.get("postDataEntries"):
            # Newer logs carry the body as base64 chunks; keep it when it is
            # text.
            try:
                raw = b"".join(
                    base64.b64decode(x.get("bytes", ""))
                    for x in req["postDataEntries"]
                    if isinstance(x, dict)
                )
                body = raw.decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                body = None
        yield req.get("method", "GET"), req.get("url", ""), headers, mime, body


def add_request(c, kind, repo, path, lic, method, url, headers, mime, body):
    u = urllib.parse.urlsplit(url)
    if u.scheme not in ("http", "https"):
        return
    target = (u.path or "/") + (f"?{u.query}" if u.query else "")
    c.add(kind, target, "url", repo, path, lic, "request targets")
    for name, value in urllib.parse.parse_qsl(u.query, keep_blank_values=True):
        if value:
            c.add(kind, value, f"query:{name}", repo, path, lic, "query parameter values")
    for name, value in headers:
        n = name.lower()
        if n.startswith(":") or n in SKIP_HEADERS or n in CREDENTIAL_HEADERS:
            continue
        if not isinstance(value, str):
            continue
        c.add(kind, value, f"header:{n}", repo, path, lic, "request headers")
    if isinstance(body, list):
        for v in body:
            c.add(kind, v, "body_form", repo, path, lic, "posted form fields")
        return
    if body:
        m = (mime or "").split(";")[0].strip().lower()
        if m.startswith("multipart/"):
            return  # the boundary in the content type is not in the rows
        if m == "application/json" or m.endswith("+json"):
            c.add(kind, body, "body_json", repo, path, lic, "posted bodies")
        else:
            c.add(kind, body, f"body:{mime or 'text/plain'}", repo, path, lic, "posted bodies")


def extract_captures(c, repo, lic, pattern, kind="har"):
    for path in repo.glob(pattern):
        data = repo.show(path)
        if data is None:
            continue
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(doc, dict) and "log" in doc and isinstance(doc["log"], dict):
            entries = har_entries(doc)
        else:
            entries = devtools_entries(doc)
        for method, url, headers, mime, body in entries:
            add_request(c, kind, repo, path, lic, method, url, headers, mime, body)


# --------------------------------------------------------------------------
# Error reports and telemetry payloads: whole JSON documents as posted.


def extract_json_docs(c, repo, lic, pattern, kind, zone="body_json", what="events"):
    for path in repo.glob(pattern):
        t = repo.text(path)
        if t is None:
            continue
        t = t.strip()
        try:
            json.loads(t)
        except ValueError:
            # An envelope (JSON lines) or a golden file: keep it when every
            # line parses, as the SDK sends it.
            lines = [l for l in t.splitlines() if l.strip()]
            try:
                for l in lines:
                    json.loads(l)
            except ValueError:
                continue
            c.add(kind, t, "body:application/x-sentry-envelope", repo, path, lic, what)
            continue
        c.add(kind, t, zone, repo, path, lic, what)


def js_string_runs(src):
    """(key, value) for every `key: 'a' + "b" + …` in JavaScript or
    TypeScript source (plain quoted literals; template literals without
    substitutions)."""
    out = []
    i, n = 0, len(src)
    key_rx = re.compile(r"""(?:^|[\s{,(])['"]?([A-Za-z_$#][\w$#]*)['"]?\s*[:=]\s*$""")
    while i < n:
        ch = src[i]
        if ch == "/" and src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if ch == "/" and src.startswith("/*", i):
            j = src.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if ch in "'\"`":
            start = i
            parts = []
            j = i
            ok = True
            while True:
                s, j2 = read_js_string(src, j)
                if s is None:
                    ok = False
                    break
                parts.append(s)
                k = j2
                while k < n and src[k] in " \t\r\n":
                    k += 1
                if k < n and src[k] == "+":
                    k += 1
                    while k < n and src[k] in " \t\r\n":
                        k += 1
                    if k < n and src[k] in "'\"`":
                        j = k
                        continue
                j = j2
                break
            if not ok:
                i = start + 1
                continue
            m = key_rx.search(src[max(0, start - 80) : start])
            out.append((m.group(1) if m else None, "".join(parts)))
            i = j
            continue
        i += 1
    return out


ESC = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def read_js_string(src, i):
    q = src[i]
    j = i + 1
    buf = []
    n = len(src)
    while j < n:
        ch = src[j]
        if ch == "\\":
            nx = src[j + 1 : j + 2]
            if nx == "u" and src[j + 2 : j + 3] != "{":
                try:
                    buf.append(chr(int(src[j + 2 : j + 6], 16)))
                except ValueError:
                    return None, j
                j += 6
                continue
            if nx == "x":
                try:
                    buf.append(chr(int(src[j + 2 : j + 4], 16)))
                except ValueError:
                    return None, j
                j += 4
                continue
            if nx == "\n":
                j += 2
                continue
            buf.append(ESC.get(nx, nx))
            j += 2
            continue
        if ch == q:
            return "".join(buf), j + 1
        if q == "`" and ch == "$" and src[j + 1 : j + 2] == "{":
            return None, j  # a substitution: not a literal
        if ch == "\n" and q != "`":
            return None, j
        buf.append(ch)
        j += 1
    return None, j


STACK_LINE = re.compile(r"(\bat\b.*:\d+(:\d+)?)|(@\S*:\d+)|(\.js:\d+)|(line \d+)", re.I)


def extract_js_stacks(c, repo, lic, pattern, kind="stacktraces"):
    for path in repo.glob(pattern):
        t = repo.text(path)
        if t is None:
            continue
        for key, s in js_string_runs(t):
            if key in ("stack", "stacktrace", "message") and ("\n" in s or STACK_LINE.search(s)):
                c.add(kind, s, f"json:{key}", repo, path, lic, "captured browser stack traces")


# --------------------------------------------------------------------------
# GraphQL documents.

GQL_START = re.compile(r"^\s*(#[^\n]*\n\s*)*(query|mutation|subscription|fragment)\b[\s\S]*[{}]", re.M)


def extract_py_graphql(c, repo, lic, pattern, kind="graphql"):
    """Module-level and function-level string constants of Python tests that
    are GraphQL documents (what the client posts as `query`)."""
    for path in repo.glob(pattern):
        t = repo.text(path)
        if t is None:
            continue
        try:
            tree = ast.parse(t)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                s = node.value
                if GQL_START.match(s) and s.count("{") == s.count("}") and s.count("{") > 0:
                    c.add(kind, s, "json:query", repo, path, lic, "GraphQL documents")


def extract_graphql_files(c, repo, lic, pattern, kind="graphql"):
    for path in repo.glob(pattern):
        t = repo.text(path)
        if t and GQL_START.match(t):
            c.add(kind, t, "json:query", repo, path, lic, "GraphQL documents")


def extract_js_graphql(c, repo, lic, pattern, kind="graphql"):
    """GraphQL documents written as string literals in JavaScript or
    TypeScript (`#graphql` template literals, generated query maps)."""
    for path in repo.glob(pattern):
        t = repo.text(path)
        if t is None or ("graphql" not in t and "query" not in t):
            continue
        for _key, s in js_string_runs(t):
            body = re.sub(r"^\s*#graphql\s*\n", "", s)
            if GQL_START.match(body) and body.count("{") == body.count("}") and "{" in body:
                c.add(kind, s, "json:query", repo, path, lic, "GraphQL documents")


# --------------------------------------------------------------------------
# Recorded API exchanges (nock fixtures: method, path, body, headers).


def extract_nock(c, repo, lic, pattern, kind):
    for path in repo.glob(pattern):
        t = repo.text(path)
        try:
            doc = json.loads(t) if t else None
        except ValueError:
            continue
        for ex in doc if isinstance(doc, list) else []:
            if not isinstance(ex, dict) or not isinstance(ex.get("path"), str):
                continue
            c.add(kind, ex["path"], "url", repo, path, lic, "request targets")
            u = urllib.parse.urlsplit(ex["path"])
            for name, value in urllib.parse.parse_qsl(u.query, keep_blank_values=True):
                if value:
                    c.add(kind, value, f"query:{name}", repo, path, lic, "query parameter values")
            body = ex.get("body")
            if isinstance(body, (dict, list)):
                c.add(kind, compact(body), "body_json", repo, path, lic, "request bodies")
            for name, value in (ex.get("reqheaders") or {}).items():
                n = name.lower()
                if isinstance(value, str) and n not in SKIP_HEADERS | CREDENTIAL_HEADERS:
                    c.add(kind, value, f"header:{n}", repo, path, lic, "request headers")


# --------------------------------------------------------------------------
# OpenAPI examples: request bodies and parameter values.


class Refs:
    """Resolves `$ref`s across the YAML/JSON files of a specification."""

    def __init__(self, repo):
        self.repo = repo
        self.cache = {}

    def load(self, path):
        if path not in self.cache:
            t = self.repo.text(path)
            try:
                self.cache[path] = yaml.safe_load(t) if t is not None else None
            except yaml.YAMLError:
                self.cache[path] = None
        return self.cache[path]

    def resolve(self, node, base, depth=0):
        """(node, base) with the `$ref` at the top of node followed."""
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 20:
            ref = node["$ref"]
            file, _, pointer = ref.partition("#")
            target = os.path.normpath(os.path.join(os.path.dirname(base), file)) if file else base
            doc = self.load(target)
            for part in [p for p in pointer.split("/") if p]:
                part = part.replace("~1", "/").replace("~0", "~")
                doc = doc.get(part) if isinstance(doc, dict) else None
            node, base, depth = doc, target, depth + 1
        return node, base

    def deep(self, node, base, depth=0):
        """node with every `$ref` inside it followed (for example values)."""
        node, base = self.resolve(node, base)
        if depth > 30:
            return node
        if isinstance(node, dict):
            return {k: self.deep(v, base, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [self.deep(v, base, depth + 1) for v in node]
        return node


def compact(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"), default=str)


def extract_openapi(c, repo, lic, pattern, kind="openapi"):
    refs = Refs(repo)
    methods = {"get", "put", "post", "patch", "delete"}
    for path in repo.glob(pattern):
        doc = refs.load(path)
        if not isinstance(doc, dict):
            continue
        # An operation file (operationId at the top) or a whole spec.
        ops = []
        if "operationId" in doc:
            ops.append((doc, path))
        for p in (doc.get("paths") or {}).values() if isinstance(doc.get("paths"), dict) else []:
            p, b = refs.resolve(p, path)
            if isinstance(p, dict):
                for m, op in p.items():
                    if m in methods:
                        op, ob = refs.resolve(op, b)
                        if isinstance(op, dict):
                            ops.append((op, ob))
        for op, base in ops:
            rb, rbase = refs.resolve(op.get("requestBody"), base)
            content = (rb or {}).get("content") if isinstance(rb, dict) else None
            for mime, media in (content or {}).items():
                media, mbase = refs.resolve(media, rbase)
                if not isinstance(media, dict):
                    continue
                examples = []
                if "example" in media:
                    examples.append(media["example"])
                for ex in (media.get("examples") or {}).values():
                    ex, ebase = refs.resolve(ex, mbase)
                    if isinstance(ex, dict) and "value" in ex:
                        examples.append(refs.deep(ex["value"], ebase))
                for ex in examples:
                    ex = refs.deep(ex, mbase)
                    if mime.startswith("application/json") and isinstance(ex, (dict, list)):
                        c.add(kind, compact(ex), "body_json", repo, path, lic,
                              "request-body examples")
                    elif isinstance(ex, str):
                        c.add(kind, ex, f"body:{mime}", repo, path, lic, "request-body examples")
            for prm in op.get("parameters") or []:
                prm, pbase = refs.resolve(prm, base)
                if not isinstance(prm, dict) or prm.get("in") not in ("query", "header"):
                    continue
                vals = []
                for holder in (prm, (refs.resolve(prm.get("schema"), pbase)[0] or {})):
                    if isinstance(holder, dict) and "example" in holder:
                        vals.append(holder["example"])
                    if isinstance(holder, dict):
                        for ex in (holder.get("examples") or {}).values() if isinstance(holder.get("examples"), dict) else []:
                            ex, _ = refs.resolve(ex, pbase)
                            if isinstance(ex, dict) and "value" in ex:
                                vals.append(ex["value"])
                for v in vals:
                    if isinstance(v, (int, float, bool)):
                        v = json.dumps(v)
                    if isinstance(v, str):
                        zone = f"query:{prm.get('name')}" if prm["in"] == "query" else f"header:{prm.get('name', '').lower()}"
                        c.add(kind, v, zone, repo, path, lic, "parameter examples")


# --------------------------------------------------------------------------
# Text people type: message catalogues, Markdown with code fences.


def leaves(node):
    if isinstance(node, dict):
        for k in sorted(node):
            yield from leaves(node[k])
    elif isinstance(node, list):
        for v in node:
            yield from leaves(v)
    elif isinstance(node, str):
        yield node


def extract_catalogue(c, repo, lic, pattern, kind="i18n"):
    for path in repo.glob(pattern):
        t = repo.text(path)
        try:
            doc = json.loads(t) if t else None
        except ValueError:
            continue
        for s in leaves(doc):
            c.add(kind, s, split_zone(s, "body_form", "json:text"), repo, path, lic,
                  "message-catalogue strings")


FENCE = re.compile(r"^(```|~~~)", re.M)


def md_sections(text):
    """Sections of a Markdown file (a heading and what follows up to the next
    heading of any level), headings inside code fences ignored."""
    sections, cur, in_fence = [], [], False
    for line in text.splitlines(keepends=True):
        if FENCE.match(line.lstrip()):
            in_fence = not in_fence
        if not in_fence and line.startswith("#") and cur:
            sections.append("".join(cur))
            cur = []
        cur.append(line)
    if cur:
        sections.append("".join(cur))
    return sections


def extract_markdown(c, repo, lic, pattern, kind="markdown", max_len=6000):
    """Sections that hold a fenced code block, as a comment or issue body
    (GitHub's API field `body`, or a form field)."""
    for path in repo.glob(pattern):
        t = repo.text(path)
        if not t:
            continue
        for s in md_sections(t):
            s = s.strip("\n")
            if len(FENCE.findall(s)) >= 2 and len(s) <= max_len:
                c.add(kind, s, split_zone(s, "json:body", "body_form"), repo, path, lic,
                      "Markdown sections with code fences")


# --------------------------------------------------------------------------
# The sources: repository -> licence and what to take. Patterns are regular
# expressions over the paths at HEAD.

SOURCES = {
    # Browser captures
    "GoogleChrome/lighthouse": ("Apache-2.0", [
        (extract_captures, r"^core/test/(fixtures|results)/.*devtools\.?log.*\.json(\.gz)?$"),
        (extract_captures, r"^core/test/fixtures/unresolved-perflog\.json$"),
        (extract_markdown, r"^docs/.*\.md$"),
    ]),
    "janodvarko/harviewer": ("BSD-3-Clause", [
        (extract_captures, r"^(webapp/examples/[^/]+|selenium/tests/hars/(issue-\d+/)?[^/]+)\.har$"),
    ]),
    "sitespeedio/chrome-har": ("MIT", [(extract_captures, r"^test/perflogs/.*\.json$")]),
    "sitespeedio/pagexray": ("MIT", [(extract_captures, r"^test/files/.*\.har$")]),
    "sitespeedio/coach-core": ("MIT", [(extract_captures, r"^test/.*\.har$")]),
    "mitmproxy/mitmproxy": ("MIT", [
        (extract_captures, r"^test/mitmproxy/data/(har_files|flows)/.*\.har$"),
        (extract_markdown, r"^(docs/src/content/.*|CHANGELOG)\.md$"),
    ]),
    "Netflix/pollyjs": ("Apache-2.0", [(extract_captures, r"recordings__?/.*\.har$")]),
    # Error reports and telemetry
    "rh-cssre/glitchtip-backend": ("MIT", [
        (extract_json_docs, r"^events/test_data/(incoming_events|transactions)/.*\.json$", "sentry"),
        (extract_json_docs, r"^events/test_data/(js_event|py_hi_event|py_error|django_message_event)\.json$", "sentry"),
        (extract_json_docs, r"^events/test_data/csp_event\.json$", "sentry", "body:application/csp-report", "CSP reports"),
    ]),
    "getsentry/sentry-java": ("MIT", [
        (extract_json_docs, r"^sentry/src/test/resources/json/.*\.json$", "sentry", "body_json", "protocol objects"),
    ]),
    "getsentry/sentry-go": ("MIT", [
        (extract_json_docs, r"^testdata/(json/.*\.json|.*\.golden)$", "sentry", "body_json", "protocol objects"),
    ]),
    "getsentry/sentry-javascript": ("MIT", [
        (extract_js_stacks, r"^packages/browser/test/tracekit/.*\.test\.ts$"),
        (extract_markdown, r"^(MIGRATION|CHANGELOG|docs/.*|packages/[^/]+/README)\.md$"),
    ]),
    "stacktracejs/error-stack-parser": ("MIT", [(extract_js_stacks, r"^spec/fixtures/captured-errors\.js$")]),
    "csnover/TraceKit": ("MIT", [(extract_js_stacks, r"^spec/fixtures/captured-errors\.js$")]),
    "open-telemetry/opentelemetry-proto": ("Apache-2.0", [
        (extract_json_docs, r"^examples/.*\.json$", "otel", "body_json", "OTLP/JSON examples"),
    ]),
    # APIs
    "saleor/saleor": ("BSD-3-Clause", [(extract_py_graphql, r"^saleor/graphql/.*/tests/.*\.py$")]),
    "digitalocean/openapi": ("Apache-2.0", [(extract_openapi, r"^specification/resources/[^/]+/[^/]+\.yml$")]),
    "box/box-openapi": ("Apache-2.0", [(extract_openapi, r"^openapi\.json$")]),
    "sendgrid/sendgrid-oai": ("MIT", [(extract_openapi, r"^oai_v3_stoplight\.json$")]),
    "octokit/fixtures": ("MIT", [(extract_nock, r"^scenarios/.*/normalized-fixture\.json$", "github_api")]),
    "Shopify/hydrogen": ("MIT", [(extract_js_graphql, r"^(templates|examples|cookbook|packages)/.*\.(ts|tsx|js|jsx)$")]),
    "jaegertracing/jaeger": ("Apache-2.0", [
        (extract_json_docs, r"^(internal/storage/integration/fixtures/traces|internal/storage/v2/memory/fixtures"
         r"|internal/storage/v2/elasticsearch/tracestore/fixtures|internal/converter/thrift/jaeger/fixtures"
         r"|internal/uimodel/converter/v1/json/fixtures|cmd/anonymizer/app/uiconv/fixtures)/[^/]+\.json$",
         "otel", "body_json", "trace documents (OTLP/JSON and Jaeger JSON)"),
    ]),
    # Text
    # English, the CJK locales and one locale of each other script family
    # (Arabic, Hebrew, Persian, Devanagari, Tamil, Thai, Khmer, Myanmar,
    # Cyrillic, Greek), plus Vietnamese and Turkish for Latin diacritics.
    "excalidraw/excalidraw": ("MIT", [(extract_catalogue,
        r"^packages/excalidraw/locales/(en|ja-JP|ko-KR|zh-CN|zh-HK|zh-TW|ar-SA|he-IL|fa-IR"
        r"|hi-IN|ta-IN|th-TH|km-KH|my-MM|ru-RU|el-GR|vi-VN|tr-TR)\.json$")]),
}


NOTICE_HEAD = """# tests/data/real: benign traffic from public sources, with provenance

Benign values and requests copied from public, permissively licensed
repositories that hold real application traffic: browser captures (HAR files
and DevTools protocol logs of real sites), error-report and telemetry payloads,
API examples and recorded API calls, GraphQL documents, message catalogues and
developer Markdown. Nothing here was written for this project, and nothing
comes from attack, payload or WAF-test collections. `scripts/make-real-corpus.py`
extracts them from the commits below (deterministic; CI does not run it, it
cannot fetch); `rasp-eval tests/data/real` reports the false positives per file.

Each row is `{"class": "benign", "value", "zone", "source": "owner/repo@commit:path",
"licence"}`; `zone` says where the value travels (rasp-eval's zones: `url` a
request target, `query:NAME` a query parameter, `header:NAME` a request header,
`body_json` or `body:TYPE` a whole body, `json:NAME` a JSON field, `body_form` a
form field). Rows are deduplicated on (value, zone) over all files, first source
in this table wins. Credential headers (`authorization`, API-key headers) and
values with the shape of a provider key are left out.

| file | repository @ commit | paths | what | licence | rows |
|---|---|---|---|---|---:|
"""

NOTICE_TAIL = """
The MIT, BSD and Apache-2.0 licences require the copyright and licence notices
of the original projects to accompany copies; they are those of the
repositories above (© their respective authors), whose licence texts apply to
these rows. Of the Apache-2.0 sources only jaegertracing/jaeger ships a
`NOTICE` file; it reads: "Jaeger, Distributed Tracing Platform. Copyright
2015-2019 The Jaeger Project Authors. Licensed under Apache License 2.0. See
LICENSE for terms. Includes software developed at Uber Technologies, Inc.
(https://eng.uber.com/)."
"""


def notice(c):
    out = [NOTICE_HEAD]
    total = 0
    for (kind, repo), st in sorted(c.stats.items()):
        pats = "<br>".join(f"`{p}`".replace("|", "\\|") for p in st.get("patterns", []))
        out.append(
            f"| {kind}.jsonl | {repo} @ {st['commit'][:12]} | {pats} ({len(st['paths'])} files) "
            f"| {', '.join(sorted(st['what']))} | {SOURCES[repo][0]} | {st['n']} |\n"
        )
        total += st["n"]
    out.append(f"| **total** | | | | | **{total}** |\n")
    out.append(NOTICE_TAIL)
    return "".join(out)


def repo_name(arg):
    if "=" in arg:
        name, gitdir = arg.split("=", 1)
        return name, gitdir
    for part in reversed(os.path.abspath(arg).split(os.sep)):
        if "+" in part:
            owner, name = part.split("+", 1)
            return f"{owner}/{name}", arg
    sys.exit(f"{arg}: cannot tell owner/name (use owner/name=GITDIR)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="tests/data/real")
    ap.add_argument("gitdirs", nargs="+")
    args = ap.parse_args()
    repos = {}
    for a in args.gitdirs:
        name, gitdir = repo_name(a)
        if name not in SOURCES:
            sys.exit(f"{name}: not in SOURCES")
        repos[name] = Repo(name, gitdir)
    c = Corpus()
    for name, (lic, jobs) in SOURCES.items():  # a fixed order: first source wins
        if name not in repos:
            continue
        for job in jobs:
            fn, pattern, *rest = job
            before = {k: v["n"] for k, v in c.stats.items()}
            fn(c, repos[name], lic, pattern, *rest)
            for k, v in c.stats.items():
                if k[1] == name and v["n"] != before.get(k, 0):
                    v.setdefault("patterns", []).append(pattern)
    os.makedirs(args.out, exist_ok=True)
    for kind, rows in sorted(c.rows.items()):
        with open(os.path.join(args.out, f"{kind}.jsonl"), "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(os.path.join(args.out, "NOTICE.md"), "w", encoding="utf-8") as f:
        f.write(notice(c))
    for kind, rows in sorted(c.rows.items()):
        print(f"{kind}.jsonl: {len(rows)} rows", file=sys.stderr)
    print(f"left out for holding a key-shaped string: {c.dropped_secrets}", file=sys.stderr)


if __name__ == "__main__":
    main()
