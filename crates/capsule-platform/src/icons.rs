//! App icons uploaded as PNG: checked and decoded, kept content-addressed in the store under
//! `icons/`, named in the app's settings by their platform URL `/icons/{sha256}.png`, and
//! drawn into the middle of the app's QR codes.

use crate::accounts::{Role, User};
use crate::apps::App;
use crate::store::{ObjectKind, PackageStore};
use crate::{Platform, PlatformError, Result};

/// The largest icon file taken.
pub const MAX_ICON_BYTES: usize = 256 * 1024;

/// Icon sides taken, in pixels.
pub const ICON_SIDES: std::ops::RangeInclusive<u32> = 16..=1024;

const URL_PREFIX: &str = "/icons/";
const URL_SUFFIX: &str = ".png";

/// A decoded icon: RGBA, eight bits a channel, row by row; `png` is the file it came from.
#[derive(Clone, Debug)]
pub struct IconImage {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
    pub png: Vec<u8>,
}

impl IconImage {
    /// Decodes a PNG icon, refusing what is not a PNG, too large or of an odd size.
    pub fn decode_png(bytes: &[u8]) -> Result<IconImage> {
        if bytes.len() > MAX_ICON_BYTES {
            return Err(PlatformError::Invalid(format!(
                "the icon is {} KiB; at most {} KiB",
                bytes.len().div_ceil(1024),
                MAX_ICON_BYTES / 1024
            )));
        }
        let not_png = |e: png::DecodingError| PlatformError::Invalid(format!("the icon is not a PNG: {e}"));
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().map_err(not_png)?;
        let (width, height) = (reader.info().width, reader.info().height);
        if !ICON_SIDES.contains(&width) || !ICON_SIDES.contains(&height) {
            return Err(PlatformError::Invalid(format!(
                "the icon is {width}×{height}; each side {} to {} pixels",
                ICON_SIDES.start(),
                ICON_SIDES.end()
            )));
        }
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| PlatformError::Invalid("the icon is too large".into()))?;
        let mut buffer = vec![0; size];
        let frame = reader.next_frame(&mut buffer).map_err(not_png)?;
        buffer.truncate(frame.buffer_size());
        let rgba = match frame.color_type {
            png::ColorType::Rgba => buffer,
            png::ColorType::Rgb => buffer.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
            png::ColorType::GrayscaleAlpha => {
                buffer.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0], p[1]]).collect()
            }
            png::ColorType::Grayscale => buffer.iter().flat_map(|&g| [g, g, g, 255]).collect(),
            png::ColorType::Indexed => {
                return Err(PlatformError::Invalid("the icon's palette could not be expanded".into()));
            }
        };
        Ok(IconImage { width, height, rgba, png: bytes.to_vec() })
    }

    /// The colour at `(x, y)` averaged over the source pixels under a target pixel of a
    /// `side`-pixel square, alpha included (box filter; nearest pixel when enlarging).
    pub fn sample(&self, side: u32, x: u32, y: u32) -> [u8; 4] {
        let span = |position: u32, extent: u32| {
            let start = position as u64 * extent as u64 / side as u64;
            let end = ((position as u64 + 1) * extent as u64).div_ceil(side as u64).max(start + 1);
            (start as u32)..(end.min(extent as u64) as u32)
        };
        let (xs, ys) = (span(x, self.width), span(y, self.height));
        let mut sum = [0u64; 4];
        let mut count = 0u64;
        for sy in ys {
            for sx in xs.clone() {
                let at = (sy as usize * self.width as usize + sx as usize) * 4;
                for (total, value) in sum.iter_mut().zip(&self.rgba[at..at + 4]) {
                    *total += *value as u64;
                }
                count += 1;
            }
        }
        sum.map(|total| (total / count.max(1)) as u8)
    }
}

/// The platform URL of the stored icon `sha256`.
pub fn icon_url(sha256: &str) -> String {
    format!("{URL_PREFIX}{sha256}{URL_SUFFIX}")
}

/// The SHA-256 of a stored icon an app's `icon` setting names, if it names one.
pub fn stored_icon(icon: &str) -> Option<&str> {
    icon.strip_prefix(URL_PREFIX)?.strip_suffix(URL_SUFFIX).filter(|sha| {
        sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    })
}

