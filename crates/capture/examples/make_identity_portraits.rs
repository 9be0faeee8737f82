//! Writes the DG2 portraits of the shipped software-card identities
//! (`assets/identities/NAME.jpg`): the public-domain face of `tests/data` (see its README) cut
//! to the ICAO 35:45 portrait, 360×480, one variant per identity (crop, mirror, tone) so no two
//! cards carry the same bytes, each JPEG between 15 and 25 KB like a real CCCD's DG2.
//!
//! `cargo run -p capture --example make_identity_portraits -- [OUTPUT_FOLDER]`

use capture::portrait::{FaceBox, crop_icao};
use image::imageops::FilterType;
use image::{Rgb, RgbImage};

/// Where the face sits in the photo (fractions of its size), as `make_demo_frames` places it.
const FACE_CENTRE: (f64, f64) = (0.432, 0.227);
const FACE_HEIGHT: f64 = 0.197;
const SIZE: (u32, u32) = (360, 480);
const BYTES: std::ops::RangeInclusive<usize> = 15_000..=25_000;

/// One identity's variant of the photo.
struct Variant {
    name: &'static str,
    /// Face box height relative to the photo's face (a tighter or looser crop).
    zoom: f64,
    mirror: bool,
    /// Saturation kept (1 = as is, 0 = grey) and a warm/cool shift of red against blue.
    saturation: f64,
    warmth: f64,
}

const VARIANTS: [Variant; 3] = [
    Variant {
        name: "nguyen-van-a",
        zoom: 1.0,
        mirror: false,
        saturation: 1.0,
        warmth: 0.0,
    },
    Variant {
        name: "tran-thi-bich-ngoc",
        zoom: 0.9,
        mirror: true,
        saturation: 0.85,
        warmth: 10.0,
    },
    Variant {
        name: "le-van-cuong",
        zoom: 1.1,
        mirror: false,
        saturation: 0.2,
        warmth: -6.0,
    },
];

fn tone(image: &mut RgbImage, variant: &Variant) {
    for Rgb([r, g, b]) in image.pixels_mut() {
        let (fr, fg, fb) = (f64::from(*r), f64::from(*g), f64::from(*b));
        let grey = 0.299 * fr + 0.587 * fg + 0.114 * fb;
        let mix = |c: f64| grey + (c - grey) * variant.saturation;
        *r = (mix(fr) + variant.warmth).clamp(0.0, 255.0) as u8;
        *g = mix(fg).clamp(0.0, 255.0) as u8;
        *b = (mix(fb) - variant.warmth).clamp(0.0, 255.0) as u8;
    }
}

/// The highest JPEG quality whose file fits the budget.
fn encode(image: &RgbImage) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    for quality in (40..=95u8).rev() {
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
            .encode_image(image)?;
        if bytes.len() <= *BYTES.end() {
            if bytes.len() < *BYTES.start() {
                return Err(
                    format!("{} bytes at quality {quality}: under budget", bytes.len()).into(),
                );
            }
            return Ok(bytes);
        }
    }
    Err("no quality fits the budget".into())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let output = std::env::args().nth(1).map_or_else(
        || {
            std::path::PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../assets/identities"
            ))
        },
        std::path::PathBuf::from,
    );
    let photo = image::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/face-eileen-collins-nasa.jpg"
    ))?
    .into_rgb8();
    let (w, h) = (f64::from(photo.width()), f64::from(photo.height()));
    for variant in &VARIANTS {
        let height = FACE_HEIGHT * h * variant.zoom;
        let face = FaceBox {
            x: FACE_CENTRE.0 * w - 0.4 * height,
            y: FACE_CENTRE.1 * h - 0.5 * height,
            width: 0.8 * height,
            height,
            score: 1.0,
        };
        let mut portrait = image::imageops::resize(
            &crop_icao(&photo, &face),
            SIZE.0,
            SIZE.1,
            FilterType::Lanczos3,
        );
        if variant.mirror {
            image::imageops::flip_horizontal_in_place(&mut portrait);
        }
        tone(&mut portrait, variant);
        let bytes = encode(&portrait)?;
        let path = output.join(format!("{}.jpg", variant.name));
        std::fs::write(&path, &bytes)?;
        println!("{} {} bytes", path.display(), bytes.len());
    }
    Ok(())
}
