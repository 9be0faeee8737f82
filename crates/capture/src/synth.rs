//! A synthesiser of CCCD-like webcam frames: a card front carrying a real QR payload, placed
//! in a scene the way a citizen holds it under a kiosk camera, then degraded as webcams
//! degrade it (small modules, rotation, perspective, blur, sensor noise, exposure, uneven
//! light, glare, JPEG compression).
//!
//! It also composes portrait frames from a photo (one or more sitters, placed by their face).
//! It makes the demo frames in `assets/frames/`, the test corpus and the benchmark corpus;
//! everything is seeded, so a corpus is the same on every machine. Built only with the cargo
//! feature `synth`: the kiosk itself never draws cards.

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use qrcode::{Color, EcLevel, QrCode};

/// ID-1 card width over height (85.6 mm × 54 mm).
const CARD_ASPECT: f64 = 85.6 / 54.0;

/// A small deterministic generator (SplitMix64): the corpus must not depend on a platform RNG.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[low, high)`.
    pub fn range(&mut self, low: f64, high: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        low + unit * (high - low)
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.range(f64::EPSILON, 1.0);
        let u2 = self.range(0.0, 1.0);
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    pub fn chance(&mut self, probability: f64) -> bool {
        self.range(0.0, 1.0) < probability
    }
}

/// Why a card could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("the payload does not fit in a QR code")]
    PayloadTooLong,
    #[error("JPEG encoding failed")]
    Jpeg,
}

/// Draws the front of a CCCD-like card `width` pixels wide with the QR code of `payload`
/// (error correction level M, as most card QR codes) at the top right.
pub fn render_card(payload: &str, width: u32, rng: &mut Rng) -> Result<RgbImage, SynthError> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .map_err(|_| SynthError::PayloadTooLong)?;
    let height = (f64::from(width) / CARD_ASPECT).round() as u32;
    let (w, h) = (f64::from(width), f64::from(height));
    let phase = rng.range(0.0, 6.0);
    let mut card = RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (f64::from(x) / w, f64::from(y) / h);
        let guilloche = ((fx * 40.0 + (fy * 9.0 + phase).sin() * 2.0).sin() * 0.5 + 0.5) * 14.0;
        let base = [232.0 - fy * 20.0, 236.0 - fx * 10.0, 226.0 + fx * 12.0];
        Rgb(base.map(|v| (v - guilloche).clamp(0.0, 255.0) as u8))
    });
    fill(&mut card, 0.0, 0.0, w, h * 0.17, Rgb([196, 48, 44]));
    for line in 0..2 {
        let y = h * (0.04 + 0.065 * f64::from(line));
        text_line(
            &mut card,
            w * 0.25,
            y,
            w * 0.5,
            h * 0.035,
            Rgb([250, 230, 120]),
            rng,
        );
    }
    fill(
        &mut card,
        w * 0.04,
        h * 0.28,
        w * 0.24,
        h * 0.5,
        Rgb([205, 212, 222]),
    );
    ellipse(
        &mut card,
        w * 0.16,
        h * 0.45,
        w * 0.065,
        h * 0.13,
        Rgb([150, 120, 100]),
    );
    ellipse(
        &mut card,
        w * 0.16,
        h * 0.74,
        w * 0.11,
        h * 0.1,
        Rgb([60, 70, 90]),
    );
    for line in 0..7 {
        let y = h * (0.3 + 0.085 * f64::from(line));
        let length = w * rng.range(0.2, 0.4);
        text_line(
            &mut card,
            w * 0.32,
            y,
            length,
            h * 0.032,
            Rgb([30, 30, 40]),
            rng,
        );
    }
    let modules = code.width();
    let quiet = 2;
    let side = w * 0.2;
    let module = side / (modules + 2 * quiet) as f64;
    let (left, top) = (w * 0.76, h * 0.22);
    fill(&mut card, left, top, side, side, Rgb([250, 250, 248]));
    for (index, color) in code.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            let (mx, my) = (
                (index % modules + quiet) as f64,
                (index / modules + quiet) as f64,
            );
            fill(
                &mut card,
                left + mx * module,
                top + my * module,
                module,
                module,
                Rgb([16, 16, 20]),
            );
        }
    }
    Ok(card)
}

