//! The plain-background check: ICAO 9303 Part 3 asks for a plain, uniform, light background
//! behind the head, with no objects, patterns or other people.
//!
//! **Background clutter** is the share of background pixels that lie on an edge. The background
//! is the part of the future ICAO 35:45 portrait ([`crate::portrait::icao_region`]) above the
//! chin and outside the head (an ellipse from the crown, 0.6 face boxes above the box, to the
//! chin, 1.9 face widths wide, hair included): in practice the portrait's two upper corners. That region is resampled to [`SIDE`] pixels high (so the
//! measure does not depend on the camera's resolution, and sensor noise and JPEG blocks are
//! averaged away), and a pixel is on an edge when its Sobel gradient, |gx| + |gy|, exceeds
//! [`EDGE_LEVEL`] (a step of 12 grey levels). A plain wall, even unevenly lit, scores near 0;
//! shelves, posters, text or a second person behind score several times the limit.

use image::GrayImage;
use image::imageops::FilterType;

use crate::portrait::{FaceBox, icao_region};

/// The height the portrait region is resampled to before edges are counted.
pub const SIDE: u32 = 160;

/// Sobel |gx| + |gy| above which a pixel is on an edge (4 × a step of 12 grey levels).
pub const EDGE_LEVEL: i32 = 48;

/// The crown's height above the top of the face box, and the head's half width (hair
/// included), over the face box's size; measured on the test portrait's full hairstyle.
const HEAD_ABOVE_FACE: f64 = 0.6;
const HEAD_HALF_WIDTH: f64 = 0.95;

/// The fewest background pixels (at [`SIDE`] scale) the measure needs; below, it says nothing.
const MIN_BACKGROUND_PIXELS: usize = 200;

/// The share (0–1) of background pixels on an edge around `face` in `frame`, or `None` when
/// the portrait leaves too little background to judge.
pub fn background_clutter(frame: &GrayImage, face: &FaceBox) -> Option<f64> {
    let (left, top, width, height) = icao_region(frame.width(), frame.height(), face);
    if width < 3 || height < 3 {
        return None;
    }
    let region = image::imageops::crop_imm(frame, left, top, width, height).to_image();
    let scale = f64::from(SIDE) / f64::from(height);
    let small_w = ((f64::from(width) * scale).round() as u32).max(3);
    let small = image::imageops::resize(&region, small_w, SIDE, FilterType::Triangle);
    // The head ellipse and the chin line in the small region's pixels.
    let to_x = |x: f64| (x - f64::from(left)) * scale;
    let to_y = |y: f64| (y - f64::from(top)) * scale;
    let chin = to_y(face.y + face.height);
    let crown = to_y(face.y - HEAD_ABOVE_FACE * face.height);
    let (centre_x, centre_y) = (to_x(face.x + face.width / 2.0), (crown + chin) / 2.0);
    let (semi_x, semi_y) = (HEAD_HALF_WIDTH * face.width * scale, (chin - crown) / 2.0);
    if semi_x <= 0.0 || semi_y <= 0.0 {
        return None;
    }
    let at = |x: u32, y: u32| {
        small
            .get_pixel_checked(x, y)
            .map_or(0, |p| i32::from(p.0[0]))
    };
    let (mut background, mut edges) = (0usize, 0usize);
    for y in 1..SIDE - 1 {
        let fy = f64::from(y);
        if fy >= chin {
            break;
        }
        for x in 1..small_w - 1 {
            let (dx, dy) = ((f64::from(x) - centre_x) / semi_x, (fy - centre_y) / semi_y);
            if dx * dx + dy * dy <= 1.0 {
                continue;
            }
            let gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1)
                - at(x - 1, y - 1)
                - 2 * at(x - 1, y)
                - at(x - 1, y + 1);
            let gy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1)
                - at(x - 1, y - 1)
                - 2 * at(x, y - 1)
                - at(x + 1, y - 1);
            background += 1;
            if gx.abs() + gy.abs() > EDGE_LEVEL {
                edges += 1;
            }
        }
    }
    (background >= MIN_BACKGROUND_PIXELS).then(|| edges as f64 / background as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FACE: FaceBox = FaceBox {
        x: 270.0,
        y: 150.0,
        width: 100.0,
        height: 100.0,
        score: 10.0,
    };

    /// A lit wall (a gradient of 40 grey levels across the frame) with a dark disc for a head.
    fn wall_with_head() -> GrayImage {
        GrayImage::from_fn(640, 480, |x, y| {
            let (dx, dy) = (f64::from(x) - 320.0, f64::from(y) - 190.0);
            if dx * dx + dy * dy < 60.0 * 60.0 {
                image::Luma([90])
            } else {
                image::Luma([180 + (x / 16) as u8])
            }
        })
    }

    #[test]
    fn an_unevenly_lit_plain_wall_is_not_clutter_and_the_head_is_not_counted() {
        let clutter = background_clutter(&wall_with_head(), &FACE).unwrap();
        assert!(clutter < 0.01, "{clutter}");
    }

    #[test]
    fn stripes_beside_the_head_are_clutter() {
        let mut frame = wall_with_head();
        for (x, y, pixel) in frame.enumerate_pixels_mut() {
            let (dx, dy) = (f64::from(x) - 320.0, f64::from(y) - 190.0);
            if dx * dx + dy * dy >= 75.0 * 75.0 && (x / 6) % 2 == 0 {
                *pixel = image::Luma([40 + (y % 3) as u8]);
            }
        }
        let clutter = background_clutter(&frame, &FACE).unwrap();
        assert!(clutter > 0.2, "{clutter}");
    }

    #[test]
    fn a_chin_at_the_top_of_the_frame_leaves_nothing_to_judge() {
        let frame = GrayImage::new(320, 240);
        let face = FaceBox {
            x: 60.0,
            y: -199.0,
            width: 200.0,
            height: 200.0,
            score: 1.0,
        };
        assert_eq!(background_clutter(&frame, &face), None);
    }
}
