//! PACE (ICAO 9303-11 §4.4) with Generic Mapping over ECDH: password key K_pi from the MRZ or
//! the CAN, MSE:Set AT, the encrypted nonce, the mapping to an ephemeral generator, the key
//! agreement, and the mutual authentication tokens. Ends in a secure messaging session with
//! SSC = 0 under the cipher the PACE OID names.
//!
//! Curves: the standardized domain parameters 12 (NIST P-256), 13 (brainpoolP256r1, the
//! CCCD's), 15 (NIST P-384) and 16 (brainpoolP384r1). Other parameters, DH and the integrated
//! or CA mappings are refused with [`AccessError::UnsupportedParameters`].
//!
//! The RNG supplies the terminal's mapping key, then its key agreement key, each as
//! field-size big-endian bytes (redrawn if out of range), so the Appendix G vector replays.

use crate::access::{AccessError, card_status, random_bytes};
use crate::apdu::{CommandApdu, ResponseApdu};
use crate::crypto::{self, Cipher, MAC_LEN};
use crate::mrz::MrzInformation;
use crate::secure_messaging::{SecureChannel, SessionKeys};
use crate::security_infos::{KeyAgreement, Oid, PaceInfo, PaceMapping};
use crate::tlv;
use crate::transport::CardTransport;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use elliptic_curve::{
    AffinePoint, CurveArithmetic, CurveGroup, FieldBytes, FieldBytesSize, Group, PrimeField,
    ProjectivePoint, point::AffineCoordinates,
};
use rand_core::TryCryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The Card Access Number printed on the document (six digits).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Can(String);

impl core::fmt::Debug for Can {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Can(<redacted>)")
    }
}

impl Can {
    /// Accepts exactly six ASCII digits.
    pub fn new(digits: &str) -> Option<Self> {
        let digits = digits.trim();
        (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Self(digits.to_string()))
    }
}

/// The PACE password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PacePassword {
    /// `MRZ_information` (password reference 1).
    Mrz(MrzInformation),
    /// The Card Access Number (password reference 2).
    Can(Can),
}

impl PacePassword {
    fn reference(&self) -> u8 {
        match self {
            Self::Mrz(_) => 0x01,
            Self::Can(_) => 0x02,
        }
    }

    /// K_pi = KDF(f(π), 3): f(π) is SHA-1(MRZ_information) for the MRZ, the CAN's ASCII digits.
    pub(crate) fn key(&self, cipher: Cipher) -> Zeroizing<Vec<u8>> {
        match self {
            Self::Mrz(mrz) => crypto::derive_key(cipher, &crypto::sha1(mrz.as_bytes()), 3),
            Self::Can(can) => crypto::derive_key(cipher, can.0.as_bytes(), 3),
        }
    }
}

/// The standardized elliptic-curve domain parameters this reader implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DomainParameters {
    /// Id 12.
    NistP256,
    /// Id 13.
    BrainpoolP256r1,
    /// Id 15.
    NistP384,
    /// Id 16.
    BrainpoolP384r1,
}

impl DomainParameters {
    /// Looks up a standardized domain parameter id (ICAO 9303-11 Table 9).
    pub fn from_id(id: u32) -> Option<Self> {
        match id {
            12 => Some(Self::NistP256),
            13 => Some(Self::BrainpoolP256r1),
            15 => Some(Self::NistP384),
            16 => Some(Self::BrainpoolP384r1),
            _ => None,
        }
    }

    /// The id.
    pub fn id(self) -> u8 {
        match self {
            Self::NistP256 => 12,
            Self::BrainpoolP256r1 => 13,
            Self::NistP384 => 15,
            Self::BrainpoolP384r1 => 16,
        }
    }
}

/// What the mapping and key agreement produce.
struct Agreement {
    shared_x: Zeroizing<Vec<u8>>,
    pk_ifd: Vec<u8>,
    pk_ic: Vec<u8>,
}

