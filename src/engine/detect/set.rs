//! The compiled detectors ([`Detectors`]) and the scan of one value through
//! every enabled value detector.

use super::finding::AttackType;
use super::hit::{Hit, ValueCtx};
use super::{cmdi, sqli, ssrf, traversal, upload, xss, xxe};
use crate::engine::mode::Action;

/// The compiled detectors. `None` means the detector's action is `off`.
#[derive(Clone, Debug, Default)]
pub struct Detectors {
    pub sqli: Option<sqli::Sqli>,
    pub xss: Option<xss::Xss>,
    pub cmdi: Option<cmdi::Cmdi>,
    pub traversal: Option<traversal::Traversal>,
    pub ssrf: Option<ssrf::Ssrf>,
    pub xxe: Option<xxe::Xxe>,
    pub upload: Option<upload::Upload>,
}

impl Detectors {
    /// Runs every enabled value detector over `value` and calls `found` for
    /// each hit (at most one per detector), stopping early when `found`
    /// returns `false`.
    pub fn scan_value(
        &self,
        value: &[u8],
        ctx: &ValueCtx,
        found: &mut dyn FnMut(AttackType, Action, Hit) -> bool,
    ) {
        macro_rules! run {
            ($det:expr, $ty:expr) => {
                if let Some(d) = &$det {
                    if let Some(hit) = d.detect(value, ctx) {
                        if !found($ty, d.action(), hit) {
                            return;
                        }
                    }
                }
            };
        }
        run!(self.sqli, AttackType::SqlInjection);
        run!(self.xss, AttackType::Xss);
        run!(self.cmdi, AttackType::CommandInjection);
        run!(self.traversal, AttackType::PathTraversal);
        run!(self.ssrf, AttackType::Ssrf);
    }
}
