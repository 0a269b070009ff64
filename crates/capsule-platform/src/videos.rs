//! Short videos host users post, each maybe carrying a mini-program anchor (the app, the page
//! and query it opens at, and a title), allowed only when the app lets creators mount it and
//! only on a page its release has; and who opened which mini-program, for the entrance's
//! "recently used" (per person) and "popular" lists.

use serde::Serialize;

use crate::accounts::User;
use crate::store::{ObjectKind, PackageStore};
use crate::{Platform, PlatformError, Result, random_hex};

/// The largest video a host user may post.
pub const MAX_VIDEO_BYTES: usize = 50 << 20;
/// Douyin keeps anchor titles short; so do we.
pub const MAX_ANCHOR_TITLE_CHARS: usize = 20;
const MAX_CAPTION_CHARS: usize = 300;

/// Where a mounted mini-program opens.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Anchor {
    pub appid: String,
    /// A page of the app (`pages/item/item`), empty for its entry page.
    pub path: String,
    pub query: String,
    pub title: String,
}

/// Where a video's bytes are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
pub enum VideoMedia {
    /// A file built into the host (the demo's promotions).
    Asset(String),
    /// An upload in the object store, by SHA-256.
    Stored(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Video {
    pub id: String,
    pub author_id: Option<String>,
    pub author_name: String,
    pub caption: String,
    pub media: VideoMedia,
    pub content_type: String,
    pub anchor: Option<Anchor>,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct VideoRow {
    id: String,
    author_id: Option<String>,
    author_name: String,
    caption: String,
    media: String,
    content_type: String,
    anchor_appid: Option<String>,
    anchor_path: String,
    anchor_query: String,
    anchor_title: String,
    created_at: i64,
}

impl From<VideoRow> for Video {
    fn from(row: VideoRow) -> Video {
        let media = match row.media.split_once(':') {
            Some(("store", sha)) => VideoMedia::Stored(sha.to_string()),
            Some((_, name)) => VideoMedia::Asset(name.to_string()),
            None => VideoMedia::Asset(row.media),
        };
        let anchor = row.anchor_appid.map(|appid| Anchor {
            appid,
            path: row.anchor_path,
            query: row.anchor_query,
            title: row.anchor_title,
        });
        Video {
            id: row.id,
            author_id: row.author_id,
            author_name: row.author_name,
            caption: row.caption,
            media,
            content_type: row.content_type,
            anchor,
            created_at: row.created_at,
        }
    }
}

const VIDEO_COLUMNS: &str = "id, author_id, author_name, caption, media, content_type, anchor_appid, \
                             anchor_path, anchor_query, anchor_title, created_at";

/// The container of a video file from its first bytes: MP4 (an `ftyp` box) or WebM (EBML).
pub fn video_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        Some("video/mp4")
    } else if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some("video/webm")
    } else {
        None
    }
}

fn invalid(message: impl Into<String>) -> PlatformError {
    PlatformError::Invalid(message.into())
}

impl Anchor {
    /// Trims what was typed and checks its shape; [`Platform::check_anchor`] checks the app.
    fn tidied(mut self) -> Result<Anchor> {
        self.appid = self.appid.trim().to_string();
        self.path = self.path.trim().trim_start_matches('/').to_string();
        self.query = self.query.trim().trim_start_matches('?').to_string();
        self.title = self.title.trim().to_string();
        let title_chars = self.title.chars().count();
        if title_chars == 0 || title_chars > MAX_ANCHOR_TITLE_CHARS {
            return Err(invalid(format!("anchor title: 1 to {MAX_ANCHOR_TITLE_CHARS} characters")));
        }
        if self.path.len() > 256 || self.path.contains("..") || self.path.contains("://") {
            return Err(invalid("anchor path: a page of the mini-program, at most 256 characters"));
        }
        if self.query.len() > 512 {
            return Err(invalid("anchor query: at most 512 characters"));
        }
        Ok(self)
    }
}

impl Platform {
    /// Checks that `anchor` may be mounted: the app is published, lets creators mount it,
    /// and its release has the page.
    pub async fn check_anchor(&self, anchor: Anchor) -> Result<Anchor> {
        let anchor = anchor.tidied()?;
        let app = self.app(&anchor.appid).await?;
        if !app.settings.allow_mount {
            return Err(PlatformError::Forbidden(format!(
                "{} does not allow mounting on videos",
                app.settings.name
            )));
        }
        let release = self
            .channel(&anchor.appid, crate::Channel::Release)
            .await?
            .ok_or_else(|| invalid(format!("{} is not published", app.settings.name)))?;
        let version = self.version(&anchor.appid, &release.version_id).await?;
        let routes: Vec<&str> = version.checks.pages.iter().map(|page| page.route.as_str()).collect();
        if !anchor.path.is_empty() && !routes.contains(&anchor.path.as_str()) {
            return Err(invalid(format!(
                "anchor path: {} has no page {:?} (its pages: {})",
                app.settings.name,
                anchor.path,
                routes.join(", ")
            )));
        }
        Ok(anchor)
    }