/// Fills a rectangle, anti-aliased at its edges (coverage of each pixel).
fn fill(image: &mut RgbImage, left: f64, top: f64, width: f64, height: f64, color: Rgb<u8>) {
    let (right, bottom) = (left + width, top + height);
    let x0 = left.floor().max(0.0) as u32;
    let y0 = top.floor().max(0.0) as u32;
    let x1 = (right.ceil() as u32).min(image.width());
    let y1 = (bottom.ceil() as u32).min(image.height());
    for y in y0..y1 {
        let cover_y = (bottom.min(f64::from(y) + 1.0) - top.max(f64::from(y))).clamp(0.0, 1.0);
        for x in x0..x1 {
            let cover_x = (right.min(f64::from(x) + 1.0) - left.max(f64::from(x))).clamp(0.0, 1.0);
            blend(image, x, y, color, cover_x * cover_y);
        }
    }
}

fn blend(image: &mut RgbImage, x: u32, y: u32, color: Rgb<u8>, alpha: f64) {
    if let Some(pixel) = image.get_pixel_mut_checked(x, y) {
        for (channel, target) in pixel.0.iter_mut().zip(color.0) {
            *channel =
                (f64::from(*channel) * (1.0 - alpha) + f64::from(target) * alpha).round() as u8;
        }
    }
}

fn ellipse(image: &mut RgbImage, cx: f64, cy: f64, rx: f64, ry: f64, color: Rgb<u8>) {
    let (x0, x1) = ((cx - rx).max(0.0) as u32, (cx + rx).ceil() as u32);
    let (y0, y1) = ((cy - ry).max(0.0) as u32, (cy + ry).ceil() as u32);
    for y in y0..y1.min(image.height()) {
        for x in x0..x1.min(image.width()) {
            let (dx, dy) = ((f64::from(x) - cx) / rx, (f64::from(y) - cy) / ry);
            if dx * dx + dy * dy <= 1.0 {
                blend(image, x, y, color, 1.0);
            }
        }
    }
}

/// A line of "text": word-sized bars of varying length.
fn text_line(
    image: &mut RgbImage,
    left: f64,
    top: f64,
    length: f64,
    height: f64,
    color: Rgb<u8>,
    rng: &mut Rng,
) {
    let mut x = left;
    while x < left + length {
        let word = height * rng.range(1.5, 5.0);
        fill(image, x, top, word.min(left + length - x), height, color);
        x += word + height * 0.6;
    }
}

/// How a card appears in one webcam frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub frame_width: u32,
    pub frame_height: u32,
    /// Card width over frame width.
    pub card_fraction: f64,
    /// In-plane rotation, degrees.
    pub rotation: f64,
    /// Each corner moved by up to this fraction of the card width (perspective).
    pub perspective: f64,
    /// Gaussian blur sigma in pixels (focus, motion).
    pub blur: f64,
    /// Sensor noise standard deviation in grey levels.
    pub noise: f64,
    /// Exposure gain (1 = correct) and gamma.
    pub gain: f64,
    pub gamma: f64,
    /// Strength of a light gradient across the frame (0 = even light).
    pub uneven_light: f64,
    /// Strength of a specular glare spot (0 = none).
    pub glare: f64,
    /// JPEG quality of the webcam's MJPEG stream.
    pub jpeg_quality: u8,
}

impl Scene {
    /// An unremarkable frame: card well placed, in focus, good light.
    pub fn clean(frame_width: u32, frame_height: u32) -> Self {
        Self {
            frame_width,
            frame_height,
            card_fraction: 0.6,
            rotation: 0.0,
            perspective: 0.0,
            blur: 0.0,
            noise: 0.0,
            gain: 1.0,
            gamma: 1.0,
            uneven_light: 0.0,
            glare: 0.0,
            jpeg_quality: 92,
        }
    }