/// Runs PACE with `info` (from EF.CardAccess) and `password`, returning the session.
pub fn establish<T, R>(
    transport: &mut T,
    rng: &mut R,
    info: &PaceInfo,
    password: &PacePassword,
) -> Result<SecureChannel, AccessError>
where
    T: CardTransport + ?Sized,
    R: TryCryptoRng + ?Sized,
{
    let protocol = &info.protocol;
    if protocol.agreement != KeyAgreement::Ecdh || protocol.mapping != PaceMapping::Generic {
        return Err(AccessError::UnsupportedParameters(
            "only ECDH generic mapping is implemented",
        ));
    }
    let curve = info
        .parameter_id
        .and_then(DomainParameters::from_id)
        .ok_or(AccessError::UnsupportedParameters("domain parameters"))?;
    let cipher = protocol.cipher;

    let mut set_at = tlv::encode(0x80, &protocol.oid.0);
    tlv::encode_into(0x83, &[password.reference()], &mut set_at);
    tlv::encode_into(0x84, &[curve.id()], &mut set_at);
    let mse = CommandApdu::new(0x00, 0x22, 0xC1, 0xA4).with_data(set_at);
    card_status(
        ResponseApdu::parse(&transport.transmit(&mse.encode()?)?)?,
        false,
    )?;

    let mut nonce = general_authenticate(transport, true, None, 0x80)?;
    if nonce.is_empty() || nonce.len() % cipher.block_size() != 0 {
        return Err(AccessError::Malformed("encrypted nonce length"));
    }
    crypto::cbc_decrypt(
        cipher,
        &password.key(cipher),
        &vec![0; cipher.block_size()],
        &mut nonce,
    )?;
    let nonce = Zeroizing::new(nonce);

    let agreement = match curve {
        DomainParameters::NistP256 => map_and_agree::<p256::NistP256, _, _>(transport, rng, &nonce),
        DomainParameters::BrainpoolP256r1 => {
            map_and_agree::<bp256::BrainpoolP256r1, _, _>(transport, rng, &nonce)
        }
        DomainParameters::NistP384 => map_and_agree::<p384::NistP384, _, _>(transport, rng, &nonce),
        DomainParameters::BrainpoolP384r1 => {
            map_and_agree::<bp384::BrainpoolP384r1, _, _>(transport, rng, &nonce)
        }
    }?;

    let keys = SessionKeys::derive(cipher, &agreement.shared_x);
    let t_ifd = token(cipher, keys.mac(), &protocol.oid, &agreement.pk_ic)?;
    let t_ic = general_authenticate(transport, false, Some((0x85, &t_ifd)), 0x86)?;
    let expected = token(cipher, keys.mac(), &protocol.oid, &agreement.pk_ifd)?;
    if !crypto::mac_eq(&expected, &t_ic) {
        return Err(AccessError::ChipProofInvalid);
    }
    let ssc = vec![0; cipher.block_size()];
    Ok(SecureChannel::new(keys, ssc))
}

/// One GENERAL AUTHENTICATE step: sends `7C { input }` (command chaining unless `last`) and
/// returns the value of `expected` in the `7C` answer.
fn general_authenticate<T: CardTransport + ?Sized>(
    transport: &mut T,
    chained: bool,
    input: Option<(u32, &[u8])>,
    expected: u32,
) -> Result<Vec<u8>, AccessError> {
    let inner = input
        .map(|(tag, value)| tlv::encode(tag, value))
        .unwrap_or_default();
    let command = CommandApdu::new(if chained { 0x10 } else { 0x00 }, 0x86, 0x00, 0x00)
        .with_data(tlv::encode(0x7C, &inner))
        .with_le(256);
    let response = ResponseApdu::parse(&transport.transmit(&command.encode()?)?)?;
    // The token step is where a wrong password shows; earlier steps cannot tell.
    let data = card_status(response, !chained)?;
    let dynamic = tlv::parse_single(&data)?.expect_tag(0x7C)?;
    tlv::find(dynamic, expected)?
        .map(<[u8]>::to_vec)
        .ok_or(AccessError::Malformed(
            "GENERAL AUTHENTICATE answer lacks its data object",
        ))
}

