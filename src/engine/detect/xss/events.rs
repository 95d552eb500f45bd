//! Event-handler attribute names that browsers run (HTML, SVG/SMIL, DOM
//! and legacy IE/Gecko/WebKit events), for readings where an `on…` name
//! written the JavaScript way needs more than its prefix to count.
//!
//! In a tag of its own every `on*=` counts (browsers ignore unknown ones,
//! but a value that writes one is an attempt either way). Without a tag,
//! in the attribute list a breakout would land in, prose and code are
//! full of camelCase callback properties (`onRequest = sequence(…)`,
//! `onSuccess: done()`) that no browser runs: there a camelCase name must
//! be one of these events (`onMouseOver`, `onError` still count), while
//! names in any other case (`onbeforehellfreezes`, `oNlOaD`) count as
//! before.

/// Lowercase event names, without `on`.
const EVENTS: &[&str] = &[
    "abort",
    "activate",
    "afterprint",
    "afterscriptexecute",
    "afterupdate",
    "animationcancel",
    "animationend",
    "animationiteration",
    "animationstart",
    "auxclick",
    "beforeactivate",
    "beforecopy",
    "beforecut",
    "beforedeactivate",
    "beforeeditfocus",
    "beforeinput",
    "beforematch",
    "beforepaste",
    "beforeprint",
    "beforescriptexecute",
    "beforetoggle",
    "beforeunload",
    "beforeupdate",
    "begin",
    "blur",
    "bounce",
    "cancel",
    "canplay",
    "canplaythrough",
    "cellchange",
    "change",
    "click",
    "close",
    "command",
    "contentvisibilityautostatechange",
    "contextlost",
    "contextmenu",
    "contextrestored",
    "controlselect",
    "copy",
    "cuechange",
    "cut",
    "dataavailable",
    "datasetchanged",
    "datasetcomplete",
    "dblclick",
    "deactivate",
    "devicemotion",
    "deviceorientation",
    "deviceorientationabsolute",
    "drag",
    "dragend",
    "dragenter",
    "dragexit",
    "dragleave",
    "dragover",
    "dragstart",
    "drop",
    "durationchange",
    "emptied",
    "end",
    "ended",
    "error",
    "errorupdate",
    "filterchange",
    "finish",
    "focus",
    "focusin",
    "focusout",
    "formdata",
    "fullscreenchange",
    "fullscreenerror",
    "gotpointercapture",
    "hashchange",
    "help",
    "input",
    "invalid",
    "keydown",
    "keypress",
    "keyup",
    "languagechange",
    "layoutcomplete",
    "load",
    "loadeddata",
    "loadedmetadata",
    "loadend",
    "loadstart",
    "losecapture",
    "lostpointercapture",
    "message",
    "messageerror",
    "mousedown",
    "mouseenter",
    "mouseleave",
    "mousemove",
    "mouseout",
    "mouseover",
    "mouseup",
    "mousewheel",
    "move",
    "moveend",
    "movestart",
    "mozfullscreenchange",
    "offline",
    "online",
    "orientationchange",
    "pagehide",
    "pagereveal",
    "pageshow",
    "pageswap",
    "paste",
    "pause",
    "play",
    "playing",
    "pointercancel",
    "pointerdown",
    "pointerenter",
    "pointerleave",
    "pointerlockchange",
    "pointerlockerror",
    "pointermove",
    "pointerout",
    "pointerover",
    "pointerrawupdate",
    "pointerup",
    "popstate",
    "progress",
    "propertychange",
    "ratechange",
    "readystatechange",
    "rejectionhandled",
    "repeat",
    "reset",
    "resize",
    "rowenter",
    "rowexit",
    "rowsdelete",
    "rowsinserted",
    "scroll",
    "scrollend",
    "scrollsnapchange",
    "scrollsnapchanging",
    "search",
    "securitypolicyviolation",
    "seeked",
    "seeking",
    "select",
    "selectionchange",
    "selectstart",
    "show",
    "slotchange",
    "stalled",
    "start",
    "stop",
    "storage",
    "submit",
    "suspend",
    "svgabort",
    "svgerror",
    "svgload",
    "svgresize",
    "svgscroll",
    "svgunload",
    "svgzoom",
    "timeupdate",
    "toggle",
    "touchcancel",
    "touchend",
    "touchmove",
    "touchstart",
    "transitioncancel",
    "transitionend",
    "transitionrun",
    "transitionstart",
    "unhandledrejection",
    "unload",
    "visibilitychange",
    "volumechange",
    "waiting",
    "webkitanimationend",
    "webkitanimationiteration",
    "webkitanimationstart",
    "webkitfullscreenchange",
    "webkitmouseforcechanged",
    "webkitmouseforcedown",
    "webkitmouseforceup",
    "webkitmouseforcewillbegin",
    "webkitplaybacktargetavailabilitychanged",
    "webkittransitionend",
    "webkitwillrevealbottom",
    "wheel",
    "zoom",
];

/// `onRequest`, `onSuccessCallback`: `on`, then capitalised words, the
/// JavaScript naming of a callback property.
fn camel_case(name: &[u8]) -> bool {
    let rest = name.get(2..).unwrap_or_default();
    rest.first().is_some_and(u8::is_ascii_uppercase)
        && rest.iter().any(u8::is_ascii_lowercase)
        && rest.iter().all(u8::is_ascii_alphabetic)
        && !rest
            .windows(2)
            .any(|w| w.iter().all(u8::is_ascii_uppercase))
}

/// Whether the `on…` attribute `name` (an attribute name starting with
/// `on`) counts as an event handler where no tag of the value's own
/// surrounds it: a known event, or any name not written as a camelCase
/// callback property.
pub(super) fn injected_handler(name: &[u8]) -> bool {
    if !camel_case(name) {
        return true;
    }
    let event = name.get(2..).unwrap_or_default();
    EVENTS
        .iter()
        .any(|e| e.as_bytes().eq_ignore_ascii_case(event))
}

/// Whether `on…` names a known event (any case): stricter than
/// [`injected_handler`], for a handler whose code the value does not
/// carry.
pub(super) fn known_event(name: &[u8]) -> bool {
    let event = name.get(2..).unwrap_or_default();
    EVENTS
        .iter()
        .any(|e| e.as_bytes().eq_ignore_ascii_case(event))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_callbacks_are_not_handlers() {
        for name in ["onRequest", "onSuccess", "onUpdateUser", "onRequestError"] {
            assert!(!injected_handler(name.as_bytes()), "{name}");
        }
        for name in [
            "onMouseOver",
            "onError",
            "onload",
            "ONLOAD",
            "oNlOaD",
            "onbeforehellfreezes",
            "onPointerRawUpdate",
        ] {
            assert!(injected_handler(name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn events_are_lowercase_and_sorted() {
        assert!(EVENTS
            .iter()
            .all(|e| e.bytes().all(|b| b.is_ascii_lowercase())));
        assert!(
            EVENTS.windows(2).all(|w| w[0] < w[1]),
            "keep the list sorted"
        );
    }
}
