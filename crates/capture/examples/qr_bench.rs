//! QR decoding benchmark on a synthesised corpus of degraded CCCD-like webcam frames: decode
//! rate and milliseconds per frame of our pipeline and of each decoder alone, per frame size.
//! Writes `bench/results/qr.json` and `bench/results/qr.md`.
//!
//! `cargo run --release -p capture --example qr_bench [-- FRAMES_AT_720P [CORPUS_FOLDER]]`
//!
//! With a corpus folder, the frames are also written there as PNG with `payloads.tsv` (file,
//! payload in hex), for `bench/qr_external.py` to run the non-Rust decoders on the same frames.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use capture::qr::{QrReader, decoders, luma};
use capture::synth::{CardFrame, corpus};
use cardsim::identity::{BUILTIN, EDGE_CASES, Identity};

/// Payloads of the shipped identities: the 2021–2024 card's seven fields, and a 2024-style
/// payload with extra fields (parents' names) appended.
fn payloads() -> Vec<String> {
    let identities: Vec<Identity> = BUILTIN
        .iter()
        .chain(EDGE_CASES.iter())
        .filter_map(|name| Identity::builtin(name))
        .collect();
    let mut payloads: Vec<String> = identities.iter().map(Identity::qr_payload).collect();
    payloads.extend(identities.iter().map(|identity| {
        format!(
            "{}||{}|{}",
            identity.qr_payload(),
            identity.father,
            identity.mother
        )
    }));
    payloads
}

/// `rqrr` on the frame, halved, then adaptively thresholded.
fn rqrr_cascade(frame: &image::RgbImage) -> Option<Vec<u8>> {
    let gray = luma::grayscale(frame);
    let window = (gray.width().max(gray.height()) / 40).max(15) | 1;
    decoders::decode_rqrr(&gray)
        .or_else(|| decoders::decode_rqrr(&luma::halve(&gray)))
        .or_else(|| decoders::decode_rqrr(&luma::adaptive_threshold(&gray, window, 8)))
        .map(|d| d.payload)
}