    /// A frame as a citizen at a kiosk produces it, holding the card towards the on-screen
    /// guide box: mostly usable, some hard (2-px modules, blur, glare), a few hopeless.
    pub fn random(frame_width: u32, frame_height: u32, rng: &mut Rng) -> Self {
        Self {
            frame_width,
            frame_height,
            card_fraction: rng.range(0.4, 0.95),
            rotation: rng.normal() * 12.0,
            perspective: rng.range(0.0, 0.08),
            blur: if rng.chance(0.7) {
                rng.range(0.0, 1.0)
            } else {
                rng.range(1.0, 2.6)
            },
            noise: rng.range(1.0, 7.0),
            gain: rng.range(0.45, 1.3),
            gamma: rng.range(0.8, 1.3),
            uneven_light: rng.range(0.0, 0.6),
            glare: if rng.chance(0.2) {
                rng.range(0.3, 0.9)
            } else {
                0.0
            },
            jpeg_quality: rng.range(55.0, 92.0) as u8,
        }
    }
}

/// Places `card` in a frame as `scene` describes, on a desk-like background.
pub fn render_frame(card: &RgbImage, scene: &Scene, rng: &mut Rng) -> RgbImage {
    let (fw, fh) = (f64::from(scene.frame_width), f64::from(scene.frame_height));
    let (cw, ch) = (f64::from(card.width()), f64::from(card.height()));
    let width = fw * scene.card_fraction;
    let height = width * ch / cw;
    let centre = (
        fw / 2.0 + rng.range(-0.5, 0.5) * (fw - width).max(0.0) * 0.8,
        fh / 2.0 + rng.range(-0.5, 0.5) * (fh - height).max(0.0) * 0.8,
    );
    let (sin, cos) = scene.rotation.to_radians().sin_cos();
    let mut quad = [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)].map(|(u, v)| {
        let x = u * width + rng.range(-1.0, 1.0) * scene.perspective * width;
        let y = v * height + rng.range(-1.0, 1.0) * scene.perspective * width;
        (centre.0 + x * cos - y * sin, centre.1 + x * sin + y * cos)
    });
    let corners = [(0.0, 0.0), (cw, 0.0), (cw, ch), (0.0, ch)];
    let to_card = homography(&quad, &corners).unwrap_or_else(|| {
        quad = [(0.0, 0.0), (fw, 0.0), (fw, fh), (0.0, fh)];
        homography(&quad, &corners).unwrap_or([1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0])
    });
    let desk = [
        rng.range(40.0, 120.0),
        rng.range(40.0, 110.0),
        rng.range(35.0, 100.0),
    ];
    let mut frame = RgbImage::from_fn(scene.frame_width, scene.frame_height, |x, y| {
        let (px, py) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
        let z = to_card[6] * px + to_card[7] * py + 1.0;
        let u = (to_card[0] * px + to_card[1] * py + to_card[2]) / z;
        let v = (to_card[3] * px + to_card[4] * py + to_card[5]) / z;
        if u >= 0.0 && v >= 0.0 && u < cw - 1.0 && v < ch - 1.0 {
            bilinear(card, u, v)
        } else {
            let grain = ((px * 0.05).sin() * (py * 0.031).cos()) * 10.0;
            Rgb(desk.map(|c| (c + grain).clamp(0.0, 255.0) as u8))
        }
    });
    degrade(&mut frame, scene, rng);
    frame
}

fn bilinear(image: &RgbImage, u: f64, v: f64) -> Rgb<u8> {
    let (x, y) = (u.floor() as u32, v.floor() as u32);
    let (ax, ay) = (u - u.floor(), v - v.floor());
    let at = |dx: u32, dy: u32| {
        image
            .get_pixel_checked(x + dx, y + dy)
            .map_or([0.0; 3], |p| p.0.map(f64::from))
    };
    let (p00, p10, p01, p11) = (at(0, 0), at(1, 0), at(0, 1), at(1, 1));
    Rgb(std::array::from_fn(|c| {
        let top = p00[c] * (1.0 - ax) + p10[c] * ax;
        let bottom = p01[c] * (1.0 - ax) + p11[c] * ax;
        (top * (1.0 - ay) + bottom * ay).round() as u8
    }))
}

