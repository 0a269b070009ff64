//! The host apps one platform serves, each with its own face and identity space: a
//! Douyin-style short-video app and a Toutiao-style news app. The same released mini-program
//! runs unchanged in both; unionids differ between them (see [`crate::identity`]).

use crate::{PlatformError, Result};

/// One host app: what it is called, where it is served and how it looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostProfile {
    /// The id login codes, unionids and QR codes use (Douyin's `appname`).
    pub id: &'static str,
    /// The name people see, also `appName` in the mini-program's system info.
    pub name: &'static str,
    /// Where the host web app is served: `/` for the first, `/{id}/` for the others.
    pub path: &'static str,
    /// The host's brand colour (tabs, buttons, the search box's focus).
    pub accent: &'static str,
    /// The background behind the feed.
    pub background: &'static str,
    /// What the host calls its feed.
    pub feed_title: &'static str,
}

/// Every host app, the default first.
pub const HOSTS: &[HostProfile] = &[
    HostProfile {
        id: "douyin",
        name: "Douyin",
        path: "/",
        accent: "#fe2c55",
        background: "#000000",
        feed_title: "For You",
    },
    HostProfile {
        id: "toutiao",
        name: "Toutiao",
        path: "/toutiao/",
        accent: "#f04142",
        background: "#1b1b1f",
        feed_title: "Recommended",
    },
];

impl HostProfile {
    /// The default host (Douyin-style).
    pub fn default_host() -> &'static HostProfile {
        &HOSTS[0]
    }

    /// The host named `id`, or a clear error naming the ones there are.
    pub fn get(id: &str) -> Result<&'static HostProfile> {
        HOSTS.iter().find(|host| host.id == id).ok_or_else(|| {
            let known: Vec<&str> = HOSTS.iter().map(|host| host.id).collect();
            PlatformError::Invalid(format!("unknown host app {id:?}: use one of {}", known.join(", ")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_found_by_id_and_unknown_ones_named() {
        assert_eq!(HostProfile::get("toutiao").unwrap().name, "Toutiao");
        assert_eq!(HostProfile::default_host().id, "douyin");
        let error = HostProfile::get("wechat").unwrap_err().to_string();
        assert!(error.contains("douyin, toutiao"), "{error}");
        let paths: std::collections::HashSet<_> = HOSTS.iter().map(|h| h.path).collect();
        assert_eq!(paths.len(), HOSTS.len(), "each host has its own path");
    }
}
