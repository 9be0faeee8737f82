//! Chip Authentication (ICAO 9303-11 §6.2): an ephemeral-static ECDH with the chip's key from
//! DG14 that re-keys secure messaging. A chip that does not hold the private key (a clone that
//! copied the data groups) cannot continue the session under the new keys, so the first
//! protected answer after the exchange decides.
//!
//! The result only proves authenticity once passive authentication has validated DG14: the
//! caller combines the two.

use crate::access::AccessError;
use crate::apdu::{CommandApdu, StatusWord};
use crate::crypto::Cipher;
use crate::lds::{DataGroup, LdsError, LdsFile};
use crate::pace::{DomainParameters, decode_point, encode_point, random_scalar};
use crate::public_key::{PublicKey, PublicKeyError};
use crate::read::ReadError;
use crate::secure_messaging::{SecureChannel, SessionKeys, SmError};
use crate::security_infos::{KeyAgreement, Oid, SecurityInfos, SecurityInfosError};
use crate::tlv;
use crate::transport::CardTransport;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use elliptic_curve::{
    AffinePoint, CurveArithmetic, CurveGroup, FieldBytesSize, Group, ProjectivePoint,
    point::AffineCoordinates,
};
use rand_core::TryCryptoRng;
use thiserror::Error;
use zeroize::Zeroizing;

/// `id-CA-ECDH-3DES-CBC-CBC` (0.4.0.127.0.7.2.2.3.2.1), assumed when DG14 has a key but no
/// ChipAuthenticationInfo.
const CA_ECDH_3DES: [u8; 10] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02, 0x01];

/// Why Chip Authentication did not succeed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ChipAuthenticationError {
    /// DG14 holds no ECDH key on a curve this reader implements.
    #[error("DG14 offers no usable chip authentication key")]
    NotOffered,
    /// The key in DG14 is malformed or unsupported.
    #[error(transparent)]
    Key(#[from] PublicKeyError),
    /// The chip refused the protocol commands.
    #[error("the chip refused chip authentication ({0})")]
    Refused(StatusWord),
    /// The chip could not continue secure messaging with the agreed keys: it does not hold the
    /// private key of DG14, as a cloned chip would not.
    #[error("the chip failed chip authentication: possible clone")]
    ChipNotAuthentic,
    /// Secure messaging or the transport failed before the key exchange finished.
    #[error(transparent)]
    SecureMessaging(#[from] SmError),
    /// An ephemeral key could not be made or used.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// Opening the session Chip Authentication runs in failed.
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// DG14: the SecurityInfos of Chip Authentication (and of ECDSA Active Authentication).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg14 {
    /// Every entry, unknown ones kept raw.
    pub security_infos: SecurityInfos,
}

impl Dg14 {
    /// Parses `6E { SET OF SecurityInfo }`.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let (outer, _) = tlv::parse_one(bytes)?;
        let set = outer.expect_tag(0x6E)?;
        let security_infos = SecurityInfos::parse(set).map_err(|e| match e {
            SecurityInfosError::Tlv(t) => LdsError::Tlv(t),
            SecurityInfosError::Structure(reason) => LdsError::Structure {
                file: LdsFile::Dg(DG14),
                reason,
            },
        })?;
        Ok(Self { security_infos })
    }
}

const DG14: DataGroup = match DataGroup::new(14) {
    Some(dg) => dg,
    None => unreachable!(),
};

/// The key and protocol Chip Authentication will use.
struct Plan {
    curve: DomainParameters,
    point: Vec<u8>,
    key_id: Option<u32>,
    cipher: Cipher,
    oid: Oid,
}

fn plan(dg14: &Dg14) -> Result<Plan, ChipAuthenticationError> {
    let infos = &dg14.security_infos;
    let mut last_error = ChipAuthenticationError::NotOffered;
    for key in infos
        .chip_authentication_keys()
        .filter(|k| k.agreement == KeyAgreement::Ecdh)
    {
        let (curve, point) = match PublicKey::from_spki(&key.subject_public_key_info) {
            Ok(PublicKey::Ec { curve, point }) => (curve, point),
            Ok(PublicKey::Rsa { .. }) => continue,
            Err(e) => {
                last_error = e.into();
                continue;
            }
        };
        let info = infos.chip_authentication().find(|i| {
            i.agreement == KeyAgreement::Ecdh && (key.key_id.is_none() || i.key_id == key.key_id)
        });
        let (cipher, oid) = match info {
            Some(i) => (i.cipher, i.oid.clone()),
            None => (Cipher::Tdes, Oid(CA_ECDH_3DES.to_vec())),
        };
        return Ok(Plan {
            curve,
            point,
            key_id: key.key_id,
            cipher,
            oid,
        });
    }
    Err(last_error)
}