/// The projective map (8 coefficients, h33 = 1) taking each `from` point to its `to` point.
fn homography(from: &[(f64, f64); 4], to: &[(f64, f64); 4]) -> Option<[f64; 8]> {
    let mut system = [[0.0f64; 9]; 8];
    for (i, ((x, y), (u, v))) in from.iter().zip(to).enumerate() {
        system[2 * i] = [*x, *y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, *u];
        system[2 * i + 1] = [0.0, 0.0, 0.0, *x, *y, 1.0, -v * x, -v * y, *v];
    }
    for column in 0..8 {
        let pivot = (column..8).max_by(|a, b| {
            system[*a][column]
                .abs()
                .total_cmp(&system[*b][column].abs())
        })?;
        if system[pivot][column].abs() < 1e-12 {
            return None;
        }
        system.swap(column, pivot);
        for row in 0..8 {
            if row != column {
                let factor = system[row][column] / system[column][column];
                let pivot_row = system[column];
                for (cell, p) in system[row].iter_mut().zip(pivot_row) {
                    *cell -= factor * p;
                }
            }
        }
    }
    Some(std::array::from_fn(|i| system[i][8] / system[i][i]))
}

/// Applies the optical and sensor degradations of `scene` (not the geometry).
pub fn degrade(frame: &mut RgbImage, scene: &Scene, rng: &mut Rng) {
    if scene.blur > 0.1 {
        gaussian_blur(frame, scene.blur);
    }
    let (w, h) = (f64::from(frame.width()), f64::from(frame.height()));
    let light_angle = rng.range(0.0, std::f64::consts::TAU);
    let (lx, ly) = (light_angle.cos(), light_angle.sin());
    let glare_at = (rng.range(0.2, 0.8) * w, rng.range(0.2, 0.8) * h);
    let glare_radius = rng.range(0.03, 0.09) * w;
    for (x, y, pixel) in frame.enumerate_pixels_mut() {
        let (fx, fy) = (f64::from(x) / w - 0.5, f64::from(y) / h - 0.5);
        let light = 1.0 + scene.uneven_light * (fx * lx + fy * ly);
        let (dx, dy) = (f64::from(x) - glare_at.0, f64::from(y) - glare_at.1);
        let glare = scene.glare
            * 255.0
            * (-(dx * dx + dy * dy) / (2.0 * glare_radius * glare_radius)).exp();
        let noise = rng.normal() * scene.noise;
        for channel in &mut pixel.0 {
            let exposed = 255.0
                * (scene.gain * light * f64::from(*channel) / 255.0)
                    .max(0.0)
                    .powf(scene.gamma);
            *channel = (exposed + glare + noise).clamp(0.0, 255.0) as u8;
        }
    }
    if scene.jpeg_quality < 100
        && let Ok(bytes) = encode_jpeg(frame, scene.jpeg_quality)
        && let Ok(decoded) = image::load_from_memory(&bytes)
    {
        *frame = decoded.into_rgb8();
    }
}

/// Encodes a frame as JPEG at `quality` (1–100).
pub fn encode_jpeg(frame: &RgbImage, quality: u8) -> Result<Vec<u8>, SynthError> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, quality.clamp(1, 100))
        .encode_image(frame)
        .map_err(|_| SynthError::Jpeg)?;
    Ok(bytes)
}

