//! QR codes for sharing a mini-program page, as Douyin's `POST /api/apps/qrcode` draws them:
//! PNG (or SVG) of a platform link that opens the app at `page?query` in the named host app,
//! in the caller's colours and size, with the app's icon in the middle when asked.

use base64::Engine as _;
use qrcode::{Color, EcLevel, QrCode};
use serde::Deserialize;

use crate::icons::IconImage;
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
/// scans with the middle covered); the icon is drawn there when the app uploaded one.
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

/// A code's modules, dark = true, with a quiet zone of four modules, `full` a side; `plate` is
/// the square left clear for the icon (first module and side), when asked for.
struct Modules {
    full: usize,
    dark: Vec<bool>,
    plate: Option<(usize, usize)>,
}

fn modules(text: &str, set_icon: bool) -> Result<Modules> {
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
    let mut plate = None;
    if set_icon {
        // Clear the middle fifth (well under the 30% level H recovers) for the icon plate.
        let side = size / 5;
        let start = quiet + (size - side) / 2;
        for y in start..start + side {
            for x in start..start + side {
                dark[y * full + x] = false;
            }
        }
        plate = Some((start, side));
    }
    Ok(Modules { full, dark, plate })
}

/// Draws `over` onto `under` with `over`'s alpha.
fn blend(under: Rgb, over: [u8; 4]) -> [u8; 3] {
    let mix = |a: u8, b: u8| ((b as u32 * over[3] as u32 + a as u32 * (255 - over[3] as u32)) / 255) as u8;
    [mix(under.r, over[0]), mix(under.g, over[1]), mix(under.b, over[2])]
}

/// The code for `text` as a PNG `style.width` pixels square, `icon` inside its plate.
pub fn qr_png(text: &str, style: &QrStyle, icon: Option<&IconImage>) -> Result<Vec<u8>> {
    if !QR_WIDTHS.contains(&style.width) {
        return Err(PlatformError::Invalid(format!(
            "width: {} to {} pixels",
            QR_WIDTHS.start(),
            QR_WIDTHS.end()
        )));
    }
    let Modules { full, dark, plate } = modules(text, style.set_icon)?;
    let side = style.width as usize;
    let mut pixels = Vec::with_capacity(side * side * 3);
    for y in 0..side {
        for x in 0..side {
            let module = (y * full / side) * full + x * full / side;
            let color = if dark[module] { style.line_color } else { style.background };
            pixels.extend_from_slice(&[color.r, color.g, color.b]);
        }
    }
    if let (Some((start, length)), Some(icon)) = (plate, icon) {
        // The icon sits in the plate with half a module of background around it.
        let margin = side / full / 2;
        let from = start * side / full + margin;
        let to = (start + length) * side / full - margin;
        let inner = (to - from) as u32;
        for y in from..to {
            for x in from..to {
                let over = icon.sample(inner, (x - from) as u32, (y - from) as u32);
                let at = (y * side + x) * 3;
                pixels[at..at + 3].copy_from_slice(&blend(style.background, over));
            }
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

/// The code for `text` as SVG, scalable, in the same colours, `icon` embedded in its plate.
pub fn qr_svg(text: &str, style: &QrStyle, icon: Option<&IconImage>) -> Result<String> {
    let Modules { full, dark, plate } = modules(text, style.set_icon)?;
    let hex = |c: Rgb| format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b);
    let mut path = String::new();
    for (index, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
        path.push_str(&format!("M{} {}h1v1h-1z", index % full, index / full));
    }
    let image = match (plate, icon) {
        (Some((start, length)), Some(icon)) => format!(
            "<image x=\"{at}\" y=\"{at}\" width=\"{side}\" height=\"{side}\" href=\"data:image/png;base64,{data}\"/>",
            at = start as f32 + 0.5,
            side = length as f32 - 1.0,
            data = base64::engine::general_purpose::STANDARD.encode(&icon.png),
        ),
        _ => String::new(),
    };
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {full} {full}\" width=\"{w}\" height=\"{w}\" \
         shape-rendering=\"crispEdges\"><rect width=\"{full}\" height=\"{full}\" fill=\"{bg}\"/>\
         <path fill=\"{fg}\" d=\"{path}\"/>{image}</svg>",
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
        let Modules { full, dark, .. } = modules(text, set_icon).unwrap();
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

    /// A PNG decoded to RGB, and its side.
    fn rgb_of(png_bytes: &[u8]) -> (usize, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes)).read_info().unwrap();
        let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buffer).unwrap();
        (frame.width as usize, buffer)
    }

    #[test]
    fn the_icon_is_drawn_in_the_middle_and_the_code_still_reads() {
        let link = "https://capsule.test/s/tt0000000000shop?host=all&path=pages%2Findex%2Findex";
        let icon =
            IconImage::decode_png(&crate::icons::tests::png_of(64, 64, png::ColorType::Rgb, &[200, 30, 40]))
                .unwrap();
        let style = QrStyle { set_icon: true, ..QrStyle::default() };
        let (side, rgb) = rgb_of(&qr_png(link, &style, Some(&icon)).unwrap());
        let middle = (side / 2 * side + side / 2) * 3;
        assert_eq!(&rgb[middle..middle + 3], &[200, 30, 40]);
        let luma: Vec<u8> =
            rgb.chunks_exact(3).map(|p| ((p[0] as u32 + p[1] as u32 + p[2] as u32) / 3) as u8).collect();
        assert_eq!(decode_luma(side, side, &luma).as_deref(), Some(link));
        // Without set_icon the icon is not drawn.
        let (_, plain) = rgb_of(&qr_png(link, &QrStyle::default(), Some(&icon)).unwrap());
        assert!(plain.chunks_exact(3).all(|p| p[0] == p[1]), "only black and white");
        let svg = qr_svg(link, &style, Some(&icon)).unwrap();
        assert!(svg.contains("<image") && svg.contains("data:image/png;base64,iVBORw0KGgo"), "{svg}");
    }

    #[test]
    fn pictures_without_a_code_or_of_the_wrong_size_read_as_none() {
        assert_eq!(decode_luma(64, 64, &[255; 64 * 64]), None);
        assert_eq!(decode_luma(64, 64, &[255; 10]), None);
        assert_eq!(decode_luma(usize::MAX, 2, &[]), None);
    }
}