/// Runs Chip Authentication over `session` and, on success, replaces it with the session under
/// the new keys (SSC = 0).
pub fn authenticate<T, R>(
    transport: &mut T,
    rng: &mut R,
    session: &mut SecureChannel,
    dg14: &Dg14,
) -> Result<(), ChipAuthenticationError>
where
    T: CardTransport + ?Sized,
    R: TryCryptoRng + ?Sized,
{
    let plan = plan(dg14)?;
    let (pk_ifd, shared_x) = match plan.curve {
        DomainParameters::NistP256 => agree::<p256::NistP256, R>(rng, &plan.point),
        DomainParameters::BrainpoolP256r1 => agree::<bp256::BrainpoolP256r1, R>(rng, &plan.point),
        DomainParameters::NistP384 => agree::<p384::NistP384, R>(rng, &plan.point),
        DomainParameters::BrainpoolP384r1 => agree::<bp384::BrainpoolP384r1, R>(rng, &plan.point),
    }?;
    let key_reference = plan
        .key_id
        .map(|id| tlv::encode(0x84, &key_reference(id)))
        .unwrap_or_default();

    if plan.cipher == Cipher::Tdes {
        let mut data = tlv::encode(0x91, &pk_ifd);
        data.extend_from_slice(&key_reference);
        let kat = CommandApdu::new(0x00, 0x22, 0x41, 0xA6).with_data(data);
        expect_success(session.transmit(transport, &kat)?.sw)?;
    } else {
        let mut data = tlv::encode(0x80, &plan.oid.0);
        data.extend_from_slice(&key_reference);
        let set_at = CommandApdu::new(0x00, 0x22, 0x41, 0xA4).with_data(data);
        expect_success(session.transmit(transport, &set_at)?.sw)?;
        let ga = CommandApdu::new(0x00, 0x86, 0x00, 0x00)
            .with_data(tlv::encode(0x7C, &tlv::encode(0x80, &pk_ifd)))
            .with_le(256);
        expect_success(session.transmit(transport, &ga)?.sw)?;
    }

    let mut rekeyed = SecureChannel::new(
        SessionKeys::derive(plan.cipher, &shared_x),
        vec![0; plan.cipher.block_size()],
    );
    // The first answer under the new keys proves the chip holds the private key.
    let probe = CommandApdu::new(0x00, 0xB0, 0x80 | LdsFile::Com.sfi(), 0x00).with_le(1);
    match rekeyed.transmit(transport, &probe) {
        Ok(response) if response.sw.is_success() => {
            *session = rekeyed;
            Ok(())
        }
        Ok(response) => Err(ChipAuthenticationError::Refused(response.sw)),
        Err(SmError::Transport(t)) => Err(SmError::Transport(t).into()),
        Err(_) => Err(ChipAuthenticationError::ChipNotAuthentic),
    }
}

/// A key identifier as the key reference of MSE (tag 84): its unsigned big-endian bytes, no
/// sign padding (a real passport's key 0xC3 goes as `84 01 C3`).
fn key_reference(id: u32) -> Vec<u8> {
    let bytes = id.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(3);
    bytes.get(skip..).unwrap_or_default().to_vec()
}

fn expect_success(sw: StatusWord) -> Result<(), ChipAuthenticationError> {
    if sw.is_success() {
        Ok(())
    } else {
        Err(ChipAuthenticationError::Refused(sw))
    }
}

