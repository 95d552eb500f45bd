//! Server-side request forgery detector.
//!
//! The detector sees every parameter value, so it first decides cheaply
//! whether a value can hold a URL or a host at all: a value with no `:` is
//! only examined when it is short and shaped like `host[:port][/path]`.
//! Everything else costs one byte scan.
//!
//! ## What is a URL context
//!
//! * **URL** — `scheme://authority…`, protocol-relative `//authority` at the
//!   start of the value, and the slash-less forms WHATWG parsers accept for
//!   special schemes (`http:127.0.0.1`, `http:/2852039166`). A URL is
//!   *anchored* when it starts the value or follows `= & ? ; , / | ( [ " '`
//!   (a parameter, a list, a nested redirect URL such as
//!   `…/?url=http://localhost`), and *embedded* when it sits inside prose
//!   (`see http://localhost:3000 for details`).
//! * **Bare host** — the whole value is `host[:port][/path]` with no scheme
//!   (`127.0.0.1`, `localhost:11211`, `metadata.google.internal/`).
//!
//! ## What is flagged
//!
//! In an anchored URL, every host a URL parser could pick is judged: the
//! host after the last `@`, the text before each `@` (`http://127.0.0.1\@allowed`
//! is `127.0.0.1` for WHATWG), and the authority with backslashes removed.
//!
//! | rule | structure |
//! |---|---|
//! | `ssrf.scheme` | a scheme from `schemes` (`file:`, `gopher:`, `dict:`, …) |
//! | `ssrf.metadata` | a cloud metadata address or name (`169.254.169.254`, `metadata.google.internal`, `100.100.100.200`, `fd00:ec2::254`, …) |
//! | `ssrf.internal_address` | an IP literal inside a `blacklist` range |
//! | `ssrf.obfuscated_ip` | an IP written any other way than dotted decimal or plain IPv6: `2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`, overflowing parts (`425.510.425.510`), IPv4-mapped IPv6, Unicode digits (`①②⑦.⓪.⓪.①`); not `0.x.x.x` other than `0` itself (`http://80/`, `0://1/`: no stack routes 0.0.0.0/8, the number is a port or a placeholder) |
//! | `ssrf.internal_name` | `localhost` and `*.localhost`, names under `internal_domains` (`*.internal`, `*.local`, …), single-label hosts (`http://metadata/`, `http://redis:6379/`) |
//! | `ssrf.ip_in_hostname` | a name embedding an internal IPv4 (`127.0.0.1.nip.io`, `10-0-0-1.sslip.io`, `example.com.127.0.0.1`): wildcard DNS resolves it to that address |
//! | `ssrf.attack_domain` | a name under `attack_domains`: wildcard-DNS / rebinding services and out-of-band interaction domains |
//! | `ssrf.parser_confusion` | an authority with more than one `@`, or whitespace, `#`, `\` or `&` before its `@`: built so that two URL parsers disagree on the host |
//!
//! In an embedded URL only the unambiguous signals count (`metadata`,
//! `obfuscated_ip`): prose that says "run it on http://localhost:8080" is
//! normal in tickets and forums. Single-label names need an explicit network
//! scheme (`//comments` and `myapp://callback` are not hosts).
//!
//! A bare host counts when it is a loopback, unspecified or link-local
//! address in dotted-decimal or IPv6 form (`127.0.0.1`, `[::1]`), a dotted
//! metadata name, an `attack_domains` name, or embeds an internal IPv4.
//! Private ranges, `localhost` and `internal_domains` names need a port or
//! path (`10.0.0.5:6379`, `localhost/`, `corp.local/`): alone, `10.0.0.5` is
//! as often a version, `localhost` a search term or a server setting and
//! `corp.local` a Windows domain. Obfuscated numbers never count without a
//! scheme: `2130706433` is a price or an id, `1.2.3` a version.
//!
//! Known trade-off: native OAuth clients use loopback redirect URIs
//! (RFC 8252, `redirect_uri=http://127.0.0.1:51004/cb`), which are flagged;
//! whitelist `127.0.0.1`/`localhost` or allowlist the authorization path.
//!
//! No DNS resolution happens in the filter: names not listed above are
//! judged by name only (an attacker's own name that resolves to 127.0.0.1
//! passes; the application's resolver must enforce the final check).
//!
//! ## Where it applies
//!
//! `targets` (default `path`, `query`, `body`): headers and cookies are
//! skipped by default because `Referer`/`Origin` carry `http://localhost:3000`
//! in development and load-balancer cookies carry backend addresses.
//!
//! **Fields of documents** (JSON, XML, a JSON document inside a parameter;
//! `fields_by_name`, default on) are judged by where they sit and what they
//! are called ([`ValueCtx::field`](crate::engine::detect::ValueCtx)): an
//! SSRF needs a server that fetches the value, and a document says which
//! of its fields it fetches by naming them so. A field named for fetching
//! (`callback_url`, `imageUrl`, `webhook.endpoint`, `url` at the top level;
//! see [`field`](crate::engine::detect::field)) is judged like a parameter.
//! A top-level field with another name is judged like a parameter only when
//! its whole value is one URL. Any other field is data, read as prose:
//! error reports (`request.url`, stack frames), traces (`span.data.url`,
//! tags), beacons (`referrer`) and API objects (`"server_ip": "127.0.0.1"`,
//! firewall ranges `0.0.0.0/0`) describe the client's world, where
//! `localhost` is the developer's machine. Metadata addresses and
//! obfuscated IPs count everywhere. Known trade-off: a webhook API whose
//! target sits in a generic nested field (`{"config": {"url": …}}`) is only
//! judged on those; set `fields_by_name` to `false` to judge every field.
//!
//! **Multi-line text** in a parameter (a textarea with a document or code)
//! anchors a URL after its first line only where it is assigned (after
//! `=`, `&`, `?`, or a quote right after `=`: `src="http://…"`); quoted and
//! bracketed URLs in code samples (`tunnel: 'http://localhost:9000'`) are
//! prose.
//!
//! ```
//! use envoy_rasp::engine::detect::ssrf::{Ssrf, SsrfConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let d = Ssrf::compile(&SsrfConfig::default(), "ssrf").unwrap().unwrap();
//! let q = ValueCtx::value(Surface::Query);
//! let hit = d.detect(b"http://0x7f000001/admin", &q).unwrap();
//! assert_eq!(hit.rule, "ssrf.obfuscated_ip");
//! assert_eq!(d.detect(b"http://169.254.169.254/latest/", &q).unwrap().rule, "ssrf.metadata");
//! assert!(d.detect(b"https://api.example.com/v1/pay", &q).is_none());
//! assert!(d.detect(b"2130706433", &q).is_none()); // a number, not a host
//! ```
//!
//! ## Layout
//!
//! One file per concept; dependencies point one way, from the entry point
//! down to the parsers, so no two files import each other:
//!
//! * `scan`: [`Ssrf::detect`], the surface switch and the one-pass byte
//!   prefilter that picks the scanners;
//! * `url`: URLs in a value (`scheme:`, `//`), the authority region and its
//!   host candidates, parser-confusion shapes; `bare`: values that are a
//!   bare `host[:port][/path]`;
//! * `judge`: one host candidate judged by where it sits (a `Site`: span,
//!   URL context, authority part);
//! * `ip`: IPv4 in every loose notation, IPv6, addresses carried inside
//!   others; `cidr`: configured networks; `fold`: Unicode look-alike
//!   folding; `known`: metadata, local names, scheme classes, bounds;
//! * `config`: the section and its compiled form; `bytes`: generic byte
//!   helpers (blank trimming, lowercasing, hex digits, a SWAR byte test).

mod bare;
mod bytes;
mod cidr;
mod config;
mod fold;
mod ip;
mod judge;
mod known;
mod scan;
mod url;

#[cfg(test)]
mod tests;

pub use config::{Ssrf, SsrfConfig};