impl Platform {
    /// Makes the PNG `bytes` the app's icon; owners and developers may.
    pub async fn set_app_icon(
        &self,
        actor: &User,
        appid: &str,
        store: &PackageStore,
        bytes: &[u8],
    ) -> Result<App> {
        let app = self.app(appid).await?;
        self.require_role(actor, &app.org_id, &[Role::Owner, Role::Developer]).await?;
        self.store_icon(app, store, bytes).await
    }

    /// Makes the PNG `bytes` the app's icon, with no actor: for seeding the demo.
    pub async fn seed_app_icon(&self, appid: &str, store: &PackageStore, bytes: &[u8]) -> Result<App> {
        self.store_icon(self.app(appid).await?, store, bytes).await
    }

    async fn store_icon(&self, mut app: App, store: &PackageStore, bytes: &[u8]) -> Result<App> {
        IconImage::decode_png(bytes)?;
        let sha256 = store.put_object(ObjectKind::Icon, bytes).await?;
        if app.settings.icon == icon_url(&sha256) {
            return Ok(app);
        }
        app.settings.icon = icon_url(&sha256);
        sqlx::query("UPDATE apps SET icon = $1, updated_at = $2 WHERE appid = $3")
            .bind(&app.settings.icon)
            .bind(self.now())
            .bind(&app.appid)
            .execute(self.db.pool())
            .await?;
        Ok(app)
    }

    /// The app's icon as an image, when its icon is one it uploaded (not an emoji or a link).
    pub async fn icon_image(&self, app: &App, store: &PackageStore) -> Result<Option<IconImage>> {
        let Some(sha256) = stored_icon(&app.settings.icon) else { return Ok(None) };
        let bytes = store.get_object(ObjectKind::Icon, sha256).await?;
        IconImage::decode_png(&bytes).map(Some)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A PNG of `width`×`height` in one colour with the given colour type.
    pub(crate) fn png_of(width: u32, height: u32, color: png::ColorType, pixel: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&pixel.repeat((width * height) as usize)).unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn icons_of_every_colour_type_decode_to_rgba() {
        let rgb = IconImage::decode_png(&png_of(32, 32, png::ColorType::Rgb, &[10, 20, 30])).unwrap();
        assert_eq!((rgb.width, rgb.height, &rgb.rgba[..4]), (32, 32, &[10, 20, 30, 255][..]));
        let grey =
            IconImage::decode_png(&png_of(16, 20, png::ColorType::GrayscaleAlpha, &[90, 128])).unwrap();
        assert_eq!(&grey.rgba[..4], &[90, 90, 90, 128]);
        assert_eq!(grey.rgba.len(), 16 * 20 * 4);
    }

    #[test]
    fn bad_icons_are_refused_clearly() {
        let message = |bytes: &[u8]| IconImage::decode_png(bytes).unwrap_err().to_string();
        assert!(message(b"GIF89a").contains("not a PNG"), "{}", message(b"GIF89a"));
        assert!(message(&png_of(8, 8, png::ColorType::Rgb, &[0, 0, 0])).contains("16 to 1024"));
        assert!(message(&vec![0; MAX_ICON_BYTES + 1]).contains("at most 256 KiB"));
    }

    #[test]
    fn sampling_averages_when_shrinking_and_repeats_when_enlarging() {
        let mut icon = IconImage::decode_png(&png_of(16, 16, png::ColorType::Rgb, &[0, 0, 0])).unwrap();
        // Make the left half white.
        for (index, pixel) in icon.rgba.chunks_exact_mut(4).enumerate() {
            if index % 16 < 8 {
                pixel.copy_from_slice(&[255, 255, 255, 255]);
            }
        }
        assert_eq!(icon.sample(1, 0, 0), [127, 127, 127, 255]);
        assert_eq!(icon.sample(64, 0, 63), [255, 255, 255, 255]);
        assert_eq!(icon.sample(64, 63, 0), [0, 0, 0, 255]);
    }

    #[test]
    fn only_platform_icon_urls_name_stored_icons() {
        let sha = "ab".repeat(32);
        assert_eq!(stored_icon(&icon_url(&sha)), Some(sha.as_str()));
        assert_eq!(stored_icon("🛍️"), None);
        assert_eq!(stored_icon("https://example.com/icon.png"), None);
        assert_eq!(stored_icon("/icons/../../etc/passwd.png"), None);
    }
}
