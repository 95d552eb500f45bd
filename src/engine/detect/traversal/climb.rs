//! Parent-directory climbs (`../`, `....//`, `..;/`, dot-segment padding)
//! and how a run of them is judged.

use super::bytes::in_list;
use super::config::Traversal;
use super::decode::{Found, Stream};
use super::path::{drive_at, is_boundary, is_climb, is_sep};
use super::sensitive::relative_target_sensitive;

impl Traversal {
    /// Parent-directory climbs, scanned segment by segment. A *token* is a
    /// stretch between boundaries (blanks, quotes, `=`, …); a *run* is a
    /// sequence of climbing segments joined only by separators and `.`.
    pub(super) fn climbs(&self, st: &Stream<'_>, path_surface: bool) -> Option<Found> {
        let s: &[u8] = &st.bytes;
        let mut run = Run::default();
        // Current token: whether it is rooted (`/..`, `C:\..`) and how many
        // `.` / empty segments pad it before its first name.
        let mut token_start = true;
        let mut rooted = false;
        let mut pad = 0usize;
        let mut pad_dots = 0usize;
        let mut budget = 64usize;
        let mut i = 0;
        while i <= s.len() {
            let seg_end = s
                .get(i..)
                .and_then(|r| r.iter().position(|&b| is_sep(b) || is_boundary(b)))
                .map_or(s.len(), |p| i + p);
            let seg = s.get(i..seg_end).unwrap_or_default();
            let term = s.get(seg_end).copied();
            let sep_term = term.is_some_and(is_sep);
            if token_start {
                rooted = sep_term && (seg.is_empty() || drive_at(seg, 0) && seg.len() == 2);
                pad = 0;
                pad_dots = 0;
            }
            let climb = is_climb(seg) && matches!(term, None | Some(b'/' | b'\\' | b';'));
            let neutral = seg.is_empty() || seg == b".";
            if climb {
                if run.count == 0 {
                    run = Run {
                        start: i,
                        rooted,
                        ..Run::default()
                    };
                }
                run.count += 1;
                if run.count >= 2 {
                    run.asset = asset_link(s, seg_end, &run, path_surface)
                        || bare_climb_in_text(s, seg_end, &run, path_surface);
                    if !run.asset {
                        let end = (seg_end + 1).min(s.len());
                        return self.judge_run(&run, &[], path_surface, end);
                    }
                }
                // `/..` only proves an absolute climb when a path follows.
                run.rooted &= sep_term;
                run.encoded |= st.decoded(i, seg_end + usize::from(term.is_some()));
                run.tomcat |= term == Some(b';');
            } else if neutral {
                pad += 1;
                pad_dots += usize::from(seg == b".");
            }
            let ends_token = term.is_some_and(|t| !is_sep(t)) && !(climb && term == Some(b';'));
            let padded = pad >= 2 && pad_dots >= 1 && !neutral;
            if (!climb && !neutral || ends_token) && run.count > 0 && budget == 0 {
                if let Some(f) = self.judge_run(&run, &[], path_surface, i) {
                    return Some(f);
                }
            }
            if (!climb && !neutral || ends_token) && (run.count > 0 || padded) && budget > 0 {
                budget -= 1;
                // Targets are judged on their first bytes only, a bounded
                // number of times: linear on `../a/../a/…`.
                let limit = s.len().min(i + 256);
                let target_end = s
                    .get(i..limit)
                    .and_then(|r| r.iter().position(|&b| is_boundary(b)))
                    .map_or(limit, |p| i + p);
                let target = if neutral {
                    &[][..]
                } else {
                    s.get(i..target_end).unwrap_or_default()
                };
                if run.count > 0 {
                    if let Some(f) = self.judge_run(&run, target, path_surface, i) {
                        return Some(Found {
                            end: target_end.max(i),
                            ..f
                        });
                    }
                    run = Run::default();
                } else if padded && relative_target_sensitive(target) {
                    return Some(Found::new(
                        "path.dotdot",
                        "dot-segment padding before a sensitive file (././etc/passwd)",
                        i,
                        target_end,
                    ));
                }
            }
            if !climb && !neutral || ends_token {
                run = Run::default();
                pad = 0;
                pad_dots = 0;
            }
            token_start = ends_token;
            if seg_end >= s.len() {
                break;
            }
            i = seg_end + 1;
        }
        if run.count > 0 {
            return self.judge_run(&run, &[], path_surface, s.len());
        }
        None
    }

