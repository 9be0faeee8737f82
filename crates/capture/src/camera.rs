//! Real webcams: which camera to use, which of its modes to ask for, and (with the cargo
//! feature `device`) the capture itself through `nokhwa`.
//!
//! The choice of camera and mode is plain logic over the lists a camera reports, so it is
//! tested without a camera. `nokhwa::Camera` is not `Send`: [`DeviceSource`] owns it on a
//! capture thread and passes decoded frames over a bounded channel; when the analysis falls
//! behind, the newest frames are dropped rather than queued, so frames never go stale.

use crate::frame::{CaptureError, Encoding};

/// A camera as the system lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraInfo {
    /// The system's index (on Linux the N of `/dev/videoN`).
    pub index: u32,
    pub name: String,
    pub description: String,
}

/// Which camera the configuration asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CameraChoice {
    /// The first camera listed.
    #[default]
    First,
    /// The camera with this system index.
    Index(u32),
    /// The camera whose name is this (ignoring case), else the only one whose name contains it.
    Name(String),
}

/// Picks the configured camera from those listed.
pub fn select_camera<'a>(
    cameras: &'a [CameraInfo],
    choice: &CameraChoice,
) -> Result<&'a CameraInfo, CaptureError> {
    if cameras.is_empty() {
        return Err(CaptureError::NoCamera);
    }
    let found = match choice {
        CameraChoice::First => cameras.first(),
        CameraChoice::Index(index) => cameras.iter().find(|camera| camera.index == *index),
        CameraChoice::Name(name) => {
            let wanted = name.trim().to_lowercase();
            cameras
                .iter()
                .find(|camera| camera.name.to_lowercase() == wanted)
                .or_else(|| {
                    let mut partial = cameras
                        .iter()
                        .filter(|camera| camera.name.to_lowercase().contains(&wanted));
                    match (partial.next(), partial.next()) {
                        (Some(only), None) if !wanted.is_empty() => Some(only),
                        _ => None,
                    }
                })
        }
    };
    found.ok_or(CaptureError::CameraNotFound)
}

/// One mode a camera offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CameraMode {
    pub width: u32,
    pub height: u32,
    pub encoding: Encoding,
    pub frames_per_second: u32,
}

/// The lowest frame rate that still gives live guidance.
pub const MIN_FRAMES_PER_SECOND: u32 = 15;

/// Picks the mode closest to `wanted`: a steady frame rate (at least
/// [`MIN_FRAMES_PER_SECOND`]) first, then the resolution nearest in pixel count (at or above
/// the wanted one preferred), then MJPEG (USB 2 carries 720p YUYV at only ~10 frames/s), then
/// the frame rate nearest the wanted one.
pub fn choose_mode(modes: &[CameraMode], wanted: CameraMode) -> Result<CameraMode, CaptureError> {
    let area = |mode: &CameraMode| u64::from(mode.width) * u64::from(mode.height);
    let wanted_area = area(&wanted);
    modes
        .iter()
        .filter(|mode| mode.width > 0 && mode.height > 0 && mode.encoding != Encoding::ImageFile)
        .min_by_key(|mode| {
            let too_slow = mode.frames_per_second < MIN_FRAMES_PER_SECOND;
            let below = area(mode) < wanted_area;
            let distance = area(mode).abs_diff(wanted_area);
            let not_mjpeg = mode.encoding != Encoding::Mjpeg;
            let rate = mode.frames_per_second.abs_diff(wanted.frames_per_second);
            (too_slow, below, distance, not_mjpeg, rate)
        })
        .copied()
        .ok_or_else(|| CaptureError::Format("the camera lists no video mode".into()))
}

#[cfg(feature = "device")]
pub use device::{DeviceSource, list_cameras};

/// Lists the cameras; without the `device` feature there is no camera support to ask.
#[cfg(not(feature = "device"))]
pub fn list_cameras() -> Result<Vec<CameraInfo>, CaptureError> {
    Err(CaptureError::DeviceSupportNotBuilt)
}

#[cfg(feature = "device")]
mod device {
    //! The capture thread over `nokhwa`.

    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
    use std::thread::JoinHandle;
    use std::time::Instant;

    use nokhwa::Camera;
    use nokhwa::pixel_format::RgbFormat;
    use nokhwa::utils::{
        ApiBackend, CameraFormat, CameraIndex, FrameFormat as Fourcc, RequestedFormat,
        RequestedFormatType, Resolution,
    };

    use super::{CameraChoice, CameraInfo, CameraMode, choose_mode, select_camera};
    use crate::frame::{CaptureError, Encoding, Frame, FrameFormat, FrameSource};

    /// Frames waiting between the capture thread and the analysis.
    const QUEUE: usize = 2;

