//! The chip proving it is genuine, from the card's side: Chip Authentication (ICAO 9303-11
//! §6.2, ECDH on brainpoolP256r1 with AES-128, which re-keys secure messaging) and Active
//! Authentication (§6.1, ECDSA P-256 with SHA-256, signature in plain r ‖ s format).

use crate::apdu::sw;
use crate::crypto::{Cipher, KDF_ENC, KDF_MAC, kdf_128};
use crate::sm::SecureChannel;
use crate::tlv;
use bp256::elliptic_curve::group::Group;
use bp256::elliptic_curve::sec1::{FromSec1Point, ToSec1Point};
use elliptic_curve::ff::PrimeField;
use p256::ecdsa::signature::Signer;

/// The chip's private keys for CA and AA. Key material: no `Debug`.
#[derive(Clone)]
pub struct ChipKeys {
    /// The Chip Authentication private key (brainpoolP256r1 scalar, big-endian).
    pub chip_authentication: [u8; 32],
    /// The Active Authentication private key (P-256 scalar, big-endian).
    pub active_authentication: [u8; 32],
}

/// id-CA-ECDH-AES-CBC-CMAC-128 content octets.
pub const CA_ECDH_AES_128: [u8; 10] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02, 0x02];

/// A scalar from 32 bytes derived from a label (SHA-256, with a counter until it is valid).
pub fn derived_scalar_bytes(label: &str) -> [u8; 32] {
    use sha2::Digest;
    let mut counter = 0u32;
    loop {
        let mut hash = sha2::Sha256::new();
        hash.update(label.as_bytes());
        hash.update(counter.to_be_bytes());
        let bytes: [u8; 32] = hash.finalize().into();
        let scalar = bp256::Scalar::from_repr(bytes.into());
        if bool::from(scalar.is_some()) && bytes != [0; 32] {
            return bytes;
        }
        counter += 1;
    }
}

/// The Chip Authentication public key (uncompressed brainpoolP256r1 point) for DG14.
pub fn chip_authentication_public_key(private: &[u8; 32]) -> Option<Vec<u8>> {
    let scalar = Option::<bp256::Scalar>::from(bp256::Scalar::from_repr((*private).into()))?;
    let point = bp256::r1::ProjectivePoint::generator() * scalar;
    Some(point.to_sec1_point(false).as_bytes().to_vec())
}

/// Checks MSE:Set AT for Chip Authentication (P1P2 `41A4`): the protocol must be the one DG14
/// announces.
pub fn set_authentication_template(data: &[u8]) -> Result<(), u16> {
    let objects = tlv::parse_all(data).map_err(|_| sw::WRONG_DATA)?;
    match objects.iter().find(|o| o.tag == 0x80) {
        Some(object) if object.value == CA_ECDH_AES_128 => Ok(()),
        _ => Err(sw::WRONG_DATA),
    }
}

/// GENERAL AUTHENTICATE for Chip Authentication: `7C { 80 PK_IFD }`. Returns the (empty)
/// dynamic authentication data and the session that replaces the current one after this
/// response.
pub fn general_authenticate(keys: &ChipKeys, data: &[u8]) -> Result<(Vec<u8>, SecureChannel), u16> {
    let (outer, rest) = tlv::parse_one(data).map_err(|_| sw::WRONG_DATA)?;
    if outer.tag != 0x7C || !rest.is_empty() {
        return Err(sw::WRONG_DATA);
    }
    let public = match tlv::parse_all(outer.value)
        .map_err(|_| sw::WRONG_DATA)?
        .as_slice()
    {
        [object] if object.tag == 0x80 => object.value.to_vec(),
        _ => return Err(sw::WRONG_DATA),
    };
    if public.first() != Some(&0x04) {
        return Err(sw::WRONG_DATA);
    }
    let peer = bp256::r1::ProjectivePoint::from_sec1_bytes(&public).map_err(|_| sw::WRONG_DATA)?;
    if bool::from(peer.is_identity()) {
        return Err(sw::WRONG_DATA);
    }
    let scalar =
        Option::<bp256::Scalar>::from(bp256::Scalar::from_repr(keys.chip_authentication.into()))
            .ok_or(0x6F00u16)?;
    let shared = (peer * scalar).to_sec1_point(false);
    let x = shared.as_bytes().get(1..33).ok_or(0x6F00u16)?;
    let channel = SecureChannel::new(
        Cipher::Aes128,
        kdf_128(x, KDF_ENC),
        kdf_128(x, KDF_MAC),
        &[0; 16],
    );
    Ok((vec![0x7C, 0x00], channel))
}

