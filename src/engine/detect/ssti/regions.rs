//! Template regions: where a value opens template syntax, which syntax,
//! and the body the engine would evaluate.
//!
//! Every closer is the *first* occurrence of its token after the opener
//! (`}}`, `%}`, `%>`, `}`, `)`, `]]`, `>`, `]`), not a balanced match: a
//! body cut short at an inner brace still holds the evidence before it.
//! The scan resumes after each closed region, so closed regions never
//! overlap, except Thymeleaf inlining (`[[…]]`): other engines do not read
//! it, so the scan goes on inside it. An opener without its closer is a template syntax error in
//! every engine (nothing of it runs), so it is reported unclosed and the
//! scan goes on right after the opener. The closer search is monotonic: a
//! closer absent after one opener is absent after every later one, and the
//! scanner remembers that per closer, so the whole scan is linear.

/// The template syntax a region is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `{{ … }}` (Jinja2, Twig, Nunjucks, Handlebars, Angular, Go, Liquid,
    /// and `${{ … }}`).
    Mustache,
    /// `{% … %}` (Jinja2, Twig, Django, Liquid, Tornado).
    Statement,
    /// `<% … %>`, `<%= … %>`, `<%- … %>`, `<%! … %>` (ERB, EJS, ASP, Mako).
    Erb,
    /// `${ … }` (FreeMarker, Mako, EL, JavaScript template literals).
    Dollar,
    /// `#{ … }` (Ruby interpolation, Pug, JSF EL).
    Hash,
    /// `<#name …>` / `[#name …]` (FreeMarker directives).
    Directive,
    /// `#set( … )`, `#foreach( … )`, … (Velocity directives).
    Velocity,
    /// `@( … )`, `@{ … }` (Razor).
    Razor,
    /// `[[ … ]]` (Thymeleaf inlining).
    Inline,
}

/// One region of template syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub kind: Kind,
    /// Offset of the opener's first byte.
    pub open: usize,
    /// The body: between opener and closer (to the end when unclosed).
    pub body: (usize, usize),
    /// Offset after the closer (the value's length when unclosed).
    pub end: usize,
    /// The closer was found. An unclosed region does not run.
    pub closed: bool,
}

/// Velocity directives that take a parenthesised argument.
const VELOCITY: &[&[u8]] = &[
    b"set",
    b"foreach",
    b"if",
    b"elseif",
    b"evaluate",
    b"define",
    b"macro",
    b"parse",
    b"include",
];

/// The bytes that can start an opener, as a table (one load per byte).
#[allow(clippy::indexing_slicing)] // evaluated at compile time: a bad index is a build error
static OPENER: [bool; 256] = {
    let mut t = [false; 256];
    t[b'{' as usize] = true;
    t[b'<' as usize] = true;
    t[b'$' as usize] = true;
    t[b'#' as usize] = true;
    t[b'[' as usize] = true;
    t[b'@' as usize] = true;
    t
};

fn at(v: &[u8], i: usize) -> u8 {
    v.get(i).copied().unwrap_or(0)
}

/// Walks the regions of one value, left to right.
pub struct Scanner<'a> {
    v: &'a [u8],
    pos: usize,
    /// Per closer token, the last search: from where, and what it found
    /// (the first occurrence at or after that offset).
    searched: Vec<(&'static [u8], usize, Option<usize>)>,
}

