//! The three project dialects and the file and syntax conventions that differ between them.

use std::fmt;

/// Which platform's conventions a project follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// WeChat: `app.json`, `.wxml`, `.wxss`, `wx:` directives, `.wxs` modules.
    #[serde(rename = "wechat")]
    WeChat,
    /// ByteDance (Douyin, Toutiao): `app.json`, `.ttml`, `.ttss`, `tt:` directives, `.sjs` modules.
    #[serde(rename = "bytedance")]
    ByteDance,
    /// W3C MiniApp: `manifest.json`, `.html`, `.css`.
    W3c,
}

impl Dialect {
    /// Extension of page and component templates, without the dot.
    pub const fn template_extension(self) -> &'static str {
        match self {
            Self::WeChat => "wxml",
            Self::ByteDance => "ttml",
            Self::W3c => "html",
        }
    }

    /// Extension of page and component styles, without the dot.
    pub const fn style_extension(self) -> &'static str {
        match self {
            Self::WeChat => "wxss",
            Self::ByteDance => "ttss",
            Self::W3c => "css",
        }
    }

    /// Extension of scripts (logic layer), without the dot.
    pub const fn script_extension(self) -> &'static str {
        "js"
    }

    /// Prefix of template control attributes (`wx:if`, `tt:for`); W3C templates have none.
    pub const fn directive_prefix(self) -> Option<&'static str> {
        match self {
            Self::WeChat => Some("wx:"),
            Self::ByteDance => Some("tt:"),
            Self::W3c => None,
        }
    }

    /// Extension and tag name of view-layer script modules (`<wxs>`, `<sjs>`).
    pub const fn script_module_extension(self) -> Option<&'static str> {
        match self {
            Self::WeChat => Some("wxs"),
            Self::ByteDance => Some("sjs"),
            Self::W3c => None,
        }
    }

    /// The global API object scripts call (`wx.request`, `tt.login`).
    pub const fn api_namespace(self) -> Option<&'static str> {
        match self {
            Self::WeChat => Some("wx"),
            Self::ByteDance => Some("tt"),
            Self::W3c => None,
        }
    }

    /// The app configuration file at the app root.
    pub const fn config_file(self) -> &'static str {
        match self {
            Self::WeChat | Self::ByteDance => "app.json",
            Self::W3c => "manifest.json",
        }
    }

    /// The app-wide stylesheet at the app root.
    pub fn app_style_file(self) -> String {
        format!("app.{}", self.style_extension())
    }

    /// The template file of a page or component, given its extensionless path (`pages/index/index`).
    pub fn template_path(self, unit: &str) -> String {
        format!("{unit}.{}", self.template_extension())
    }

    /// The style file of a page or component, given its extensionless path.
    pub fn style_path(self, unit: &str) -> String {
        format!("{unit}.{}", self.style_extension())
    }

    /// The dialect whose template files end in `extension` (without the dot).
    pub fn from_template_extension(extension: &str) -> Option<Self> {
        [Self::WeChat, Self::ByteDance, Self::W3c].into_iter().find(|d| d.template_extension() == extension)
    }

    /// The dialect a template or style file belongs to, from its path.
    pub fn of_path(path: &str) -> Option<Self> {
        let extension = path.rsplit_once('.')?.1;
        [Self::WeChat, Self::ByteDance, Self::W3c]
            .into_iter()
            .find(|d| d.template_extension() == extension || d.style_extension() == extension)
    }

    /// The stable lowercase name used in manifests and messages.
    pub const fn name(self) -> &'static str {
        match self {
            Self::WeChat => "wechat",
            Self::ByteDance => "bytedance",
            Self::W3c => "w3c",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conventions_per_dialect() {
        assert_eq!(Dialect::WeChat.template_path("pages/index/index"), "pages/index/index.wxml");
        assert_eq!(Dialect::ByteDance.style_path("pages/index/index"), "pages/index/index.ttss");
        assert_eq!(Dialect::ByteDance.directive_prefix(), Some("tt:"));
        assert_eq!(Dialect::WeChat.directive_prefix(), Some("wx:"));
        assert_eq!(Dialect::W3c.directive_prefix(), None);
        assert_eq!(Dialect::W3c.app_style_file(), "app.css");
        assert_eq!(Dialect::ByteDance.script_module_extension(), Some("sjs"));
        assert_eq!(Dialect::of_path("a/b.ttml"), Some(Dialect::ByteDance));
        assert_eq!(Dialect::of_path("a/b.wxss"), Some(Dialect::WeChat));
        assert_eq!(Dialect::of_path("a/b.js"), None);
        assert_eq!(Dialect::from_template_extension("html"), Some(Dialect::W3c));
    }

    #[test]
    fn serialized_names_are_stable() {
        assert_eq!(serde_json::to_string(&Dialect::WeChat).unwrap(), "\"wechat\"");
        assert_eq!(serde_json::to_string(&Dialect::ByteDance).unwrap(), "\"bytedance\"");
        assert_eq!(serde_json::to_string(&Dialect::W3c).unwrap(), "\"w3c\"");
        assert_eq!(serde_json::from_str::<Dialect>("\"bytedance\"").unwrap(), Dialect::ByteDance);
    }
}
