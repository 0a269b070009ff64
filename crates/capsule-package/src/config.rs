//! App and page configuration: what `app.json`, page/component `.json` and W3C `manifest.json` hold,
//! the fields each platform knows, and the type checks that turn mistakes into diagnostics.

use std::collections::{BTreeMap, HashMap};

use capsule_diagnostics::Diagnostic;
use serde_json::{Map, Value};

use crate::dialect::Dialect;
use crate::json_span::{JsonDoc, pointer, pointer_index};
use crate::paths;

/// The app-wide configuration, whichever file it came from.
#[derive(Clone, Debug, Default)]
pub struct AppConfig {
    /// Main-package page routes (`pages/index/index`) in declaration order, without duplicates.
    pub pages: Vec<String>,
    /// The page the app opens at: `entryPagePath`, else the first page.
    pub entry_page: Option<String>,
    /// Default window settings (`window`), as written.
    pub window: Map<String, Value>,
    pub tab_bar: Option<TabBar>,
    pub subpackages: Vec<Subpackage>,
    /// App-wide custom components: tag → path as written in `usingComponents`.
    pub using_components: BTreeMap<String, String>,
    pub preload_rules: Vec<PreloadRule>,
    /// W3C `app_id` (WeChat and ByteDance keep the app id outside the package).
    pub app_id: Option<String>,
    /// W3C `name`.
    pub name: Option<String>,
    /// W3C `version`.
    pub version: Option<AppVersion>,
    /// W3C `icons[].src`, as written.
    pub icons: Vec<Located<String>>,
    /// W3C `widgets`.
    pub widgets: Vec<Widget>,
    /// Other files the config names (`sitemapLocation`, `themeLocation`).
    pub referenced_files: Vec<Located<String>>,
    /// The whole configuration file, for fields this model does not cover.
    pub raw: Value,
    /// Route → JSON pointer of the entry that declared it (main and subpackage pages).
    pub(crate) route_pointers: HashMap<String, String>,
    pub(crate) entry_pointer: Option<String>,
}

impl AppConfig {
    /// Every page route: main package first, then each subpackage's.
    pub fn all_routes(&self) -> impl Iterator<Item = &str> {
        self.pages.iter().chain(self.subpackages.iter().flat_map(|s| s.pages.iter())).map(String::as_str)
    }

    /// The JSON pointer of the entry that declared `route`, for diagnostics.
    pub fn route_pointer(&self, route: &str) -> Option<&str> {
        self.route_pointers.get(route).map(String::as_str)
    }
}

/// A value together with the JSON pointer it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub pointer: String,
}

#[derive(Clone, Debug, Default)]
pub struct TabBar {
    pub custom: bool,
    pub items: Vec<TabBarItem>,
    /// JSON pointer of the `list` array.
    pub list_pointer: String,
}

#[derive(Clone, Debug)]
pub struct TabBarItem {
    pub page_path: Option<String>,
    pub text: Option<String>,
    pub icon_path: Option<String>,
    pub selected_icon_path: Option<String>,
    /// JSON pointer of this item.
    pub pointer: String,
}

/// A subpackage: a folder of pages loaded on demand.
#[derive(Clone, Debug)]
pub struct Subpackage {
    /// The folder, without a trailing `/`.
    pub root: String,
    pub name: Option<String>,
    /// Full page routes (`root/pages/x`), in declaration order.
    pub pages: Vec<String>,
    pub independent: bool,
    /// JSON pointer of this entry.
    pub pointer: String,
}

/// `preloadRule`: entering `page` downloads `packages` (names or roots; `__APP__` is the main package).
#[derive(Clone, Debug)]
pub struct PreloadRule {
    pub page: String,
    pub packages: Vec<Located<String>>,
    pub pointer: String,
}

/// W3C `version`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AppVersion {
    pub code: u64,
    pub name: String,
}

/// W3C `widgets[]`.
#[derive(Clone, Debug)]
pub struct Widget {
    pub name: String,
    pub path: String,
    pub pointer: String,
}

/// What a page or component `.json` says.
#[derive(Clone, Debug, Default)]
pub struct UnitConfig {
    /// `"component": true`.
    pub component: bool,
    /// tag → (path as written, JSON pointer of the value).
    pub using_components: BTreeMap<String, Located<String>>,
}

