//! Face comparison benchmark: builds a labelled set of genuine and impostor pairs from the
//! photos this machine has (the public-domain test portrait and the shipped DG2 portraits made
//! from it, plus the photos `scripts/setup.sh` takes from two PyPI sdists into
//! `.cache/face-test-images`), measures the score distributions of `capture::compare`, and
//! writes `bench/results/face-compare.json` and `bench/results/face-compare.md`.
//!
//! Every photo is rendered as a kiosk would see it: chip-like DG2 JPEGs (360×480 at ~20 KB,
//! 240×320 at quality 50), 1280×720 webcam frames (sensor noise and MJPEG, dark, bright and
//! unevenly lit, blurred, turned ±7°, mirrored like a preview, far). Genuine pairs are two
//! renditions of one person (the same photo, or two different photos of the same person);
//! impostor pairs are renditions of two different people.
//!
//! `cargo run --release -p capture --example compare_bench`

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use capture::compare::{FaceComparer, FaceDescriptor, Photo, THRESHOLD};
use capture::portrait::{FaceBox, Limits, PortraitChecker, crop_icao};
use capture::synth::{FaceInPhoto, Rng, Scene, Sitter, portrait_frame, rotate_about};
use image::RgbImage;
use image::imageops::FilterType;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// One photo of one person, cut around their face.
struct Source {
    identity: String,
    photo: String,
    image: RgbImage,
    face: FaceBox,
}

/// One rendition of a source and its descriptor.
struct Rendition {
    identity: String,
    photo: String,
    variant: &'static str,
    descriptor: FaceDescriptor,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let comparer = FaceComparer::load(Path::new(ROOT).join(".cache/face-models"))?;
    let detector = PortraitChecker::new(Limits::default())?;
    let photos = Path::new(ROOT).join(".cache/face-test-images");
    let mut sources = Vec::new();
    let single: [(&str, PathBuf); 6] = [
        (
            "collins",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/face-eileen-collins-nasa.jpg"),
        ),
        ("obama", photos.join("obama.jpg")),
        ("obama", photos.join("obama2.jpg")),
        ("obama", photos.join("obama3.jpg")),
        ("biden", photos.join("biden.jpg")),
        ("hanks", photos.join("Tom_Hanks_54745.png")),
    ];
    for (identity, path) in &single {
        let image = image::open(path)?.into_rgb8();
        let faces = detector.detect(&image);
        let Some(face) = faces.iter().max_by(|a, b| a.height.total_cmp(&b.height)) else {
            println!("{}: no face found, skipped", path.display());
            continue;
        };
        sources.push(around_face(identity, &file_name(path), &image, face));
    }
    let group = image::open(photos.join("t1.jpg"))?.into_rgb8();
    let mut group_faces = detector.detect(&group);
    group_faces.sort_by(|a, b| a.x.total_cmp(&b.x));
    for (i, face) in group_faces.iter().enumerate() {
        sources.push(around_face(&format!("group-{i}"), "t1.jpg", &group, face));
    }
    println!(
        "{} sources, {} faces in the group photo",
        sources.len(),
        group_faces.len()
    );

    let mut renditions = Vec::new();
    let mut missed = Vec::new();
    let mut millis = Vec::new();
    for source in &sources {
        for (variant, image, expected) in render(source) {
            let started = Instant::now();
            match describe_near(&comparer, &detector, &image, expected) {
                Some(descriptor) => {
                    millis.push(started.elapsed().as_secs_f64() * 1000.0);
                    renditions.push(Rendition {
                        identity: source.identity.clone(),
                        photo: source.photo.clone(),
                        variant,
                        descriptor,
                    });
                }
                None => missed.push(format!("{} {} {variant}", source.identity, source.photo)),
            }
        }
    }
    // The shipped DG2 portraits are Collins too: chip renditions made by another path.
    for entry in std::fs::read_dir(Path::new(ROOT).join("assets/identities"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "jpg") {
            let image = image::open(&path)?.into_rgb8();
            if let Ok(descriptor) = comparer.describe(&image, Photo::Chip) {
                renditions.push(Rendition {
                    identity: "collins".into(),
                    photo: file_name(&path),
                    variant: "shipped DG2",
                    descriptor,
                });
            }
        }
    }
    millis.sort_by(f64::total_cmp);
    let median_ms = millis.get(millis.len() / 2).copied().unwrap_or(0.0);

