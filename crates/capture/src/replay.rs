//! A replayed camera: a folder of JPEG/PNG images, or images in memory, played as a camera
//! would deliver them, at a given frame rate.
//!
//! Tests, the demo and the benchmark feed the analysis through this source instead of a
//! webcam. Timestamps are `sequence / frame rate`, so a replay is reproducible; with
//! [`Pacing::RealTime`] `next_frame` also waits until that time has come, as a camera does.
//! A folder replay reads each image when its frame is due: once the folder goes away (removed,
//! renamed, unmounted, no longer readable) the replay reports [`CaptureError::Disconnected`],
//! as a webcam pulled out does, while an image that is there but does not decode is
//! [`CaptureError::ReplayImage`].

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use image::RgbImage;

use crate::frame::{CaptureError, Encoding, Frame, FrameFormat, FrameSource};

/// Whether a replay waits between frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pacing {
    /// Each frame is returned when its timestamp has come (demo, UI tests).
    RealTime,
    /// Frames are returned as fast as they are asked for (tests, benchmark).
    Immediate,
}

enum Pictures {
    Files(Vec<PathBuf>),
    InMemory(Vec<RgbImage>),
}

impl Pictures {
    fn len(&self) -> usize {
        match self {
            Pictures::Files(files) => files.len(),
            Pictures::InMemory(images) => images.len(),
        }
    }

    fn get(&self, index: usize) -> Result<RgbImage, CaptureError> {
        match self {
            Pictures::Files(files) => {
                let path = files.get(index).ok_or(CaptureError::EndOfStream)?;
                let bytes = std::fs::read(path).map_err(|_| CaptureError::Disconnected)?;
                image::load_from_memory(&bytes)
                    .map(|picture| picture.into_rgb8())
                    .map_err(|_| CaptureError::ReplayImage(path.clone()))
            }
            Pictures::InMemory(images) => {
                images.get(index).cloned().ok_or(CaptureError::EndOfStream)
            }
        }
    }
}

/// A camera replayed from images.
pub struct ReplaySource {
    pictures: Pictures,
    format: FrameFormat,
    pacing: Pacing,
    looping: bool,
    next: u64,
    started: Option<Instant>,
}

impl ReplaySource {
    /// Plays the `.jpg`, `.jpeg` and `.png` files of `folder` in file-name order.
    pub fn from_folder(folder: &Path, frames_per_second: u32) -> Result<Self, CaptureError> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(folder)?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| is_image_file(path))
            .collect();
        files.sort();
        let first = files
            .first()
            .ok_or_else(|| CaptureError::EmptyReplay(folder.to_path_buf()))?;
        let (width, height) =
            image::image_dimensions(first).map_err(|_| CaptureError::ReplayImage(first.clone()))?;
        Self::new(Pictures::Files(files), width, height, frames_per_second)
    }

    /// Plays images held in memory, in order.
    pub fn from_images(
        images: Vec<RgbImage>,
        frames_per_second: u32,
    ) -> Result<Self, CaptureError> {
        let (width, height) = images
            .first()
            .map(RgbImage::dimensions)
            .ok_or_else(|| CaptureError::EmptyReplay(PathBuf::new()))?;
        Self::new(Pictures::InMemory(images), width, height, frames_per_second)
    }

    fn new(
        pictures: Pictures,
        width: u32,
        height: u32,
        frames_per_second: u32,
    ) -> Result<Self, CaptureError> {
        if !(1..=240).contains(&frames_per_second) {
            return Err(CaptureError::FrameRate);
        }
        Ok(Self {
            pictures,
            format: FrameFormat {
                width,
                height,
                encoding: Encoding::ImageFile,
                frames_per_second,
            },
            pacing: Pacing::Immediate,
            looping: false,
            next: 0,
            started: None,
        })
    }

    /// Sets whether frames wait for their timestamp (default: [`Pacing::Immediate`]).
    pub fn with_pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = pacing;
        self
    }

    /// Starts again from the first image after the last instead of ending (demo loops).
    pub fn looping(mut self, looping: bool) -> Self {
        self.looping = looping;
        self
    }

    /// How many images one pass plays.
    pub fn len(&self) -> usize {
        self.pictures.len()
    }

    /// Always false: a replay is never built without images.
    pub fn is_empty(&self) -> bool {
        self.pictures.len() == 0
    }

    fn timestamp(&self, sequence: u64) -> Duration {
        let fps = u64::from(self.format.frames_per_second);
        Duration::from_secs(sequence / fps)
            + Duration::from_nanos((sequence % fps) * 1_000_000_000 / fps)
    }
}

impl FrameSource for ReplaySource {
    fn format(&self) -> FrameFormat {
        self.format
    }

    fn next_frame(&mut self) -> Result<Frame, CaptureError> {
        let count = self.pictures.len() as u64;
        let sequence = self.next;
        if !self.looping && sequence >= count {
            return Err(CaptureError::EndOfStream);
        }
        let index =
            usize::try_from(sequence % count.max(1)).map_err(|_| CaptureError::EndOfStream)?;
        let timestamp = self.timestamp(sequence);
        if self.pacing == Pacing::RealTime {
            let started = *self.started.get_or_insert_with(Instant::now);
            if let Some(wait) = timestamp.checked_sub(started.elapsed()) {
                std::thread::sleep(wait);
            }
        }
        self.next += 1;
        let image = self.pictures.get(index)?;
        Ok(Frame {
            sequence,
            timestamp,
            image,
        })
    }
}

