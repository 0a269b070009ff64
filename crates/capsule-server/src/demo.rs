//! The demo content seeded on first run: a publisher organisation and, as its apps, the example
//! mini-programs under `examples/`, each built, checked, approved and released through the
//! platform like any upload, and promotional videos carrying their anchors. A changed example is released again as a new version on the next
//! start. The AppSecrets exist only at creation, so they are written once to a file in the data
//! folder for the example merchant backend to read.

use std::path::Path;

use capsule_platform::{
    Actor, Anchor, AppSettings, Channel, PackageStore, Platform, PlatformError, VersionStatus, Video,
    VideoMedia,
};
use serde_json::{Map, Value as Json_};

pub const DEMO_ORG: &str = "o-capsule-demo";

/// A demo app: its folder under `examples/`, fixed appid and what the host shows.
struct DemoApp {
    folder: &'static str,
    appid: &'static str,
    name: &'static str,
    /// The PNG icon, built into the server from `web/media/` (made by `make-icons.sh`).
    icon: &'static [u8],
    category: &'static str,
    description: &'static str,
    keywords: &'static [&'static str],
    /// Whether its paid orders show in the host's "Services and Orders" (set when first seeded).
    order_sync: bool,
}

const DEMO_APPS: &[DemoApp] = &[
    DemoApp {
        folder: "shop",
        appid: "tt0000000000shop",
        name: "Capsule Shop",
        icon: include_bytes!("../../../web/media/shop-icon.png"),
        category: "Shopping",
        description: "Everyday goods: mugs, tea, notebooks.",
        keywords: &["shop", "store", "mug", "tea", "buy"],
        order_sync: false,
    },
    DemoApp {
        folder: "tt-tickets",
        appid: "tt00000000ticket",
        name: "Cinema Tickets",
        icon: include_bytes!("../../../web/media/tickets-icon.png"),
        category: "Entertainment",
        description: "Films, showtimes and seats.",
        keywords: &["cinema", "film", "movie", "ticket", "grinch"],
        order_sync: true,
    },
    DemoApp {
        folder: "game",
        appid: "tt00000000game48",
        name: "2048",
        icon: include_bytes!("../../../web/media/game-icon.png"),
        category: "Games",
        description: "Slide the tiles, join the numbers, get to 2048, top the leaderboard.",
        keywords: &["game", "2048", "puzzle", "leaderboard"],
        order_sync: false,
    },
];

/// Why the demo could not be seeded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Platform(#[from] PlatformError),
    #[error("the demo mini-program {folder} {reason}")]
    App { folder: String, reason: String },
    #[error("cannot write the demo apps' secrets to {path}: {reason}")]
    Secrets { path: String, reason: String },
}

/// Registers every demo app (once) and releases its example folder unless the release already
/// has exactly those contents; new secrets are added to `secrets_file`.
pub async fn seed(
    platform: &Platform,
    store: &PackageStore,
    examples: &Path,
    secrets_file: Option<&Path>,
) -> Result<(), DemoError> {
    platform.ensure_org(DEMO_ORG, "Capsule Demo").await?;
    let mut secrets: Map<String, Json_> = secrets_file
        .and_then(|file| std::fs::read_to_string(file).ok())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let mut added = false;
    for demo in DEMO_APPS {
        let settings = AppSettings {
            name: demo.name.into(),
            icon: capsule_platform::icons::icon_url(&capsule_package::sha256_hex(demo.icon)),
            description: demo.description.into(),
            category: demo.category.into(),
            keywords: demo.keywords.iter().map(|k| k.to_string()).collect(),
            request_domains: Vec::new(),
            notify_url: String::new(),
            allow_mount: true,
        };
        if let Some(created) = platform.seed_app(DEMO_ORG, demo.appid, settings).await? {
            secrets.insert(
                demo.appid.into(),
                serde_json::json!({ "secret": created.secret, "payment_salt": created.app.payment_salt }),
            );
            added = true;
            platform.seed_order_sync(demo.appid, demo.order_sync).await?;
        }
        // The icon file goes to the store on every start (the store may be new, or the icon changed).
        platform.seed_app_icon(demo.appid, store, demo.icon).await?;
        release_example(platform, store, &examples.join(demo.folder), demo.appid).await?;
    }
    seed_videos(platform).await?;
    if added && let Some(file) = secrets_file {
        let text = serde_json::to_string_pretty(&secrets).unwrap_or_default();
        std::fs::write(file, text)
            .map_err(|e| DemoError::Secrets { path: file.display().to_string(), reason: e.to_string() })?;
    }
    Ok(())
}

