//! The back office's side: verify a package's kiosk signature, decrypt it, check its manifest
//! and content hashes, and rebuild the enrollment.

use super::body;
use super::keys::{Aead, BackOfficeSecretKey, DeviceVerifyingKey, Kdf, Kem};
use super::seal::HPKE_INFO;
use super::sealed::{PackageHeader, SealedPackage};
use super::{Manifest, PackageError};
use crate::enrollment::Enrollment;
use hpke::Deserializable;
use zeroize::Zeroizing;

/// A package that verified and decrypted.
#[derive(Debug)]
pub struct OpenedPackage {
    /// The clear header.
    pub header: PackageHeader,
    /// The manifest from inside.
    pub manifest: Manifest,
    /// The enrollment as the kiosk sealed it.
    pub enrollment: Enrollment,
}

/// Opens `package` from the kiosk whose registered key is `device_key`, with the back office's
/// secret key. Checks, in order: the signature, decryption (which also authenticates the
/// header), the manifest against the header, every content hash.
pub fn open(
    package: &SealedPackage,
    device_key: &DeviceVerifyingKey,
    secret: &BackOfficeSecretKey,
) -> Result<OpenedPackage, PackageError> {
    package.verify_signature(device_key)?;
    let encapped_key = <Kem as hpke::Kem>::EncappedKey::from_bytes(package.encapped_key())
        .map_err(|_| PackageError::DecryptionFailed)?;
    let plaintext = Zeroizing::new(
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &hpke::OpModeR::Base,
            &secret.0,
            &encapped_key,
            HPKE_INFO,
            package.ciphertext(),
            package.associated_data(),
        )
        .map_err(|_| PackageError::DecryptionFailed)?,
    );
    let (manifest, enrollment) = body::decode(&plaintext, package.header())?;
    Ok(OpenedPackage {
        header: package.header().clone(),
        manifest,
        enrollment,
    })
}