/// The JSON types a known field may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    String,
    Bool,
    Number,
    Object,
    Array,
    StringArray,
    /// An object whose values are strings (`usingComponents`).
    StringMap,
    /// A string, or an object (`workers` accepts both).
    StringOrObject,
    Any,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Self::String => "a string",
            Self::Bool => "a boolean",
            Self::Number => "a number",
            Self::Object => "an object",
            Self::Array => "an array",
            Self::StringArray => "an array of strings",
            Self::StringMap => "an object of strings",
            Self::StringOrObject => "a string or an object",
            Self::Any => "any value",
        }
    }

    fn matches(self, value: &Value) -> bool {
        match self {
            Self::String => value.is_string(),
            Self::Bool => value.is_boolean(),
            Self::Number => value.is_number(),
            Self::Object | Self::StringMap => value.is_object(),
            Self::Array | Self::StringArray => value.is_array(),
            Self::StringOrObject => value.is_string() || value.is_object(),
            Self::Any => true,
        }
    }
}

type Fields = &'static [(&'static str, Kind)];

/// `app.json` fields both platforms know.
const APP_FIELDS_COMMON: Fields = &[
    ("entryPagePath", Kind::String),
    ("pages", Kind::StringArray),
    ("window", Kind::Object),
    ("tabBar", Kind::Object),
    ("networkTimeout", Kind::Object),
    ("debug", Kind::Bool),
    ("subpackages", Kind::Array),
    ("subPackages", Kind::Array),
    ("preloadRule", Kind::Object),
    ("usingComponents", Kind::StringMap),
    ("permission", Kind::Object),
    ("navigateToMiniProgramAppIdList", Kind::StringArray),
    ("workers", Kind::StringOrObject),
    ("plugins", Kind::Object),
    ("requiredBackgroundModes", Kind::StringArray),
    ("resizable", Kind::Bool),
    ("darkmode", Kind::Bool),
    ("themeLocation", Kind::String),
    ("lazyCodeLoading", Kind::String),
    ("sitemapLocation", Kind::String),
];

/// `app.json` fields only WeChat knows.
const APP_FIELDS_WECHAT: Fields = &[
    ("functionalPages", Kind::Any),
    ("requiredPrivateInfos", Kind::StringArray),
    ("style", Kind::String),
    ("useExtendedLib", Kind::Object),
    ("entranceDeclare", Kind::Object),
    ("singlePage", Kind::Object),
    ("supportedMaterials", Kind::Array),
    ("serviceProviderTicket", Kind::String),
    ("embeddedAppIdList", Kind::StringArray),
    ("halfPage", Kind::Object),
    ("debugOptions", Kind::Object),
    ("enablePassiveEvent", Kind::Any),
    ("resolveAlias", Kind::StringMap),
    ("renderer", Kind::String),
    ("rendererOptions", Kind::Object),
    ("componentFramework", Kind::String),
    ("componentPlaceholder", Kind::StringMap),
    ("miniApp", Kind::Object),
    ("static", Kind::Array),
    ("chatTools", Kind::Object),
    ("convertRpxToVw", Kind::Bool),
    ("appBar", Kind::Object),
    ("cloud", Kind::Bool),
];

/// `app.json` fields only ByteDance knows.
const APP_FIELDS_BYTEDANCE: Fields = &[
    ("ttPlugins", Kind::Object),
    ("prefetches", Kind::Any),
    ("prefetchRules", Kind::Object),
    ("allowsBounceVertical", Kind::String),
    ("fixedViewport", Kind::Any),
    ("component2", Kind::Bool),
    ("cookie", Kind::Object),
    ("skeleton", Kind::Object),
    ("publishVideoHookPriorityList", Kind::Array),
];

/// Window fields, valid in `app.json` `window` and at the top of a page `.json`.
const WINDOW_FIELDS: Fields = &[
    ("navigationBarBackgroundColor", Kind::String),
    ("navigationBarTextStyle", Kind::String),
    ("navigationBarTitleText", Kind::String),
    ("navigationStyle", Kind::String),
    ("homeButton", Kind::Bool),
    ("backgroundColor", Kind::String),
    ("backgroundTextStyle", Kind::String),
    ("backgroundColorTop", Kind::String),
    ("backgroundColorBottom", Kind::String),
    ("enablePullDownRefresh", Kind::Bool),
    ("onReachBottomDistance", Kind::Number),
    ("pageOrientation", Kind::String),
    ("restartStrategy", Kind::String),
    ("initialRenderingCache", Kind::String),
    ("visualEffectInBackground", Kind::String),
    ("handleWebviewPreload", Kind::String),
];

/// Window fields only ByteDance knows.
const WINDOW_FIELDS_BYTEDANCE: Fields =
    &[("allowsBounceVertical", Kind::String), ("transparentTitle", Kind::String)];