/// An ephemeral key pair on `C` and the x-coordinate shared with the chip's static key.
fn agree<C, R>(
    rng: &mut R,
    chip_key: &[u8],
) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), ChipAuthenticationError>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    R: TryCryptoRng + ?Sized,
{
    let pk_ic = decode_point::<C>(chip_key)?;
    let sk = Zeroizing::new(random_scalar::<C, R>(rng)?);
    let pk_ifd = encode_point::<C>(&(ProjectivePoint::<C>::generator() * *sk).to_affine());
    let shared = ProjectivePoint::<C>::from(pk_ic) * *sk;
    if bool::from(shared.is_identity()) {
        return Err(ChipAuthenticationError::NotOffered);
    }
    Ok((
        pk_ifd,
        Zeroizing::new(shared.to_affine().x().as_slice().to_vec()),
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::access::AccessKeys;
    use crate::mrz::MrzInformation;
    use crate::public_key::tests::{BRAINPOOL_P256R1_OID, ec_spki};
    use crate::read::{CardProfile, DocumentReader, ReadOptions};
    use crate::test_chip::TestChip;
    use crate::test_support::{ReplayRng, TestRng};

    const MRZ: &str = "090012345090010113001019";

    pub(crate) fn static_key(byte: &str) -> (bp256::Scalar, Vec<u8>) {
        let sk =
            random_scalar::<bp256::BrainpoolP256r1, _>(&mut ReplayRng::new(&[&byte.repeat(32)]))
                .unwrap();
        let pk = encode_point::<bp256::BrainpoolP256r1>(
            &(ProjectivePoint::<bp256::BrainpoolP256r1>::generator() * sk).to_affine(),
        );
        (sk, pk)
    }

    /// DG14 with the chip's key and, when `cipher_arc` is given, a ChipAuthenticationInfo.
    pub(crate) fn dg14(point: &[u8], cipher_arc: Option<u8>) -> Vec<u8> {
        let mut set = Vec::new();
        if let Some(arc) = cipher_arc {
            let mut info = tlv::encode(
                0x06,
                &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02, arc],
            );
            tlv::encode_into(0x02, &[1], &mut info);
            tlv::encode_into(0x30, &info, &mut set);
        }
        let mut key = tlv::encode(
            0x06,
            &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x01, 0x02],
        );
        key.extend_from_slice(&ec_spki(&BRAINPOOL_P256R1_OID, point));
        tlv::encode_into(0x30, &key, &mut set);
        tlv::encode(0x6E, &tlv::encode(0x31, &set))
    }

    fn dg1() -> Vec<u8> {
        let mrz = "IDVNM0900123450001090012345<<19001011M3001019VNM<<<<<<<<<<<2NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<";
        tlv::encode(0x61, &tlv::encode(0x5F1F, mrz.as_bytes()))
    }

    fn com() -> Vec<u8> {
        tlv::encode(0x60, &tlv::encode(0x5C, &[0x61, 0x6E]))
    }

    /// A chip holding `chip_key` privately and `dg14` as its data group.
    fn run(
        chip_key: bp256::Scalar,
        dg14: Vec<u8>,
    ) -> (
        Result<(), ChipAuthenticationError>,
        DocumentReader,
        TestChip,
    ) {
        let mut chip = TestChip::new(
            MRZ,
            None,
            &[(0x011E, com()), (0x0101, dg1()), (0x010E, dg14)],
        );
        chip.ca_private_key = Some(chip_key);
        let keys = AccessKeys {
            mrz: Some(MrzInformation::parse(MRZ).unwrap()),
            can: None,
        };
        let mut reader = DocumentReader::new(keys, CardProfile::default(), ReadOptions::default());
        let mut rng = TestRng(99);
        let bytes = reader
            .read_file(
                &mut chip,
                &mut rng,
                crate::lds::LdsFile::dg(14).unwrap(),
                &mut |_| {},
            )
            .unwrap();
        let parsed = Dg14::parse(&bytes).unwrap();
        let result = reader.chip_authenticate(&mut chip, &mut rng, &parsed);
        (result, reader, chip)
    }

    #[test]
    fn dg14_parses_its_chip_authentication_key_and_protocol() {
        let (_, point) = static_key("42");
        let parsed = Dg14::parse(&dg14(&point, Some(2))).unwrap();
        let plan = plan(&parsed).unwrap();
        assert_eq!(plan.curve, DomainParameters::BrainpoolP256r1);
        assert_eq!(plan.cipher, Cipher::Aes128);
        assert_eq!(plan.point, point);
        assert_eq!(plan.oid.to_string(), "0.4.0.127.0.7.2.2.3.2.2");
    }

    #[test]
    fn chip_authentication_rekeys_with_aes_and_reading_continues() {
        let (sk, point) = static_key("42");
        let (result, mut reader, mut chip) = run(sk, dg14(&point, Some(2)));
        result.unwrap();
        assert_eq!(reader.session_mut().unwrap().cipher(), Cipher::Aes128);
        let dg1_read = reader
            .read_file(
                &mut chip,
                &mut TestRng(5),
                crate::lds::LdsFile::dg(1).unwrap(),
                &mut |_| {},
            )
            .unwrap();
        assert_eq!(dg1_read, dg1());
        assert_eq!(chip.bac_attempts, 1, "no re-authentication after re-keying");
    }

    #[test]
    fn chip_authentication_without_protocol_info_uses_3des_set_kat() {
        let (sk, point) = static_key("42");
        let (result, mut reader, mut chip) = run(sk, dg14(&point, None));
        result.unwrap();
        assert_eq!(reader.session_mut().unwrap().cipher(), Cipher::Tdes);
        let dg1_read = reader
            .read_file(
                &mut chip,
                &mut TestRng(5),
                crate::lds::LdsFile::dg(1).unwrap(),
                &mut |_| {},
            )
            .unwrap();
        assert_eq!(dg1_read, dg1());
    }

    #[test]
    fn a_clone_without_the_private_key_fails_chip_authentication() {
        let (_, point) = static_key("42");
        let (other_key, _) = static_key("43");
        let (result, _, _) = run(other_key, dg14(&point, Some(2)));
        assert_eq!(result, Err(ChipAuthenticationError::ChipNotAuthentic));
    }

    #[test]
    fn key_references_are_unsigned_bytes() {
        assert_eq!(key_reference(0xC3), [0xC3]);
        assert_eq!(key_reference(1), [0x01]);
        assert_eq!(key_reference(0x0100), [0x01, 0x00]);
        assert_eq!(key_reference(0), [0x00]);
    }

    #[test]
    fn dg14_without_an_ecdh_key_offers_nothing() {
        let set = tlv::encode(0x31, &[]);
        let parsed = Dg14::parse(&tlv::encode(0x6E, &set)).unwrap();
        assert!(matches!(
            plan(&parsed),
            Err(ChipAuthenticationError::NotOffered)
        ));
        assert!(Dg14::parse(&tlv::encode(0x6F, &set)).is_err());
    }
}