type Method = (&'static str, fn(&image::RgbImage) -> Option<Vec<u8>>);

fn methods() -> Vec<Method> {
    vec![
        (
            "pipeline (rxing: region, halved at 1080p, full; then rqrr cascade)",
            |frame| QrReader::new().read(frame).map(|read| read.payload),
        ),
        ("rxing, full frame", |frame| {
            decoders::decode_rxing(&luma::grayscale(frame)).map(|d| d.payload)
        }),
        ("rxing, adaptive threshold", |frame| {
            let gray = luma::grayscale(frame);
            let window = (gray.width().max(gray.height()) / 40).max(15) | 1;
            decoders::decode_rxing(&luma::adaptive_threshold(&gray, window, 8)).map(|d| d.payload)
        }),
        ("rqrr, full frame", |frame| {
            decoders::decode_rqrr(&luma::grayscale(frame)).map(|d| d.payload)
        }),
        (
            "rqrr cascade (full, halved, adaptive threshold)",
            rqrr_cascade,
        ),
    ]
}

struct Figures {
    decoded: usize,
    frames: usize,
    millis: Vec<f64>,
}

impl Figures {
    fn rate(&self) -> f64 {
        100.0 * self.decoded as f64 / self.frames.max(1) as f64
    }

    fn median(&self) -> f64 {
        let mut sorted = self.millis.clone();
        sorted.sort_by(f64::total_cmp);
        sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
    }

    fn mean(&self) -> f64 {
        self.millis.iter().sum::<f64>() / self.millis.len().max(1) as f64
    }
}

fn measure(frames: &[CardFrame], method: fn(&image::RgbImage) -> Option<Vec<u8>>) -> Figures {
    let mut figures = Figures {
        decoded: 0,
        frames: frames.len(),
        millis: Vec::new(),
    };
    for frame in frames {
        let started = Instant::now();
        let payload = method(&frame.image);
        figures
            .millis
            .push(started.elapsed().as_secs_f64() * 1000.0);
        if payload.as_deref() == Some(frame.payload.as_bytes()) {
            figures.decoded += 1;
        }
    }
    figures
}

/// One reader over the frames in order, as on a live camera (the `rqrr` fallback throttled).
fn measure_stream(frames: &[CardFrame]) -> Figures {
    let mut reader = QrReader::new();
    let mut figures = Figures {
        decoded: 0,
        frames: frames.len(),
        millis: Vec::new(),
    };
    for frame in frames {
        let started = Instant::now();
        let read = reader.read(&frame.image);
        figures
            .millis
            .push(started.elapsed().as_secs_f64() * 1000.0);
        if read.is_some_and(|read| read.payload == frame.payload.as_bytes()) {
            figures.decoded += 1;
        }
    }
    figures
}

/// Time per frame while a card is held in view: the reader keeps the code's region.
fn tracking(frames: &[CardFrame]) -> (f64, f64) {
    let Some(first) = frames
        .iter()
        .find(|f| QrReader::new().read(&f.image).is_some())
    else {
        return (0.0, 0.0);
    };
    let mut fresh = Vec::new();
    let mut kept = Vec::new();
    let mut reader = QrReader::new();
    for _ in 0..20 {
        let started = Instant::now();
        let _ = QrReader::new().read(&first.image);
        fresh.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        let _ = reader.read(&first.image);
        kept.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    (median(fresh), median(kept))
}

fn write_corpus(folder: &Path, frames: &[CardFrame]) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(folder)?;
    let mut index = String::new();
    for (number, frame) in frames.iter().enumerate() {
        let name = format!("{number:04}.png");
        frame.image.save(folder.join(&name))?;
        let hex: String = frame.payload.bytes().map(|b| format!("{b:02x}")).collect();
        writeln!(index, "{name}\t{hex}")?;
    }
    std::fs::write(folder.join("payloads.tsv"), index)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let at_720p: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(225);
    let corpus_folder = std::env::args().nth(2).map(std::path::PathBuf::from);
    let payloads = payloads();
    let sizes = [
        (640, 480, at_720p / 2),
        (1280, 720, at_720p),
        (1920, 1080, at_720p / 2),
    ];
    let mut json = BTreeMap::new();
    let mut table = String::from(
        "| frame size | method | decoded | median ms/frame | mean ms/frame |\n|---|---|---|---|---|\n",
    );
    let mut tracked = String::new();
    for (width, height, count) in sizes {
        let frames = corpus(&payloads, width, height, count, 0x5EED ^ u64::from(width))?;
        if let Some(folder) = &corpus_folder {
            write_corpus(&folder.join(format!("{width}x{height}")), &frames)?;
        }
        let mut per_method = BTreeMap::new();
        for (name, method) in methods() {
            let figures = measure(&frames, method);
            println!(
                "{width}x{height} {name}: {}/{} ({:.1} %), median {:.1} ms, mean {:.1} ms",
                figures.decoded,
                figures.frames,
                figures.rate(),
                figures.median(),
                figures.mean()
            );
            writeln!(
                table,
                "| {width}×{height} | {name} | {:.1} % ({}/{}) | {:.1} | {:.1} |",
                figures.rate(),
                figures.decoded,
                figures.frames,
                figures.median(),
                figures.mean()
            )?;
            per_method.insert(
                name.to_string(),
                serde_json::json!({
                    "frames": figures.frames,
                    "decoded": figures.decoded,
                    "decode_rate_percent": (figures.rate() * 10.0).round() / 10.0,
                    "median_ms_per_frame": (figures.median() * 100.0).round() / 100.0,
                    "mean_ms_per_frame": (figures.mean() * 100.0).round() / 100.0,
                }),
            );
        }
        let stream = measure_stream(&frames);
        println!(
            "{width}x{height} pipeline as a live stream: {}/{} ({:.1} %), median {:.1} ms, mean {:.1} ms",
            stream.decoded,
            stream.frames,
            stream.rate(),
            stream.median(),
            stream.mean()
        );
        writeln!(
            table,
            "| {width}×{height} | pipeline as a live stream (one reader, frames in order) | {:.1} % ({}/{}) | {:.1} | {:.1} |",
            stream.rate(),
            stream.decoded,
            stream.frames,
            stream.median(),
            stream.mean()
        )?;
        per_method.insert(
            "pipeline as a live stream".to_string(),
            serde_json::json!({
                "frames": stream.frames,
                "decoded": stream.decoded,
                "decode_rate_percent": (stream.rate() * 10.0).round() / 10.0,
                "median_ms_per_frame": (stream.median() * 100.0).round() / 100.0,
                "mean_ms_per_frame": (stream.mean() * 100.0).round() / 100.0,
            }),
        );
        let (fresh, kept) = tracking(&frames);
        writeln!(tracked, "| {width}×{height} | {fresh:.1} | {kept:.1} |")?;
        per_method.insert(
            "tracking".to_string(),
            serde_json::json!({ "fresh_reader_median_ms": fresh, "kept_region_median_ms": kept }),
        );
        json.insert(format!("{width}x{height}"), per_method);
    }
    let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/results");
    std::fs::create_dir_all(&results)?;
    let document = serde_json::json!({
        "corpus": format!(
            "synthesised CCCD-like frames (capture::synth), {} payloads of the shipped identities \
             (2021 seven-field and 2024-style extended), random scale/rotation/perspective/blur/noise/\
             exposure/uneven light/glare/JPEG; {at_720p} frames at 1280x720, half as many at the other sizes",
            payloads.len()
        ),
        "machine": "2 shared cores, release build, one thread",
        "sizes": json,
    });
    std::fs::write(
        results.join("qr.json"),
        serde_json::to_string_pretty(&document)? + "\n",
    )?;
    let markdown = format!(
        "# QR decoding benchmark\n\n\
         `cargo run --release -p capture --example qr_bench` on synthesised CCCD-like webcam frames \
         (`capture::synth`: the shipped identities' QR payloads, 2021 and 2024-style, randomly \
         scaled, rotated, tilted, blurred, noised, mis-exposed, unevenly lit, glared and JPEG-compressed; \
         {at_720p} frames at 1280×720, half as many at the other sizes). A frame counts as decoded only \
         when the payload bytes equal the printed ones. One thread, release build, on a shared 2-core machine.\n\n\
         {table}\n\
         Holding the card still: median ms/frame for a frame the pipeline reads, with a fresh reader \
         (full-frame search) and with the reader keeping the code's last region.\n\n\
         | frame size | fresh reader | kept region |\n|---|---|---|\n{tracked}"
    );
    std::fs::write(results.join("qr.md"), markdown)?;
    Ok(())
}
