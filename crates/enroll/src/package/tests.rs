use super::sealed::MAGIC;
use super::*;
use crate::citizen::DataSource;
use crate::enrollment::tests::sample_enrollment;
use getrandom::SysRng;
use proptest::prelude::*;
use rand_core::UnwrapErr;

struct Keys {
    device: DeviceSigningKey,
    office_secret: BackOfficeSecretKey,
    office_public: BackOfficePublicKey,
}

fn keys() -> Keys {
    let mut rng = UnwrapErr(SysRng);
    let (office_secret, office_public) = BackOfficeSecretKey::generate(&mut rng);
    Keys {
        device: DeviceSigningKey::generate(&mut rng),
        office_secret,
        office_public,
    }
}

const CREATED: Timestamp = Timestamp::from_unix_millis(1_790_000_100_000);

fn sealed(keys: &Keys, source: DataSource) -> SealedPackage {
    let enrollment = sample_enrollment(source);
    seal(
        &enrollment,
        CREATED,
        &keys.device,
        &keys.office_public,
        &mut UnwrapErr(SysRng),
    )
    .expect("sealing a valid enrollment")
}

fn open_with(keys: &Keys, bytes: Vec<u8>) -> Result<OpenedPackage, PackageError> {
    let package = SealedPackage::from_bytes(bytes)?;
    open(&package, &keys.device.verifying_key(), &keys.office_secret)
}

#[test]
fn chip_enrollment_round_trips_through_seal_and_open() {
    let k = keys();
    let package = sealed(&k, DataSource::Chip);
    let reread = SealedPackage::from_bytes(package.as_bytes().to_vec()).expect("layout");
    assert_eq!(reread, package);
    let opened = open(&reread, &k.device.verifying_key(), &k.office_secret).expect("opens");
    assert_eq!(opened.enrollment, sample_enrollment(DataSource::Chip));
    assert_eq!(&opened.header, package.header());
    assert_eq!(opened.manifest.package_id, package.id());
    assert_eq!(opened.manifest.source, DataSource::Chip);
    let names: Vec<&str> = opened
        .manifest
        .contents
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        names,
        [
            "dg1", "dg13", "dg14", "dg15", "dg2", "portrait", "record", "sod"
        ]
    );
}

#[test]
fn qr_only_enrollment_round_trips_without_chip_evidence() {
    let k = keys();
    let opened = open_with(&k, sealed(&k, DataSource::QrOnly).as_bytes().to_vec()).expect("opens");
    assert!(!opened.enrollment.citizen().is_chip_verified());
    assert!(opened.enrollment.chip().is_none());
    assert_eq!(opened.manifest.contents.len(), 2);
    assert_eq!(opened.enrollment, sample_enrollment(DataSource::QrOnly));
}

#[test]
fn header_carries_ids_and_time_but_no_personal_data() {
    let k = keys();
    let package = sealed(&k, DataSource::Chip);
    let h = package.header();
    assert_eq!(h.format_version, FORMAT_VERSION);
    assert_eq!(h.created_at, CREATED);
    assert_eq!(h.device.as_str(), "kiosk-hn-07");
    assert_eq!(h.operator.as_str(), "op-001");
    assert_eq!(h.group.as_str(), "to-dan-pho-3");
    assert!(package.as_bytes().starts_with(&MAGIC));
    let bytes = package.as_bytes();
    for secret in [
        "001090123456".as_bytes(),
        "NGUYỄN".as_bytes(),
        b"0912345678",
        b"IDVNM",
        b"an.nguyen",
    ] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret),
            "plaintext found in the sealed package"
        );
    }
}

#[test]
fn package_id_is_a_uuid_v7_carrying_the_creation_time() {
    let k = keys();
    let id = sealed(&k, DataSource::QrOnly).id();
    let uuid = uuid::Uuid::from_bytes(id.to_bytes());
    assert_eq!(uuid.get_version_num(), 7);
    let (secs, _) = uuid
        .get_timestamp()
        .map(|t| t.to_unix())
        .unwrap_or_default();
    assert_eq!(secs, 1_790_000_100);
    assert_eq!(id.to_string().parse::<PackageId>(), Ok(id));
    assert_ne!(id, sealed(&k, DataSource::QrOnly).id());
}