/// Page and component `.json` fields besides the window ones.
const UNIT_FIELDS: Fields = &[
    ("usingComponents", Kind::StringMap),
    ("component", Kind::Bool),
    ("styleIsolation", Kind::String),
    ("componentPlaceholder", Kind::StringMap),
    ("componentGenerics", Kind::Object),
    ("disableScroll", Kind::Bool),
    ("disableSwipeBack", Kind::Bool),
    ("style", Kind::String),
    ("singlePage", Kind::Object),
    ("renderer", Kind::String),
    ("rendererOptions", Kind::Object),
    ("componentFramework", Kind::String),
    ("enablePassiveEvent", Kind::Any),
];

const TAB_BAR_FIELDS: Fields = &[
    ("color", Kind::String),
    ("selectedColor", Kind::String),
    ("backgroundColor", Kind::String),
    ("borderStyle", Kind::String),
    ("list", Kind::Array),
    ("position", Kind::String),
    ("custom", Kind::Bool),
];

const TAB_BAR_ITEM_FIELDS: Fields = &[
    ("pagePath", Kind::String),
    ("text", Kind::String),
    ("iconPath", Kind::String),
    ("selectedIconPath", Kind::String),
];

const SUBPACKAGE_FIELDS: Fields = &[
    ("root", Kind::String),
    ("name", Kind::String),
    ("pages", Kind::StringArray),
    ("independent", Kind::Bool),
    ("plugins", Kind::Object),
    ("entry", Kind::String),
];

const PRELOAD_RULE_FIELDS: Fields = &[("network", Kind::String), ("packages", Kind::StringArray)];

/// W3C MiniApp manifest members.
const MANIFEST_FIELDS: Fields = &[
    ("app_id", Kind::String),
    ("name", Kind::String),
    ("short_name", Kind::String),
    ("description", Kind::String),
    ("icons", Kind::Array),
    ("dir", Kind::String),
    ("lang", Kind::String),
    ("color_scheme", Kind::String),
    ("device_type", Kind::StringArray),
    ("pages", Kind::StringArray),
    ("platform_version", Kind::Object),
    ("req_permissions", Kind::Array),
    ("version", Kind::Object),
    ("widgets", Kind::Array),
    ("window", Kind::Object),
    ("start_url", Kind::String),
    ("scope", Kind::String),
];

const MANIFEST_REQUIRED: &[&str] = &["app_id", "name", "icons", "pages", "platform_version", "version"];

const MANIFEST_WINDOW_FIELDS: Fields = &[
    ("auto_design_width", Kind::Bool),
    ("background_color", Kind::String),
    ("background_text_style", Kind::String),
    ("design_width", Kind::Number),
    ("enable_pull_down_refresh", Kind::Bool),
    ("fullscreen", Kind::Bool),
    ("navigation_bar_background_color", Kind::String),
    ("navigation_bar_text_style", Kind::String),
    ("navigation_bar_title_text", Kind::String),
    ("navigation_style", Kind::String),
    ("on_reach_bottom_distance", Kind::Number),
    ("orientation", Kind::String),
];

const MANIFEST_VERSION_FIELDS: Fields = &[("code", Kind::Number), ("name", Kind::String)];
const MANIFEST_PLATFORM_FIELDS: Fields =
    &[("min_code", Kind::Number), ("target_code", Kind::Number), ("release_type", Kind::String)];
const MANIFEST_ICON_FIELDS: Fields =
    &[("src", Kind::String), ("sizes", Kind::String), ("label", Kind::String)];
const MANIFEST_WIDGET_FIELDS: Fields = &[
    ("name", Kind::String),
    ("path", Kind::String),
    ("min_code", Kind::Any),
    ("min_platform_version", Kind::Any),
];
const MANIFEST_PERMISSION_FIELDS: Fields = &[("name", Kind::String), ("reason", Kind::String)];

