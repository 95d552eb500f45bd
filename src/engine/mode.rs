//! What is done about a finding: the filter's [`Mode`], a rule's [`Action`]
//! and the outcome [`Taken`].
//!
//! These three words are shared by the configuration, every detector, the
//! rate limiter, events and metrics. They live in a leaf module (it imports
//! nothing from the engine) so that none of those modules has to import the
//! configuration, which imports all of them.

use serde::{Deserialize, Serialize};

/// What the filter does with a request that a blocking rule matched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Blocking rules answer with the configured local reply.
    #[default]
    Block,
    /// Nothing is ever blocked, throttled or rejected: findings are logged
    /// and counted (with `action="monitor"`) and the request passes
    /// unchanged. Use it to observe a new deployment before blocking.
    Monitor,
}

impl Mode {
    /// The lowercase name used in configuration, events and log lines.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Block => "block",
            Mode::Monitor => "monitor",
        }
    }
}

/// What one detector or rule does when it matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Block the request (in `block` mode) and log the event.
    #[default]
    Block,
    /// Log and count the event; the request passes.
    Log,
    /// The detector does not run at all (no cost).
    Off,
}

impl Action {
    /// The lowercase name used in configuration, events and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Block => "block",
            Action::Log => "log",
            Action::Off => "off",
        }
    }
}

/// What was done about a finding (the `action` label of
/// `rasp_attacks_total`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Taken {
    /// The request was (or is being) blocked.
    Block,
    /// The rule's action is `log`: logged and counted, request passes.
    Log,
    /// The rule would block, but the filter runs in `monitor` mode.
    Monitor,
}

impl Taken {
    /// Every value, in a stable order.
    pub const ALL: [Taken; 3] = [Taken::Block, Taken::Log, Taken::Monitor];

    /// The label value: `block`, `log` or `monitor`.
    pub fn as_str(self) -> &'static str {
        match self {
            Taken::Block => "block",
            Taken::Log => "log",
            Taken::Monitor => "monitor",
        }
    }

    /// What a rule with `action` does under `mode`. `None` for `off`.
    pub fn from_action(action: Action, mode: Mode) -> Option<Taken> {
        match (action, mode) {
            (Action::Off, _) => None,
            (Action::Log, _) => Some(Taken::Log),
            (Action::Block, Mode::Block) => Some(Taken::Block),
            (Action::Block, Mode::Monitor) => Some(Taken::Monitor),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serde_names() {
        for m in [Mode::Block, Mode::Monitor] {
            assert_eq!(serde_json::to_value(m).unwrap(), m.as_str());
        }
        for a in [Action::Block, Action::Log, Action::Off] {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
    }

    #[test]
    fn taken_follows_action_and_mode() {
        assert_eq!(Taken::from_action(Action::Off, Mode::Block), None);
        assert_eq!(
            Taken::from_action(Action::Log, Mode::Block),
            Some(Taken::Log)
        );
        assert_eq!(
            Taken::from_action(Action::Block, Mode::Monitor),
            Some(Taken::Monitor)
        );
        assert_eq!(
            Taken::from_action(Action::Block, Mode::Block),
            Some(Taken::Block)
        );
    }
}