fn is_image_file(path: &Path) -> bool {
    path.is_file()
        && path
            .extension()
            .and_then(|ext| ext.to_str())
            .is_some_and(|ext| matches!(ext.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(width: u32, height: u32, value: u8) -> RgbImage {
        RgbImage::from_pixel(width, height, image::Rgb([value, value, value]))
    }

    #[test]
    fn folder_replay_plays_images_in_name_order_with_frame_rate_timestamps() {
        let folder = tempfile::tempdir().unwrap();
        for (name, value) in [("b.png", 20u8), ("a.jpg", 200), ("c.png", 90)] {
            solid(64, 48, value).save(folder.path().join(name)).unwrap();
        }
        std::fs::write(folder.path().join("notes.txt"), "not a frame").unwrap();
        let mut replay = ReplaySource::from_folder(folder.path(), 25).unwrap();
        assert_eq!(replay.len(), 3);
        assert_eq!(
            replay.format(),
            FrameFormat {
                width: 64,
                height: 48,
                encoding: Encoding::ImageFile,
                frames_per_second: 25
            }
        );
        let mut seen = Vec::new();
        while let Ok(frame) = replay.next_frame() {
            seen.push((
                frame.sequence,
                frame.timestamp,
                frame.image.get_pixel(3, 3).0[0],
            ));
        }
        assert_eq!(seen.len(), 3);
        assert!(seen[0].2 > 150, "a.jpg (bright) comes first");
        assert_eq!(seen[1].2, 20);
        assert_eq!(seen[2].2, 90);
        assert_eq!(seen[2].1, Duration::from_millis(80));
        assert!(matches!(
            replay.next_frame(),
            Err(CaptureError::EndOfStream)
        ));
    }

    #[test]
    fn looping_replay_starts_again_and_keeps_time_running() {
        let mut replay = ReplaySource::from_images(vec![solid(8, 8, 1), solid(8, 8, 2)], 10)
            .unwrap()
            .looping(true);
        let frames: Vec<Frame> = (0..5).map(|_| replay.next_frame().unwrap()).collect();
        let values: Vec<u8> = frames
            .iter()
            .map(|f| f.image.get_pixel(0, 0).0[0])
            .collect();
        assert_eq!(values, [1, 2, 1, 2, 1]);
        assert_eq!(frames[4].timestamp, Duration::from_millis(400));
    }

    #[test]
    fn real_time_pacing_waits_for_each_frame() {
        let mut replay = ReplaySource::from_images(vec![solid(4, 4, 0); 3], 50)
            .unwrap()
            .with_pacing(Pacing::RealTime);
        let started = Instant::now();
        for _ in 0..3 {
            replay.next_frame().unwrap();
        }
        assert!(started.elapsed() >= Duration::from_millis(40));
    }

    #[test]
    fn empty_folder_unreadable_image_and_bad_rate_are_clear_errors() {
        let folder = tempfile::tempdir().unwrap();
        assert!(matches!(
            ReplaySource::from_folder(folder.path(), 30),
            Err(CaptureError::EmptyReplay(_))
        ));
        assert!(matches!(
            ReplaySource::from_images(vec![solid(4, 4, 0)], 0),
            Err(CaptureError::FrameRate)
        ));
        solid(4, 4, 0).save(folder.path().join("a.png")).unwrap();
        std::fs::write(folder.path().join("b.jpg"), b"\xFF\xD8 truncated").unwrap();
        let mut replay = ReplaySource::from_folder(folder.path(), 30).unwrap();
        assert!(replay.next_frame().is_ok());
        assert!(matches!(
            replay.next_frame(),
            Err(CaptureError::ReplayImage(_))
        ));
    }

    #[test]
    fn a_folder_that_goes_away_mid_replay_is_a_disconnected_camera_and_comes_back() {
        let parent = tempfile::tempdir().unwrap();
        let folder = parent.path().join("camera");
        std::fs::create_dir(&folder).unwrap();
        solid(8, 8, 40).save(folder.join("a.png")).unwrap();
        let mut replay = ReplaySource::from_folder(&folder, 30)
            .unwrap()
            .looping(true);
        assert!(replay.next_frame().is_ok());
        let away = parent.path().join("unplugged");
        std::fs::rename(&folder, &away).unwrap();
        let gone = replay.next_frame();
        assert!(matches!(gone, Err(CaptureError::Disconnected)), "{gone:?}");
        assert!(gone.is_err_and(|err| err.is_fatal()));
        std::fs::rename(&away, &folder).unwrap();
        let mut reopened = ReplaySource::from_folder(&folder, 30).unwrap();
        assert_eq!(
            reopened.next_frame().unwrap().image.get_pixel(0, 0).0[0],
            40
        );
    }

    #[test]
    fn missing_folder_is_an_io_error() {
        assert!(matches!(
            ReplaySource::from_folder(Path::new("/nonexistent/frames"), 30),
            Err(CaptureError::Io(_))
        ));
    }
}