    /// Lists the cameras the system sees (empty on a machine without one).
    pub fn list_cameras() -> Result<Vec<CameraInfo>, CaptureError> {
        let cameras =
            nokhwa::query(ApiBackend::Auto).map_err(|err| CaptureError::Open(err.to_string()))?;
        Ok(cameras
            .iter()
            .filter_map(|camera| {
                Some(CameraInfo {
                    index: camera.index().as_index().ok()?,
                    name: camera.human_name(),
                    description: camera.description().to_string(),
                })
            })
            .collect())
    }

    /// A webcam captured on its own thread.
    pub struct DeviceSource {
        format: FrameFormat,
        frames: Receiver<Result<Frame, CaptureError>>,
        stop: Arc<AtomicBool>,
        thread: Option<JoinHandle<()>>,
    }

    impl DeviceSource {
        /// Opens the chosen camera in the mode closest to `wanted` and starts capturing.
        pub fn open(choice: &CameraChoice, wanted: CameraMode) -> Result<Self, CaptureError> {
            let cameras = list_cameras()?;
            let camera = select_camera(&cameras, choice)?.clone();
            let (format_tx, format_rx) = sync_channel(1);
            let (frame_tx, frames) = sync_channel(QUEUE);
            let stop = Arc::new(AtomicBool::new(false));
            let thread_stop = Arc::clone(&stop);
            let thread = std::thread::Builder::new()
                .name("camera".into())
                .spawn(move || capture(camera.index, wanted, format_tx, frame_tx, thread_stop))?;
            let format = format_rx.recv().map_err(|_| CaptureError::Disconnected)??;
            Ok(Self {
                format,
                frames,
                stop,
                thread: Some(thread),
            })
        }
    }

    impl FrameSource for DeviceSource {
        fn format(&self) -> FrameFormat {
            self.format
        }

        fn next_frame(&mut self) -> Result<Frame, CaptureError> {
            self.frames.recv().map_err(|_| CaptureError::Disconnected)?
        }
    }

