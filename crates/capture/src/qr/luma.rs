//! Grey-level image operations before a decoder sees a frame: conversion from RGB, halving
//! (the scale pyramid), cropping a region, and local (adaptive) thresholding against uneven
//! light (it adds nothing to `rxing`, which binarises locally itself, but helps `rqrr`, whose
//! own threshold is global).

use image::{GrayImage, RgbImage};

/// An axis-aligned region of a frame, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Region {
    /// The bounding box of `points`, grown by `margin` times its larger side on every side,
    /// clipped to a `width`×`height` frame. `None` for no points or an empty box.
    pub fn around(points: &[(f32, f32)], margin: f32, width: u32, height: u32) -> Option<Self> {
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for (x, y) in points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
        {
            x0 = x0.min(*x);
            y0 = y0.min(*y);
            x1 = x1.max(*x);
            y1 = y1.max(*y);
        }
        if x0 > x1 || y0 > y1 {
            return None;
        }
        let grow = (x1 - x0).max(y1 - y0) * margin;
        let clip = |v: f32, limit: u32| v.clamp(0.0, limit as f32) as u32;
        let (left, top) = (clip(x0 - grow, width), clip(y0 - grow, height));
        let (right, bottom) = (clip(x1 + grow, width), clip(y1 + grow, height));
        (right > left && bottom > top).then_some(Region {
            x: left,
            y: top,
            width: right - left,
            height: bottom - top,
        })
    }
}

/// ITU-R BT.601 luma, in integer arithmetic.
pub fn grayscale(frame: &RgbImage) -> GrayImage {
    let luma = frame
        .as_raw()
        .chunks_exact(3)
        .map(|p| {
            ((77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2]) + 128) >> 8) as u8
        })
        .collect();
    GrayImage::from_raw(frame.width(), frame.height(), luma)
        .unwrap_or_else(|| GrayImage::new(frame.width(), frame.height()))
}

/// Half the size, each pixel the mean of a 2×2 block (one level of the scale pyramid).
pub fn halve(image: &GrayImage) -> GrayImage {
    let (width, height) = (image.width() / 2, image.height() / 2);
    let raw = image.as_raw();
    let stride = image.width() as usize;
    GrayImage::from_fn(width, height, |x, y| {
        let (x, y) = (2 * x as usize, 2 * y as usize);
        let at = |dx: usize, dy: usize| {
            raw.get((y + dy) * stride + x + dx)
                .copied()
                .map_or(0, u32::from)
        };
        image::Luma([((at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1) + 2) / 4) as u8])
    })
}

/// The part of `image` inside `region` (clipped to the image).
pub fn crop(image: &GrayImage, region: Region) -> GrayImage {
    let x = region.x.min(image.width());
    let y = region.y.min(image.height());
    let width = region.width.min(image.width() - x);
    let height = region.height.min(image.height() - y);
    image::imageops::crop_imm(image, x, y, width, height).to_image()
}

/// Local thresholding: a pixel is black when darker than the mean of the `window`×`window`
/// square around it minus `offset`, so a shadow or a glare gradient across the card does not
/// swallow half the code. Computed with an integral image (constant time per pixel).
pub fn adaptive_threshold(image: &GrayImage, window: u32, offset: u8) -> GrayImage {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let raw = image.as_raw();
    let mut integral = vec![0u64; (width + 1) * (height + 1)];
    for y in 0..height {
        let mut row = 0u64;
        for x in 0..width {
            row += raw.get(y * width + x).copied().map_or(0, u64::from);
            integral[(y + 1) * (width + 1) + x + 1] = integral[y * (width + 1) + x + 1] + row;
        }
    }
    let half = (window / 2).max(1) as usize;
    GrayImage::from_fn(image.width(), image.height(), |x, y| {
        let (x, y) = (x as usize, y as usize);
        let (x0, y0) = (x.saturating_sub(half), y.saturating_sub(half));
        let (x1, y1) = ((x + half + 1).min(width), (y + half + 1).min(height));
        let sum = integral[y1 * (width + 1) + x1] + integral[y0 * (width + 1) + x0]
            - integral[y0 * (width + 1) + x1]
            - integral[y1 * (width + 1) + x0];
        let area = ((x1 - x0) * (y1 - y0)) as u64;
        let pixel = raw.get(y * width + x).copied().map_or(0, u64::from);
        let black = (pixel + u64::from(offset)) * area < sum;
        image::Luma([if black { 0 } else { 255 }])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_grows_around_points_and_stays_inside_the_frame() {
        let region =
            Region::around(&[(10.0, 10.0), (50.0, 10.0), (10.0, 50.0)], 0.5, 60, 100).unwrap();
        assert_eq!(
            region,
            Region {
                x: 0,
                y: 0,
                width: 60,
                height: 70
            }
        );
        assert!(Region::around(&[], 0.5, 60, 100).is_none());
        assert!(Region::around(&[(f32::NAN, 1.0)], 0.5, 60, 100).is_none());
    }

    #[test]
    fn adaptive_threshold_separates_dark_marks_under_a_light_gradient() {
        // A light gradient from 60 to 250 with dark marks 40 levels below their surroundings.
        let image = GrayImage::from_fn(200, 20, |x, y| {
            let light = 60 + (x * 190 / 200) as u8;
            let mark = x % 20 < 5 && (5..15).contains(&y);
            image::Luma([if mark { light - 40 } else { light }])
        });
        let binary = adaptive_threshold(&image, 15, 10);
        assert_eq!(binary.get_pixel(2, 10).0[0], 0, "mark in the shadow");
        assert_eq!(binary.get_pixel(182, 10).0[0], 0, "mark in the light");
        assert_eq!(binary.get_pixel(12, 10).0[0], 255, "paper in the shadow");
        assert_eq!(binary.get_pixel(192, 10).0[0], 255, "paper in the light");
    }

    #[test]
    fn grayscale_halve_and_crop_keep_sizes_and_levels() {
        let rgb = RgbImage::from_fn(9, 7, |x, _| {
            image::Rgb(if x < 4 { [255, 255, 255] } else { [0, 0, 0] })
        });
        let gray = grayscale(&rgb);
        assert_eq!(
            (gray.get_pixel(0, 0).0[0], gray.get_pixel(8, 0).0[0]),
            (255, 0)
        );
        let half = halve(&gray);
        assert_eq!(half.dimensions(), (4, 3));
        assert_eq!(half.get_pixel(0, 0).0[0], 255);
        let region = Region {
            x: 6,
            y: 5,
            width: 10,
            height: 10,
        };
        assert_eq!(crop(&gray, region).dimensions(), (3, 2));
    }
}
