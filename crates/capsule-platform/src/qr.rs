//! QR codes for sharing a mini-program page, as Douyin's `POST /api/apps/qrcode` draws them:
//! PNG (or SVG) of a platform link that opens the app at `page?query` in the named host app,
//! in the caller's colours and size.

use qrcode::{Color, EcLevel, QrCode};
use serde::Deserialize;

use crate::{PlatformError, Result};

/// An RGB colour as the API takes it: `{"r": 0, "g": 0, "b": 0}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub struct Rgb {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

/// What to draw: module colour, background, image width in pixels, and whether to clear the
/// middle for the app's icon (the code then uses the highest error correction, so it still
/// scans with the middle covered).
#[derive(Clone, Copy, Debug)]
pub struct QrStyle {
    pub width: u32,
    pub line_color: Rgb,
    pub background: Rgb,
    pub set_icon: bool,
}

impl Default for QrStyle {
    fn default() -> Self {
        QrStyle {
            width: 430,
            line_color: Rgb { r: 0, g: 0, b: 0 },
            background: Rgb { r: 255, g: 255, b: 255 },
            set_icon: false,
        }
    }
}

/// The host apps a code may name, as Douyin's `appname`.
pub const QR_HOSTS: [&str; 3] = ["douyin", "toutiao", "all"];

/// Douyin's width range for codes.
pub const QR_WIDTHS: std::ops::RangeInclusive<u32> = 280..=1280;

/// The modules of the code for `text`, dark = true, with a quiet zone of four modules.
fn modules(text: &str, set_icon: bool) -> Result<(usize, Vec<bool>)> {
    let level = if set_icon { EcLevel::H } else { EcLevel::M };
    let code = QrCode::with_error_correction_level(text.as_bytes(), level)
        .map_err(|e| PlatformError::Invalid(format!("the link does not fit in a QR code: {e}")))?;
    let size = code.width();
    let quiet = 4;
    let full = size + 2 * quiet;
    let colors = code.to_colors();
    let mut dark = vec![false; full * full];
    for y in 0..size {
        for x in 0..size {
            dark[(y + quiet) * full + x + quiet] = colors[y * size + x] == Color::Dark;
        }
    }
    if set_icon {
        // Clear the middle fifth (well under the 30% level H recovers) for the icon plate.
        let plate = size / 5;
        let start = quiet + (size - plate) / 2;
        for y in start..start + plate {
            for x in start..start + plate {
                dark[y * full + x] = false;
            }
        }
    }
    Ok((full, dark))
}

/// The code for `text` as a PNG `style.width` pixels square.
pub fn qr_png(text: &str, style: &QrStyle) -> Result<Vec<u8>> {
    if !QR_WIDTHS.contains(&style.width) {
        return Err(PlatformError::Invalid(format!(
            "width: {} to {} pixels",
            QR_WIDTHS.start(),
            QR_WIDTHS.end()
        )));
    }
    let (full, dark) = modules(text, style.set_icon)?;
    let side = style.width as usize;
    let mut pixels = Vec::with_capacity(side * side * 3);
    for y in 0..side {
        for x in 0..side {
            let module = (y * full / side) * full + x * full / side;
            let color = if dark[module] { style.line_color } else { style.background };
            pixels.extend_from_slice(&[color.r, color.g, color.b]);
        }
    }
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, style.width, style.width);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let failed = |e: png::EncodingError| PlatformError::Invalid(format!("encoding the PNG: {e}"));
        let mut writer = encoder.write_header().map_err(failed)?;
        writer.write_image_data(&pixels).map_err(failed)?;
    }
    Ok(png)
}

/// The code for `text` as SVG, scalable, in the same colours.
pub fn qr_svg(text: &str, style: &QrStyle) -> Result<String> {
    let (full, dark) = modules(text, style.set_icon)?;
    let hex = |c: Rgb| format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b);
    let mut path = String::new();
    for (index, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
        path.push_str(&format!("M{} {}h1v1h-1z", index % full, index / full));
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {full} {full}\" width=\"{w}\" height=\"{w}\" \
         shape-rendering=\"crispEdges\"><rect width=\"{full}\" height=\"{full}\" fill=\"{bg}\"/>\
         <path fill=\"{fg}\" d=\"{path}\"/></svg>",
        w = style.width,
        bg = hex(style.background),
        fg = hex(style.line_color),
    ))
}

/// The text of the first QR code found in a picture given as one luminance byte per pixel,
/// row by row (`luma.len() == width * height`).
pub fn decode_luma(width: usize, height: usize, luma: &[u8]) -> Option<String> {
    if width.checked_mul(height) != Some(luma.len()) {
        return None;
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| luma[y * width + x]);
    image.detect_grids().into_iter().find_map(|grid| grid.decode().ok().map(|(_, text)| text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The code for `text` as luminance, `scale` pixels per module.
    fn luma_of(text: &str, set_icon: bool, scale: usize) -> (usize, Vec<u8>) {
        let (full, dark) = modules(text, set_icon).unwrap();
        let side = full * scale;
        let luma = (0..side * side)
            .map(|i| if dark[(i / side / scale) * full + (i % side) / scale] { 0 } else { 255 });
        (side, luma.collect())
    }

    #[test]
    fn codes_read_back_with_and_without_the_icon_plate() {
        let link = "https://capsule.test/s/tt1?host=douyin&path=pages%2Fa%2Fa&query=id%3D7";
        for set_icon in [false, true] {
            let (side, luma) = luma_of(link, set_icon, 4);
            assert_eq!(decode_luma(side, side, &luma).as_deref(), Some(link), "set_icon {set_icon}");
        }
    }

    #[test]
    fn pictures_without_a_code_or_of_the_wrong_size_read_as_none() {
        assert_eq!(decode_luma(64, 64, &[255; 64 * 64]), None);
        assert_eq!(decode_luma(64, 64, &[255; 10]), None);
        assert_eq!(decode_luma(usize::MAX, 2, &[]), None);
    }
}
