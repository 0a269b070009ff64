//! The mini-programs and videos the host shows: the demo content, loaded from project
//! folders, until the platform's database holds published apps.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use capsule_runtime::AppBundle;
use serde_json::{Value as Json, json};

/// A mini-program the host can open.
#[derive(Debug)]
pub struct MiniApp {
    pub appid: String,
    pub name: String,
    pub description: String,
    /// One emoji or short text shown as the icon.
    pub icon: String,
    pub category: String,
    pub keywords: Vec<String>,
    /// The project folder or package the runtime launches.
    pub source: PathBuf,
    pub bundle: Arc<AppBundle>,
}

impl MiniApp {
    pub fn summary(&self) -> Json {
        json!({
            "appid": self.appid, "name": self.name, "description": self.description,
            "icon": self.icon, "category": self.category,
        })
    }

    /// The window configuration of every page (app-level merged with page-level) and the tabBar.
    pub fn config(&self) -> Json {
        let pages: serde_json::Map<String, Json> = self
            .bundle
            .routes()
            .into_iter()
            .map(|route| {
                let window = Json::Object(self.bundle.window(&route));
                (route, window)
            })
            .collect();
        let app = self.bundle.config("app");
        json!({
            "name": self.name, "icon": self.icon, "appid": self.appid, "description": self.description,
            "pages": pages, "tabBar": app.get("tabBar").cloned().unwrap_or(Json::Null),
            "entry": self.bundle.entry_route(),
        })
    }
}

/// A short video in the feed, maybe carrying a mini-program anchor.
#[derive(Debug, Clone)]
pub struct Video {
    pub id: String,
    pub author: String,
    pub caption: String,
    /// A file under `web/media`.
    pub file: String,
    pub anchor: Option<Anchor>,
}

#[derive(Debug, Clone)]
pub struct Anchor {
    pub appid: String,
    pub path: String,
    pub query: String,
    pub title: String,
}

impl Video {
    pub fn to_json(&self, catalog: &Catalog) -> Json {
        let anchor = self.anchor.as_ref().and_then(|a| {
            let app = catalog.app(&a.appid)?;
            Some(json!({
                "appid": a.appid, "path": a.path, "query": a.query, "title": a.title,
                "name": app.name, "icon": app.icon,
            }))
        });
        json!({
            "id": self.id, "author": self.author, "caption": self.caption,
            "src": format!("/media/{}", self.file), "anchor": anchor,
        })
    }
}

#[derive(Debug, Default)]
pub struct Catalog {
    pub apps: Vec<MiniApp>,
    pub videos: Vec<Video>,
}

/// Why the demo content could not load.
#[derive(Debug, thiserror::Error)]
#[error("cannot load the demo mini-program {path}: {reason}")]
pub struct CatalogError {
    pub path: String,
    pub reason: String,
}

impl Catalog {
    pub fn app(&self, appid: &str) -> Option<&MiniApp> {
        self.apps.iter().find(|a| a.appid == appid)
    }

    /// The demo: the example mini-programs under `examples` and the videos that promote them.
    pub fn demo(examples: &Path) -> Result<Catalog, CatalogError> {
        let load = |folder: &str,
                    appid: &str,
                    name: &str,
                    icon: &str,
                    category: &str,
                    description: &str,
                    keywords: &[&str]| {
            let source = examples.join(folder);
            let source = source.canonicalize().unwrap_or(source);
            let bundle = AppBundle::open(&source)
                .map_err(|e| CatalogError { path: source.display().to_string(), reason: e.to_string() })?;
            Ok::<_, CatalogError>(MiniApp {
                appid: appid.into(),
                name: name.into(),
                description: description.into(),
                icon: icon.into(),
                category: category.into(),
                keywords: keywords.iter().map(|k| k.to_string()).collect(),
                source,
                bundle: Arc::new(bundle),
            })
        };
        let apps = vec![
            load(
                "shop",
                "tt0000000000shop",
                "Capsule Shop",
                "🛍️",
                "Shopping",
                "Everyday goods: mugs, tea, notebooks.",
                &["shop", "store", "mug", "tea", "buy"],
            )?,
            load(
                "tt-tickets",
                "tt00000000ticket",
                "Cinema Tickets",
                "🎬",
                "Entertainment",
                "Films, showtimes and seats.",
                &["cinema", "film", "movie", "ticket", "grinch"],
            )?,
        ];
        let video = |id: &str, author: &str, caption: &str, file: &str, anchor: Option<Anchor>| Video {
            id: id.into(),
            author: author.into(),
            caption: caption.into(),
            file: file.into(),
            anchor,
        };
        let anchor = |appid: &str, path: &str, query: &str, title: &str| {
            Some(Anchor { appid: appid.into(), path: path.into(), query: query.into(), title: title.into() })
        };
        let videos = vec![
            video(
                "v1",
                "@capsule.shop",
                "New season mugs and spring tea are in #shopping",
                "shop-promo.mp4",
                anchor("tt0000000000shop", "pages/index/index", "", "Shop the look"),
            ),
            video(
                "v2",
                "@cinema.daily",
                "The Grinch is back this weekend, grab your seats",
                "tickets-promo.mp4",
                anchor("tt00000000ticket", "", "", "Buy tickets"),
            ),
            video("v3", "@walks", "A slow walk through the old town", "city-walk.mp4", None),
            video("v4", "@stargazer", "Patterns in the night sky", "night-sky.mp4", None),
        ];
        Ok(Catalog { apps, videos })
    }
}
