//! The compiled detectors of a configuration ([`Detectors`]) and the scan
//! loop over one value, both generated from the table in `registry.rs`.

use super::attack::AttackType;
use super::detector::Detector;
use super::hit::{Hit, ValueCtx};
use crate::engine::mode::Action;
use crate::engine::section::FieldNote;

macro_rules! detector_set {
    ($($field:ident $section:ident $variant:ident $doc:literal $ty:path;)*) => {
        /// The compiled detectors. `None` means the detector's action is
        /// `off` (it costs nothing).
        #[derive(Clone, Debug, Default)]
        pub struct Detectors {
            $(#[doc = $doc] pub $field: Option<$ty>,)*
        }

        /// Each detector's configuration section and the schema notes its
        /// module gives (paths relative to the section), in table order.
        pub const SECTIONS: &[(&str, &[FieldNote])] =
            &[$((stringify!($section), <$ty as Detector>::NOTES),)*];

        impl Detectors {
            /// Runs every enabled detector over `value`, in the table's
            /// order, and calls `found` for each hit (at most one per
            /// detector) with whether the hit's location is one where the
            /// detector drops hits (`location` is rendered only then);
            /// stops early when `found` returns `false`.
            pub fn scan_value(
                &self,
                value: &[u8],
                ctx: &ValueCtx,
                location: &dyn Fn() -> String,
                found: &mut dyn FnMut(AttackType, Action, Hit, bool) -> bool,
            ) {
                $(
                    if let Some(d) = &self.$field {
                        if let Some(hit) = Detector::detect(d, value, ctx) {
                            let dropped = d.has_suppressions() && d.suppressed(&location());
                            if !found(AttackType::$variant, Detector::action(d), hit, dropped) {
                                return;
                            }
                        }
                    }
                )*
            }

            /// Whether an enabled detector reads every request header.
            pub fn reads_every_header(&self) -> bool {
                false $(|| (<$ty as Detector>::EVERY_HEADER && self.$field.is_some()))*
            }

            /// One request header through the detectors that read every
            /// header: `detect_header` (name and value), then, unless the
            /// header is one of `inspect.headers` (which every detector
            /// reads already) or one the detector leaves out
            /// (`reads_header`), `detect` over the value.
            pub fn scan_every_header(
                &self,
                name: &[u8],
                value: &[u8],
                ctx: &ValueCtx,
                already_inspected: bool,
                found: &mut dyn FnMut(AttackType, Action, Hit) -> bool,
            ) {
                $(
                    if <$ty as Detector>::EVERY_HEADER {
                        if let Some(d) = &self.$field {
                            let hit = Detector::detect_header(d, name, value).or_else(|| {
                                if already_inspected || !Detector::reads_header(d, name) {
                                    None
                                } else {
                                    Detector::detect(d, value, ctx)
                                }
                            });
                            // A location where the detector expects its
                            // syntax (`sql_injection.whitelist`): dropped.
                            let hit = hit.filter(|_| {
                                !(d.has_suppressions()
                                    && d.suppressed(&format!(
                                        "header:{}",
                                        String::from_utf8_lossy(name)
                                    )))
                            });
                            if let Some(hit) = hit {
                                if !found(AttackType::$variant, Detector::action(d), hit) {
                                    return;
                                }
                            }
                        }
                    }
                )*
            }

            /// The whole request path through the detectors that judge it.
            pub fn scan_path(
                &self,
                path: &[u8],
                found: &mut dyn FnMut(AttackType, Action, Hit) -> bool,
            ) {
                $(
                    if let Some(d) = &self.$field {
                        if let Some(hit) = Detector::detect_path(d, path) {
                            if !found(AttackType::$variant, Detector::action(d), hit) {
                                return;
                            }
                        }
                    }
                )*
            }
        }
    };
}

super::registry::with_detectors!(detector_set);