    /// Posts a video by `author`: the bytes go to `store`; the anchor, when there is one, must
    /// pass [`Platform::check_anchor`].
    pub async fn post_video(
        &self,
        author: &User,
        store: &PackageStore,
        caption: &str,
        bytes: &[u8],
        anchor: Option<Anchor>,
    ) -> Result<Video> {
        let caption = caption.trim();
        if caption.chars().count() > MAX_CAPTION_CHARS {
            return Err(invalid(format!("caption: at most {MAX_CAPTION_CHARS} characters")));
        }
        if bytes.len() > MAX_VIDEO_BYTES {
            return Err(invalid(format!("the video is larger than {} MiB", MAX_VIDEO_BYTES >> 20)));
        }
        let content_type =
            video_type(bytes).ok_or_else(|| invalid("the file is not an MP4 or WebM video"))?;
        let anchor = match anchor {
            Some(anchor) => Some(self.check_anchor(anchor).await?),
            None => None,
        };
        // Checked before storing, so a refused post leaves nothing behind.
        let sha = store.put_object(ObjectKind::Video, bytes).await?;
        let video = Video {
            id: format!("v-{}", random_hex(8)),
            author_id: Some(author.id.clone()),
            author_name: format!("@{}", author.username),
            caption: caption.to_string(),
            media: VideoMedia::Stored(sha),
            content_type: content_type.to_string(),
            anchor,
            created_at: self.now(),
        };
        self.insert_video(&video).await?;
        Ok(video)
    }

    /// Adds one of the platform's own videos (a built-in file) unless `id` exists.
    pub async fn seed_video(&self, video: &Video) -> Result<()> {
        self.insert_video(video).await
    }

    async fn insert_video(&self, video: &Video) -> Result<()> {
        let media = match &video.media {
            VideoMedia::Asset(name) => format!("asset:{name}"),
            VideoMedia::Stored(sha) => format!("store:{sha}"),
        };
        let anchor = video.anchor.clone().unwrap_or_default();
        sqlx::query(
            "INSERT INTO videos (id, author_id, author_name, caption, media, content_type, anchor_appid, \
             anchor_path, anchor_query, anchor_title, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&video.id)
        .bind(video.author_id.as_deref())
        .bind(&video.author_name)
        .bind(&video.caption)
        .bind(media)
        .bind(&video.content_type)
        .bind(video.anchor.as_ref().map(|a| a.appid.as_str()))
        .bind(&anchor.path)
        .bind(&anchor.query)
        .bind(&anchor.title)
        .bind(video.created_at)
        .execute(self.db.pool())
        .await?;
        self.index_video(video)
    }

    /// The newest videos first.
    pub async fn videos(&self, limit: i64) -> Result<Vec<Video>> {
        let rows: Vec<VideoRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {VIDEO_COLUMNS} FROM videos ORDER BY created_at DESC, id LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows.into_iter().map(Video::from).collect())
    }

    pub async fn video(&self, id: &str) -> Result<Video> {
        let row: Option<VideoRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {VIDEO_COLUMNS} FROM videos WHERE id = $1")))
                .bind(id)
                .fetch_optional(self.db.pool())
                .await?;
        row.map(Video::from).ok_or_else(|| PlatformError::NotFound(format!("no video {id}")))
    }

    /// Notes that `visitor` (a user id, or `device:ID`) opened `appid`.
    pub async fn record_open(&self, appid: &str, visitor: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO app_opens (appid, visitor, opens, last_opened_at) VALUES ($1, $2, 1, $3) \
             ON CONFLICT (appid, visitor) DO UPDATE SET opens = app_opens.opens + 1, last_opened_at = $3",
        )
        .bind(appid)
        .bind(visitor)
        .bind(self.now())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// The apps `visitor` opened, most recent first.
    pub async fn recent_apps(&self, visitor: &str, limit: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT appid FROM app_opens WHERE visitor = $1 ORDER BY last_opened_at DESC, appid LIMIT $2",
        )
        .bind(visitor)
        .bind(limit)
        .fetch_all(self.db.pool())
        .await?)
    }

    /// Apps by how many people opened them, most first, with that number.
    pub async fn popular_apps(&self, limit: i64) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT appid, COUNT(*) AS people FROM app_opens GROUP BY appid ORDER BY people DESC, appid LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.db.pool())
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_containers_are_recognised_by_their_first_bytes() {
        let mut mp4 = vec![0, 0, 0, 0x18];
        mp4.extend_from_slice(b"ftypisom\0\0\0\0");
        assert_eq!(video_type(&mp4), Some("video/mp4"));
        assert_eq!(video_type(&[0x1A, 0x45, 0xDF, 0xA3, 1, 2]), Some("video/webm"));
        assert_eq!(video_type(b"<html>not a video</html>"), None);
        assert_eq!(video_type(b""), None);
    }

    #[test]
    fn anchors_are_tidied_and_bounded() {
        let anchor = |title: &str, path: &str| Anchor {
            appid: " tt1 ".into(),
            path: path.into(),
            query: "?id=1".into(),
            title: title.into(),
        };
        let tidy = anchor(" Buy ", "/pages/a/a").tidied().unwrap();
        assert_eq!(
            (tidy.appid.as_str(), tidy.path.as_str(), tidy.query.as_str()),
            ("tt1", "pages/a/a", "id=1")
        );
        assert!(anchor("", "pages/a/a").tidied().is_err());
        assert!(anchor(&"x".repeat(21), "pages/a/a").tidied().is_err());
        assert!(anchor("Buy", "../etc/passwd").tidied().is_err());
        assert!(anchor("Buy", "https://evil.example/x").tidied().is_err());
    }
}
