//! What the runtime asks of the app that embeds it: the `Host` (login, payment, UI, network…)
//! and `Storage`, with an in-memory storage and a scripted host for tests and headless runs.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use serde_json::{Value as Json, json};

/// Who a session runs for: the app and the host user (anonymous when `None`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SessionScope {
    pub app_id: String,
    pub user: Option<String>,
}

/// Answers one asynchronous API call: `Ok(result)` or `Err(reason)` (the part after `:fail `).
pub type Reply = Box<dyn FnOnce(Result<Json, String>) + Send>;

/// The embedding app's side of the `wx`/`tt` APIs the runtime cannot answer itself: UI
/// (`showToast`, `showModal`, …), `login`, `getUserInfo`/`getUserProfile`,
/// `requestPayment`/`pay`/`tradePay`, `scanCode`, `showShareMenu`, `navigateToMiniProgram`,
/// and the transport for `request` (after the runtime's allow-list, https and concurrency
/// checks). The platform implements it; [`TestHost`] answers from a script.
pub trait Host: Send + Sync {
    fn call(&self, scope: &SessionScope, api: &str, args: Json, reply: Reply);
}

/// Key-value storage per (app, user), with the platform's quotas.
pub trait Storage: Send + Sync {
    fn get(&self, scope: &SessionScope, key: &str) -> Option<Json>;
    /// Fails with WeChat's reason when a quota would be passed; nothing changes then.
    fn set(&self, scope: &SessionScope, key: &str, value: Json) -> Result<(), String>;
    fn remove(&self, scope: &SessionScope, key: &str);
    fn clear(&self, scope: &SessionScope);
    /// Keys, bytes used, byte limit.
    fn info(&self, scope: &SessionScope) -> (Vec<String>, u64, u64);
}

/// Storage quotas: DESIGN.md's 10 MB per (user, app) and 1 MB per key by default.
#[derive(Clone, Copy, Debug)]
pub struct StorageLimits {
    pub total_bytes: u64,
    pub key_bytes: u64,
}

impl Default for StorageLimits {
    fn default() -> Self {
        Self { total_bytes: 10 << 20, key_bytes: 1 << 20 }
    }
}

/// Storage held in memory, one map per (app, user).
#[derive(Debug, Default)]
pub struct MemoryStorage {
    limits: StorageLimits,
    maps: Mutex<HashMap<SessionScope, BTreeMap<String, String>>>,
}

impl MemoryStorage {
    pub fn new(limits: StorageLimits) -> Self {
        Self { limits, maps: Mutex::default() }
    }

    fn with<R>(&self, scope: &SessionScope, f: impl FnOnce(&mut BTreeMap<String, String>) -> R) -> R {
        let mut maps = self.maps.lock().unwrap_or_else(|e| e.into_inner());
        f(maps.entry(scope.clone()).or_default())
    }
}

/// Bytes a stored entry counts for: its key and its JSON text.
pub fn entry_size(key: &str, json: &str) -> u64 {
    (key.len() + json.len()) as u64
}

impl Storage for MemoryStorage {
    fn get(&self, scope: &SessionScope, key: &str) -> Option<Json> {
        self.with(scope, |map| map.get(key).and_then(|text| serde_json::from_str(text).ok()))
    }

    fn set(&self, scope: &SessionScope, key: &str, value: Json) -> Result<(), String> {
        let text = value.to_string();
        let size = entry_size(key, &text);
        if size > self.limits.key_bytes {
            return Err(format!("data size exceeds the limit of {} KB per key", self.limits.key_bytes >> 10));
        }
        self.with(scope, |map| {
            let used: u64 = map.iter().filter(|(k, _)| *k != key).map(|(k, v)| entry_size(k, v)).sum();
            if used + size > self.limits.total_bytes {
                return Err(format!("exceed storage max size {}Mb", self.limits.total_bytes >> 20));
            }
            map.insert(key.to_string(), text);
            Ok(())
        })
    }

