//! The example shop, run in-process: launch, components, events, setData, navigation, storage.

use std::path::Path;
use std::sync::Arc;

use capsule_runtime::{AppBundle, LaunchOptions, LocalSession, MemoryStorage, Selector, TestHost, ViewEvent};
use capsule_template::tree;
use serde_json::json;

fn shop() -> (LocalSession, Arc<TestHost>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/shop");
    let bundle = Arc::new(AppBundle::open(&dir).unwrap());
    let host = Arc::new(TestHost::new());
    let session = LocalSession::launch(
        bundle,
        LaunchOptions::default(),
        Some("user-1".into()),
        host.clone(),
        Arc::new(MemoryStorage::default()),
    )
    .unwrap();
    (session, host)
}

fn text(local: &LocalSession) -> String {
    let page = local.session.current_page().unwrap();
    tree::to_json(&local.session.tree(page.id)).to_string()
}

fn tap(local: &mut LocalSession, selector: &str, index: usize) {
    let page = local.session.current_page().unwrap().id;
    let selector = Selector::parse(selector).unwrap();
    let path = local
        .session
        .with_view(page, |nodes| capsule_runtime::view::select(nodes, &selector, None, true))[index]
        .clone();
    let event = ViewEvent { kind: "tap".into(), ..ViewEvent::default() };
    local.session.dispatch(page, &path, &event).unwrap();
    local.pump();
}

#[test]
fn shop_launches_with_components_and_handles_taps() {
    let (mut local, host) = shop();
    let page = local.session.current_page().unwrap();
    assert_eq!(page.route, "pages/index/index");
    let rendered = text(&local);
    assert!(rendered.contains("product-card"), "{rendered}");
    assert!(rendered.contains("Add to cart"), "{rendered}");

    // catchtap on the card's button: the component triggers `add`, the page adds to the cart.
    tap(&mut local, ".card-add", 0);
    let calls = host.calls();
    assert!(calls.iter().any(|(api, args)| api == "showToast" && args["title"] == "Added"), "{calls:?}");
    // The tap did not bubble to the card's bindtap (catch stops it), so no navigation.
    assert_eq!(local.session.page_stack().len(), 1);

    // bindtap on the card: triggerEvent('open') → page.onOpen → navigateTo the detail page.
    tap(&mut local, ".card-title", 0);
    let stack = local.session.page_stack();
    assert_eq!(stack.len(), 2, "{stack:?}");
    assert_eq!(stack[1].route, "packageProduct/pages/detail/detail");
    assert!(stack[1].query.contains_key("id"));
}

#[test]
fn switch_tab_shows_the_cart_from_storage() {
    let (mut local, _host) = shop();
    tap(&mut local, ".card-add", 0);
    tap(&mut local, ".card-add", 0);
    let result = local.session.call_wx("switchTab", &json!([{ "url": "/pages/cart/cart" }])).unwrap();
    local.pump();
    assert!(result.is_err() || result.is_ok());
    assert_eq!(local.session.current_page().unwrap().route, "pages/cart/cart");
    let cart = local.session.data(local.session.current_page().unwrap().id, Some("lines")).unwrap();
    assert_eq!(cart[0]["count"], json!(2), "{cart}");
}

#[test]
fn packages_carry_bytecode_that_sessions_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/shop");
    let (project, _) = capsule_package::Project::load(&dir);
    let project = project.unwrap();
    let generated = capsule_runtime::bundle::compile_scripts(&project).unwrap();
    let bytes = capsule_package::build_package(&project, generated).unwrap();
    let trusted = AppBundle::from_package(&bytes, true).unwrap();
    assert!(trusted.bytecode("app.js").is_some());
    assert!(AppBundle::from_package(&bytes, false).unwrap().bytecode("app.js").is_none());
    let local = LocalSession::launch(
        Arc::new(trusted),
        LaunchOptions::default(),
        None,
        Arc::new(TestHost::new()),
        Arc::new(MemoryStorage::default()),
    )
    .unwrap();
    assert!(text(&local).contains("product-card"));
}