    let (mut genuine, mut cross_photo, mut impostor) = (Vec::new(), Vec::new(), Vec::new());
    let mut worst_genuine: BTreeMap<&str, f64> = BTreeMap::new();
    for (i, a) in renditions.iter().enumerate() {
        for b in renditions.iter().skip(i + 1) {
            let distance = a.descriptor.distance(&b.descriptor);
            if a.identity == b.identity {
                genuine.push(distance);
                if a.photo != b.photo {
                    cross_photo.push(distance);
                }
                for variant in [a.variant, b.variant] {
                    let worst = worst_genuine.entry(variant).or_insert(0.0);
                    *worst = worst.max(distance);
                }
            } else {
                impostor.push(distance);
            }
        }
    }
    for list in [&mut genuine, &mut cross_photo, &mut impostor] {
        list.sort_by(f64::total_cmp);
    }
    let max_genuine = genuine.last().copied().unwrap_or(0.0);
    let min_impostor = impostor.first().copied().unwrap_or(0.0);
    let identities: std::collections::BTreeSet<&str> =
        renditions.iter().map(|r| r.identity.as_str()).collect();
    let rates = |distance_threshold: f64| {
        let frr = genuine.iter().filter(|d| **d > distance_threshold).count() as f64
            / genuine.len().max(1) as f64;
        let far = impostor
            .iter()
            .filter(|d| **d <= distance_threshold)
            .count() as f64
            / impostor.len().max(1) as f64;
        (far, frr)
    };
    let chosen = 1.0 - THRESHOLD;
    let (far, frr) = rates(chosen);
    let mut table = String::from(
        "| score threshold (distance) | FAR (impostors accepted) | FRR (genuine rejected) |\n|---|---|---|\n",
    );
    let mut sweep = Vec::new();
    let mut distances = vec![0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, round(chosen)];
    distances.sort_by(f64::total_cmp);
    distances.dedup();
    for distance in distances {
        let (far, frr) = rates(distance);
        writeln!(
            table,
            "| {:.2} ({distance:.2}){} | {:.2} % | {:.2} % |",
            1.0 - distance,
            if (distance - chosen).abs() < 1e-9 {
                " **chosen**"
            } else {
                ""
            },
            far * 100.0,
            frr * 100.0
        )?;
        sweep.push(serde_json::json!({ "score_threshold": round(1.0 - distance), "distance": distance, "far": far, "frr": frr }));
    }
    let mut worst_table = String::from("| rendition | worst genuine distance |\n|---|---|\n");
    for (variant, worst) in &worst_genuine {
        writeln!(worst_table, "| {variant} | {worst:.3} |")?;
    }
    let pct = |list: &[f64], q: f64| {
        list.get(((list.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .map_or(0.0, round)
    };
    let summary = |list: &[f64]| {
        serde_json::json!({
            "pairs": list.len(),
            "min": pct(list, 0.0), "p50": pct(list, 0.5), "p95": pct(list, 0.95), "max": pct(list, 1.0),
        })
    };
    let document = serde_json::json!({
        "set": "renditions of: the public-domain test portrait (Collins) and the 3 shipped DG2 portraits made from it; obama.jpg, obama2.jpg, obama3.jpg, biden.jpg (face_recognition 1.3.0 sdist); Tom_Hanks_54745.png and the 6-person group photo t1.jpg (insightface 2.1 sdist)",
        "identities": identities.len(),
        "renditions": renditions.len(),
        "renditions_without_a_face": missed,
        "genuine_distance": summary(&genuine),
        "genuine_distance_different_photos": summary(&cross_photo),
        "impostor_distance": summary(&impostor),
        "threshold_score": THRESHOLD,
        "threshold_distance": round(chosen),
        "far_at_threshold": far,
        "frr_at_threshold": frr,
        "sweep": sweep,
        "worst_genuine_distance_by_rendition": worst_genuine.iter().map(|(k, v)| (k.to_string(), round(*v))).collect::<BTreeMap<_, _>>(),
        "median_ms_per_face": round(median_ms),
        "machine": "2 shared cores, release build, reference BLAS, one thread",
    });
    let results = Path::new(ROOT).join("bench/results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(
        results.join("face-compare.json"),
        serde_json::to_string_pretty(&document)? + "\n",
    )?;
    let markdown = format!(
        "# Face comparison benchmark\n\n\
         `cargo run --release -p capture --example compare_bench`: `FaceComparer` (SeetaFace box, dlib 5-point \
         landmarks, dlib ResNet descriptor; score = 1 − distance) on a labelled set built here: {identities} people, \
         {renditions} renditions ({missed} renditions where no face was found are left out), {genuine} genuine pairs \
         ({cross} of them between two different photos of one person, all Obama), {impostor} impostor pairs. \
         Renditions: chip-like DG2 JPEGs (360×480 ~20 KB, 240×320 q50), 1280×720 webcam frames (noise + MJPEG, \
         dark, bright and uneven, blur σ 1.5, turned ±7°, mirrored, far), the original crop.\n\n\
         | pairs | n | min | median | 95th pct | max |\n|---|---|---|---|---|---|\n\
         | genuine distance | {genuine} | {g0} | {g50} | {g95} | {g100} |\n\
         | genuine, different photos | {cross} | {c0} | {c50} | {c95} | {c100} |\n\
         | impostor distance | {impostor} | {i0} | {i50} | {i95} | {i100} |\n\n\
         Chosen score threshold **{THRESHOLD}** (distance {chosen:.2}): FAR {far:.2} %, FRR {frr:.2} % on this set. \
         Median {median_ms:.0} ms per face (detection, landmarks, descriptor).\n\n{table}\n{worst_table}\n\
         Limits: few people (most genuine pairs are renditions of one photo, so they measure robustness to capture \
         conditions more than to ageing, pose or expression; only one person has several photos), the people are \
         not Vietnamese, and the set is far too small to support a FAR below about 1 in {impostor}.\n",
        identities = identities.len(),
        renditions = renditions.len(),
        missed = missed.len(),
        genuine = genuine.len(),
        cross = cross_photo.len(),
        impostor = impostor.len(),
        g0 = pct(&genuine, 0.0),
        g50 = pct(&genuine, 0.5),
        g95 = pct(&genuine, 0.95),
        g100 = pct(&genuine, 1.0),
        c0 = pct(&cross_photo, 0.0),
        c50 = pct(&cross_photo, 0.5),
        c95 = pct(&cross_photo, 0.95),
        c100 = pct(&cross_photo, 1.0),
        i0 = pct(&impostor, 0.0),
        i50 = pct(&impostor, 0.5),
        i95 = pct(&impostor, 0.95),
        i100 = pct(&impostor, 1.0),
        far = far * 100.0,
        frr = frr * 100.0,
    );
    std::fs::write(results.join("face-compare.md"), markdown)?;
    println!(
        "max genuine {max_genuine:.3}, min impostor {min_impostor:.3}; FAR {far} FRR {frr} at {chosen:.2}"
    );
    println!("missed: {missed:?}");
    Ok(())
}

fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The part of `image` around `face` (three face sizes square, clipped), and the face in it.
fn around_face(identity: &str, photo: &str, image: &RgbImage, face: &FaceBox) -> Source {
    let side = 3.0 * face.height;
    let (cx, cy) = (face.x + face.width / 2.0, face.y + face.height / 2.0);
    let left = (cx - side / 2.0).clamp(0.0, f64::from(image.width()) - 1.0);
    let top = (cy - side / 2.0).clamp(0.0, f64::from(image.height()) - 1.0);
    let width = side.min(f64::from(image.width()) - left);
    let height = side.min(f64::from(image.height()) - top);
    let cut =
        image::imageops::crop_imm(image, left as u32, top as u32, width as u32, height as u32)
            .to_image();
    Source {
        identity: identity.into(),
        photo: photo.into(),
        image: cut,
        face: FaceBox {
            x: face.x - left.floor(),
            y: face.y - top.floor(),
            ..*face
        },
    }
}

/// The renditions of a source, each with where its face's centre should be.
fn render(source: &Source) -> Vec<(&'static str, RgbImage, (f64, f64))> {
    let (w, h) = (
        f64::from(source.image.width()),
        f64::from(source.image.height()),
    );
    let face = &source.face;
    let centre = (face.x + face.width / 2.0, face.y + face.height / 2.0);
    let in_photo = FaceInPhoto {
        centre_x: centre.0 / w,
        centre_y: centre.1 / h,
        height: face.height / h,
    };
    let mut out = vec![("original", source.image.clone(), centre)];
    let icao = crop_icao(&source.image, face);
    for (variant, size, quality) in [
        ("chip 360x480 ~20 KB", (360, 480), 0u8),
        ("chip 240x320 q50", (240, 320), 50),
    ] {
        let resized = image::imageops::resize(&icao, size.0, size.1, FilterType::Lanczos3);
        let bytes = if quality == 0 {
            jpeg_under(&resized, 20_000)
        } else {
            jpeg(&resized, quality)
        };
        if let Ok(decoded) = image::load_from_memory(&bytes) {
            out.push((
                variant,
                decoded.into_rgb8(),
                (f64::from(size.0) / 2.0, 0.45 * f64::from(size.1)),
            ));
        }
    }
    let sitter = Sitter {
        face_x: 0.5,
        face_y: 0.45,
        face_height: 0.35,
    };
    let webcam = Scene {
        noise: 5.0,
        jpeg_quality: 75,
        ..Scene::clean(1280, 720)
    };
    let at = (640.0, 0.45 * 720.0);
    let scenes: [(&'static str, Scene); 5] = [
        ("webcam", webcam.clone()),
        (
            "webcam dark",
            Scene {
                gain: 0.45,
                noise: 7.0,
                ..webcam.clone()
            },
        ),
        (
            "webcam bright, uneven",
            Scene {
                gain: 1.25,
                uneven_light: 0.5,
                ..webcam.clone()
            },
        ),
        (
            "webcam blur 1.5",
            Scene {
                blur: 1.5,
                ..webcam.clone()
            },
        ),
        ("webcam far", webcam.clone()),
    ];
    for (i, (variant, scene)) in scenes.iter().enumerate() {
        let sitter = if *variant == "webcam far" {
            Sitter {
                face_height: 0.2,
                ..sitter
            }
        } else {
            sitter
        };
        let frame = portrait_frame(
            &source.image,
            in_photo,
            &[sitter],
            scene,
            &mut Rng::new(i as u64 + 1),
        );
        if i == 0 {
            out.push(("webcam turned +7", rotate_about(&frame, at, 7.0), at));
            out.push(("webcam turned -7", rotate_about(&frame, at, -7.0), at));
            out.push((
                "webcam mirrored",
                image::imageops::flip_horizontal(&frame),
                at,
            ));
        }
        out.push((variant, frame, at));
    }
    out
}

fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut bytes = Vec::new();
    let _ =
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality).encode_image(image);
    bytes
}

fn jpeg_under(image: &RgbImage, budget: usize) -> Vec<u8> {
    (30..=95u8)
        .rev()
        .map(|quality| jpeg(image, quality))
        .find(|bytes| bytes.len() <= budget)
        .unwrap_or_default()
}

/// The descriptor of the face nearest `expected` (within a face's size), if one is found.
fn describe_near(
    comparer: &FaceComparer,
    detector: &PortraitChecker,
    image: &RgbImage,
    expected: (f64, f64),
) -> Option<FaceDescriptor> {
    let face = detector
        .detect(image)
        .into_iter()
        .filter(|f| {
            let (cx, cy) = (f.x + f.width / 2.0, f.y + f.height / 2.0);
            (cx - expected.0).hypot(cy - expected.1) < f.height
        })
        .min_by(|a, b| {
            let d = |f: &FaceBox| {
                (f.x + f.width / 2.0 - expected.0).hypot(f.y + f.height / 2.0 - expected.1)
            };
            d(a).total_cmp(&d(b))
        })?;
    comparer.describe_face(image, &face, Photo::Live).ok()
}