impl<'a> Scanner<'a> {
    pub fn new(v: &'a [u8]) -> Scanner<'a> {
        Scanner {
            v,
            pos: 0,
            searched: Vec::new(),
        }
    }

    /// Moves on to `p` without reading a region there.
    pub fn skip_to(&mut self, p: usize) {
        self.pos = self.pos.max(p);
    }

    /// The next opener candidate at or after the current position: one of
    /// `{ < $ # [ @`.
    pub fn next_candidate(&self) -> Option<usize> {
        let rest = self.v.get(self.pos..)?;
        rest.iter()
            .position(|&b| OPENER.get(usize::from(b)).copied().unwrap_or(false))
            .map(|k| self.pos + k)
    }

    /// The region opened at `p`, if a template opener is there. Moves past
    /// it: to its end when closed, past the opener when not.
    pub fn region_at(&mut self, p: usize) -> Option<Region> {
        let v = self.v;
        let (kind, body_start, token): (Kind, usize, &'static [u8]) = match (at(v, p), at(v, p + 1))
        {
            (b'{', b'{') => (Kind::Mustache, p + 2, b"}}"),
            (b'{', b'%') => (Kind::Statement, p + 2, b"%}"),
            (b'<', b'%') => (Kind::Erb, p + 2, b"%>"),
            (b'<', b'#') if at(v, p + 2).is_ascii_alphabetic() => (Kind::Directive, p + 2, b">"),
            (b'[', b'#') if at(v, p + 2).is_ascii_alphabetic() => (Kind::Directive, p + 2, b"]"),
            (b'[', b'[') => (Kind::Inline, p + 2, b"]]"),
            // `${{ … }}` is a mustache: read it from its `{{`.
            (b'$', b'{') if at(v, p + 2) != b'{' => (Kind::Dollar, p + 2, b"}"),
            (b'#', b'{') => (Kind::Hash, p + 2, b"}"),
            (b'#', c) if c.is_ascii_alphabetic() => {
                let len = v
                    .get(p + 1..)?
                    .iter()
                    .take(10)
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                let name = v.get(p + 1..p + 1 + len)?;
                if !VELOCITY.contains(&name) {
                    return None;
                }
                let mut k = p + 1 + len;
                while at(v, k) == b' ' {
                    k += 1;
                }
                if at(v, k) != b'(' {
                    return None;
                }
                (Kind::Velocity, k + 1, b")")
            }
            (b'@', b'(') => (Kind::Razor, p + 2, b")"),
            (b'@', b'{') => (Kind::Razor, p + 2, b"}"),
            _ => return None,
        };
        let found = self.find_closer(body_start, token);
        let region = match found {
            Some(c) => Region {
                kind,
                open: p,
                body: (body_start, c),
                end: c + token.len(),
                closed: true,
            },
            None => Region {
                kind,
                open: p,
                body: (body_start.min(v.len()), v.len()),
                end: v.len(),
                closed: false,
            },
        };
        // Inlining (`[[…]]`) is not a syntax of the engines that read the
        // others: a `{{…}}` inside it still runs, so its body is scanned
        // as well.
        self.pos = if region.closed && kind != Kind::Inline {
            region.end
        } else {
            body_start
        };
        Some(region)
    }

    /// The first `token` at or after `from`. The answer of the previous
    /// search for the same token holds for any later start up to what it
    /// found (or for every later start when it found nothing), so openers
    /// nested in one region cost one search.
    fn find_closer(&mut self, from: usize, token: &'static [u8]) -> Option<usize> {
        for &(t, start, found) in &self.searched {
            if t == token && from >= start && found.is_none_or(|f| from <= f) {
                return found;
            }
        }
        let found = find(self.v, from, token);
        match self.searched.iter_mut().find(|e| e.0 == token) {
            Some(e) => *e = (token, from, found),
            None => self.searched.push((token, from, found)),
        }
        found
    }
}

/// The first `needle` at or after `from`.
fn find(v: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let rest = v.get(from..)?;
    let (&first, tail) = needle.split_first()?;
    let mut i = 0;
    while let Some(k) = rest.get(i..)?.iter().position(|&b| b == first) {
        let p = i + k;
        if rest.get(p + 1..p + 1 + tail.len()) == Some(tail) {
            return Some(from + p);
        }
        i = p + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions(v: &str) -> Vec<(Kind, String, bool)> {
        let mut s = Scanner::new(v.as_bytes());
        let mut out = Vec::new();
        while let Some(p) = s.next_candidate() {
            match s.region_at(p) {
                Some(r) => out.push((r.kind, v[r.body.0..r.body.1].to_string(), r.closed)),
                None => s.skip_to(p + 1),
            }
        }
        out
    }

    #[test]
    fn kinds_and_bodies() {
        assert_eq!(
            regions("Hi {{ name }}, {% if x %}y{% endif %} <%= t %>"),
            vec![
                (Kind::Mustache, " name ".into(), true),
                (Kind::Statement, " if x ".into(), true),
                (Kind::Statement, " endif ".into(), true),
                (Kind::Erb, "= t ".into(), true),
            ]
        );
        assert_eq!(
            regions("${a} #{b} <#assign x=1> [#list y] #set($z = 1) @(1+2) [[c]] ${{ d }}"),
            vec![
                (Kind::Dollar, "a".into(), true),
                (Kind::Hash, "b".into(), true),
                (Kind::Directive, "assign x=1".into(), true),
                (Kind::Directive, "list y".into(), true),
                (Kind::Velocity, "$z = 1".into(), true),
                (Kind::Razor, "1+2".into(), true),
                (Kind::Inline, "c".into(), true),
                (Kind::Mustache, " d ".into(), true),
            ]
        );
    }

    #[test]
    fn unclosed_is_reported_and_the_scan_goes_on() {
        assert_eq!(
            regions("a {{ b <% c %>"),
            vec![
                (Kind::Mustache, " b <% c %>".into(), false),
                (Kind::Erb, " c ".into(), true)
            ]
        );
    }

    #[test]
    fn not_openers() {
        assert!(regions("#hashtag $5 a < b [1] @user {x} #if x").is_empty());
    }
}
