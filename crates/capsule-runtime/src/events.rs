//! Event routing: which handlers an event reaches, in what order, with which targets — the
//! capture and bubble phases, `bind`/`catch`/`mut-bind`, component boundaries and marks.

use serde_json::{Value as Json, json};

use crate::view::{InstanceId, VElement};

/// An event the view reports at one element.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ViewEvent {
    /// `tap`, `input`, `change`, `touchstart`, …
    pub kind: String,
    pub detail: Json,
    pub touches: Json,
    pub changed_touches: Json,
}

/// One handler call.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub instance: InstanceId,
    pub handler: String,
    pub target: Json,
    pub current_target: Json,
    pub mark: Json,
    pub mutated: bool,
}

/// The ordered handler calls of one event.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub kind: String,
    pub detail: Json,
    pub time_stamp: f64,
    pub touches: Json,
    pub changed_touches: Json,
    pub calls: Vec<Call>,
}

impl Plan {
    pub fn to_json(&self) -> Json {
        json!({
            "event": {
                "type": self.kind, "detail": self.detail, "timeStamp": self.time_stamp.round(),
                "touches": self.touches, "changedTouches": self.changed_touches,
            },
            "calls": self.calls.iter().map(|c| json!({
                "instance": c.instance, "handler": c.handler, "target": c.target,
                "currentTarget": c.current_target, "mark": c.mark, "mut": c.mutated,
            })).collect::<Vec<_>>(),
        })
    }
}

fn describe(element: &VElement) -> Json {
    json!({ "id": element.id(), "dataset": element.dataset(), "offsetLeft": 0, "offsetTop": 0 })
}

/// Binding kinds in the order an element's attributes name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Binding {
    Bind,
    Catch,
    MutBind,
    CaptureBind,
    CaptureCatch,
}

/// The handler names an element binds for `kind`, with their binding kind.
fn bindings(element: &VElement, kind: &str) -> Vec<(Binding, String)> {
    let mut out = Vec::new();
    for (name, value) in &element.attrs {
        let binding = [
            ("capture-catch:", Binding::CaptureCatch),
            ("capture-bind:", Binding::CaptureBind),
            ("mut-bind:", Binding::MutBind),
            ("mut-bind", Binding::MutBind),
            ("catch:", Binding::Catch),
            ("catch", Binding::Catch),
            ("bind:", Binding::Bind),
            ("bind", Binding::Bind),
        ]
        .into_iter()
        .find_map(|(prefix, binding)| (name.strip_prefix(prefix) == Some(kind)).then_some(binding));
        if let Some(binding) = binding {
            let handler = value.to_js_string();
            if !handler.is_empty() {
                out.push((binding, handler));
            }
        }
    }
    out
}

/// `mark:*` attributes of the chain, the target's winning over its ancestors'.
fn marks(chain: &[&VElement]) -> Json {
    let mut out = serde_json::Map::new();
    for element in chain {
        for (name, value) in &element.attrs {
            if let Some(mark) = name.strip_prefix("mark:") {
                out.insert(mark.to_string(), value.to_json().unwrap_or(Json::Null));
            }
        }
    }
    Json::Object(out)
}

#[allow(clippy::too_many_arguments)]
/// Where an event travels: `chain` is root → target; `first` (inclusive, an index into the
/// chain) bounds the bubble and capture phases for events that must not leave a scope.
fn plan(
    chain: &[&VElement],
    kind: &str,
    detail: Json,
    bubbles: bool,
    capture: bool,
    first: usize,
    time_stamp: f64,
    touches: (Json, Json),
) -> Plan {
    let target_index = chain.len() - 1;
    // Each level sees the target retargeted to the nearest node visible in its scope: leaving
    // a component's shadow content through its host makes the host the target.
    let mut retarget = vec![target_index; chain.len()];
    let mut current = target_index;
    for i in (0..target_index).rev() {
        let child = chain[i + 1];
        if chain[i].component == Some(child.owner) && child.owner != chain[i].owner {
            current = i;
        }
        retarget[i] = current;
    }
    let mut calls = Vec::new();
    let mut stopped = false;
    if capture {
        for i in first..=target_index {
            for (binding, handler) in bindings(chain[i], kind) {
                if matches!(binding, Binding::CaptureBind | Binding::CaptureCatch) {
                    calls.push(call(chain, i, retarget[i], handler, false));
                    if binding == Binding::CaptureCatch {
                        stopped = true;
                    }
                }
            }
            if stopped {
                break;
            }
        }
    }
    if !stopped {
        let mut mutated = false;
        let last = if bubbles { first } else { target_index };
        for i in (last..=target_index).rev() {
            let mut stop = false;
            for (binding, handler) in bindings(chain[i], kind) {
                match binding {
                    Binding::Bind => calls.push(call(chain, i, retarget[i], handler, mutated)),
                    Binding::Catch => {
                        calls.push(call(chain, i, retarget[i], handler, mutated));
                        stop = true;
                    }
                    Binding::MutBind if !mutated => {
                        calls.push(call(chain, i, retarget[i], handler, false));
                        mutated = true;
                    }
                    _ => {}
                }
            }
            if stop {
                break;
            }
        }
    }
    Plan { kind: kind.to_string(), detail, time_stamp, touches: touches.0, changed_touches: touches.1, calls }
}

/// One handler call. A component's handler sees only the marks inside that component, as in
/// WeChat: the marks of nodes outside it (its host included) belong to another scope.
fn call(chain: &[&VElement], at: usize, target: usize, handler: String, mutated: bool) -> Call {
    let owner = chain[at].owner;
    let scope_start = chain.iter().position(|element| element.owner == owner).unwrap_or(0);
    Call {
        instance: chain[at].owner,
        handler,
        target: describe(chain[target]),
        current_target: describe(chain[at]),
        mark: marks(&chain[scope_start..]),
        mutated,
    }
}

/// A view event (tap, input, …) at the last element of `chain`; native events cross
/// component boundaries.
pub fn plan_view_event(chain: &[&VElement], event: &ViewEvent, bubbles: bool, time_stamp: f64) -> Plan {
    let touches = |v: &Json| if v.is_null() { json!([]) } else { v.clone() };
    plan(
        chain,
        &event.kind,
        if event.detail.is_null() { json!({}) } else { event.detail.clone() },
        bubbles,
        true,
        0,
        time_stamp,
        (touches(&event.touches), touches(&event.changed_touches)),
    )
}

/// `triggerEvent(name, detail, {bubbles, composed, capturePhase})` from the component whose
/// host is the last element of `chain`. Without `composed` the event stays in the scope of the
/// host's owner; without `bubbles` only the host's own handlers run.
pub fn plan_component_event(
    chain: &[&VElement],
    name: &str,
    detail: Json,
    options: &Json,
    time_stamp: f64,
) -> Plan {
    let flag = |key: &str| options.get(key).and_then(Json::as_bool).unwrap_or(false);
    let host = chain[chain.len() - 1];
    let first = if flag("composed") {
        0
    } else {
        // The outermost ancestor still in the host owner's scope.
        let mut first = chain.len() - 1;
        while first > 0 {
            let parent = chain[first - 1];
            let inside = chain[first];
            if parent.component == Some(inside.owner) && inside.owner != parent.owner {
                break;
            }
            if inside.owner != host.owner && parent.owner != host.owner {
                break;
            }
            first -= 1;
        }
        first
    };
    plan(
        chain,
        name,
        detail,
        flag("bubbles"),
        flag("capturePhase"),
        first,
        time_stamp,
        (json!([]), json!([])),
    )
}
