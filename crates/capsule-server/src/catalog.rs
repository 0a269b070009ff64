//! What the host shows and runs: published mini-programs from the platform, each launched from
//! a package fetched from the store and verified (hash and release signature) before any of
//! its code runs, and how the feed shows videos.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use capsule_package::ReleaseKey;
use capsule_platform::{App, Channel, LaunchTarget, PackageStore, Platform, User, Video, VideoMedia};
use capsule_runtime::AppBundle;
use serde_json::{Value as Json, json};

use crate::AppError;

/// A mini-program version the host can run: verified, unpacked and on disk for the workers.
#[derive(Debug)]
pub struct MiniApp {
    pub app: App,
    pub target: LaunchTarget,
    /// The verified package file the runtime's worker loads.
    pub source: PathBuf,
    pub bundle: Arc<AppBundle>,
}

/// What lists and search show of an app.
pub fn app_summary(app: &App) -> Json {
    json!({
        "appid": app.appid, "name": app.settings.name, "description": app.settings.description,
        "icon": app.settings.icon, "category": app.settings.category,
    })
}

impl MiniApp {
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
            "name": self.app.settings.name, "icon": self.app.settings.icon, "appid": self.app.appid,
            "description": self.app.settings.description, "version": self.target.version,
            "channel": self.target.channel,
            "pages": pages, "tabBar": app.get("tabBar").cloned().unwrap_or(Json::Null),
            "entry": self.bundle.entry_route(),
        })
    }
}

/// A video as the feed shows it; its anchor shows only while its app is published.
pub fn video_json(video: &Video, published: &HashMap<String, App>) -> Json {
    let anchor = video.anchor.as_ref().and_then(|a| {
        let app = published.get(&a.appid)?;
        Some(json!({
            "appid": a.appid, "path": a.path, "query": a.query, "title": a.title,
            "name": app.settings.name, "icon": app.settings.icon,
        }))
    });
    let src = match &video.media {
        VideoMedia::Asset(name) => format!("/media/{name}"),
        VideoMedia::Stored(_) => format!("/api/videos/{}/media", video.id),
    };
    json!({
        "id": video.id, "author": video.author_name, "caption": video.caption,
        "src": src, "anchor": anchor,
    })
}

#[derive(Debug)]
pub struct Catalog {
    platform: Platform,
    store: PackageStore,
    key: ReleaseKey,
    /// Verified packages, by SHA-256, for the workers to load.
    cache_dir: PathBuf,
    loaded: Mutex<HashMap<String, Arc<MiniApp>>>,
}

impl Catalog {
    /// A catalog of what `platform` publishes, with packages from `store` cached in `cache_dir`.
    pub fn new(platform: Platform, store: PackageStore, cache_dir: &Path) -> Catalog {
        Catalog {
            key: platform.release_key(),
            platform,
            store,
            cache_dir: cache_dir.to_path_buf(),
            loaded: Mutex::default(),
        }
    }

    pub fn store(&self) -> &PackageStore {
        &self.store
    }

    /// Published apps by appid.
    pub async fn published(&self) -> Result<HashMap<String, App>, AppError> {
        let published = self.platform.published_apps().await?;
        Ok(published.into_iter().map(|app| (app.appid.clone(), app)).collect())
    }

    /// The version of `appid` this person gets from `channel`, verified and ready to launch.
    /// A package that does not match its release (altered in the store) is refused.
    pub async fn launch(
        &self,
        appid: &str,
        channel: Channel,
        user: Option<&User>,
        device: &str,
    ) -> Result<Arc<MiniApp>, AppError> {
        let target = self.platform.launch_target(appid, channel, user, device).await?;
        let cached = self.loaded.lock().unwrap_or_else(|e| e.into_inner()).get(&target.version_id).cloned();
        if let Some(app) = cached {
            return Ok(app);
        }
        let app = self.platform.app(appid).await?;
        let bytes = self.store.get(&target.package_sha256).await?;
        target.verify(&self.key, &bytes).map_err(|e| {
            AppError::Refused(format!("{} {} cannot run: {e}", app.settings.name, target.version))
        })?;
        let source = self.cache_dir.join(format!("{}.capsule", target.package_sha256));
        let cache_dir = self.cache_dir.clone();
        let (source, bundle) = tokio::task::spawn_blocking(move || {
            write_once(&cache_dir, &source, &bytes)?;
            let bundle =
                AppBundle::from_package(&bytes, true).map_err(|e| AppError::Runtime(e.to_string()))?;
            Ok::<_, AppError>((source, bundle))
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
        let mini = Arc::new(MiniApp { app, target, source, bundle: Arc::new(bundle) });
        self.loaded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(mini.target.version_id.clone(), mini.clone());
        Ok(mini)
    }
}

/// Writes `bytes` to `file` unless it is there, through a temporary file so a worker never
/// reads half a package.
fn write_once(dir: &Path, file: &Path, bytes: &[u8]) -> Result<(), AppError> {
    if file.is_file() && std::fs::read(file).is_ok_and(|on_disk| on_disk == bytes) {
        return Ok(());
    }
    let failed = |e: std::io::Error| AppError::Internal(format!("caching {}: {e}", file.display()));
    std::fs::create_dir_all(dir).map_err(failed)?;
    let partial = dir.join(format!(".{}.partial", capsule_platform::random_hex(8)));
    std::fs::write(&partial, bytes).map_err(failed)?;
    std::fs::rename(&partial, file).map_err(failed)
}