    pub(super) fn judge_run(
        &self,
        run: &Run,
        target: &[u8],
        path_surface: bool,
        end: usize,
    ) -> Option<Found> {
        let found = |reason| Some(Found::new("path.dotdot", reason, run.start, end));
        if run.count >= 2 && !run.asset {
            return found("two or more consecutive parent-directory segments (../../)");
        }
        if path_surface {
            return found("parent-directory segment in the request path");
        }
        if run.tomcat {
            return found("parent-directory segment with a path parameter (..;/)");
        }
        if run.encoded {
            return found("encoded parent-directory segment");
        }
        if run.rooted {
            return found("parent-directory segment in an absolute path");
        }
        if relative_target_sensitive(target) {
            return found("parent-directory segment reaching a sensitive file");
        }
        if !self.allow_single_parent && !run.asset {
            return found("parent-directory segment");
        }
        None
    }
}

/// A relative link to a static web asset (`../../img/logo.png` in HTML):
/// two or three plain climbs followed by a path to an image, stylesheet,
/// script or page. The exception never covers encodings, Tomcat `;`,
/// rooted paths, sensitive targets or the request path.
fn asset_link(s: &[u8], seg_end: usize, run: &Run, path_surface: bool) -> bool {
    const ASSETS: &[&str] = &[
        "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "css", "js", "mjs", "map", "html",
        "htm", "pdf", "woff", "woff2", "ttf", "eot", "mp4", "mp3", "webm",
    ];
    if path_surface || run.encoded || run.tomcat || run.rooted || run.count > 3 {
        return false;
    }
    // Look at the rest of the token: more climbs or a target.
    let rest = s.get(seg_end..).unwrap_or_default();
    let end = rest
        .iter()
        .position(|&b| is_boundary(b))
        .unwrap_or(rest.len());
    let target = rest.get(..end).unwrap_or_default();
    let climbs = target
        .split(|&b| is_sep(b))
        .filter(|x| !x.is_empty())
        .take_while(|x| is_climb(x))
        .count();
    if run.count + climbs > 3 || relative_target_sensitive(target) {
        return false;
    }
    let leaf = target.rsplit(|&b| is_sep(b)).next().unwrap_or_default();
    leaf.iter()
        .rposition(|&b| b == b'.')
        .is_some_and(|p| p > 0 && in_list(leaf.get(p + 1..).unwrap_or_default(), ASSETS))
}

/// `yarn --cwd ../../..` after the first line of a text (a shell snippet in
/// a document or a ticket): climbs that name nothing, in a value with a
/// line break before them. A path an application opens has no line break,
/// and nothing is appended to a climb in the middle of prose; climbs with a
/// target (`../../etc/passwd`), encoded, rooted or Tomcat climbs still
/// count there.
fn bare_climb_in_text(s: &[u8], seg_end: usize, run: &Run, path_surface: bool) -> bool {
    if path_surface || run.encoded || run.tomcat || run.rooted {
        return false;
    }
    if !s.get(..run.start).is_some_and(|b| b.contains(&b'\n')) {
        return false;
    }
    let rest = s.get(seg_end..).unwrap_or_default();
    let end = rest
        .iter()
        .position(|&b| is_boundary(b))
        .unwrap_or(rest.len());
    let names_nothing = rest
        .get(..end)
        .unwrap_or_default()
        .split(|&b| is_sep(b))
        .all(|x| x.is_empty() || is_climb(x));
    names_nothing && rest.get(end).is_none_or(u8::is_ascii_whitespace)
}

/// A run of climbing segments.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Run {
    pub(super) count: usize,
    pub(super) start: usize,
    pub(super) encoded: bool,
    pub(super) tomcat: bool,
    pub(super) rooted: bool,
    /// A relative link to a static asset (see [`asset_link`]).
    pub(super) asset: bool,
}
