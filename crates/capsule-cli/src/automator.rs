//! `capsule automator`: WeChat's automation protocol on `ws://127.0.0.1:PORT`, enough for the
//! npm client `miniprogram-automator` (`automator.connect({wsEndpoint})`).
//!
//! Element ids are the element's path in the page's composed tree (`"0.2.1"`); custom
//! components carry their instance as `nodeId`.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use capsule_runtime::ViewEvent;
use capsule_runtime::worker::RemoteSession;
use serde_json::{Value as Json, json};
use tungstenite::Message;

pub fn run(source: &Path, port: u16, page: Option<String>) -> Result<ExitCode> {
    let listener =
        TcpListener::bind(("127.0.0.1", port)).with_context(|| format!("cannot listen on port {port}"))?;
    let address = listener.local_addr()?;
    eprintln!("automation on ws://{address}");
    // The launch happens up front so a broken mini-program fails here, clearly.
    let mut session = crate::run::launch(source, page.clone(), None)?;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let Ok(mut socket) = tungstenite::accept(stream) else { continue };
        if !session.is_alive() {
            session = crate::run::launch(source, page.clone(), None)?;
        }
        let mut state =
            Connection { session: &session, typed: HashMap::new(), touch_started: HashMap::new() };
        loop {
            let message = match socket.read() {
                Ok(Message::Text(text)) => text,
                Ok(Message::Close(_)) | Err(_) => break,
                Ok(_) => continue,
            };
            let Ok(request) = serde_json::from_str::<Json>(&message) else { continue };
            let id = request["id"].clone();
            let method = request["method"].as_str().unwrap_or("");
            let reply = match state.handle(method, &request["params"]) {
                Ok(result) => json!({ "id": id, "result": result }),
                Err(message) => json!({ "id": id, "error": { "message": message } }),
            };
            if socket.send(Message::text(reply.to_string())).is_err() {
                break;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

struct Connection<'a> {
    session: &'a RemoteSession,
    /// Values typed into inputs, by (page, element), for `value()`.
    typed: HashMap<(u64, String), Json>,
    touch_started: HashMap<(u64, String), Instant>,
}

fn parse_path(id: &str) -> Vec<usize> {
    id.split('.').filter_map(|p| p.parse().ok()).collect()
}

fn element_id(path: &[usize]) -> String {
    path.iter().map(usize::to_string).collect::<Vec<_>>().join(".")
}

fn descriptor(found: &Json) -> Json {
    let path: Vec<usize> = serde_json::from_value(found["path"].clone()).unwrap_or_default();
    let mut out = json!({ "elementId": element_id(&path), "tagName": found["tagName"] });
    if let Some(component) = found["component"].as_u64() {
        out["nodeId"] = json!(component.to_string());
    }
    out
}

impl Connection<'_> {
    fn automation(&self, call: Json) -> Result<Json, String> {
        self.session.automation(call).map_err(|e| e.to_string())
    }

    fn current_page(&self) -> Result<Json, String> {
        let view = self.session.view().map_err(|e| e.to_string())?;
        let top = view["stack"].as_array().and_then(|s| s.last()).cloned().ok_or("no page")?;
        Ok(page_json(&top))
    }

    fn handle(&mut self, method: &str, params: &Json) -> Result<Json, String> {
        let page = params["pageId"].as_u64();
        let element = params["elementId"].as_str().map(str::to_string);
        let node = params["nodeId"].as_str().and_then(|n| n.parse::<u64>().ok());
        let with_page = |mut call: Json| {
            if let Some(page) = page {
                call["page"] = json!(page);
            }
            call
        };
        match method {
            "Tool.getInfo" => Ok(json!({ "SDKVersion": "3.0.0" })),
            "Tool.close" | "App.exit" | "App.enableLog" | "App.addBinding" => Ok(json!({})),
            "App.getCurrentPage" => self.current_page(),
            "App.getPageStack" => {
                let view = self.session.view().map_err(|e| e.to_string())?;
                let stack: Vec<Json> =
                    view["stack"].as_array().into_iter().flatten().map(page_json).collect();
                Ok(json!({ "pageStack": stack }))
            }
            "App.callWxMethod" => {
                let result = self.automation(
                    json!({ "op": "callWx", "method": params["method"], "args": params["args"] }),
                )?;
                Ok(json!({ "result": result.get("result").cloned().unwrap_or(result) }))
            }
            "App.mockWxMethod" => {
                let method = params["method"].clone();
                let object = params.as_object().cloned().unwrap_or_default();
                if let Some(function) = object.get("functionDeclaration") {
                    self.automation(json!({ "op": "mockWx", "method": method, "function": function, "args": params["args"] }))?;
                } else if let Some(result) = object.get("result") {
                    self.automation(
                        json!({ "op": "mockWx", "method": method, "result": result, "args": [] }),
                    )?;
                } else {
                    self.automation(json!({ "op": "restoreWx", "method": method }))?;
                }
                Ok(json!({}))
            }
            "App.callFunction" => {
                let result = self.automation(json!({ "op": "evaluate", "function": params["functionDeclaration"], "args": params["args"] }))?;
                Ok(json!({ "result": unwrap_result(result) }))
            }
            "Page.getData" => {
                let path = params["path"].as_str().filter(|p| !p.is_empty());
                let data =
                    self.automation(with_page(json!({ "op": "data", "instance": page, "path": path })))?;
                Ok(json!({ "data": data }))
            }
            "Page.setData" => {
                self.automation(with_page(
                    json!({ "op": "setData", "instance": page, "data": params["data"] }),
                ))?;
                Ok(json!({}))
            }
            "Page.callMethod" => {
                let result = self.automation(with_page(json!({ "op": "callMethod", "instance": page, "method": params["method"], "args": params["args"] })))?;
                Ok(json!({ "result": unwrap_result(result) }))
            }
            "Page.getElement" | "Page.getElements" | "Element.getElement" | "Element.getElements" => {
                let all = method.ends_with('s');
                let within = element.as_deref().map(parse_path).unwrap_or_default();
                let found = self.automation(with_page(json!({
                    "op": "select", "selector": params["selector"], "all": all, "within": within,
                })))?;
                let found: Vec<Json> = found.as_array().into_iter().flatten().map(descriptor).collect();
                if all {
                    Ok(json!({ "elements": found }))
                } else {
                    found.into_iter().next().ok_or_else(|| "element not found".to_string())
                }
            }
            "Page.getWindowProperties" => {
                let names = params["names"].as_array().cloned().unwrap_or_default();
                let values: Vec<Json> = names
                    .iter()
                    .map(|n| match n.as_str().unwrap_or("") {
                        n if n.ends_with("scrollWidth") => json!(375),
                        n if n.ends_with("scrollHeight") => json!(812),
                        _ => json!(0),
                    })
                    .collect();
                Ok(json!({ "properties": values }))
            }
            "Element.getData" | "Element.setData" | "Element.callMethod" => {
                let instance = node.ok_or("not a custom component")?;
                let call = match method {
                    "Element.getData" => {
                        json!({ "op": "data", "instance": instance, "path": params["path"].as_str().filter(|p| !p.is_empty()) })
                    }
                    "Element.setData" => {
                        json!({ "op": "setData", "instance": instance, "data": params["data"] })
                    }
                    _ => {
                        json!({ "op": "callMethod", "instance": instance, "method": params["method"], "args": params["args"] })
                    }
                };
                let result = self.automation(call)?;
                Ok(match method {
                    "Element.getData" => json!({ "data": result }),
                    "Element.setData" => json!({}),
                    _ => json!({ "result": unwrap_result(result) }),
                })
            }
            _ if method.starts_with("Element.") => {
                let element = element.ok_or("elementId is required")?;
                let page = match page {
                    Some(page) => page,
                    None => self.current_page()?["pageId"].as_u64().ok_or("no page")?,
                };
                self.element(method, params, page, &element)
            }
            _ => Err(format!("{method} is not supported")),
        }
    }

    fn fire(
        &self,
        page: u64,
        element: &str,
        kind: &str,
        detail: Json,
        touches: Json,
    ) -> Result<Json, String> {
        let event =
            ViewEvent { kind: kind.into(), detail, touches: touches.clone(), changed_touches: touches };
        self.session.event(page as u32, &parse_path(element), &event).map_err(|e| e.to_string())?;
        Ok(json!({}))
    }

    fn element(&mut self, method: &str, params: &Json, page: u64, element: &str) -> Result<Json, String> {
        let info = || -> Result<Json, String> {
            let info =
                self.automation(json!({ "op": "element", "page": page, "path": parse_path(element) }))?;
            if info.is_null() { Err("element not found".into()) } else { Ok(info) }
        };
        let names = || params["names"].as_array().cloned().unwrap_or_default();
        match method {
            "Element.tap" => self.fire(page, element, "tap", json!({ "x": 0, "y": 0 }), json!([])),
            "Element.touchstart" | "Element.touchmove" | "Element.touchend" => {
                let kind = &method["Element.".len()..];
                let touches = params["touches"].clone();
                let touches = if touches.is_null() { json!([]) } else { touches };
                let key = (page, element.to_string());
                if kind == "touchstart" {
                    self.touch_started.insert(key.clone(), Instant::now());
                }
                self.fire(page, element, kind, json!({}), touches.clone())?;
                if kind == "touchend"
                    && self
                        .touch_started
                        .remove(&key)
                        .is_some_and(|t| t.elapsed() >= Duration::from_millis(350))
                {
                    self.fire(page, element, "longpress", json!({ "x": 0, "y": 0 }), touches)?;
                }
                Ok(json!({}))
            }
            "Element.triggerEvent" => {
                let detail = params.get("detail").cloned().unwrap_or(json!({}));
                self.fire(page, element, params["type"].as_str().unwrap_or(""), detail, json!([]))
            }
            "Element.dispatchEvent" => {
                let detail = params.get("detail").cloned().unwrap_or(json!({}));
                self.fire(
                    page,
                    element,
                    params["eventName"].as_str().unwrap_or(""),
                    detail,
                    params["touches"].clone(),
                )
            }
            "Element.callFunction" => {
                let function = params["functionName"].as_str().unwrap_or("");
                let args = params["args"].as_array().cloned().unwrap_or_default();
                match function {
                    "input.input" | "textarea.input" => {
                        let value = args.first().cloned().unwrap_or(Json::Null);
                        let text = value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string());
                        self.typed.insert((page, element.to_string()), Json::String(text.clone()));
                        let detail = json!({ "value": text, "cursor": text.chars().count(), "keyCode": 0 });
                        self.fire(page, element, "input", detail, json!([]))?;
                        Ok(json!({ "result": null }))
                    }
                    "switch.tap" => {
                        let checked = info()?["attributes"]["checked"].as_bool().unwrap_or(false);
                        self.fire(page, element, "change", json!({ "value": !checked }), json!([]))?;
                        Ok(json!({ "result": null }))
                    }
                    "slider.slideTo" | "swiper.swipeTo" => {
                        let value = args.first().cloned().unwrap_or(json!(0));
                        let detail = if function == "slider.slideTo" {
                            json!({ "value": value })
                        } else {
                            json!({ "current": value, "source": "touch" })
                        };
                        self.fire(page, element, "change", detail, json!([]))?;
                        Ok(json!({ "result": null }))
                    }
                    _ => Ok(json!({ "result": 0 })),
                }
            }
            "Element.getDOMProperties" => {
                let info = info()?;
                let values: Vec<Json> = names()
                    .iter()
                    .map(|n| match n.as_str().unwrap_or("") {
                        "innerText" | "textContent" => info["text"].clone(),
                        "innerHTML" => json!(wxml(&info["inner"])),
                        "outerHTML" => json!(wxml(&info["outer"])),
                        _ => json!(0),
                    })
                    .collect();
                Ok(json!({ "properties": values }))
            }
            "Element.getAttributes" => {
                let info = info()?;
                let values: Vec<Json> = names()
                    .iter()
                    .map(|n| {
                        let name = n.as_str().unwrap_or("");
                        match &info["attributes"][name] {
                            Json::Null => Json::Null,
                            Json::String(s) => json!(s),
                            other => json!(other.to_string()),
                        }
                    })
                    .collect();
                Ok(json!({ "attributes": values }))
            }
            "Element.getProperties" => {
                let info = info()?;
                let typed = self.typed.get(&(page, element.to_string())).cloned();
                let values: Vec<Json> = names()
                    .iter()
                    .map(|n| match n.as_str().unwrap_or("") {
                        "__propPublic" => {
                            let mut public = serde_json::Map::new();
                            for name in
                                info["attributes"].as_object().into_iter().flatten().map(|(k, _)| k.clone())
                            {
                                public.insert(name, json!(true));
                            }
                            for name in ["value", "checked", "disabled", "current"] {
                                public.insert(name.into(), json!(true));
                            }
                            Json::Object(public)
                        }
                        "value" if typed.is_some() => typed.clone().unwrap_or(Json::Null),
                        name => info["attributes"][name].clone(),
                    })
                    .collect();
                Ok(json!({ "properties": values }))
            }
            "Element.getStyles" => {
                let info = info()?;
                let style = info["attributes"]["style"].as_str().unwrap_or("").to_string();
                let values: Vec<Json> = names()
                    .iter()
                    .map(|n| {
                        let name = n.as_str().unwrap_or("");
                        style
                            .split(';')
                            .filter_map(|d| d.split_once(':'))
                            .find(|(k, _)| k.trim() == name)
                            .map(|(_, v)| json!(v.trim()))
                            .unwrap_or(Json::Null)
                    })
                    .collect();
                Ok(json!({ "styles": values }))
            }
            "Element.getWXML" => {
                let info = info()?;
                let which = if params["type"] == "outer" { "outer" } else { "inner" };
                Ok(json!({ "wxml": wxml(&info[which]) }))
            }
            "Element.getOffset" => Ok(json!({ "left": 0, "top": 0 })),
            _ => Err(format!("{method} is not supported")),
        }
    }
}

fn unwrap_result(result: Json) -> Json {
    match result.get("result") {
        Some(inner) if result.as_object().is_some_and(|o| o.len() == 1) => inner.clone(),
        _ => result,
    }
}

fn page_json(page: &Json) -> Json {
    json!({ "pageId": page["id"], "path": page["route"], "query": page["query"] })
}

/// A tree in its JSON form as WXML text.
fn wxml(nodes: &Json) -> String {
    let mut out = String::new();
    for node in nodes.as_array().into_iter().flatten() {
        match node {
            Json::String(text) => out.push_str(&escape(text)),
            Json::Object(element) => {
                let tag = element.get("tag").and_then(Json::as_str).unwrap_or("view");
                out.push('<');
                out.push_str(tag);
                for (name, value) in element.get("attr").and_then(Json::as_object).into_iter().flatten() {
                    let text = match value {
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    out.push_str(&format!(" {name}=\"{}\"", escape(&text).replace('"', "&quot;")));
                }
                out.push('>');
                out.push_str(&wxml(element.get("children").unwrap_or(&Json::Null)));
                out.push_str(&format!("</{tag}>"));
            }
            _ => {}
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
