//! The Rust side of `native/dlib_face.cpp`: dlib's 5-point landmark model and its ResNet face
//! descriptor, loaded from files, called on packed RGB images. Everything unsafe in the crate
//! is here; the rest of the crate sees [`Landmarker`] and [`Encoder`].
//!
//! Images cross the boundary by pointer and size only; the C++ side copies what it reads and
//! keeps nothing. Failures come back as a status and a short message that names no image
//! content (the message is dlib's, about files and shapes).

use std::ffi::{CString, c_char};
use std::path::Path;

use image::RgbImage;

/// The length of a face descriptor.
pub const DESCRIPTOR_LEN: usize = 128;

/// A face box in image pixels: left, top, width, height.
pub type Box4 = [f64; 4];

/// Five landmarks as x, y pairs in image pixels.
pub type Points = [f64; 10];

#[repr(C)]
struct RawLandmarker {
    _private: [u8; 0],
}

#[repr(C)]
struct RawEncoder {
    _private: [u8; 0],
}

unsafe extern "C" {
    fn vneid_landmarker_load(
        path: *const c_char,
        out: *mut *mut RawLandmarker,
        message: *mut c_char,
        capacity: usize,
    ) -> i32;
    fn vneid_landmarker_free(landmarker: *mut RawLandmarker);
    fn vneid_landmarks(
        landmarker: *const RawLandmarker,
        rgb: *const u8,
        width: usize,
        height: usize,
        face: *const f64,
        points: *mut f64,
        message: *mut c_char,
        capacity: usize,
    ) -> i32;
    fn vneid_encoder_load(
        path: *const c_char,
        out: *mut *mut RawEncoder,
        message: *mut c_char,
        capacity: usize,
    ) -> i32;
    fn vneid_encoder_free(encoder: *mut RawEncoder);
    fn vneid_descriptor(
        encoder: *mut RawEncoder,
        rgb: *const u8,
        width: usize,
        height: usize,
        face: *const f64,
        points: *const f64,
        descriptor: *mut f32,
        message: *mut c_char,
        capacity: usize,
    ) -> i32;
}

const MESSAGE_CAPACITY: usize = 256;

/// A call into dlib failed; the text is dlib's and names no image content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DlibError(String);

/// Runs one shim call with a message buffer; turns a non-zero status into its message.
fn call(body: impl FnOnce(*mut c_char, usize) -> i32) -> Result<(), DlibError> {
    let mut message = [0 as c_char; MESSAGE_CAPACITY];
    if body(message.as_mut_ptr(), MESSAGE_CAPACITY) == 0 {
        return Ok(());
    }
    let bytes: Vec<u8> = message
        .iter()
        .take_while(|c| **c != 0)
        .map(|c| *c as u8)
        .collect();
    Err(DlibError(String::from_utf8_lossy(&bytes).into_owned()))
}

fn c_path(path: &Path) -> Result<CString, DlibError> {
    CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| DlibError("the model path contains a NUL byte".into()))
}

/// dlib's `shape_predictor` with the 5-point model: eye corners and the base of the nose.
pub struct Landmarker(*mut RawLandmarker);

// SAFETY: the C++ object is only read after loading (dlib's `shape_predictor::operator()` is
// const and keeps no per-call state), so it may be shared and used from any thread.
unsafe impl Send for Landmarker {}
unsafe impl Sync for Landmarker {}

impl Landmarker {
    pub fn load(path: &Path) -> Result<Self, DlibError> {
        let path = c_path(path)?;
        let mut raw = std::ptr::null_mut();
        // SAFETY: `path` is NUL-terminated and outlives the call; `raw` is written only on
        // success; the message buffer has the capacity passed.
        call(|message, capacity| unsafe {
            vneid_landmarker_load(path.as_ptr(), &mut raw, message, capacity)
        })?;
        if raw.is_null() {
            return Err(DlibError("the landmark model loaded as nothing".into()));
        }
        Ok(Self(raw))
    }

    /// The five landmarks of the face in `face` (image pixels).
    pub fn landmarks(&self, image: &RgbImage, face: Box4) -> Result<Points, DlibError> {
        let mut points = [0.0; 10];
        // SAFETY: the image buffer holds width × height × 3 bytes (an `RgbImage` invariant),
        // `face` has 4 and `points` 10 values, as the C side reads and writes.
        call(|message, capacity| unsafe {
            vneid_landmarks(
                self.0,
                image.as_raw().as_ptr(),
                image.width() as usize,
                image.height() as usize,
                face.as_ptr(),
                points.as_mut_ptr(),
                message,
                capacity,
            )
        })?;
        Ok(points)
    }
}

impl Drop for Landmarker {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `vneid_landmarker_load` and is freed once.
        unsafe { vneid_landmarker_free(self.0) }
    }
}

/// dlib's ResNet face descriptor (`dlib_face_recognition_resnet_model_v1`): 128 numbers per
/// face, close (Euclidean distance) for the same person.
pub struct Encoder(*mut RawEncoder);

// SAFETY: the C++ network is owned by this value alone and used only through `&mut self`.
unsafe impl Send for Encoder {}

impl Encoder {
    pub fn load(path: &Path) -> Result<Self, DlibError> {
        let path = c_path(path)?;
        let mut raw = std::ptr::null_mut();
        // SAFETY: as in `Landmarker::load`.
        call(|message, capacity| unsafe {
            vneid_encoder_load(path.as_ptr(), &mut raw, message, capacity)
        })?;
        if raw.is_null() {
            return Err(DlibError("the descriptor model loaded as nothing".into()));
        }
        Ok(Self(raw))
    }

    /// The descriptor of the face in `face` whose landmarks are `points`.
    pub fn descriptor(
        &mut self,
        image: &RgbImage,
        face: Box4,
        points: &Points,
    ) -> Result<[f32; DESCRIPTOR_LEN], DlibError> {
        let mut descriptor = [0.0f32; DESCRIPTOR_LEN];
        // SAFETY: as in `Landmarker::landmarks`; `descriptor` has the 128 values written, and
        // `&mut self` keeps the network to one caller at a time.
        call(|message, capacity| unsafe {
            vneid_descriptor(
                self.0,
                image.as_raw().as_ptr(),
                image.width() as usize,
                image.height() as usize,
                face.as_ptr(),
                points.as_ptr(),
                descriptor.as_mut_ptr(),
                message,
                capacity,
            )
        })?;
        Ok(descriptor)
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `vneid_encoder_load` and is freed once.
        unsafe { vneid_encoder_free(self.0) }
    }
}
