//! DG2, the encoded face (ICAO 9303-10 §4.7.2): the biometric information group template and,
//! inside each biometric data block, the ISO/IEC 19794-5:2005 facial record whose image is a
//! JPEG or JPEG 2000 file. Extracts the image bytes untouched, with the record's metadata.
//!
//! The image is sensitive personal data: `Debug` shows its format and size only.

use crate::lds::{DataGroup, LdsError, LdsFile};
use crate::tlv;

/// Format of the face image bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// JPEG (JFIF), ISO 19794-5 image data type 0.
    Jpeg,
    /// JPEG 2000 (JP2 file or J2K codestream), image data type 1.
    Jpeg2000,
}

impl ImageFormat {
    /// The MIME type, for handing the bytes to a decoder or a web view.
    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Jpeg2000 => "image/jp2",
        }
    }

    /// Recognises the format from the image's first bytes.
    pub fn sniff(image: &[u8]) -> Option<Self> {
        const JP2_SIGNATURE: [u8; 12] = [
            0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
        ];
        if image.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if image.starts_with(&JP2_SIGNATURE) || image.starts_with(&[0xFF, 0x4F, 0xFF, 0x51])
        {
            Some(Self::Jpeg2000)
        } else {
            None
        }
    }
}

/// One feature point of the facial record (ISO 19794-5 §5.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeaturePoint {
    /// Feature point type (1 = MPEG-4).
    pub kind: u8,
    /// Major and minor code packed as in the record.
    pub code: u8,
    /// Horizontal position in pixels.
    pub x: u16,
    /// Vertical position in pixels.
    pub y: u16,
}

/// A face image with the metadata of its ISO 19794-5 facial record.
#[derive(Clone, PartialEq, Eq)]
pub struct FaceImage {
    /// JPEG or JPEG 2000, from the bytes (the declared type when they say nothing).
    pub format: ImageFormat,
    /// Width in pixels as declared.
    pub width: u16,
    /// Height in pixels as declared.
    pub height: u16,
    /// Gender code (0 unspecified, 1 male, 2 female, 0xFF unknown).
    pub gender: u8,
    /// Eye colour code.
    pub eye_colour: u8,
    /// Hair colour code.
    pub hair_colour: u8,
    /// Property mask (24 bits).
    pub property_mask: u32,
    /// Expression code.
    pub expression: u16,
    /// Pose angles yaw, pitch, roll (encoded as in the record).
    pub pose_angles: [u8; 3],
    /// Face image type (0 basic, 1 full frontal, 2 token frontal).
    pub face_image_type: u8,
    /// Image colour space code.
    pub colour_space: u8,
    /// Source type code (e.g. 2 = digital still camera, 3 = scanner).
    pub source_type: u8,
    /// Device type code.
    pub device_type: u16,
    /// Quality (0 unspecified).
    pub quality: u16,
    /// Feature points, often none.
    pub feature_points: Vec<FeaturePoint>,
    /// The image file, byte for byte as stored.
    pub image: Vec<u8>,
}

impl core::fmt::Debug for FaceImage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FaceImage")
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("image_len", &self.image.len())
            .finish_non_exhaustive()
    }
}

/// DG2: the face images, usually one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg2 {
    /// Every face of every biometric information template.
    pub faces: Vec<FaceImage>,
}

fn structure(reason: &'static str) -> LdsError {
    LdsError::Structure {
        file: LdsFile::Dg(DG2),
        reason,
    }
}

const DG2: DataGroup = match DataGroup::new(2) {
    Some(dg) => dg,
    None => unreachable!(),
};

