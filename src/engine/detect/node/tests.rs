use super::*;
use crate::engine::surface::Surface;

fn node() -> Node {
    Node::compile(&NodeConfig::default(), "node_injection")
        .ok()
        .flatten()
        .unwrap_or(Node {
            action: Action::Block,
        })
}

fn rule(v: &str) -> Option<String> {
    let ctx = ValueCtx::value(Surface::Query);
    node()
        .detect(v.as_bytes(), &ctx)
        .map(|h| h.rule.to_string())
}

#[test]
fn off_compiles_to_none() {
    let cfg = NodeConfig {
        action: Action::Off,
        ..NodeConfig::default()
    };
    assert!(Node::compile(&cfg, "node_injection")
        .ok()
        .flatten()
        .is_none());
}

#[test]
fn loops_need_a_constant_condition_and_no_body() {
    for v in [
        "while(true);",
        "while(!false)",
        "while(!-0);",
        "while(-Infinity);",
        "while(new Date);",
        "while(!!{});",
        "while((true)))",
        "while(String);",
        "for(;;);",
        "for ( ; ; ) {}",
    ] {
        assert_eq!(rule(v).as_deref(), Some("node.dos_loop"), "{v}");
    }
    for v in [
        "while(false);",
        "while(!1);",
        "while(x);",
        "while(true) { step(); }",
        "a while (true) loop",
        "for(;;) { work() }",
        "while(\"a\\\"\");",
    ] {
        assert_eq!(rule(v), None, "{v}");
    }
}

#[test]
fn base64_values_are_read_decoded() {
    assert_eq!(
        rule("XyQkTkRfRlVOQyQkXwo=").as_deref(),
        Some("node.serialized_function")
    );
    assert_eq!(
        rule("d2hpbGUodHJ1ZSk7Cg==").as_deref(),
        Some("node.dos_loop")
    );
    assert_eq!(rule("aGVsbG8gd29ybGQgaG93IGFyZSB5b3U="), None);
}

#[test]
fn adversarial_inputs_are_linear() {
    let d = node();
    let ctx = ValueCtx::value(Surface::Query);
    let units: &[&[u8]] = &[
        &b"while("[..],
        b"while((((",
        b"new   Function ",
        b"constructor.",
        b"process[",
        b"'$1:a:",
        b"'$",
        b"for(;",
        b"_$$ND_FUNC",
        b"while(!!!!",
        b"while(\"",
    ];
    crate::engine::bytes::testing::assert_linear(units, |v| {
        let _ = d.detect(v, &ctx);
    });
}
