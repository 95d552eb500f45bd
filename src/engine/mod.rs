//! The pure inspection engine: request in, findings and verdict out.
//!
//! Nothing in this module tree calls the proxy-wasm SDK. The flow for one
//! request is a [`Transaction`]:
//!
//! 1. [`Engine::begin`] with the request head (method, `:path`, headers);
//! 2. [`Transaction::on_headers`]: limits, allowlist, then the head surfaces
//!    (path, query, cookies, configured headers) through the detectors;
//! 3. when a body follows, [`Transaction::on_body_size`] as chunks arrive
//!    (size limits) and [`Transaction::on_body`] once with the whole body;
//! 4. the [`HeadVerdict`] and then the [`BodyVerdict`] say whether to let
//!    the request through or which local reply to send;
//!    [`Transaction::findings`] and [`Transaction::events`] say why.
//!
//! [`filter::RequestFilter`] drives a transaction through the proxy's
//! callbacks (phases, body counters, rate limit, the local reply, metrics
//! and events once) against the [`host::Host`] trait; `src/host/` only
//! forwards proxy-wasm callbacks to it.
//!
//! ```
//! use envoy_rasp::engine::{Engine, RequestHead, Verdict};
//!
//! let engine = Engine::from_json(b"{}").unwrap();
//! let head = RequestHead::new("GET", "/users?name=O%27Brien", vec![]);
//! let mut tx = engine.begin(head);
//! assert!(matches!(tx.on_headers(true), Verdict::Allow));
//! ```

pub mod bytes;
pub mod config;
pub mod decode;
pub mod detect;
pub mod error;
pub mod escape;
pub mod event;
pub mod filter;
pub mod hash;
pub mod host;
pub mod http;
pub mod inspect;
pub mod metrics;
pub mod mode;
pub mod policy;
pub mod profile;
pub mod ratelimit;
pub mod reply;
pub mod response;
pub mod section;
pub mod siem;
pub mod surface;

pub use config::Config;
pub use detect::{AttackType, Finding};
pub use error::{ConfigError, ConfigErrors};
pub use http::RequestHead;
pub use inspect::Transaction;
pub use mode::Mode;
pub use policy::{BodyVerdict, HeadVerdict, Verdict, Violation};
pub use reply::LocalReply;

use std::sync::{Arc, Mutex};

/// A compiled configuration, ready to inspect requests.
///
/// Cheap to clone (the configuration is shared); one engine serves every
/// HTTP context of a wasm VM.
#[derive(Clone, Debug)]
pub struct Engine {
    config: Arc<Config>,
    /// Header values that scanned clean under this configuration (bounded;
    /// see `inspect::CleanMemo`).
    header_memo: Arc<Mutex<inspect::CleanMemo>>,
    /// One engine per profile, in `config.profiles` order (each with its
    /// own header memo: what is clean depends on the detectors).
    profiles: Arc<[Engine]>,
    /// The shadow configuration's engine.
    shadow: Option<Arc<Engine>>,
}

impl Engine {
    /// Wraps an already validated configuration.
    pub fn new(config: Config) -> Engine {
        Engine::shared(Arc::new(config))
    }

    /// Wraps a compiled configuration already shared (a profile's).
    fn shared(config: Arc<Config>) -> Engine {
        let profiles = config
            .profiles
            .list
            .iter()
            .map(|p| Engine::shared(Arc::clone(&p.config)))
            .collect();
        let shadow = config
            .shadow
            .as_ref()
            .map(|s| Arc::new(Engine::shared(Arc::clone(&s.config))));
        Engine {
            config,
            header_memo: Arc::new(Mutex::new(inspect::CleanMemo::headers())),
            profiles,
            shadow,
        }
    }

    /// Whether choosing a profile reads Envoy's route name (the host then
    /// passes the `xds.route_name` property to [`select`](Self::select)).
    pub fn needs_route(&self) -> bool {
        self.config.profiles.needs_route || self.shadow.as_ref().is_some_and(|s| s.needs_route())
    }

    /// The engine of the first profile whose conditions `head` meets, or
    /// this one when none does (or none are configured): O(conditions).
    pub fn select(&self, head: &RequestHead, route: Option<&[u8]>) -> Engine {
        let list = &self.config.profiles.list;
        if list.is_empty() {
            return self.clone();
        }
        let facts = profile::RequestFacts::new(head, self.config.profiles.needs_path, route);
        list.iter()
            .position(|p| p.when.matches(&facts))
            .and_then(|i| self.profiles.get(i))
            .unwrap_or(self)
            .clone()
    }

    /// The shadow configuration's engine, when one is configured.
    pub fn shadow(&self) -> Option<&Engine> {
        self.shadow.as_deref()
    }

    /// The header memo shared by this engine's transactions.
    pub(crate) fn header_memo(&self) -> Arc<Mutex<inspect::CleanMemo>> {
        Arc::clone(&self.header_memo)
    }

    /// Parses, validates and compiles a JSON plugin configuration.
    ///
    /// An empty input (Envoy passes none when `configuration` is unset)
    /// yields the defaults.
    pub fn from_json(bytes: &[u8]) -> Result<Engine, ConfigErrors> {
        Ok(Engine::new(Config::from_json(bytes)?))
    }

    /// The configuration this engine enforces.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Runs a single value through the detectors as if it came from
    /// `surface` (tools and benchmarks; no limits apply).
    pub fn inspect_value(&self, surface: surface::Surface, value: &[u8]) -> Vec<Finding> {
        inspect::inspect_value(&self.config, surface, b"v", value)
    }

    /// The shared configuration (an `Arc` clone).
    pub fn shared_config(&self) -> Arc<Config> {
        Arc::clone(&self.config)
    }

    /// Starts inspecting one request.
    pub fn begin(&self, head: RequestHead) -> Transaction {
        Transaction::new(self, head)
    }
}