/// A cursor over the big-endian fields of the facial record.
struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], LdsError> {
        if n > self.0.len() {
            return Err(structure("facial record truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn uint(&mut self, n: usize) -> Result<u32, LdsError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
    }

    fn u8(&mut self) -> Result<u8, LdsError> {
        Ok(self.take(1)?.first().copied().unwrap_or_default())
    }

    fn u16(&mut self) -> Result<u16, LdsError> {
        Ok(self.uint(2)? as u16)
    }
}

impl Dg2 {
    /// Parses `75 { 7F61 { 02 count, 7F60 { A1 header, 5F2E data }... } }`.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let (outer, _) = tlv::parse_one(bytes)?;
        let group = tlv::parse_single(outer.expect_tag(0x75)?)?.expect_tag(0x7F61)?;
        let mut faces = Vec::new();
        let mut declared = None;
        for element in tlv::parse_all(group)? {
            match element.tag.0 {
                0x02 => declared = element.value.first().copied().map(usize::from),
                0x7F60 => {
                    let block = tlv::find(element.value, 0x5F2E)?
                        .ok_or(structure("biometric data block 5F2E missing"))?;
                    faces.extend(parse_facial_block(block)?);
                }
                _ => {}
            }
        }
        if faces.is_empty() {
            return Err(structure("no face image"));
        }
        if declared.is_some_and(|n| n == 0) {
            return Err(structure("zero biometric instances declared"));
        }
        Ok(Self { faces })
    }
}

/// Parses an ISO/IEC 19794-5:2005 facial record data block.
fn parse_facial_block(block: &[u8]) -> Result<Vec<FaceImage>, LdsError> {
    let mut fields = Fields(block);
    if fields.take(4)? != b"FAC\0" {
        return Err(structure("not an ISO 19794-5 facial record"));
    }
    if fields.take(4)? != b"010\0" {
        return Err(structure("unsupported ISO 19794-5 version"));
    }
    let record_length = fields.uint(4)? as usize;
    if record_length != block.len() {
        return Err(structure("facial record length differs from its block"));
    }
    let count = fields.u16()?;
    let mut faces = Vec::with_capacity(usize::from(count.min(4)));
    for _ in 0..count {
        let face_length = fields.uint(4)? as usize;
        let face_body = fields.take(face_length.checked_sub(4).ok_or(structure("face length"))?)?;
        faces.push(parse_face(face_body)?);
    }
    Ok(faces)
}

fn parse_face(body: &[u8]) -> Result<FaceImage, LdsError> {
    let mut f = Fields(body);
    let point_count = f.u16()?;
    let gender = f.u8()?;
    let eye_colour = f.u8()?;
    let hair_colour = f.u8()?;
    let property_mask = f.uint(3)?;
    let expression = f.u16()?;
    let pose: [u8; 3] = f
        .take(3)?
        .try_into()
        .map_err(|_| structure("pose angles"))?;
    f.take(3)?; // pose angle uncertainty
    let mut feature_points = Vec::new();
    for _ in 0..point_count {
        let kind = f.u8()?;
        let code = f.u8()?;
        let x = f.u16()?;
        let y = f.u16()?;
        f.take(2)?; // reserved
        feature_points.push(FeaturePoint { kind, code, x, y });
    }
    let face_image_type = f.u8()?;
    let data_type = f.u8()?;
    let width = f.u16()?;
    let height = f.u16()?;
    let colour_space = f.u8()?;
    let source_type = f.u8()?;
    let device_type = f.u16()?;
    let quality = f.u16()?;
    let image = f.0.to_vec();
    if image.is_empty() {
        return Err(structure("empty face image"));
    }
    let declared = match data_type {
        0 => Some(ImageFormat::Jpeg),
        1 => Some(ImageFormat::Jpeg2000),
        _ => None,
    };
    let format = ImageFormat::sniff(&image)
        .or(declared)
        .ok_or(structure("unknown face image format"))?;
    Ok(FaceImage {
        format,
        width,
        height,
        gender,
        eye_colour,
        hair_colour,
        property_mask,
        expression,
        pose_angles: pose,
        face_image_type,
        colour_space,
        source_type,
        device_type,
        quality,
        feature_points,
        image,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A facial record around `image`, as ICAO 9303-10 and ISO 19794-5:2005 lay it out.
    pub(crate) fn facial_record(image: &[u8], data_type: u8, points: u16) -> Vec<u8> {
        let mut face = Vec::new();
        face.extend_from_slice(&points.to_be_bytes());
        face.extend_from_slice(&[
            1, 0x02, 0x03, 0x00, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
        ]);
        for i in 0..points {
            face.extend_from_slice(&[1, 0x11, 0, 100 + i as u8, 0, 120, 0, 0]);
        }
        face.extend_from_slice(&[1, data_type, 0x01, 0xE0, 0x02, 0x80, 1, 2, 0, 0, 0, 0]);
        face.extend_from_slice(image);
        let face_length = (face.len() + 4) as u32;
        let mut record = [b"FAC\0".as_slice(), b"010\0"].concat();
        let total = 8 + 4 + 2 + face_length;
        record.extend_from_slice(&total.to_be_bytes());
        record.extend_from_slice(&1u16.to_be_bytes());
        record.extend_from_slice(&face_length.to_be_bytes());
        record.extend_from_slice(&face);
        record
    }

    pub(crate) fn dg2_with(record: &[u8]) -> Vec<u8> {
        let mut header = tlv::encode(0x80, &[1, 1]);
        tlv::encode_into(0x81, &[0x02], &mut header);
        tlv::encode_into(0x87, &[0x01, 0x01], &mut header);
        tlv::encode_into(0x88, &[0x00, 0x08], &mut header);
        let mut template = tlv::encode(0xA1, &header);
        tlv::encode_into(0x5F2E, record, &mut template);
        let mut group = tlv::encode(0x02, &[1]);
        tlv::encode_into(0x7F60, &template, &mut group);
        tlv::encode(0x75, &tlv::encode(0x7F61, &group))
    }

    fn jpeg(len: usize) -> Vec<u8> {
        let mut image = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
        image.resize(len - 2, 0x5A);
        image.extend_from_slice(&[0xFF, 0xD9]);
        image
    }

    #[test]
    fn a_cccd_sized_jpeg_face_comes_out_byte_for_byte() {
        let image = jpeg(18_000);
        let dg2 = Dg2::parse(&dg2_with(&facial_record(&image, 0, 0))).unwrap();
        assert_eq!(dg2.faces.len(), 1);
        let face = &dg2.faces[0];
        assert_eq!(face.format, ImageFormat::Jpeg);
        assert_eq!(face.format.mime_type(), "image/jpeg");
        assert_eq!((face.width, face.height), (480, 640));
        assert_eq!(face.gender, 1);
        assert_eq!(face.face_image_type, 1);
        assert_eq!(face.image, image);
        assert!(!format!("{face:?}").contains("5A, 5A"));
    }

    #[test]
    fn jpeg_2000_faces_and_feature_points_are_read() {
        let mut image = vec![
            0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
        ];
        image.extend_from_slice(&[0x11; 6000]);
        let dg2 = Dg2::parse(&dg2_with(&facial_record(&image, 1, 2))).unwrap();
        let face = &dg2.faces[0];
        assert_eq!(face.format, ImageFormat::Jpeg2000);
        assert_eq!(face.feature_points.len(), 2);
        assert_eq!(face.feature_points[1].x, 101);
        assert_eq!(face.image, image);
    }

    #[test]
    fn the_image_bytes_decide_the_format_over_the_declared_type() {
        let image = jpeg(100);
        let dg2 = Dg2::parse(&dg2_with(&facial_record(&image, 1, 0))).unwrap();
        assert_eq!(dg2.faces[0].format, ImageFormat::Jpeg);
    }

    #[test]
    fn malformed_records_are_named() {
        let image = jpeg(500);
        let mut record = facial_record(&image, 0, 0);
        record[5] = b'3';
        assert_eq!(
            Dg2::parse(&dg2_with(&record)).unwrap_err(),
            structure("unsupported ISO 19794-5 version")
        );
        let mut record = facial_record(&image, 0, 0);
        record[11] ^= 1;
        assert_eq!(
            Dg2::parse(&dg2_with(&record)).unwrap_err(),
            structure("facial record length differs from its block")
        );
        let record = facial_record(&[0x42; 10], 7, 0);
        assert_eq!(
            Dg2::parse(&dg2_with(&record)).unwrap_err(),
            structure("unknown face image format")
        );
        assert!(Dg2::parse(&tlv::encode(0x75, &tlv::encode(0x7F61, &[2, 1, 1]))).is_err());
    }

    proptest! {
        #[test]
        fn mutated_dg2_never_panics(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = dg2_with(&facial_record(&jpeg(300), 0, 1));
            for (at, b) in flips {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            if let Ok(dg2) = Dg2::parse(&bytes) {
                prop_assert!(dg2.faces.iter().all(|f| f.image.len() < bytes.len()));
            }
        }

        #[test]
        fn random_bytes_never_panic_the_dg2_parser(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = Dg2::parse(&bytes);
        }
    }
}
