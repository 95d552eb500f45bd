//! Policy per request: which configuration applies to a request
//! (`profiles`), which findings are not acted on (`exclusions`), and the
//! conditions both are written with (`when`). The whole configurations the
//! profiles and the shadow stand for are compiled by `config` (they are
//! configurations); this module holds what is decided per request, and
//! imports nothing of `config`.

pub mod exclusion;
pub mod select;
pub mod when;

pub use exclusion::{Applicable, Excluded, Exclusion, ExclusionConfig, Exclusions};
pub use when::{HeaderMatch, HostPattern, RequestFacts, When, WhenConfig};