/// The authentication token: MAC over the public key data object `7F49 { 06 oid, 86 point }`.
pub(crate) fn token(
    cipher: Cipher,
    ks_mac: &[u8],
    oid: &Oid,
    point: &[u8],
) -> Result<[u8; MAC_LEN], AccessError> {
    let mut inner = tlv::encode(0x06, &oid.0);
    tlv::encode_into(0x86, point, &mut inner);
    let object = tlv::encode(0x7F49, &inner);
    Ok(match cipher {
        Cipher::Tdes => crypto::mac(cipher, ks_mac, &crypto::pad(&object, 8))?,
        _ => crypto::mac_unpadded(cipher, ks_mac, &object)?,
    })
}

/// A scalar in 1..n from field-size big-endian RNG bytes, redrawing values out of range.
pub(crate) fn random_scalar<C, R>(rng: &mut R) -> Result<C::Scalar, AccessError>
where
    C: CurveArithmetic,
    R: TryCryptoRng + ?Sized,
{
    for _ in 0..32 {
        let mut repr = FieldBytes::<C>::default();
        random_bytes(rng, repr.as_mut_slice())?;
        let candidate = C::Scalar::from_repr_vartime(repr);
        repr.zeroize();
        if let Some(scalar) = candidate
            && !bool::from(elliptic_curve::Field::is_zero(&scalar))
        {
            return Ok(scalar);
        }
    }
    Err(AccessError::Rng)
}

pub(crate) fn decode_point<C>(bytes: &[u8]) -> Result<AffinePoint<C>, AccessError>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C>,
{
    if bytes.first() != Some(&0x04) {
        return Err(AccessError::Malformed(
            "public key is not an uncompressed point",
        ));
    }
    AffinePoint::<C>::from_sec1_bytes(bytes)
        .map_err(|_| AccessError::Malformed("public key is not a point on the curve"))
}

pub(crate) fn encode_point<C>(point: &AffinePoint<C>) -> Vec<u8>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: ToSec1Point<C>,
{
    point.to_sec1_point(false).as_bytes().to_vec()
}

/// Generic Mapping: G~ = s·G + H with H = SK_map,IFD · PK_map,IC.
pub(crate) fn generic_mapping<C>(
    nonce: &[u8],
    sk_map: &C::Scalar,
    pk_map_ic: &AffinePoint<C>,
) -> Result<ProjectivePoint<C>, AccessError>
where
    C: CurveArithmetic,
{
    let h = ProjectivePoint::<C>::from(*pk_map_ic) * *sk_map;
    if bool::from(h.is_identity()) {
        return Err(AccessError::Malformed(
            "mapping produced the point at infinity",
        ));
    }
    let mut repr = FieldBytes::<C>::default();
    let offset = repr
        .len()
        .checked_sub(nonce.len())
        .ok_or(AccessError::Malformed("nonce longer than the curve order"))?;
    repr.get_mut(offset..)
        .ok_or(AccessError::Malformed("nonce length"))?
        .copy_from_slice(nonce);
    let s = C::Scalar::from_repr_vartime(repr)
        .ok_or(AccessError::Malformed("nonce outside the curve order"))?;
    repr.zeroize();
    let mapped = ProjectivePoint::<C>::generator() * s + h;
    if bool::from(mapped.is_identity()) {
        return Err(AccessError::Malformed(
            "mapped generator is the point at infinity",
        ));
    }
    Ok(mapped)
}

