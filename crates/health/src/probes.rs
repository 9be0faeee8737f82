//! The individual probes, each cheap enough to run every couple of seconds.

use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The PC/SC side: service, readers, card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderStatus {
    /// pcscd is not running.
    ServiceDown,
    /// pcscd runs but no reader is connected.
    NoReader,
    /// A reader is connected, no card on it.
    Ready(String),
    /// A card is on the reader.
    CardPresent(String),
    /// pcscd answered with an error.
    Error(String),
}

impl ReaderStatus {
    /// The state's name in the UI contract.
    pub fn code(&self) -> &'static str {
        match self {
            ReaderStatus::ServiceDown => "service_down",
            ReaderStatus::NoReader => "no_reader",
            ReaderStatus::Ready(_) => "ready",
            ReaderStatus::CardPresent(_) => "card_present",
            ReaderStatus::Error(_) => "error",
        }
    }

    /// The reader's name, or pcscd's error.
    pub fn detail(&self) -> Option<&str> {
        match self {
            ReaderStatus::ServiceDown | ReaderStatus::NoReader => None,
            ReaderStatus::Ready(s) | ReaderStatus::CardPresent(s) | ReaderStatus::Error(s) => {
                Some(s)
            }
        }
    }
}

/// Reads the reader state from pcscd. With several readers, one holding a card wins.
pub fn reader_status() -> ReaderStatus {
    match reader::discovery::list_readers() {
        Err(reader::discovery::DiscoveryError::ServiceDown) => ReaderStatus::ServiceDown,
        Err(err) => ReaderStatus::Error(err.to_string()),
        Ok(readers) => match readers.iter().find(|r| r.card_present) {
            Some(r) => ReaderStatus::CardPresent(r.name.clone()),
            None => readers.first().map_or(ReaderStatus::NoReader, |r| {
                ReaderStatus::Ready(r.name.clone())
            }),
        },
    }
}

/// The camera side, as far as the operating system lists video capture devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraStatus {
    NoCamera,
    Ready(String),
}

impl CameraStatus {
    /// The state's name in the UI contract.
    pub fn code(&self) -> &'static str {
        match self {
            CameraStatus::NoCamera => "no_camera",
            CameraStatus::Ready(_) => "ready",
        }
    }

    /// The camera's name.
    pub fn detail(&self) -> Option<&str> {
        match self {
            CameraStatus::NoCamera => None,
            CameraStatus::Ready(name) => Some(name),
        }
    }
}

/// The system's video4linux class directory.
pub const V4L_SYSFS: &str = "/sys/class/video4linux";

/// Names of the video capture devices under a video4linux sysfs directory, sorted by node.
///
/// A USB webcam registers several nodes; the capture node is the one with `index` 0.
pub fn list_cameras(sysfs: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(sysfs) else {
        return Vec::new();
    };
    let mut nodes: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    nodes.sort();
    nodes
        .iter()
        .filter(|node| read_trimmed(&node.join("index")).is_none_or(|index| index == "0"))
        .filter_map(|node| read_trimmed(&node.join("name")))
        .collect()
}

fn read_trimmed(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// The first camera under `sysfs`, or none.
pub fn camera_status(sysfs: &Path) -> CameraStatus {
    list_cameras(sysfs)
        .into_iter()
        .next()
        .map_or(CameraStatus::NoCamera, CameraStatus::Ready)
}

/// The camera the configuration names: a replay folder is ready when it holds image files
/// (named `replay: FOLDER`); a device camera is the first video capture device under `sysfs`.
pub fn configured_camera_status(camera: &kiosk_config::Camera, sysfs: &Path) -> CameraStatus {
    match camera {
        kiosk_config::Camera::Replay(folder) => {
            let has_images = std::fs::read_dir(folder).is_ok_and(|entries| {
                entries.flatten().any(|e| {
                    e.path()
                        .extension()
                        .and_then(|x| x.to_str())
                        .is_some_and(|x| matches!(x, "jpg" | "jpeg" | "png"))
                })
            });
            let name = folder
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if has_images {
                CameraStatus::Ready(format!("replay: {name}"))
            } else {
                CameraStatus::NoCamera
            }
        }
        kiosk_config::Camera::First
        | kiosk_config::Camera::Index(_)
        | kiosk_config::Camera::Name(_) => camera_status(sysfs),
    }
}

/// How many certificate or master-list files the trust store directory holds.
pub fn trust_store_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .filter(|e| {
                let name = e.file_name().to_string_lossy().to_ascii_lowercase();
                [".der", ".pem", ".cer", ".crt", ".ml"]
                    .iter()
                    .any(|ext| name.ends_with(ext))
            })
            .count()
    })
}

/// Whether the back office answers on its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackOfficeStatus {
    /// A TCP connection to the back office's host and port succeeded.
    Reachable(String),
    /// No connection could be made; enrollments wait in the queue.
    Unreachable(String),
}

impl BackOfficeStatus {
    /// The state's name in the UI contract.
    pub fn code(&self) -> &'static str {
        match self {
            BackOfficeStatus::Reachable(_) => "reachable",
            BackOfficeStatus::Unreachable(_) => "unreachable",
        }
    }

    /// The back office's host and port.
    pub fn detail(&self) -> Option<&str> {
        match self {
            BackOfficeStatus::Reachable(s) | BackOfficeStatus::Unreachable(s) => Some(s),
        }
    }
}