/// Reports problems in one JSON file.
struct Checker<'a> {
    doc: &'a JsonDoc,
    file: &'a str,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, code: &'static str, message: String, pointer: &str) {
        let position = self.doc.value_position(pointer);
        self.diagnostics.push(Diagnostic::error(code, message).in_file(self.file).at(position));
    }

    fn error_at_key(&mut self, code: &'static str, message: String, pointer: &str) {
        let position = self.doc.key_position(pointer);
        self.diagnostics.push(Diagnostic::error(code, message).in_file(self.file).at(position));
    }

    fn warning_at_key(&mut self, code: &'static str, message: String, pointer: &str) {
        let position = self.doc.key_position(pointer);
        self.diagnostics.push(Diagnostic::warning(code, message).in_file(self.file).at(position));
    }

    /// Warns about unknown members and reports known members of the wrong type.
    /// `what` names the object in messages (`app.json`, `tabBar`).
    fn check_object(&mut self, object: &Map<String, Value>, base: &str, field_sets: &[Fields], what: &str) {
        for (key, value) in object {
            let member = pointer(base, key);
            match field_sets.iter().flat_map(|set| set.iter()).find(|(name, _)| name == key) {
                None => self.warning_at_key(
                    "unknown-field",
                    format!("unknown field `{key}` in {what}; it is ignored"),
                    &member,
                ),
                Some((_, kind)) => self.check_kind(value, *kind, &member),
            }
        }
    }

    fn check_kind(&mut self, value: &Value, kind: Kind, member: &str) {
        if !kind.matches(value) {
            let message = format!("`{}` must be {}", display_pointer(member), kind.describe());
            self.error("invalid-type", message, member);
            return;
        }
        match (kind, value) {
            (Kind::StringArray, Value::Array(items)) => {
                for (index, item) in items.iter().enumerate() {
                    if !item.is_string() {
                        let item_pointer = pointer_index(member, index);
                        let message = format!("`{}` must be a string", display_pointer(&item_pointer));
                        self.error("invalid-type", message, &item_pointer);
                    }
                }
            }
            (Kind::StringMap, Value::Object(entries)) => {
                for (key, entry) in entries {
                    if !entry.is_string() {
                        let entry_pointer = pointer(member, key);
                        let message = format!("`{}` must be a string", display_pointer(&entry_pointer));
                        self.error("invalid-type", message, &entry_pointer);
                    }
                }
            }
            _ => {}
        }
    }

    fn require(&mut self, object: &Map<String, Value>, base: &str, key: &str, what: &str) -> bool {
        if object.contains_key(key) {
            return true;
        }
        let message = format!("{what} is missing the required field `{key}`");
        if base.is_empty() {
            self.error("missing-field", message, base);
        } else {
            self.error_at_key("missing-field", message, base);
        }
        false
    }

    /// Checks a page route as written at `pointer` and returns it when usable.
    fn route(&mut self, raw: &str, pointer: &str) -> Option<String> {
        match route_problem(raw) {
            None => Some(raw.to_owned()),
            Some(problem) => {
                self.error("invalid-route", format!("invalid page route `{raw}`: {problem}"), pointer);
                None
            }
        }
    }
}