/// Points every demo app at the example merchant backend serving at `origin`
/// (`http://127.0.0.1:port`): their only request domain and their ext config's `api`.
pub async fn connect_backend(platform: &Platform, origin: &str) -> Result<(), DemoError> {
    for demo in DEMO_APPS {
        platform.seed_app_backend(demo.appid, origin).await?;
    }
    Ok(())
}

/// The promotional videos (files built into the host), four carrying an anchor: one opens a
/// film's page with its query, as a creator's anchor to one product or show would.
/// Their times are fixed and old, so anything posted later comes first in the feed.
async fn seed_videos(platform: &Platform) -> Result<(), DemoError> {
    let videos = [
        (
            "v1",
            "@capsule.shop",
            "New season mugs and spring tea are in #shopping",
            "shop-promo.mp4",
            Some(("tt0000000000shop", "pages/index/index", "", "Shop the look")),
        ),
        (
            "v2",
            "@cinema.daily",
            "The Grinch is back this weekend, grab your seats",
            "tickets-promo.mp4",
            Some(("tt00000000ticket", "", "", "Buy tickets")),
        ),
        (
            "v5",
            "@puzzle.daily",
            "Can you get to 2048? Top scores this week on the leaderboard",
            "game-promo.mp4",
            Some(("tt00000000game48", "pages/index/index", "", "Play 2048")),
        ),
        (
            "v6",
            "@cinema.daily",
            "Tonight at 19:10: The Grinch. Pick your seats before they go",
            "tickets-promo.mp4",
            Some(("tt00000000ticket", "pages/film/film", "id=f1", "The Grinch: seats")),
        ),
        ("v3", "@walks", "A slow walk through the old town", "city-walk.mp4", None),
        ("v4", "@stargazer", "Patterns in the night sky", "night-sky.mp4", None),
    ];
    for (age, (id, author, caption, file, anchor)) in videos.into_iter().enumerate() {
        let anchor = match anchor {
            Some((appid, path, query, title)) => Some(
                platform
                    .check_anchor(Anchor {
                        appid: appid.into(),
                        path: path.into(),
                        query: query.into(),
                        title: title.into(),
                    })
                    .await?,
            ),
            None => None,
        };
        let video = Video {
            id: id.into(),
            author_id: None,
            author_name: author.into(),
            caption: caption.into(),
            media: VideoMedia::Asset(file.into()),
            content_type: "video/mp4".into(),
            anchor,
            created_at: 1000 - age as i64,
        };
        platform.seed_video(&video).await?;
    }
    Ok(())
}

/// Builds `folder` and, unless the release has the same contents, uploads, approves and
/// releases it as the operator.
async fn release_example(
    platform: &Platform,
    store: &PackageStore,
    folder: &Path,
    appid: &str,
) -> Result<(), DemoError> {
    let failed = |reason: String| DemoError::App { folder: folder.display().to_string(), reason };
    let dir = folder.to_path_buf();
    let built = tokio::task::spawn_blocking(move || {
        capsule_runtime::build::build_project(&dir, &capsule_package::Limits::default())
    })
    .await
    .map_err(|e| failed(e.to_string()))?
    .map_err(|e| failed(format!("does not build: {e}")))?;
    let hash = built.package_hash;
    if let Some(current) = platform.channel(appid, Channel::Release).await? {
        let released = platform.version(appid, &current.version_id).await?;
        if released.package_hash == hash {
            return Ok(());
        }
    }
    let label = format!("1.0.0-{}", &hash[..12]);
    let existing = platform.versions(Actor::Operator, appid).await?.into_iter().find(|v| v.version == label);
    let version = match existing {
        Some(version) => version,
        None => {
            platform.upload_version(Actor::Operator, store, appid, &label, "The example", built.bytes).await?
        }
    };
    if !version.checks.passed {
        let report = serde_json::to_string(&version.checks).unwrap_or_default();
        return Err(failed(format!("fails the platform's checks: {report}")));
    }
    if version.released_at.is_some() {
        platform.rollback(Actor::Operator, appid, &version.id).await?;
        return Ok(());
    }
    // Walk on from wherever an interrupted start left it.
    let mut status = version.status;
    if matches!(status, VersionStatus::Checked | VersionStatus::Rejected) {
        status = platform.submit_for_review(Actor::Operator, appid, &version.id).await?.status;
    }
    if status == VersionStatus::InReview {
        platform.review(Actor::Operator, appid, &version.id, true, "").await?;
    }
    platform.release(Actor::Operator, appid, &version.id, 100).await?;
    Ok(())
}
