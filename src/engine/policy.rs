//! From findings and limits to a verdict and, when blocking, the local reply.

use super::config::BlockConfig;
use super::detect::AttackType;
use super::escape::json_escape;
use super::mode::Taken;
use super::reply::{Cause, LocalReply};

/// A limit the request went over and what was done about it, decided once
/// where the limit was checked: events and metrics both read this value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Violation {
    pub cause: Cause,
    /// `Block` (answered with the limit reply), `Monitor` (`mode: monitor`:
    /// block mode would have answered) or `Log` (the body was only partly
    /// inspected under `inspect_overflow: partial`, and passed).
    pub taken: Taken,
}

/// What to do with a request once its head is inspected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeadVerdict {
    /// Forward it; nothing more to inspect.
    Allow,
    /// Buffer the body and call [`super::Transaction::on_body`].
    NeedBody,
    /// Answer with this reply.
    Reply(LocalReply),
}

/// The head verdict under the name most callers know it by.
pub type Verdict = HeadVerdict;

/// What to do with a request once its whole body is inspected: there is
/// nothing left to ask for, so "need the body" cannot be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyVerdict {
    /// Forward it.
    Allow,
    /// Answer with this reply.
    Reply(LocalReply),
}

/// True when `reply` is the block reply for an attack.
fn is_attack(reply: Option<&LocalReply>) -> bool {
    reply.is_some_and(|r| matches!(r.cause, Cause::Attack(_)))
}

impl HeadVerdict {
    /// True for a reply caused by an attack.
    pub fn is_block(&self) -> bool {
        is_attack(self.reply())
    }

    /// The reply, if any.
    pub fn reply(&self) -> Option<&LocalReply> {
        match self {
            HeadVerdict::Reply(r) => Some(r),
            _ => None,
        }
    }
}

impl BodyVerdict {
    /// True for a reply caused by an attack.
    pub fn is_block(&self) -> bool {
        is_attack(self.reply())
    }

    /// The reply, if any.
    pub fn reply(&self) -> Option<&LocalReply> {
        match self {
            BodyVerdict::Reply(r) => Some(r),
            BodyVerdict::Allow => None,
        }
    }

    /// The reply, if any, by value.
    pub fn into_reply(self) -> Option<LocalReply> {
        match self {
            BodyVerdict::Reply(r) => Some(r),
            BodyVerdict::Allow => None,
        }
    }
}

/// The reply for a request blocked because of `attack`.
pub fn block_reply(cfg: &BlockConfig, attack: AttackType, event_id: &str) -> LocalReply {
    let cause = Cause::Attack(attack);
    if let Some(url) = &cfg.redirect_url {
        return LocalReply {
            status: 302,
            headers: vec![("location".to_string(), url.replace("{event_id}", event_id))],
            body: Vec::new(),
            cause,
        };
    }
    let body = match &cfg.body {
        Some(template) => template
            .replace("{event_id}", event_id)
            .replace("{type}", attack.as_str()),
        None => {
            let mut s = String::from("{\"blocked\":true,\"event_id\":\"");
            json_escape(&mut s, event_id);
            s.push_str("\",\"type\":\"");
            s.push_str(attack.as_str());
            s.push_str("\"}");
            s
        }
    };
    LocalReply {
        status: cfg.status_code,
        headers: vec![("content-type".to_string(), cfg.content_type.clone())],
        body: body.into_bytes(),
        cause,
    }
}

/// The reply for a request rejected by a limit (or the rate limiter).
pub fn limit_reply(cause: Cause, event_id: &str) -> LocalReply {
    let mut s = String::from("{\"rejected\":true,\"event_id\":\"");
    json_escape(&mut s, event_id);
    s.push_str("\",\"reason\":\"");
    s.push_str(cause.as_str());
    s.push_str("\"}");
    LocalReply {
        status: cause.limit_status(),
        headers: vec![("content-type".to_string(), "application/json".to_string())],
        body: s.into_bytes(),
        cause,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_reply_is_small_json_without_payload() {
        let r = block_reply(&BlockConfig::default(), AttackType::Xss, "abc\"1");
        assert_eq!(r.status, 403);
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["event_id"], "abc\"1");
        assert_eq!(v["type"], "xss");
        assert_eq!(v["blocked"], true);
    }

    #[test]
    fn redirect_and_template() {
        let cfg = BlockConfig {
            redirect_url: Some("/blocked?id={event_id}".into()),
            ..BlockConfig::default()
        };
        let r = block_reply(&cfg, AttackType::SqlInjection, "e1");
        assert_eq!(r.status, 302);
        assert_eq!(
            r.headers,
            vec![("location".into(), "/blocked?id=e1".into())]
        );
        let cfg = BlockConfig {
            status_code: 406,
            content_type: "text/plain".into(),
            body: Some("denied {type} {event_id}".into()),
            redirect_url: None,
        };
        let r = block_reply(&cfg, AttackType::SqlInjection, "e2");
        assert_eq!(r.status, 406);
        assert_eq!(r.body, b"denied sql_injection e2");
    }

    #[test]
    fn limit_statuses() {
        assert_eq!(limit_reply(Cause::BodyTooLarge, "x").status, 413);
        assert_eq!(limit_reply(Cause::HeadersTooLarge, "x").status, 431);
        assert_eq!(limit_reply(Cause::UrlTooLong, "x").status, 414);
        assert_eq!(limit_reply(Cause::TooDeep, "x").status, 400);
        assert_eq!(limit_reply(Cause::RateLimited, "x").status, 429);
    }
}