fn map_and_agree<C, T, R>(
    transport: &mut T,
    rng: &mut R,
    nonce: &[u8],
) -> Result<Agreement, AccessError>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    T: CardTransport + ?Sized,
    R: TryCryptoRng + ?Sized,
{
    let sk_map = Zeroizing::new(random_scalar::<C, R>(rng)?);
    let pk_map_ifd = (ProjectivePoint::<C>::generator() * *sk_map).to_affine();
    let answer = general_authenticate(
        transport,
        true,
        Some((0x81, &encode_point::<C>(&pk_map_ifd))),
        0x82,
    )?;
    let pk_map_ic = decode_point::<C>(&answer)?;
    let mapped = generic_mapping::<C>(nonce, &sk_map, &pk_map_ic)?;

    let sk = Zeroizing::new(random_scalar::<C, R>(rng)?);
    let pk_ifd = encode_point::<C>(&(mapped * *sk).to_affine());
    let pk_ic = general_authenticate(transport, true, Some((0x83, &pk_ifd)), 0x84)?;
    if pk_ic == pk_ifd {
        return Err(AccessError::ChipProofInvalid);
    }
    let pk_ic_point = decode_point::<C>(&pk_ic)?;
    let shared = ProjectivePoint::<C>::from(pk_ic_point) * *sk;
    if bool::from(shared.is_identity()) {
        return Err(AccessError::Malformed(
            "shared secret is the point at infinity",
        ));
    }
    let shared_x = Zeroizing::new(shared.to_affine().x().as_slice().to_vec());
    Ok(Agreement {
        shared_x,
        pk_ifd,
        pk_ic,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apdu::StatusWord;
    use crate::security_infos::SecurityInfos;
    use crate::test_support::{PaceChip, ReplayRng, ScriptedCard, hex};

    const SK_MAP_IFD: &str = "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99";
    const SK_IFD: &str = "A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595";
    const PK_MAP_IC: &str = "04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54";
    const PK_IC: &str = "049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094";
    const NONCE_S: &str = "3F00C4D39D153F2B2A214A078D899B22";

    /// ICAO 9303-11 Appendix G.1: the whole exchange, commands as the terminal must send them.
    const G1_EXCHANGE: [(&str, &str); 5] = [
        ("0022C1A412800A04007F0007020204020283010184010D", "9000"),
        (
            "10860000027C0000",
            "7C12801095A3A016522EE98D01E76CB6B98B42C39000",
        ),
        (
            "10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00",
            "7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000",
        ),
        (
            "10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200",
            "7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000",
        ),
        (
            "008600000C7C0A8508C2B0BD78D94BA86600",
            "7C0A86083ABB9674BCE93C089000",
        ),
    ];

    fn appendix_g1_info() -> PaceInfo {
        // EF.CardAccess of G.1 names the same protocol and parameters as the CCCD's.
        let infos = SecurityInfos::parse(&hex(
            "3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d",
        ))
        .unwrap();
        infos.pace().next().unwrap().clone()
    }

    fn appendix_g1_password() -> PacePassword {
        PacePassword::Mrz(MrzInformation::parse("T22000129364081251010318").unwrap())
    }

    #[test]
    fn password_key_and_nonce_match_appendix_g1() {
        let k_pi = appendix_g1_password().key(Cipher::Aes128);
        assert_eq!(*k_pi, hex("89DED1B26624EC1E634C1989302849DD"));
        let mut s = hex("95A3A016522EE98D01E76CB6B98B42C3");
        crypto::cbc_decrypt(Cipher::Aes128, &k_pi, &[0; 16], &mut s).unwrap();
        assert_eq!(s, hex(NONCE_S));
    }

    #[test]
    fn generic_mapping_gives_the_appendix_g1_generator() {
        let sk_map = bp256::Scalar::from_repr_vartime(
            FieldBytes::<bp256::BrainpoolP256r1>::try_from(hex(SK_MAP_IFD).as_slice()).unwrap(),
        )
        .unwrap();
        let pk_map_ic = decode_point::<bp256::BrainpoolP256r1>(&hex(PK_MAP_IC)).unwrap();
        let mapped =
            generic_mapping::<bp256::BrainpoolP256r1>(&hex(NONCE_S), &sk_map, &pk_map_ic).unwrap();
        assert_eq!(
            encode_point::<bp256::BrainpoolP256r1>(&mapped.to_affine()),
            hex(
                "048CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E28C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522"
            )
        );
    }

    #[test]
    fn session_keys_match_appendix_g1() {
        let sk = bp256::Scalar::from_repr_vartime(
            FieldBytes::<bp256::BrainpoolP256r1>::try_from(hex(SK_IFD).as_slice()).unwrap(),
        )
        .unwrap();
        let pk_ic = decode_point::<bp256::BrainpoolP256r1>(&hex(PK_IC)).unwrap();
        let shared = (ProjectivePoint::<bp256::BrainpoolP256r1>::from(pk_ic) * sk).to_affine();
        let keys = SessionKeys::derive(Cipher::Aes128, shared.x().as_slice());
        assert_eq!(keys.enc(), hex("F5F0E35C0D7161EE6724EE513A0D9A7F"));
        assert_eq!(keys.mac(), hex("FE251C7858B356B24514B3BD5F4297D1"));
    }

    #[test]
    fn pace_replays_appendix_g1_exactly_and_verifies_the_chip_token() {
        let mut card = ScriptedCard::new(&G1_EXCHANGE);
        let mut rng = ReplayRng::new(&[SK_MAP_IFD, SK_IFD]);
        let channel = establish(
            &mut card,
            &mut rng,
            &appendix_g1_info(),
            &appendix_g1_password(),
        )
        .unwrap();
        card.assert_done();
        assert_eq!(channel.cipher(), Cipher::Aes128);
        assert_eq!(channel.ssc(), [0u8; 16]);
    }

    #[test]
    fn a_wrong_chip_token_is_not_trusted() {
        let mut exchange = G1_EXCHANGE;
        exchange[4].1 = "7C0A86083ABB9674BCE93C099000";
        let mut card = ScriptedCard::new(&exchange);
        let mut rng = ReplayRng::new(&[SK_MAP_IFD, SK_IFD]);
        let result = establish(
            &mut card,
            &mut rng,
            &appendix_g1_info(),
            &appendix_g1_password(),
        );
        assert_eq!(result.unwrap_err(), AccessError::ChipProofInvalid);
    }

    #[test]
    fn a_wrong_password_is_reported_when_the_chip_refuses_our_token() {
        let wrong =
            PacePassword::Mrz(MrzInformation::new("T22000129", "640812", "101031").unwrap());
        let mut card = RefuseToken;
        let mut rng = ReplayRng::new(&[SK_MAP_IFD, SK_IFD]);
        let result = establish(&mut card, &mut rng, &appendix_g1_info(), &wrong);
        assert_eq!(result.unwrap_err(), AccessError::KeyRejected);
    }

    /// Answers the G.1 chip messages but refuses the token with 6300, as a chip does when the
    /// password differs.
    struct RefuseToken;

    impl CardTransport for RefuseToken {
        fn transmit(
            &mut self,
            command: &[u8],
        ) -> Result<Vec<u8>, crate::transport::TransportError> {
            Ok(match (command.first(), command.get(1), command.get(7)) {
                (_, Some(0x22), _) => hex("9000"),
                (Some(0x00), Some(0x86), _) => hex("6300"),
                (_, Some(0x86), Some(0x81)) => hex(&format!("7C438241{PK_MAP_IC}9000")),
                (_, Some(0x86), Some(0x83)) => hex(&format!("7C438441{PK_IC}9000")),
                _ => hex("7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
            })
        }
    }

    #[test]
    fn a_point_off_the_curve_is_refused() {
        let mut bad = hex(PK_MAP_IC);
        bad[64] ^= 1;
        assert!(matches!(
            decode_point::<bp256::BrainpoolP256r1>(&bad),
            Err(AccessError::Malformed(_))
        ));
        assert!(matches!(
            decode_point::<bp256::BrainpoolP256r1>(&[0x00]),
            Err(AccessError::Malformed(_))
        ));
    }

    #[test]
    fn unsupported_parameters_are_refused_before_talking_to_the_chip() {
        let mut info = appendix_g1_info();
        info.parameter_id = Some(17);
        let mut card = ScriptedCard::new(&[]);
        let mut rng = ReplayRng::new(&[]);
        let result = establish(&mut card, &mut rng, &info, &appendix_g1_password());
        assert_eq!(
            result.unwrap_err(),
            AccessError::UnsupportedParameters("domain parameters")
        );
    }

    #[test]
    fn mse_refusal_means_not_supported() {
        let mut card =
            ScriptedCard::new(&[("0022C1A412800A04007F0007020204020283010184010D", "6A80")]);
        let mut rng = ReplayRng::new(&[]);
        let result = establish(
            &mut card,
            &mut rng,
            &appendix_g1_info(),
            &appendix_g1_password(),
        );
        assert_eq!(
            result.unwrap_err(),
            AccessError::Card(StatusWord::WrongData)
        );
    }

    fn info_for(parameter_id: u32, cipher_arc: u8) -> PaceInfo {
        let mut info = appendix_g1_info();
        info.parameter_id = Some(parameter_id);
        info.protocol.oid.0[9] = cipher_arc;
        info.protocol.cipher = match cipher_arc {
            1 => Cipher::Tdes,
            2 => Cipher::Aes128,
            3 => Cipher::Aes192,
            _ => Cipher::Aes256,
        };
        info
    }

    fn run_against<C>(
        parameter_id: u32,
        cipher_arc: u8,
        chip_password: &PacePassword,
    ) -> Result<SecureChannel, AccessError>
    where
        C: CurveArithmetic,
        FieldBytesSize<C>: ModulusSize,
        AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    {
        let info = info_for(parameter_id, cipher_arc);
        let mut chip = PaceChip::<C>::new(info.clone(), chip_password, parameter_id as u8);
        let mut rng = ReplayRng::new(&[&"3C".repeat(48), &"6B".repeat(48)]);
        establish(&mut chip, &mut rng, &info, &appendix_g1_password())
    }

    #[test]
    fn pace_agrees_with_a_chip_on_every_supported_curve_and_cipher() {
        let password = appendix_g1_password();
        for arc in [1, 2, 3, 4] {
            let ciphers = [
                run_against::<p256::NistP256>(12, arc, &password)
                    .unwrap()
                    .cipher(),
                run_against::<bp256::BrainpoolP256r1>(13, arc, &password)
                    .unwrap()
                    .cipher(),
                run_against::<p384::NistP384>(15, arc, &password)
                    .unwrap()
                    .cipher(),
                run_against::<bp384::BrainpoolP384r1>(16, arc, &password)
                    .unwrap()
                    .cipher(),
            ];
            let expected = info_for(12, arc).protocol.cipher;
            assert!(ciphers.iter().all(|c| *c == expected));
        }
    }

    #[test]
    fn a_chip_with_another_password_refuses_on_every_curve() {
        let other = PacePassword::Can(Can::new("654321").unwrap());
        assert_eq!(
            run_against::<p384::NistP384>(15, 2, &other).unwrap_err(),
            AccessError::KeyRejected
        );
        assert_eq!(
            run_against::<bp384::BrainpoolP384r1>(16, 4, &other).unwrap_err(),
            AccessError::KeyRejected
        );
    }

    #[test]
    fn can_is_six_digits_and_keys_differently_from_the_mrz() {
        assert!(Can::new("12345").is_none());
        assert!(Can::new("12a456").is_none());
        let can = PacePassword::Can(Can::new("123456").unwrap());
        assert_eq!(can.reference(), 2);
        assert_eq!(appendix_g1_password().reference(), 1);
        assert_eq!(
            *can.key(Cipher::Aes128),
            *crypto::derive_key(Cipher::Aes128, b"123456", 3)
        );
        assert!(!format!("{can:?}").contains("123456"));
    }
}
