//! Writes the demo frames of `assets/frames/`: CCCD-like cards of the shipped test identities
//! (their QR payloads agree with their software chips) at webcam sizes from 640×480 to
//! 1920×1080, from clean to moderately degraded, as small JPEGs (sensor noise is kept low:
//! it is what makes JPEGs large; the benchmark corpus has the heavy degradations); and
//! portrait frames composed from the public-domain test portrait (`tests/data/`): one that
//! passes every check, one too far, one too dark.
//!
//! `cargo run -p capture --features synth --example make_demo_frames -- [OUTPUT_FOLDER]`

use std::path::PathBuf;

use capture::synth::{
    FaceInPhoto, Rng, Scene, Sitter, encode_jpeg, portrait_frame, render_card, render_frame,
};
use cardsim::identity::{BUILTIN, EDGE_CASES, Identity};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let output = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("assets/frames/qr"), PathBuf::from);
    std::fs::create_dir_all(&output)?;
    let names = BUILTIN.iter().chain(EDGE_CASES.iter());
    let identities: Vec<(String, Identity)> = names
        .filter_map(|name| Identity::builtin(name).map(|identity| (name.to_string(), identity)))
        .collect();
    let sizes = [(640, 480), (1280, 720), (1920, 1080)];
    let full_hd_for = 1;
    let mut rng = Rng::new(2026);
    let mut total = 0;
    for (index, (name, identity)) in identities.iter().enumerate() {
        for (step, (width, height)) in sizes.iter().enumerate() {
            if step == 2 && index >= full_hd_for {
                continue;
            }
            let scene = if step == 0 {
                Scene {
                    card_fraction: 0.8,
                    ..Scene::clean(*width, *height)
                }
            } else {
                let mut scene = Scene::random(*width, *height, &mut rng);
                scene.card_fraction = scene.card_fraction.max(0.5);
                scene.blur = scene.blur.min(1.0);
                scene.glare = 0.0;
                scene.noise = scene.noise.min(2.0);
                scene
            };
            let card_width = ((f64::from(*width) * scene.card_fraction * 1.3) as u32).max(400);
            let card = render_card(&identity.qr_payload(), card_width, &mut rng)?;
            let frame = render_frame(&card, &scene, &mut rng);
            let bytes = encode_jpeg(&frame, 70)?;
            let path = output.join(format!("{index}{step}-{name}-{width}x{height}.jpg"));
            std::fs::write(&path, &bytes)?;
            total += bytes.len();
            println!("{} {} bytes", path.display(), bytes.len());
        }
    }
    let portraits = output.with_file_name("portrait");
    std::fs::create_dir_all(&portraits)?;
    let photo = image::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/face-eileen-collins-nasa.jpg"
    ))?
    .into_rgb8();
    let face = FaceInPhoto {
        centre_x: 0.432,
        centre_y: 0.227,
        height: 0.197,
    };
    let centred = Sitter {
        face_x: 0.5,
        face_y: 0.45,
        face_height: 0.35,
    };
    let clean = Scene {
        noise: 0.0,
        ..Scene::clean(960, 540)
    };
    for (name, sitter, scene) in [
        ("0-ok", centred, clean.clone()),
        (
            "1-move-closer",
            Sitter {
                face_height: 0.14,
                ..centred
            },
            clean.clone(),
        ),
        (
            "2-more-light",
            centred,
            Scene {
                gain: 0.3,
                ..clean.clone()
            },
        ),
    ] {
        let frame = portrait_frame(&photo, face, &[sitter], &scene, &mut rng);
        let bytes = encode_jpeg(&frame, 70)?;
        let path = portraits.join(format!("{name}-960x540.jpg"));
        std::fs::write(&path, &bytes)?;
        total += bytes.len();
        println!("{} {} bytes", path.display(), bytes.len());
    }
    println!("{total} bytes in all");
    Ok(())
}