    fn remove(&self, scope: &SessionScope, key: &str) {
        self.with(scope, |map| map.remove(key));
    }

    fn clear(&self, scope: &SessionScope) {
        self.with(scope, BTreeMap::clear);
    }

    fn info(&self, scope: &SessionScope) -> (Vec<String>, u64, u64) {
        self.with(scope, |map| {
            let used = map.iter().map(|(k, v)| entry_size(k, v)).sum();
            (map.keys().cloned().collect(), used, self.limits.total_bytes)
        })
    }
}

/// Runs a sync storage API (`getStorageSync`, …) against `storage`; `None` for other names.
pub fn storage_call(
    storage: &dyn Storage,
    scope: &SessionScope,
    api: &str,
    args: &Json,
) -> Option<Result<Json, String>> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Json::Null);
    let key = || match arg(0) {
        Json::String(s) => Ok(s),
        _ => Err("parameter.key should be String".to_string()),
    };
    Some(match api {
        "getStorageSync" => key().map(|k| storage.get(scope, &k).unwrap_or(Json::String(String::new()))),
        "setStorageSync" => key().and_then(|k| storage.set(scope, &k, arg(1)).map(|()| Json::Null)),
        "removeStorageSync" => key().map(|k| {
            storage.remove(scope, &k);
            Json::Null
        }),
        "clearStorageSync" => {
            storage.clear(scope);
            Ok(Json::Null)
        }
        "getStorageInfoSync" => {
            let (keys, used, limit) = storage.info(scope);
            Ok(json!({ "keys": keys, "currentSize": used.div_ceil(1024), "limitSize": limit / 1024 }))
        }
        _ => return None,
    })
}

/// A host for tests and headless runs: answers from a table (API name → result), confirms
/// modals, records every call it sees, and fails APIs it was not told about.
#[derive(Debug, Default)]
pub struct TestHost {
    answers: Mutex<HashMap<String, Result<Json, String>>>,
    calls: Mutex<Vec<(String, Json)>>,
}

impl TestHost {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes `api` answer `result` from now on.
    pub fn answer(&self, api: &str, result: Result<Json, String>) {
        self.answers.lock().unwrap_or_else(|e| e.into_inner()).insert(api.to_string(), result);
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<(String, Json)> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Host for TestHost {
    fn call(&self, _scope: &SessionScope, api: &str, args: Json, reply: Reply) {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).push((api.to_string(), args.clone()));
        let scripted = self.answers.lock().unwrap_or_else(|e| e.into_inner()).get(api).cloned();
        let result = match scripted {
            Some(result) => result,
            None => match api {
                "showToast"
                | "hideToast"
                | "showLoading"
                | "hideLoading"
                | "setNavigationBarTitle"
                | "setNavigationBarColor"
                | "stopPullDownRefresh"
                | "startPullDownRefresh"
                | "pageScrollTo"
                | "showShareMenu"
                | "hideShareMenu"
                | "showNavigationBarLoading"
                | "hideNavigationBarLoading"
                | "setBackgroundColor"
                | "setTabBarBadge"
                | "removeTabBarBadge"
                | "showTabBarRedDot"
                | "hideTabBarRedDot"
                | "showTabBar"
                | "hideTabBar"
                | "setTabBarStyle"
                | "setTabBarItem"
                | "vibrateShort" => Ok(json!({})),
                "showModal" => Ok(json!({ "confirm": true, "cancel": false })),
                "showActionSheet" => Ok(json!({ "tapIndex": 0 })),
                "login" => Ok(
                    json!({ "code": "test-code", "anonymousCode": "test-anonymous-code", "isLogin": true }),
                ),
                "getUserInfo" | "getUserProfile" => {
                    Ok(json!({ "userInfo": { "nickName": "Test User", "avatarUrl": "", "gender": 0 } }))
                }
                _ => Err("not supported by this host".to_string()),
            },
        };
        reply(result);
    }
}