/// Opens (and closes) a TCP connection to the back office's host and port.
pub fn back_office_status(url: &url::Url, timeout: Duration) -> BackOfficeStatus {
    let host = url.host_str().unwrap_or_default().to_string();
    let Some(port) = url.port_or_known_default() else {
        return BackOfficeStatus::Unreachable(host);
    };
    let endpoint = format!("{host}:{port}");
    let addrs = (host.trim_start_matches('[').trim_end_matches(']'), port).to_socket_addrs();
    let connected = addrs
        .map(|mut addrs| addrs.any(|addr| TcpStream::connect_timeout(&addr, timeout).is_ok()))
        .unwrap_or(false);
    if connected {
        BackOfficeStatus::Reachable(endpoint)
    } else {
        BackOfficeStatus::Unreachable(endpoint)
    }
}

/// The data directory's state: it must exist (created if missing) and be writable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDirInfo {
    pub free_bytes: u64,
}

/// Creates the data directory if needed, proves it writable, and measures free space.
pub fn data_dir_status(dir: &Path) -> std::io::Result<DataDirInfo> {
    std::fs::create_dir_all(dir)?;
    tempfile_in(dir)?;
    let stat = rustix::fs::statvfs(dir)?;
    Ok(DataDirInfo {
        free_bytes: stat.f_bavail.saturating_mul(stat.f_frsize),
    })
}

fn tempfile_in(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    std::fs::write(&probe, b"ok")?;
    std::fs::remove_file(&probe)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_node(root: &Path, node: &str, name: &str, index: &str) {
        let dir = root.join(node);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("name"), format!("{name}\n")).expect("name");
        std::fs::write(dir.join("index"), format!("{index}\n")).expect("index");
    }

    #[test]
    fn cameras_are_the_capture_nodes_in_node_order() {
        let root = tempfile::tempdir().expect("tempdir");
        fake_node(root.path(), "video1", "HD Webcam C615", "1");
        fake_node(root.path(), "video0", "HD Webcam C615", "0");
        fake_node(root.path(), "video2", "Integrated Camera", "0");
        assert_eq!(
            list_cameras(root.path()),
            ["HD Webcam C615", "Integrated Camera"]
        );
        assert_eq!(
            camera_status(root.path()),
            CameraStatus::Ready("HD Webcam C615".into())
        );
    }

    #[test]
    fn a_replay_camera_is_ready_only_with_images_in_its_folder() {
        let root = tempfile::tempdir().expect("tempdir");
        let folder = root.path().join("frames");
        std::fs::create_dir_all(&folder).expect("mkdir");
        let camera = kiosk_config::Camera::Replay(folder.clone());
        let sysfs = root.path().join("no-v4l");
        assert_eq!(
            configured_camera_status(&camera, &sysfs),
            CameraStatus::NoCamera
        );
        std::fs::write(folder.join("0.jpg"), b"x").expect("write");
        assert_eq!(
            configured_camera_status(&camera, &sysfs),
            CameraStatus::Ready("replay: frames".into())
        );
        assert_eq!(
            configured_camera_status(&kiosk_config::Camera::First, &sysfs),
            CameraStatus::NoCamera
        );
    }

    #[test]
    fn no_video_class_means_no_camera() {
        let root = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            camera_status(&root.path().join("absent")),
            CameraStatus::NoCamera
        );
    }

    #[test]
    fn back_office_on_a_listening_port_is_reachable_and_on_a_closed_one_is_not() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let url = url::Url::parse(&format!("http://127.0.0.1:{port}/")).expect("url");
        let open = back_office_status(&url, Duration::from_secs(2));
        assert_eq!(
            open,
            BackOfficeStatus::Reachable(format!("127.0.0.1:{port}"))
        );
        drop(listener);
        let closed = back_office_status(&url, Duration::from_secs(2));
        assert_eq!(
            closed,
            BackOfficeStatus::Unreachable(format!("127.0.0.1:{port}"))
        );
    }

    #[test]
    fn data_dir_is_created_and_measured() {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("a/b");
        let info = data_dir_status(&dir).expect("writable");
        assert!(dir.is_dir());
        assert!(info.free_bytes > 0);
    }

    #[test]
    fn data_dir_under_a_file_is_an_error() {
        let root = tempfile::tempdir().expect("tempdir");
        let file = root.path().join("file");
        std::fs::write(&file, b"x").expect("write");
        assert!(data_dir_status(&file.join("data")).is_err());
    }

    #[test]
    fn states_have_the_codes_the_ui_knows() {
        assert_eq!(ReaderStatus::ServiceDown.code(), "service_down");
        assert_eq!(ReaderStatus::NoReader.code(), "no_reader");
        assert_eq!(ReaderStatus::NoReader.detail(), None);
        let present = ReaderStatus::CardPresent("R 00".into());
        assert_eq!(
            (present.code(), present.detail()),
            ("card_present", Some("R 00"))
        );
        assert_eq!(CameraStatus::NoCamera.code(), "no_camera");
        let down = BackOfficeStatus::Unreachable("h:1".into());
        assert_eq!((down.code(), down.detail()), ("unreachable", Some("h:1")));
    }
}