    impl Drop for DeviceSource {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::Relaxed);
            if let Some(thread) = self.thread.take() {
                while self.frames.try_recv().is_ok() {}
                let _ = thread.join();
            }
        }
    }

    fn encoding(fourcc: Fourcc) -> Encoding {
        match fourcc {
            Fourcc::MJPEG => Encoding::Mjpeg,
            Fourcc::YUYV => Encoding::Yuyv,
            Fourcc::NV12 | Fourcc::GRAY | Fourcc::RAWRGB | Fourcc::RAWBGR => Encoding::Raw,
        }
    }

    fn fourcc(encoding: Encoding) -> Fourcc {
        match encoding {
            Encoding::Mjpeg | Encoding::ImageFile => Fourcc::MJPEG,
            Encoding::Yuyv => Fourcc::YUYV,
            Encoding::Raw => Fourcc::NV12,
        }
    }

    fn open_camera(index: u32, wanted: CameraMode) -> Result<(Camera, FrameFormat), CaptureError> {
        let open = |err: nokhwa::NokhwaError| CaptureError::Open(err.to_string());
        let requested =
            RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(CameraFormat::new(
                Resolution::new(wanted.width, wanted.height),
                fourcc(wanted.encoding),
                wanted.frames_per_second,
            )));
        let mut camera = Camera::new(CameraIndex::Index(index), requested).map_err(open)?;
        let modes: Vec<CameraMode> = camera
            .compatible_camera_formats()
            .map_err(|err| CaptureError::Format(err.to_string()))?
            .iter()
            .map(|format| CameraMode {
                width: format.width(),
                height: format.height(),
                encoding: encoding(format.format()),
                frames_per_second: format.frame_rate(),
            })
            .collect();
        let mode = choose_mode(&modes, wanted)?;
        camera
            .set_camera_requset(RequestedFormat::new::<RgbFormat>(
                RequestedFormatType::Exact(CameraFormat::new(
                    Resolution::new(mode.width, mode.height),
                    fourcc(mode.encoding),
                    mode.frames_per_second,
                )),
            ))
            .map_err(|err| CaptureError::Format(err.to_string()))?;
        camera.open_stream().map_err(open)?;
        let actual = camera.camera_format();
        Ok((
            camera,
            FrameFormat {
                width: actual.width(),
                height: actual.height(),
                encoding: encoding(actual.format()),
                frames_per_second: actual.frame_rate(),
            },
        ))
    }

    fn capture(
        index: u32,
        wanted: CameraMode,
        format_tx: SyncSender<Result<FrameFormat, CaptureError>>,
        frame_tx: SyncSender<Result<Frame, CaptureError>>,
        stop: Arc<AtomicBool>,
    ) {
        let mut camera = match open_camera(index, wanted) {
            Ok((camera, format)) => {
                if format_tx.send(Ok(format)).is_err() {
                    return;
                }
                camera
            }
            Err(err) => {
                let _ = format_tx.send(Err(err));
                return;
            }
        };
        let started = Instant::now();
        let mut sequence = 0u64;
        while !stop.load(Ordering::Relaxed) {
            let message = match camera.frame() {
                Err(_) => {
                    let _ = frame_tx.send(Err(CaptureError::Disconnected));
                    break;
                }
                Ok(buffer) => match buffer.decode_image::<RgbFormat>() {
                    Ok(image) => Ok(Frame {
                        sequence,
                        timestamp: started.elapsed(),
                        image,
                    }),
                    Err(_) => Err(CaptureError::BadFrame),
                },
            };
            sequence += 1;
            match frame_tx.try_send(message) {
                Ok(()) | Err(TrySendError::Full(_)) => {}
                Err(TrySendError::Disconnected(_)) => break,
            }
        }
        let _ = camera.stop_stream();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cameras() -> Vec<CameraInfo> {
        [
            (0, "Integrated Camera"),
            (2, "Logitech HD Webcam C920"),
            (4, "Logitech BRIO"),
        ]
        .into_iter()
        .map(|(index, name)| CameraInfo {
            index,
            name: name.into(),
            description: String::new(),
        })
        .collect()
    }

    fn mode(width: u32, height: u32, encoding: Encoding, fps: u32) -> CameraMode {
        CameraMode {
            width,
            height,
            encoding,
            frames_per_second: fps,
        }
    }

    #[test]
    fn camera_is_chosen_by_index_exact_name_or_unique_part_of_name() {
        let list = cameras();
        assert_eq!(select_camera(&list, &CameraChoice::First).unwrap().index, 0);
        assert_eq!(
            select_camera(&list, &CameraChoice::Index(4)).unwrap().name,
            "Logitech BRIO"
        );
        let by_name = CameraChoice::Name("logitech hd webcam c920".into());
        assert_eq!(select_camera(&list, &by_name).unwrap().index, 2);
        assert_eq!(
            select_camera(&list, &CameraChoice::Name("brio".into()))
                .unwrap()
                .index,
            4
        );
    }

    #[test]
    fn ambiguous_or_unknown_camera_is_not_found_and_no_camera_is_its_own_error() {
        let list = cameras();
        for choice in [
            CameraChoice::Index(1),
            CameraChoice::Name("logitech".into()),
            CameraChoice::Name("  ".into()),
            CameraChoice::Name("Canon".into()),
        ] {
            assert!(
                matches!(
                    select_camera(&list, &choice),
                    Err(CaptureError::CameraNotFound)
                ),
                "{choice:?}"
            );
        }
        assert!(matches!(
            select_camera(&[], &CameraChoice::First),
            Err(CaptureError::NoCamera)
        ));
    }

    #[test]
    fn mode_choice_prefers_steady_rate_then_resolution_then_mjpeg() {
        let wanted = mode(1280, 720, Encoding::Mjpeg, 30);
        let modes = [
            mode(640, 480, Encoding::Yuyv, 30),
            mode(1280, 720, Encoding::Yuyv, 10),
            mode(1280, 720, Encoding::Mjpeg, 30),
            mode(1920, 1080, Encoding::Mjpeg, 30),
        ];
        assert_eq!(
            choose_mode(&modes, wanted).unwrap(),
            mode(1280, 720, Encoding::Mjpeg, 30)
        );
        let yuyv_only = [
            mode(640, 480, Encoding::Yuyv, 30),
            mode(1280, 720, Encoding::Yuyv, 10),
        ];
        assert_eq!(
            choose_mode(&yuyv_only, wanted).unwrap(),
            mode(640, 480, Encoding::Yuyv, 30),
            "a steady 640x480 beats a 10 frames/s 720p"
        );
        let bigger = [
            mode(640, 480, Encoding::Mjpeg, 30),
            mode(1920, 1080, Encoding::Mjpeg, 30),
        ];
        assert_eq!(
            choose_mode(&bigger, wanted).unwrap().width,
            1920,
            "never below the wanted size when avoidable"
        );
        assert!(matches!(
            choose_mode(&[], wanted),
            Err(CaptureError::Format(_))
        ));
    }

    #[cfg(not(feature = "device"))]
    #[test]
    fn without_device_support_listing_cameras_says_so() {
        assert!(matches!(
            list_cameras(),
            Err(CaptureError::DeviceSupportNotBuilt)
        ));
    }

    #[cfg(feature = "device")]
    #[test]
    fn device_source_on_a_machine_without_camera_reports_no_camera() {
        let listed = list_cameras().unwrap_or_default();
        let opened = DeviceSource::open(&CameraChoice::First, mode(1280, 720, Encoding::Mjpeg, 30));
        if listed.is_empty() {
            assert!(matches!(opened, Err(CaptureError::NoCamera)));
        } else {
            assert!(!matches!(opened, Err(CaptureError::NoCamera)));
        }
    }
}
