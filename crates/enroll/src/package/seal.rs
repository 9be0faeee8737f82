//! The kiosk's side: seal an enrollment into a package for the back office.

use super::body;
use super::keys::{Aead, BackOfficePublicKey, DeviceSigningKey, Kdf, Kem};
use super::sealed::{PackageHeader, SealedPackage, associated_data, encode_cbor};
use super::{FORMAT_VERSION, PackageError, PackageId};
use crate::enrollment::Enrollment;
use crate::timestamp::Timestamp;
use hpke::Serializable;
use rand_core::CryptoRng;

/// The HPKE `info`: binds every package key to this purpose and format version.
pub(crate) const HPKE_INFO: &[u8] = b"vneid-kiosk/enroll/package/v1";

/// Seals `enrollment` (created at `created_at`) into a new package: encodes the body, encrypts
/// it to the back office with HPKE (base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
/// ChaCha20-Poly1305) with the clear header as associated data, and signs the result with the
/// kiosk's device key. The plaintext only ever exists in memory and is wiped.
pub fn seal(
    enrollment: &Enrollment,
    created_at: Timestamp,
    signer: &DeviceSigningKey,
    recipient: &BackOfficePublicKey,
    rng: &mut impl CryptoRng,
) -> Result<SealedPackage, PackageError> {
    let header = PackageHeader {
        format_version: FORMAT_VERSION,
        package_id: PackageId::new(created_at, rng),
        created_at,
        device: enrollment.device().clone(),
        operator: enrollment.operator().clone(),
        group: enrollment.group().clone(),
    };
    let header_cbor = encode_cbor(&header, 256)?;
    let aad = associated_data(&header_cbor)?;
    let plaintext = body::encode(enrollment, &header)?;
    let (encapped_key, ciphertext) = hpke::single_shot_seal_with_rng::<Aead, Kdf, Kem>(
        &hpke::OpModeS::Base,
        &recipient.0,
        HPKE_INFO,
        &plaintext,
        &aad,
        rng,
    )
    .map_err(|_| PackageError::SealFailed)?;
    SealedPackage::assemble(
        header,
        &header_cbor,
        &encapped_key.to_bytes(),
        &ciphertext,
        signer,
    )
}