/// Gaussian blur with a separable kernel of radius 3σ (edges repeat the border pixel).
fn gaussian_blur(frame: &mut RgbImage, sigma: f64) {
    let radius = (3.0 * sigma).ceil().max(1.0) as isize;
    let weights: Vec<f64> = (-radius..=radius)
        .map(|i| (-((i * i) as f64) / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f64 = weights.iter().sum();
    let kernel: Vec<f64> = weights.iter().map(|w| w / total).collect();
    let (width, height) = (frame.width() as usize, frame.height() as usize);
    let data: &mut [u8] = frame;
    convolve(data, width, height, 3, 3 * width, &kernel);
    convolve(data, height, width, 3 * width, 3, &kernel);
}

/// Convolves lines of `length` samples `step` bytes apart (`lines` lines, `stride` apart) with
/// a symmetric kernel.
fn convolve(
    data: &mut [u8],
    length: usize,
    lines: usize,
    step: usize,
    stride: usize,
    kernel: &[f64],
) {
    let radius = (kernel.len() / 2) as isize;
    let mut line = vec![0.0f64; length];
    for l in 0..lines {
        for channel in 0..3 {
            let start = l * stride + channel;
            for (i, value) in line.iter_mut().enumerate() {
                *value = data.get(start + i * step).copied().map_or(0.0, f64::from);
            }
            for i in 0..length {
                let sum: f64 = kernel
                    .iter()
                    .enumerate()
                    .map(|(k, w)| {
                        let at = (i as isize + k as isize - radius).clamp(0, length as isize - 1);
                        w * line.get(at as usize).copied().unwrap_or(0.0)
                    })
                    .sum();
                if let Some(out) = data.get_mut(start + i * step) {
                    *out = sum.round().clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
}

/// A person in a portrait frame: where the centre of their face lands (fractions of the frame)
/// and how high the face is (fraction of the frame height).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sitter {
    pub face_x: f64,
    pub face_y: f64,
    pub face_height: f64,
}

/// Where the face is in a portrait photo and how high (fractions of the photo), so a photo can
/// be placed by its face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceInPhoto {
    pub centre_x: f64,
    pub centre_y: f64,
    pub height: f64,
}

/// A webcam frame of `sitters` (each a copy of `photo`) in front of a plain wall, degraded as
/// `scene` says (its geometry fields are ignored).
pub fn portrait_frame(
    photo: &RgbImage,
    face: FaceInPhoto,
    sitters: &[Sitter],
    scene: &Scene,
    rng: &mut Rng,
) -> RgbImage {
    let (fw, fh) = (f64::from(scene.frame_width), f64::from(scene.frame_height));
    let mut frame = RgbImage::from_fn(scene.frame_width, scene.frame_height, |_, y| {
        let shade = 215.0 - 25.0 * f64::from(y) / fh;
        Rgb([shade as u8, (shade - 4.0) as u8, (shade - 12.0) as u8])
    });
    for sitter in sitters {
        let scale = sitter.face_height * fh / (face.height * f64::from(photo.height()));
        let left = sitter.face_x * fw - face.centre_x * f64::from(photo.width()) * scale;
        let top = sitter.face_y * fh - face.centre_y * f64::from(photo.height()) * scale;
        for (x, y, pixel) in frame.enumerate_pixels_mut() {
            let u = (f64::from(x) - left) / scale;
            let v = (f64::from(y) - top) / scale;
            if u >= 0.0
                && v >= 0.0
                && u < f64::from(photo.width()) - 1.0
                && v < f64::from(photo.height()) - 1.0
            {
                *pixel = bilinear(photo, u, v);
            }
        }
    }
    degrade(&mut frame, scene, rng);
    frame
}

/// `image` turned by `degrees` (clockwise on screen) about `centre`; corners the turn uncovers
/// take the nearest edge pixel. A sitter tilting their head, for the roll check.
pub fn rotate_about(image: &RgbImage, centre: (f64, f64), degrees: f64) -> RgbImage {
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (max_x, max_y) = (
        f64::from(image.width()) - 1.001,
        f64::from(image.height()) - 1.001,
    );
    RgbImage::from_fn(image.width(), image.height(), |x, y| {
        let (dx, dy) = (f64::from(x) - centre.0, f64::from(y) - centre.1);
        let u = (centre.0 + dx * cos + dy * sin).clamp(0.0, max_x.max(0.0));
        let v = (centre.1 - dx * sin + dy * cos).clamp(0.0, max_y.max(0.0));
        bilinear(image, u, v)
    })
}

/// Bookshelves beside a sitter whose face is centred at `face_centre` and `face_height`
/// pixels high: rows of books of random width and colour from the top of the frame down to
/// the chin, leaving a head-wide gap (1.5 face heights) in the middle. A cluttered background.
pub fn shelves_beside(
    frame: &mut RgbImage,
    face_centre: (f64, f64),
    face_height: f64,
    rng: &mut Rng,
) {
    let gap = (
        face_centre.0 - 0.75 * face_height,
        face_centre.0 + 0.75 * face_height,
    );
    let chin = face_centre.1 + 0.5 * face_height;
    let shelf = (face_height * 0.45).max(8.0);
    let mut top = 0.0;
    while top < chin {
        let board = Rgb([92, 64, 40]);
        fill(frame, 0.0, top, gap.0.max(0.0), shelf * 0.1, board);
        fill(
            frame,
            gap.1,
            top,
            f64::from(frame.width()) - gap.1,
            shelf * 0.1,
            board,
        );
        let mut x = 0.0;
        while x < f64::from(frame.width()) {
            let width = rng.range(0.05, 0.14) * face_height;
            let height = rng.range(0.6, 0.88) * shelf;
            let colour = Rgb([
                rng.range(30.0, 230.0) as u8,
                rng.range(30.0, 230.0) as u8,
                rng.range(30.0, 230.0) as u8,
            ]);
            let right = x + width;
            if right < gap.0 || x > gap.1 {
                let book_top = top + shelf - height;
                fill(
                    frame,
                    x,
                    book_top,
                    width,
                    height.min(chin - book_top).max(0.0),
                    colour,
                );
            }
            x = right + 1.0;
        }
        top += shelf;
    }
}

/// A synthesised frame with the payload its QR code carries.
pub struct CardFrame {
    pub payload: String,
    pub scene: Scene,
    pub image: RgbImage,
}

/// `count` frames of the given size, cycling through `payloads`, with random scenes from
/// `seed`.
pub fn corpus(
    payloads: &[String],
    width: u32,
    height: u32,
    count: usize,
    seed: u64,
) -> Result<Vec<CardFrame>, SynthError> {
    let mut rng = Rng::new(seed);
    let mut frames = Vec::with_capacity(count);
    for index in 0..count {
        let Some(payload) = payloads.get(index % payloads.len().max(1)) else {
            break;
        };
        let scene = Scene::random(width, height, &mut rng);
        let card_width = ((f64::from(width) * scene.card_fraction * 1.3) as u32).max(400);
        let card = render_card(payload, card_width, &mut rng)?;
        let image = render_frame(&card, &scene, &mut rng);
        frames.push(CardFrame {
            payload: payload.clone(),
            scene,
            image,
        });
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homography_maps_corners_exactly() {
        let from = [(10.0, 20.0), (300.0, 40.0), (280.0, 200.0), (5.0, 180.0)];
        let to = [(0.0, 0.0), (100.0, 0.0), (100.0, 60.0), (0.0, 60.0)];
        let h = homography(&from, &to).unwrap();
        for ((x, y), (u, v)) in from.iter().zip(to) {
            let z = h[6] * x + h[7] * y + 1.0;
            assert!(((h[0] * x + h[1] * y + h[2]) / z - u).abs() < 1e-6);
            assert!(((h[3] * x + h[4] * y + h[5]) / z - v).abs() < 1e-6);
        }
        assert!(
            homography(&[(0.0, 0.0); 4], &to).is_none(),
            "degenerate quad has no map"
        );
    }

    #[test]
    fn same_seed_gives_the_same_corpus() {
        let payloads =
            vec!["001090012345|012345678|Nguyễn Văn A|01011990|Nam|Hà Nội|15042021".to_string()];
        let a = corpus(&payloads, 320, 240, 2, 7).unwrap();
        let b = corpus(&payloads, 320, 240, 2, 7).unwrap();
        let c = corpus(&payloads, 320, 240, 2, 8).unwrap();
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.image == y.image && x.scene == y.scene)
        );
        assert!(a.iter().zip(&c).any(|(x, y)| x.image != y.image));
    }

    #[test]
    fn blur_spreads_a_sharp_edge_and_keeps_flat_areas() {
        let mut image = RgbImage::from_fn(
            40,
            10,
            |x, _| if x < 20 { Rgb([0; 3]) } else { Rgb([255; 3]) },
        );
        gaussian_blur(&mut image, 2.0);
        assert_eq!(image.get_pixel(2, 5).0[0], 0);
        assert_eq!(image.get_pixel(37, 5).0[0], 255);
        let edge = image.get_pixel(19, 5).0[0];
        assert!(edge > 40 && edge < 215, "edge {edge} is softened");
    }
}