/// INTERNAL AUTHENTICATE: signs the terminal's 8-byte challenge with the AA key.
pub fn internal_authenticate(keys: &ChipKeys, challenge: &[u8]) -> Result<Vec<u8>, u16> {
    if challenge.len() != 8 {
        return Err(sw::WRONG_LENGTH);
    }
    let key =
        p256::ecdsa::SigningKey::from_slice(&keys.active_authentication).map_err(|_| 0x6F00u16)?;
    let signature: p256::ecdsa::Signature = key.sign(challenge);
    Ok(signature.to_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chip::tests::powered_chip;
    use crate::test_terminal::Terminal;
    use crate::{Chip, ReadLimits, ScriptedEntropy};
    use p256::ecdsa::signature::Verifier;

    fn secured_chip() -> (Chip, Terminal) {
        let mut chip = powered_chip(
            ReadLimits::default(),
            ScriptedEntropy::new([&[1u8; 8][..], &[2u8; 16]]),
        );
        chip.transmit(&[
            0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
        ]);
        let terminal = Terminal::bac(&mut chip, "L898902C<369080619406236").expect("BAC succeeds");
        (chip, terminal)
    }

    fn terminal_key() -> (bp256::Scalar, Vec<u8>) {
        let scalar = Option::<bp256::Scalar>::from(bp256::Scalar::from_repr(
            derived_scalar_bytes("terminal").into(),
        ))
        .unwrap();
        let public = (bp256::r1::ProjectivePoint::generator() * scalar)
            .to_sec1_point(false)
            .as_bytes()
            .to_vec();
        (scalar, public)
    }

    #[test]
    fn chip_authentication_rekeys_secure_messaging_after_its_answer() {
        let (mut chip, mut terminal) = secured_chip();
        let mut set_at = tlv::encode(&[0x80], &CA_ECDH_AES_128);
        set_at.extend(tlv::encode(&[0x84], &[0x01]));
        let (_, sw) = terminal
            .send(&mut chip, [0x00, 0x22, 0x41, 0xA4], &set_at, None)
            .unwrap();
        assert_eq!(sw, 0x9000);
        let (scalar, public) = terminal_key();
        let data = tlv::encode(&[0x7C], &tlv::encode(&[0x80], &public));
        let (answer, sw) = terminal
            .send(&mut chip, [0x00, 0x86, 0x00, 0x00], &data, Some(256))
            .unwrap();
        assert_eq!(
            (answer, sw),
            (vec![0x7C, 0x00], 0x9000),
            "answered under the old keys"
        );
        // The terminal's side of the key agreement, against the chip's DG14 key.
        let chip_public =
            chip_authentication_public_key(&derived_scalar_bytes("test chip CA")).unwrap();
        let chip_point = bp256::r1::ProjectivePoint::from_sec1_bytes(&chip_public).unwrap();
        let shared = (chip_point * scalar).to_sec1_point(false);
        let x = &shared.as_bytes()[1..33];
        let mut rekeyed = Terminal {
            cipher: Cipher::Aes128,
            ks_enc: kdf_128(x, KDF_ENC),
            ks_mac: kdf_128(x, KDF_MAC),
            ssc: vec![0; 16],
            extended: false,
        };
        let (dg1, sw) = rekeyed
            .send(&mut chip, [0x00, 0xB0, 0x81, 0x00], &[], Some(8))
            .unwrap();
        assert_eq!((dg1[0], sw), (0x61, 0x9000));
        // The BAC keys no longer open anything.
        assert!(
            terminal
                .send(&mut chip, [0x00, 0xB0, 0x81, 0x00], &[], Some(8))
                .is_err()
        );
    }

    #[test]
    fn a_cloned_chip_cannot_agree_on_the_dg14_key() {
        let profile = crate::chip::tests::profile(ReadLimits::default()).cloned();
        let mut chip = Chip::new(
            profile,
            Box::new(ScriptedEntropy::new([&[1u8; 8][..], &[2u8; 16]])),
        );
        chip.power_on();
        chip.transmit(&[
            0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
        ]);
        let mut terminal =
            Terminal::bac(&mut chip, "L898902C<369080619406236").expect("BAC works on a clone");
        let set_at = tlv::encode(&[0x80], &CA_ECDH_AES_128);
        terminal
            .send(&mut chip, [0x00, 0x22, 0x41, 0xA4], &set_at, None)
            .unwrap();
        let (scalar, public) = terminal_key();
        let data = tlv::encode(&[0x7C], &tlv::encode(&[0x80], &public));
        terminal
            .send(&mut chip, [0x00, 0x86, 0x00, 0x00], &data, Some(256))
            .unwrap();
        // Keys agreed with the genuine DG14 public key do not match the clone's.
        let genuine =
            chip_authentication_public_key(&derived_scalar_bytes("test chip CA")).unwrap();
        let point = bp256::r1::ProjectivePoint::from_sec1_bytes(&genuine).unwrap();
        let shared = (point * scalar).to_sec1_point(false);
        let x = &shared.as_bytes()[1..33];
        let mut genuine_keys = Terminal {
            cipher: Cipher::Aes128,
            ks_enc: kdf_128(x, KDF_ENC),
            ks_mac: kdf_128(x, KDF_MAC),
            ssc: vec![0; 16],
            extended: false,
        };
        let response = chip.transmit(&genuine_keys.protect([0x00, 0xB0, 0x81, 0x00], &[], Some(8)));
        assert_eq!(
            response,
            vec![0x69, 0x88],
            "the clone does not hold the DG14 private key"
        );
    }

    #[test]
    fn active_authentication_signs_the_challenge_with_the_dg15_key() {
        let (mut chip, mut terminal) = secured_chip();
        let challenge = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
        let (signature, sw) = terminal
            .send(&mut chip, [0x00, 0x88, 0x00, 0x00], &challenge, Some(256))
            .unwrap();
        assert_eq!((signature.len(), sw), (64, 0x9000));
        let key =
            p256::ecdsa::SigningKey::from_slice(&derived_scalar_bytes("test chip AA")).unwrap();
        let signature = p256::ecdsa::Signature::from_slice(&signature).unwrap();
        assert!(key.verifying_key().verify(&challenge, &signature).is_ok());
        assert!(key.verifying_key().verify(&[0u8; 8], &signature).is_err());
        let (_, sw) = terminal
            .send(
                &mut chip,
                [0x00, 0x88, 0x00, 0x00],
                &challenge[..7],
                Some(256),
            )
            .unwrap();
        assert_eq!(sw, 0x6700);
    }

    #[test]
    fn chip_authentication_needs_secure_messaging_and_a_template_first() {
        let (mut chip, mut terminal) = secured_chip();
        let (_, public) = terminal_key();
        let data = tlv::encode(&[0x7C], &tlv::encode(&[0x80], &public));
        let (_, sw) = terminal
            .send(&mut chip, [0x00, 0x86, 0x00, 0x00], &data, Some(256))
            .unwrap();
        assert_eq!(sw, 0x6985);
        let wrong = tlv::encode(&[0x80], &crate::pace::PACE_ECDH_GM_AES_CBC_CMAC_128);
        let (_, sw) = terminal
            .send(&mut chip, [0x00, 0x22, 0x41, 0xA4], &wrong, None)
            .unwrap();
        assert_eq!(sw, 0x6A80);
    }
}