#[test]
fn body_encoding_is_deterministic() {
    let k = keys();
    let package = sealed(&k, DataSource::Chip);
    let enrollment = sample_enrollment(DataSource::Chip);
    let a = body::encode(&enrollment, package.header()).expect("encodes");
    let b = body::encode(&enrollment, package.header()).expect("encodes");
    assert_eq!(*a, *b);
    let (_, decoded) = body::decode(&a, package.header()).expect("decodes");
    let again = body::encode(&decoded, package.header()).expect("encodes");
    assert_eq!(*a, *again);
}

#[test]
fn debug_of_an_opened_package_shows_no_personal_data_or_content_hashes() {
    let k = keys();
    let opened = open_with(&k, sealed(&k, DataSource::Chip).as_bytes().to_vec()).expect("opens");
    let shown = format!("{opened:?}");
    let dg1 = opened
        .manifest
        .contents
        .get("dg1")
        .map(|d| *d.bytes())
        .unwrap_or_default();
    // The hash as `Debug` of an array would print it, and as hex.
    let as_array = format!("{:?}", dg1.get(..4).unwrap_or_default());
    let as_array = as_array.trim_end_matches(']');
    let as_hex: String = dg1.iter().take(4).map(|b| format!("{b:02x}")).collect();
    for secret in ["001090123456", "NGUYỄN", "0912345678", as_array, &as_hex] {
        assert!(!shown.contains(secret), "{secret} leaked into Debug");
    }
    assert!(shown.contains("ContentDigest(<hidden>)"));
}

#[test]
fn the_plaintext_buffer_is_sized_up_front_so_no_unwiped_copy_is_left_behind() {
    // A reallocation would leave a copy of the plaintext in freed memory; the buffer is sized
    // once, so its spare capacity stays the small margin of the estimate. (A grown buffer
    // would have doubled: tens of kilobytes spare.)
    let k = keys();
    let package = sealed(&k, DataSource::Chip);
    let body =
        body::encode(&sample_enrollment(DataSource::Chip), package.header()).expect("encodes");
    assert!(body.len() > 60 * 1024);
    assert!(
        body.capacity() - body.len() < 4096,
        "the body buffer grew while encoding"
    );
}

#[test]
fn wrong_recipient_key_cannot_decrypt() {
    let k = keys();
    let package = sealed(&k, DataSource::Chip);
    let (other_secret, _) = BackOfficeSecretKey::generate(&mut UnwrapErr(SysRng));
    assert_eq!(
        open(&package, &k.device.verifying_key(), &other_secret).err(),
        Some(PackageError::DecryptionFailed)
    );
}

#[test]
fn another_kiosks_key_does_not_verify_the_signature() {
    let k = keys();
    let package = sealed(&k, DataSource::Chip);
    let other = DeviceSigningKey::generate(&mut UnwrapErr(SysRng));
    assert_eq!(
        open(&package, &other.verifying_key(), &k.office_secret).err(),
        Some(PackageError::BadSignature)
    );
}

/// Positions worth flipping exhaustively: the whole preamble, header, encapsulated key and
/// length, the first and last 64 ciphertext bytes (the AEAD tag is last), and the signature.
fn critical_positions(package: &SealedPackage) -> Vec<usize> {
    let len = package.as_bytes().len();
    let ct_start = package.associated_data().len() + 32 + 4;
    let ct_end = len - 64;
    (0..ct_start + 64).chain(ct_end - 64..len).collect()
}

#[test]
fn flipping_any_critical_byte_is_detected() {
    let k = keys();
    let package = sealed(&k, DataSource::Chip);
    for at in critical_positions(&package) {
        let mut bytes = package.as_bytes().to_vec();
        if let Some(b) = bytes.get_mut(at) {
            *b ^= 0x01;
        }
        assert!(open_with(&k, bytes).is_err(), "flip at {at} went unnoticed");
    }
}

