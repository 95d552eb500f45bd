//! Gadget chains named by their short class names: a commons-collections
//! functor (`InvokerTransformer`, `ChainedTransformer`, `ForClosure`, …)
//! or `XMLDecoder` together with a process class (`Runtime`,
//! `ProcessBuilder`) in one value.
//!
//! Either name alone is ordinary: `Runtime` is a word, `InvokerTransformer`
//! is a class a developer may mention in a bug report. A deserialization
//! chain needs both halves, the functor that invokes a method by name and
//! the class whose method starts a process, so the pair is the evidence;
//! the fully-qualified gadget packages are already flagged on their own by
//! `classes`. Names are compared as whole identifier segments, ASCII
//! case-insensitively (`ProcessBuilder.evil.clonetransformer`,
//! `runtime.invokertransformer`), so `RuntimeError` or `myForClosureList`
//! are not names at all.
//!
//! Cost: one pass over the value, one small table lookup per identifier
//! segment; segments longer than the longest name are skipped unread.

use super::bytes::{at, is_ident};
use crate::engine::bytes::{eq_ci, find_ci};
use crate::engine::detect::Hit;

/// The functor and factory classes of the commons-collections chains
/// (ysoserial CommonsCollections1–7), and `XMLDecoder`, which runs the
/// method calls an XML document spells out.
static FUNCTORS: &[&str] = &[
    "invokertransformer",
    "chainedtransformer",
    "constanttransformer",
    "instantiatetransformer",
    "clonetransformer",
    "forclosure",
    "whileclosure",
    "instantiatefactory",
    "prototypeclonefactory",
    "prototypeserializationfactory",
    "xmldecoder",
];

/// The classes whose methods start a process.
static PROCESS: &[&str] = &["runtime", "processbuilder", "processimpl", "unixprocess"];

/// Every [`PROCESS`] name holds one of these: a value with neither names
/// no process class, so the segment loop is not run over it.
static PROCESS_STEMS: &[&[u8]] = &[b"runtime", b"process"];

/// Longest name in either table: a longer segment is neither.
const MAX_NAME: usize = 29;

/// The first value that names both halves of a chain: the hit spans from
/// the first name to the end of the second.
pub(super) fn scan(v: &[u8]) -> Option<Hit> {
    if !PROCESS_STEMS.iter().any(|s| find_ci(v, s).is_some()) {
        return None;
    }
    let mut functor: Option<usize> = None;
    let mut process: Option<usize> = None;
    let mut i = 0;
    while i < v.len() {
        if !is_ident(at(v, i)) {
            i += 1;
            continue;
        }
        let s = i;
        while is_ident(at(v, i)) {
            i += 1;
        }
        if i - s > MAX_NAME {
            continue;
        }
        let Some(w) = v.get(s..i) else { continue };
        if functor.is_none() && FUNCTORS.iter().any(|n| eq_ci(w, n.as_bytes())) {
            functor = Some(s);
        } else if process.is_none() && PROCESS.iter().any(|n| eq_ci(w, n.as_bytes())) {
            process = Some(s);
        }
        if let (Some(f), Some(p)) = (functor, process) {
            return Some(Hit::new(
                "java.gadget",
                "deserialization gadget chain: a commons-collections functor or XMLDecoder with a process class (Runtime, ProcessBuilder)",
                f.min(p),
                i,
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_process_name_holds_a_stem() {
        for n in PROCESS {
            assert!(
                PROCESS_STEMS
                    .iter()
                    .any(|s| find_ci(n.as_bytes(), s).is_some()),
                "{n}"
            );
        }
    }
}