/// `tabBar.list[0].pagePath` from `/tabBar/list/0/pagePath`.
pub(crate) fn display_pointer(json_pointer: &str) -> String {
    let mut out = String::new();
    for token in json_pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if token.bytes().all(|b| b.is_ascii_digit()) && !token.is_empty() {
            out.push('[');
            out.push_str(&token);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}

/// Why a page route as written cannot be used, if it cannot.
fn route_problem(route: &str) -> Option<String> {
    if route.starts_with('/') {
        return Some("routes are relative to the app root and must not start with `/`".into());
    }
    if route.contains(['?', '#']) {
        return Some("routes must not carry a query or fragment".into());
    }
    const SOURCE_EXTENSIONS: [&str; 8] =
        [".wxml", ".ttml", ".js", ".json", ".wxss", ".ttss", ".html", ".css"];
    if SOURCE_EXTENSIONS.iter().any(|extension| route.ends_with(extension)) {
        return Some("routes name the page without a file extension".into());
    }
    paths::check_package_path(route).err().map(|problem| problem.to_string())
}

/// Page routes listed in an `app.json` value, read leniently (for dialect detection).
pub(crate) fn declared_routes(app_json: &Value) -> Vec<String> {
    let mut routes: Vec<String> = string_items(app_json.get("pages"));
    for key in ["subpackages", "subPackages"] {
        for subpackage in app_json.get(key).and_then(Value::as_array).into_iter().flatten() {
            let root = subpackage.get("root").and_then(Value::as_str).unwrap_or_default();
            let root = root.trim_end_matches('/');
            for page in string_items(subpackage.get("pages")) {
                routes.push(if root.is_empty() { page } else { format!("{root}/{page}") });
            }
        }
    }
    routes
}

fn string_items(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// Reads `app.json` (WeChat or ByteDance).
pub(crate) fn parse_app_json(
    doc: &JsonDoc,
    file: &str,
    dialect: Dialect,
    diagnostics: &mut Vec<Diagnostic>,
) -> AppConfig {
    let mut checker = Checker { doc, file, diagnostics };
    let mut config = AppConfig { raw: doc.value().clone(), ..AppConfig::default() };
    let Some(root) = doc.value().as_object() else {
        checker.error("invalid-type", format!("{file} must hold a JSON object"), "");
        return config;
    };
    let dialect_fields = if dialect == Dialect::ByteDance { APP_FIELDS_BYTEDANCE } else { APP_FIELDS_WECHAT };
    checker.check_object(root, "", &[APP_FIELDS_COMMON, dialect_fields], file);

    // Pages.
    if checker.require(root, "", "pages", file) {
        read_routes(&mut checker, root.get("pages"), "/pages", "", &mut config);
    }

    // Window.
    if let Some(Value::Object(window)) = root.get("window") {
        let window_fields: &[Fields] = if dialect == Dialect::ByteDance {
            &[WINDOW_FIELDS, WINDOW_FIELDS_BYTEDANCE]
        } else {
            &[WINDOW_FIELDS]
        };
        checker.check_object(window, "/window", window_fields, "window");
        config.window = window.clone();
    }

    // Subpackages: both spellings work; when both are present only `subpackages` counts.
    let subpackage_key = match (root.get("subpackages"), root.get("subPackages")) {
        (Some(_), Some(_)) => {
            checker.warning_at_key(
                "ignored-field",
                "`subPackages` is ignored because `subpackages` is also present".into(),
                "/subPackages",
            );
            Some("subpackages")
        }
        (Some(_), None) => Some("subpackages"),
        (None, Some(_)) => Some("subPackages"),
        (None, None) => None,
    };
    if let Some(key) = subpackage_key
        && let Some(Value::Array(entries)) = root.get(key)
    {
        for (index, entry) in entries.iter().enumerate() {
            let entry_pointer = pointer_index(&format!("/{key}"), index);
            if let Some(subpackage) = read_subpackage(&mut checker, entry, &entry_pointer, &mut config) {
                config.subpackages.push(subpackage);
            }
        }
    }

    // Entry page.
    config.entry_page = match root.get("entryPagePath") {
        Some(Value::String(entry)) => {
            config.entry_pointer = Some("/entryPagePath".into());
            checker.route(entry, "/entryPagePath")
        }
        _ => config.pages.first().cloned(),
    };

    // Tab bar.
    if let Some(Value::Object(tab_bar)) = root.get("tabBar") {
        checker.check_object(tab_bar, "/tabBar", &[TAB_BAR_FIELDS], "tabBar");
        config.tab_bar = Some(read_tab_bar(&mut checker, tab_bar));
    }

    // App-wide components.
    if let Some(Value::Object(components)) = root.get("usingComponents") {
        config.using_components = components
            .iter()
            .filter_map(|(tag, path)| Some((tag.clone(), path.as_str()?.to_owned())))
            .collect();
    }

    // Preload rules.
    if let Some(Value::Object(rules)) = root.get("preloadRule") {
        for (page, rule) in rules {
            let rule_pointer = pointer("/preloadRule", page);
            let Value::Object(rule_object) = rule else {
                checker.error(
                    "invalid-type",
                    format!("`preloadRule.{page}` must be an object"),
                    &rule_pointer,
                );
                continue;
            };
            checker.check_object(rule_object, &rule_pointer, &[PRELOAD_RULE_FIELDS], "a preload rule");
            let packages_pointer = pointer(&rule_pointer, "packages");
            let packages = rule_object
                .get("packages")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .filter_map(|(index, package)| {
                    Some(Located {
                        value: package.as_str()?.to_owned(),
                        pointer: pointer_index(&packages_pointer, index),
                    })
                })
                .collect();
            config.preload_rules.push(PreloadRule { page: page.clone(), packages, pointer: rule_pointer });
        }
    }

    for key in ["sitemapLocation", "themeLocation"] {
        if let Some(Value::String(location)) = root.get(key) {
            config.referenced_files.push(Located { value: location.clone(), pointer: format!("/{key}") });
        }
    }
    config
}

/// Reads a list of routes (main `pages` or a subpackage's), prefixing `root`, reporting bad and
/// duplicate routes, and recording each route's pointer. Returns the routes it accepted.
fn read_routes(
    checker: &mut Checker<'_>,
    value: Option<&Value>,
    list_pointer: &str,
    root: &str,
    config: &mut AppConfig,
) -> Vec<String> {
    let mut accepted = Vec::new();
    let Some(Value::Array(items)) = value else { return accepted };
    for (index, item) in items.iter().enumerate() {
        let item_pointer = pointer_index(list_pointer, index);
        let Some(raw) = item.as_str() else { continue };
        let Some(relative) = checker.route(raw, &item_pointer) else { continue };
        let route = if root.is_empty() { relative } else { format!("{root}/{relative}") };
        if let Some(first) = config.route_pointers.get(&route) {
            let message = if !root.is_empty() && first.starts_with("/pages/") {
                format!("page `{route}` is listed both in `pages` and in a subpackage")
            } else {
                format!("page `{route}` is listed more than once")
            };
            checker.error("duplicate-page", message, &item_pointer);
            continue;
        }
        config.route_pointers.insert(route.clone(), item_pointer);
        accepted.push(route);
    }
    if root.is_empty() {
        config.pages.extend(accepted.iter().cloned());
    }
    accepted
}

fn read_subpackage(
    checker: &mut Checker<'_>,
    entry: &Value,
    entry_pointer: &str,
    config: &mut AppConfig,
) -> Option<Subpackage> {
    let Value::Object(object) = entry else {
        let message = format!("`{}` must be an object", display_pointer(entry_pointer));
        checker.error("invalid-type", message, entry_pointer);
        return None;
    };
    checker.check_object(object, entry_pointer, &[SUBPACKAGE_FIELDS], "a subpackage");
    let has_root = checker.require(object, entry_pointer, "root", "a subpackage");
    let has_pages = checker.require(object, entry_pointer, "pages", "a subpackage");
    if !has_root || !has_pages {
        return None;
    }
    let root_pointer = pointer(entry_pointer, "root");
    let raw_root = object.get("root")?.as_str()?;
    let root = raw_root.trim_end_matches('/');
    if let Err(problem) = paths::check_package_path(root) {
        checker.error(
            "invalid-subpackage",
            format!("invalid subpackage root `{raw_root}`: {problem}"),
            &root_pointer,
        );
        return None;
    }
    let pages = read_routes(checker, object.get("pages"), &pointer(entry_pointer, "pages"), root, config);
    Some(Subpackage {
        root: root.to_owned(),
        name: object.get("name").and_then(Value::as_str).map(str::to_owned),
        pages,
        independent: object.get("independent").and_then(Value::as_bool).unwrap_or(false),
        pointer: entry_pointer.to_owned(),
    })
}

fn read_tab_bar(checker: &mut Checker<'_>, tab_bar: &Map<String, Value>) -> TabBar {
    let list_pointer = "/tabBar/list".to_owned();
    let mut result = TabBar {
        custom: tab_bar.get("custom").and_then(Value::as_bool).unwrap_or(false),
        items: Vec::new(),
        list_pointer: list_pointer.clone(),
    };
    if !checker.require(tab_bar, "/tabBar", "list", "tabBar") {
        return result;
    }
    let Some(Value::Array(items)) = tab_bar.get("list") else { return result };
    for (index, item) in items.iter().enumerate() {
        let item_pointer = pointer_index(&list_pointer, index);
        let Value::Object(object) = item else {
            let message = format!("`{}` must be an object", display_pointer(&item_pointer));
            checker.error("invalid-type", message, &item_pointer);
            continue;
        };
        checker.check_object(object, &item_pointer, &[TAB_BAR_ITEM_FIELDS], "a tabBar item");
        checker.require(object, &item_pointer, "pagePath", "a tabBar item");
        checker.require(object, &item_pointer, "text", "a tabBar item");
        let text_of = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
        result.items.push(TabBarItem {
            page_path: text_of("pagePath"),
            text: text_of("text"),
            icon_path: text_of("iconPath"),
            selected_icon_path: text_of("selectedIconPath"),
            pointer: item_pointer,
        });
    }
    result
}

/// Reads a page or component `.json`.
pub(crate) fn parse_unit_json(
    doc: &JsonDoc,
    file: &str,
    dialect: Dialect,
    diagnostics: &mut Vec<Diagnostic>,
) -> UnitConfig {
    let mut checker = Checker { doc, file, diagnostics };
    let mut config = UnitConfig::default();
    let Some(root) = doc.value().as_object() else {
        checker.error("invalid-type", format!("{file} must hold a JSON object"), "");
        return config;
    };
    let field_sets: &[Fields] = if dialect == Dialect::ByteDance {
        &[UNIT_FIELDS, WINDOW_FIELDS, WINDOW_FIELDS_BYTEDANCE]
    } else {
        &[UNIT_FIELDS, WINDOW_FIELDS]
    };
    checker.check_object(root, "", field_sets, file);
    config.component = root.get("component").and_then(Value::as_bool).unwrap_or(false);
    if let Some(Value::Object(components)) = root.get("usingComponents") {
        config.using_components = components
            .iter()
            .filter_map(|(tag, path)| {
                let located =
                    Located { value: path.as_str()?.to_owned(), pointer: pointer("/usingComponents", tag) };
                Some((tag.clone(), located))
            })
            .collect();
    }
    config
}

/// Reads a W3C MiniApp `manifest.json`.
pub(crate) fn parse_manifest(doc: &JsonDoc, file: &str, diagnostics: &mut Vec<Diagnostic>) -> AppConfig {
    let mut checker = Checker { doc, file, diagnostics };
    let mut config = AppConfig { raw: doc.value().clone(), ..AppConfig::default() };
    let Some(root) = doc.value().as_object() else {
        checker.error("invalid-type", format!("{file} must hold a JSON object"), "");
        return config;
    };
    checker.check_object(root, "", &[MANIFEST_FIELDS], file);
    for key in MANIFEST_REQUIRED {
        checker.require(root, "", key, file);
    }
    config.app_id = root.get("app_id").and_then(Value::as_str).map(str::to_owned);
    config.name = root.get("name").and_then(Value::as_str).map(|name| name.trim().to_owned());

    // Routes may carry the `.html` extension and a leading `/`; both are dropped.
    if let Some(Value::Array(items)) = root.get("pages") {
        for (index, item) in items.iter().enumerate() {
            let item_pointer = pointer_index("/pages", index);
            let Some(raw) = item.as_str() else { continue };
            let trimmed = raw.trim_start_matches('/');
            let trimmed = trimmed.strip_suffix(".html").unwrap_or(trimmed);
            let Some(route) = checker.route(trimmed, &item_pointer) else { continue };
            if config.route_pointers.contains_key(&route) {
                checker.error(
                    "duplicate-page",
                    format!("page `{route}` is listed more than once"),
                    &item_pointer,
                );
                continue;
            }
            config.route_pointers.insert(route.clone(), item_pointer);
            config.pages.push(route);
        }
    }
    config.entry_page = config.pages.first().cloned();

    if let Some(Value::Object(version)) = root.get("version") {
        checker.check_object(version, "/version", &[MANIFEST_VERSION_FIELDS], "version");
        let has_code = checker.require(version, "/version", "code", "version");
        let has_name = checker.require(version, "/version", "name", "version");
        if has_code && has_name {
            let code = version.get("code").and_then(Value::as_u64);
            if code.is_none() && version.get("code").is_some_and(Value::is_number) {
                checker.error(
                    "invalid-type",
                    "`version.code` must be a non-negative integer".into(),
                    "/version/code",
                );
            }
            if let (Some(code), Some(name)) = (code, version.get("name").and_then(Value::as_str)) {
                config.version = Some(AppVersion { code, name: name.to_owned() });
            }
        }
    }
    if let Some(Value::Object(platform)) = root.get("platform_version") {
        checker.check_object(platform, "/platform_version", &[MANIFEST_PLATFORM_FIELDS], "platform_version");
        checker.require(platform, "/platform_version", "min_code", "platform_version");
    }
    if let Some(Value::Object(window)) = root.get("window") {
        checker.check_object(window, "/window", &[MANIFEST_WINDOW_FIELDS], "window");
        config.window = window.clone();
    }
    if let Some(Value::Array(icons)) = root.get("icons") {
        if icons.is_empty() {
            checker.error("missing-field", "`icons` must list at least one icon".into(), "/icons");
        }
        for (index, icon) in icons.iter().enumerate() {
            let icon_pointer = pointer_index("/icons", index);
            let Value::Object(object) = icon else {
                checker.error("invalid-type", format!("`icons[{index}]` must be an object"), &icon_pointer);
                continue;
            };
            checker.check_object(object, &icon_pointer, &[MANIFEST_ICON_FIELDS], "an icon");
            if checker.require(object, &icon_pointer, "src", "an icon")
                && let Some(src) = object.get("src").and_then(Value::as_str)
            {
                config.icons.push(Located { value: src.to_owned(), pointer: pointer(&icon_pointer, "src") });
            }
        }
    }
    if let Some(Value::Array(widgets)) = root.get("widgets") {
        for (index, widget) in widgets.iter().enumerate() {
            let widget_pointer = pointer_index("/widgets", index);
            let Value::Object(object) = widget else {
                checker.error(
                    "invalid-type",
                    format!("`widgets[{index}]` must be an object"),
                    &widget_pointer,
                );
                continue;
            };
            checker.check_object(object, &widget_pointer, &[MANIFEST_WIDGET_FIELDS], "a widget");
            let has_name = checker.require(object, &widget_pointer, "name", "a widget");
            let has_path = checker.require(object, &widget_pointer, "path", "a widget");
            if let (true, true, Some(name), Some(path)) = (
                has_name,
                has_path,
                object.get("name").and_then(Value::as_str),
                object.get("path").and_then(Value::as_str),
            ) {
                let path = path.trim_start_matches('/');
                config.widgets.push(Widget {
                    name: name.to_owned(),
                    path: path.strip_suffix(".html").unwrap_or(path).to_owned(),
                    pointer: pointer(&widget_pointer, "path"),
                });
            }
        }
    }
    if let Some(Value::Array(permissions)) = root.get("req_permissions") {
        for (index, permission) in permissions.iter().enumerate() {
            let permission_pointer = pointer_index("/req_permissions", index);
            if let Value::Object(object) = permission {
                checker.check_object(
                    object,
                    &permission_pointer,
                    &[MANIFEST_PERMISSION_FIELDS],
                    "a permission",
                );
                checker.require(object, &permission_pointer, "name", "a permission");
            } else {
                let message = format!("`req_permissions[{index}]` must be an object");
                checker.error("invalid-type", message, &permission_pointer);
            }
        }
    }
    config
}

#[cfg(test)]
mod tests {
    use capsule_diagnostics::{Position, Severity};

    use super::*;

    fn app(text: &str, dialect: Dialect) -> (AppConfig, Vec<(Severity, &'static str, Position)>) {
        let doc = JsonDoc::parse(text).unwrap();
        let mut diagnostics = Vec::new();
        let config = parse_app_json(&doc, "app.json", dialect, &mut diagnostics);
        (config, diagnostics.into_iter().map(|d| (d.severity, d.code, d.position)).collect())
    }

    #[test]
    fn reads_pages_subpackages_and_entry() {
        let (config, diagnostics) = app(
            r#"{"pages": ["pages/a/a", "pages/b/b"],
                "subpackages": [{"root": "pkg/", "name": "p", "pages": ["x/x"]}]}"#,
            Dialect::WeChat,
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(config.pages, ["pages/a/a", "pages/b/b"]);
        assert_eq!(config.entry_page.as_deref(), Some("pages/a/a"));
        assert_eq!(config.subpackages[0].root, "pkg");
        assert_eq!(config.subpackages[0].pages, ["pkg/x/x"]);
        assert_eq!(config.route_pointer("pkg/x/x"), Some("/subpackages/0/pages/0"));
        assert_eq!(config.all_routes().count(), 3);
    }

    #[test]
    fn unknown_fields_depend_on_the_dialect() {
        let text = r#"{"pages": ["pages/a/a"], "ttPlugins": {}, "sitemapLocation": "sitemap.json"}"#;
        let (_, wechat) = app(text, Dialect::WeChat);
        assert_eq!(wechat, [(Severity::Warning, "unknown-field", Position::new(1, 26))]);
        let (_, bytedance) = app(text, Dialect::ByteDance);
        assert!(bytedance.is_empty());
    }

    #[test]
    fn wrong_types_are_errors_at_the_value() {
        let (config, diagnostics) =
            app(r#"{"pages": ["pages/a/a", 3], "window": [], "debug": "yes"}"#, Dialect::WeChat);
        assert_eq!(config.pages, ["pages/a/a"]);
        assert_eq!(
            diagnostics,
            [
                (Severity::Error, "invalid-type", Position::new(1, 25)),
                (Severity::Error, "invalid-type", Position::new(1, 39)),
                (Severity::Error, "invalid-type", Position::new(1, 52)),
            ]
        );
    }

    #[test]
    fn duplicate_and_malformed_routes() {
        let (config, diagnostics) =
            app(r#"{"pages": ["pages/a/a", "/pages/b", "pages/a/a", "pages/c.wxml"]}"#, Dialect::WeChat);
        assert_eq!(config.pages, ["pages/a/a"]);
        let codes: Vec<_> = diagnostics.iter().map(|d| d.1).collect();
        assert_eq!(codes, ["invalid-route", "duplicate-page", "invalid-route"]);
    }

    #[test]
    fn both_subpackage_spellings_warn() {
        let (config, diagnostics) = app(
            r#"{"pages": ["p/p"], "subpackages": [], "subPackages": [{"root": "a", "pages": ["b"]}]}"#,
            Dialect::WeChat,
        );
        assert!(config.subpackages.is_empty());
        assert_eq!(diagnostics[0].1, "ignored-field");
    }

    #[test]
    fn manifest_required_members() {
        let doc =
            JsonDoc::parse(r#"{"name": "x", "pages": ["pages/home/home.html"], "version": {"code": 1}}"#)
                .unwrap();
        let mut diagnostics = Vec::new();
        let config = parse_manifest(&doc, "manifest.json", &mut diagnostics);
        assert_eq!(config.pages, ["pages/home/home"]);
        let messages: Vec<_> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "manifest.json is missing the required field `app_id`",
                "manifest.json is missing the required field `icons`",
                "manifest.json is missing the required field `platform_version`",
                "version is missing the required field `name`",
            ]
        );
    }

    #[test]
    fn pointers_display_as_paths() {
        assert_eq!(display_pointer("/tabBar/list/0/pagePath"), "tabBar.list[0].pagePath");
        assert_eq!(display_pointer("/usingComponents/a~1b"), "usingComponents.a/b");
    }
}