#[test]
fn re_signed_tampering_is_still_caught_by_decryption() {
    // Someone holding the device key (a stolen kiosk) still cannot alter a sealed body or its
    // header undetected: the AEAD covers the ciphertext and the header is its associated data.
    let k = keys();
    let package = sealed(&k, DataSource::Chip);
    let ct = package.ciphertext().to_vec();
    let mut altered_ct = ct.clone();
    if let Some(b) = altered_ct.get_mut(ct.len() / 2) {
        *b ^= 0x80;
    }
    let forged = SealedPackage::assemble(
        package.header().clone(),
        package.associated_data().get(10..).unwrap_or(&[]),
        package.encapped_key(),
        &altered_ct,
        &k.device,
    )
    .expect("layout");
    assert_eq!(
        open(&forged, &k.device.verifying_key(), &k.office_secret).err(),
        Some(PackageError::DecryptionFailed)
    );

    let mut other_header = package.header().clone();
    other_header.group = crate::ids::GroupId::new("thon-9").expect("valid");
    let other_cbor = sealed::encode_cbor(&other_header, 256).expect("encodes");
    let moved = SealedPackage::assemble(
        other_header,
        &other_cbor,
        package.encapped_key(),
        &ct,
        &k.device,
    )
    .expect("layout");
    assert_eq!(
        open(&moved, &k.device.verifying_key(), &k.office_secret).err(),
        Some(PackageError::DecryptionFailed)
    );
}

#[test]
fn truncations_and_trailing_bytes_are_layout_errors() {
    let k = keys();
    let package = sealed(&k, DataSource::QrOnly);
    let bytes = package.as_bytes();
    // Every cut through the preamble, header, key and length fields and the signature, and a
    // cut every 97 bytes through the ciphertext.
    let fields_end = package.associated_data().len() + 64;
    let lens = (0..fields_end)
        .chain((fields_end..bytes.len()).step_by(97))
        .chain(bytes.len() - 80..bytes.len());
    for len in lens {
        let cut = bytes.get(..len).unwrap_or_default().to_vec();
        assert!(
            SealedPackage::from_bytes(cut).is_err(),
            "prefix of {len} accepted"
        );
    }
    let mut longer = bytes.to_vec();
    longer.push(0);
    assert_eq!(
        SealedPackage::from_bytes(longer).err(),
        Some(PackageError::TrailingBytes)
    );
}

#[test]
fn foreign_files_and_future_versions_are_refused_clearly() {
    assert_eq!(
        SealedPackage::from_bytes(b"PK\x03\x04 not a package".to_vec()).err(),
        Some(PackageError::BadMagic)
    );
    let k = keys();
    let mut bytes = sealed(&k, DataSource::QrOnly).as_bytes().to_vec();
    if let Some(v) = bytes.get_mut(5) {
        *v = 2;
    }
    assert_eq!(
        SealedPackage::from_bytes(bytes).err(),
        Some(PackageError::UnsupportedVersion(2))
    );
}

#[test]
fn debug_of_a_sealed_package_names_only_id_and_size() {
    let k = keys();
    let package = sealed(&k, DataSource::QrOnly);
    let shown = format!("{package:?}");
    assert!(shown.contains(&package.id().to_string()));
    assert!(shown.starts_with("SealedPackage"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn flipping_random_bits_anywhere_is_detected(
        picks in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4)
    ) {
        let k = keys();
        let package = sealed(&k, DataSource::Chip);
        let mut bytes = package.as_bytes().to_vec();
        let len = bytes.len();
        for (index, mask) in picks {
            if let Some(b) = bytes.get_mut(index.index(len)) {
                *b ^= mask;
            }
        }
        prop_assert!(open_with(&k, bytes).is_err());
    }

    #[test]
    fn random_bytes_never_panic_the_reader(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let with_magic = [MAGIC.as_slice(), &[0, 1], &bytes].concat();
        prop_assert!(SealedPackage::from_bytes(bytes).is_err());
        prop_assert!(SealedPackage::from_bytes(with_magic).is_err());
    }
}
