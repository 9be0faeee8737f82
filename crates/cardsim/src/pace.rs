//! PACE from the chip's side (ICAO 9303-11 §4.4), Generic Mapping over ECDH with AES-128
//! secure messaging: MSE:Set AT chooses the protocol and password, then four GENERAL
//! AUTHENTICATE steps: encrypted nonce, mapping to a new generator, key agreement on it, and
//! the exchange of authentication tokens.

use crate::apdu::sw;
use crate::crypto::{Cipher, KDF_ENC, KDF_MAC, KDF_PACE, kdf_128, sha1};
use crate::entropy::Entropy;
use crate::sm::SecureChannel;
use crate::tlv;
use elliptic_curve::ff::{Field, PrimeField};
use elliptic_curve::group::Group;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use elliptic_curve::{CurveArithmetic, FieldBytes, FieldBytesSize, ProjectivePoint, Scalar};

/// id-PACE-ECDH-GM-AES-CBC-CMAC-128 (0.4.0.127.0.7.2.2.4.2.2), DER content octets.
pub const PACE_ECDH_GM_AES_CBC_CMAC_128: [u8; 10] =
    [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02];

/// The standardized domain parameters the chip runs PACE on (ICAO 9303-11 §9.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaceDomain {
    /// NIST P-256 (secp256r1), parameter id 12.
    NistP256,
    /// brainpoolP256r1, parameter id 13: the CCCD's.
    BrainpoolP256r1,
}

impl PaceDomain {
    /// The standardized parameter id.
    pub fn id(self) -> u8 {
        match self {
            PaceDomain::NistP256 => 12,
            PaceDomain::BrainpoolP256r1 => 13,
        }
    }

    /// The domain with this id, if the chip supports it.
    pub fn from_id(id: u8) -> Option<Self> {
        match id {
            12 => Some(PaceDomain::NistP256),
            13 => Some(PaceDomain::BrainpoolP256r1),
            _ => None,
        }
    }
}

/// Which password the terminal claims to know (MSE:Set AT tag `83`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacePassword {
    /// `01`: the MRZ.
    Mrz,
    /// `02`: the card access number.
    Can,
}

/// The secret a PACE run derives K_π from. Holds personal data: no `Debug`.
pub struct PaceSecrets<'a> {
    /// MRZ_information.
    pub mrz_information: &'a str,
    /// The CAN, if the card has one.
    pub can: Option<&'a str>,
}

/// Where the chip is inside a PACE run. Key material: no `Debug`.
pub enum PaceState {
    /// MSE:Set AT accepted; next: GENERAL AUTHENTICATE with an empty `7C`.
    AwaitNonce { domain: PaceDomain, k_pi: [u8; 16] },
    /// The nonce went out; next: the terminal's mapping key (`81`).
    AwaitMapping { domain: PaceDomain, s: [u8; 16] },
    /// The generator is mapped; next: the terminal's ephemeral key (`83`).
    AwaitKeyAgreement {
        domain: PaceDomain,
        generator: Vec<u8>,
    },
    /// Keys agreed; next: the terminal's token (`85`).
    AwaitToken {
        ks_enc: [u8; 16],
        ks_mac: [u8; 16],
        pk_ifd: Vec<u8>,
        pk_ic: Vec<u8>,
        domain: PaceDomain,
    },
}

/// What one GENERAL AUTHENTICATE step leads to.
pub enum PaceStep {
    /// The run goes on.
    Continue(PaceState),
    /// The terminal proved the password: secure messaging starts with SSC = 0.
    Established(SecureChannel),
}

/// Handles MSE:Set AT (P1P2 `C1A4`): the protocol OID, password reference and domain.
pub fn set_authentication_template(
    data: &[u8],
    supported: &[PaceDomain],
    secrets: &PaceSecrets<'_>,
) -> Result<PaceState, u16> {
    let objects = tlv::parse_all(data).map_err(|_| sw::WRONG_DATA)?;
    let value = |tag: u32| objects.iter().find(|o| o.tag == tag).map(|o| o.value);
    if value(0x80) != Some(&PACE_ECDH_GM_AES_CBC_CMAC_128[..]) {
        return Err(sw::WRONG_DATA);
    }
    let password = match value(0x83) {
        Some([0x01]) => PacePassword::Mrz,
        Some([0x02]) => PacePassword::Can,
        Some(_) => return Err(sw::REFERENCED_DATA_NOT_FOUND),
        None => return Err(sw::WRONG_DATA),
    };
    let domain = match value(0x84) {
        Some([id]) => PaceDomain::from_id(*id)
            .filter(|d| supported.contains(d))
            .ok_or(sw::WRONG_DATA)?,
        Some(_) => return Err(sw::WRONG_DATA),
        None => *supported.first().ok_or(sw::WRONG_DATA)?,
    };
    let seed = match password {
        PacePassword::Mrz => sha1(secrets.mrz_information.as_bytes()).to_vec(),
        PacePassword::Can => secrets
            .can
            .ok_or(sw::REFERENCED_DATA_NOT_FOUND)?
            .as_bytes()
            .to_vec(),
    };
    Ok(PaceState::AwaitNonce {
        domain,
        k_pi: kdf_128(&seed, KDF_PACE),
    })
}

/// Handles one GENERAL AUTHENTICATE step; `data` is the command's `7C` object. On error the
/// caller abandons the run (the status word says why).
pub fn general_authenticate(
    state: PaceState,
    data: &[u8],
    entropy: &mut dyn Entropy,
) -> Result<(Vec<u8>, PaceStep), u16> {
    let (outer, rest) = tlv::parse_one(data).map_err(|_| sw::WRONG_DATA)?;
    if outer.tag != 0x7C || !rest.is_empty() {
        return Err(sw::WRONG_DATA);
    }
    let inner = tlv::parse_all(outer.value).map_err(|_| sw::WRONG_DATA)?;
    let only = |tag: u32| match inner.as_slice() {
        [object] if object.tag == tag => Ok(object.value),
        _ => Err(sw::WRONG_DATA),
    };
    match state {
        PaceState::AwaitNonce { domain, k_pi } => {
            if !inner.is_empty() {
                return Err(sw::WRONG_DATA);
            }
            let mut s = [0u8; 16];
            entropy.fill(&mut s).map_err(|_| 0x6F00u16)?;
            let z = Cipher::Aes128
                .encrypt(&k_pi, &[0; 16], &s)
                .map_err(|_| 0x6F00u16)?;
            Ok((
                dynamic_data(0x80, &z),
                PaceStep::Continue(PaceState::AwaitMapping { domain, s }),
            ))
        }
        PaceState::AwaitMapping { domain, s } => {
            let pk_map_ifd = only(0x81)?;
            let (pk_map_ic, generator) = match domain {
                PaceDomain::NistP256 => map_generator::<p256::NistP256>(&s, pk_map_ifd, entropy)?,
                PaceDomain::BrainpoolP256r1 => {
                    map_generator::<bp256::BrainpoolP256r1>(&s, pk_map_ifd, entropy)?
                }
            };
            Ok((
                dynamic_data(0x82, &pk_map_ic),
                PaceStep::Continue(PaceState::AwaitKeyAgreement { domain, generator }),
            ))
        }
        PaceState::AwaitKeyAgreement { domain, generator } => {
            let pk_ifd = only(0x83)?;
            let (pk_ic, shared) = match domain {
                PaceDomain::NistP256 => agree::<p256::NistP256>(&generator, pk_ifd, entropy)?,
                PaceDomain::BrainpoolP256r1 => {
                    agree::<bp256::BrainpoolP256r1>(&generator, pk_ifd, entropy)?
                }
            };
            let state = PaceState::AwaitToken {
                ks_enc: kdf_128(&shared, KDF_ENC),
                ks_mac: kdf_128(&shared, KDF_MAC),
                pk_ifd: pk_ifd.to_vec(),
                pk_ic: pk_ic.clone(),
                domain,
            };
            Ok((dynamic_data(0x84, &pk_ic), PaceStep::Continue(state)))
        }
        PaceState::AwaitToken {
            ks_enc,
            ks_mac,
            pk_ifd,
            pk_ic,
            ..
        } => {
            let t_ifd = only(0x85)?;
            if t_ifd != token(&ks_mac, &pk_ic)? {
                return Err(sw::AUTHENTICATION_FAILED);
            }
            let t_ic = token(&ks_mac, &pk_ifd)?;
            let channel = SecureChannel::new(Cipher::Aes128, ks_enc, ks_mac, &[0; 16]);
            Ok((dynamic_data(0x86, &t_ic), PaceStep::Established(channel)))
        }
    }
}

/// `7C { tag value }`.
fn dynamic_data(tag: u8, value: &[u8]) -> Vec<u8> {
    tlv::encode(&[0x7C], &tlv::encode(&[tag], value))
}

/// The authentication token: CMAC over the public key data object `7F49 { 06 OID, 86 point }`.
fn token(ks_mac: &[u8; 16], point: &[u8]) -> Result<[u8; 8], u16> {
    let mut body = tlv::encode(&[0x06], &PACE_ECDH_GM_AES_CBC_CMAC_128);
    body.extend(tlv::encode(&[0x86], point));
    let object = tlv::encode(&[0x7F, 0x49], &body);
    // The token is a plain CMAC: no method-2 padding, unlike secure messaging.
    Cipher::Aes128.mac(ks_mac, &object).map_err(|_| 0x6F00u16)
}

/// A random non-zero scalar drawn byte-wise from the chip's entropy (so vectors can script it).
fn random_scalar<C: CurveArithmetic>(entropy: &mut dyn Entropy) -> Result<Scalar<C>, u16> {
    for _ in 0..16 {
        let mut bytes = FieldBytes::<C>::default();
        entropy.fill(&mut bytes).map_err(|_| 0x6F00u16)?;
        if let Some(scalar) = Option::<Scalar<C>>::from(Scalar::<C>::from_repr(bytes)) {
            if !bool::from(scalar.is_zero()) {
                return Ok(scalar);
            }
        }
    }
    Err(0x6F00)
}

/// A peer's uncompressed point, on the curve and not the identity.
fn peer_point<C>(bytes: &[u8]) -> Result<ProjectivePoint<C>, u16>
where
    C: CurveArithmetic,
    ProjectivePoint<C>: FromSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    if bytes.first() != Some(&0x04) {
        return Err(sw::WRONG_DATA);
    }
    let point = ProjectivePoint::<C>::from_sec1_bytes(bytes).map_err(|_| sw::WRONG_DATA)?;
    if bool::from(point.is_identity()) {
        return Err(sw::WRONG_DATA);
    }
    Ok(point)
}

fn encode<C>(point: &ProjectivePoint<C>) -> Vec<u8>
where
    C: CurveArithmetic,
    ProjectivePoint<C>: ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    point.to_sec1_point(false).as_bytes().to_vec()
}

/// Generic Mapping: the chip's mapping key pair, H = SK_map,IC · PK_map,IFD, Ĝ = s·G + H.
fn map_generator<C>(
    s: &[u8; 16],
    pk_map_ifd: &[u8],
    entropy: &mut dyn Entropy,
) -> Result<(Vec<u8>, Vec<u8>), u16>
where
    C: CurveArithmetic,
    ProjectivePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let peer = peer_point::<C>(pk_map_ifd)?;
    let sk_map_ic = random_scalar::<C>(entropy)?;
    let pk_map_ic = ProjectivePoint::<C>::generator() * sk_map_ic;
    let h = peer * sk_map_ic;
    if bool::from(h.is_identity()) {
        return Err(sw::WRONG_DATA);
    }
    let mut nonce = FieldBytes::<C>::default();
    let offset = nonce.len().checked_sub(s.len()).ok_or(0x6F00u16)?;
    nonce.get_mut(offset..).ok_or(0x6F00u16)?.copy_from_slice(s);
    let s = Option::<Scalar<C>>::from(Scalar::<C>::from_repr(nonce)).ok_or(0x6F00u16)?;
    let generator = ProjectivePoint::<C>::generator() * s + h;
    Ok((encode::<C>(&pk_map_ic), encode::<C>(&generator)))
}

/// Key agreement on Ĝ: the chip's ephemeral key pair and the x-coordinate of SK_IC · PK_IFD.
fn agree<C>(
    generator: &[u8],
    pk_ifd: &[u8],
    entropy: &mut dyn Entropy,
) -> Result<(Vec<u8>, Vec<u8>), u16>
where
    C: CurveArithmetic,
    ProjectivePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let generator = peer_point::<C>(generator)?;
    let peer = peer_point::<C>(pk_ifd)?;
    let sk_ic = random_scalar::<C>(entropy)?;
    let pk_ic = encode::<C>(&(generator * sk_ic));
    if pk_ic == pk_ifd {
        return Err(sw::WRONG_DATA);
    }
    let shared = peer * sk_ic;
    if bool::from(shared.is_identity()) {
        return Err(sw::WRONG_DATA);
    }
    let encoded = encode::<C>(&shared);
    let coordinate_len = encoded.len().saturating_sub(1) / 2;
    let x = encoded
        .get(1..1 + coordinate_len)
        .ok_or(0x6F00u16)?
        .to_vec();
    Ok((pk_ic, x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chip::tests::powered_chip;
    use crate::crypto::tests::hex;
    use crate::test_terminal::{Terminal, status};
    use crate::{Chip, ChipProfile, ReadLimits, ScriptedEntropy};

    const SET_AT_MRZ_BP256: &str = "0022C1A412800A04007F0007020204020283010184010D";

    fn appendix_g1_chip() -> Chip {
        let entropy = ScriptedEntropy::new([
            hex("3F00C4D39D153F2B2A214A078D899B22"),
            hex("498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560"),
            hex("107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A"),
        ]);
        let mut chip = powered_chip(ReadLimits::default(), entropy);
        let mut profile: ChipProfile = crate::chip::tests::profile(ReadLimits::default());
        profile.mrz_information = "T22000129364081251010318".into();
        chip.replace_profile(profile);
        chip
    }

    fn exchange(chip: &mut Chip, command: &str) -> Vec<u8> {
        chip.transmit(&hex(command))
    }

    #[test]
    fn chip_answers_the_appendix_g1_terminal_byte_for_byte() {
        let mut chip = appendix_g1_chip();
        assert_eq!(exchange(&mut chip, SET_AT_MRZ_BP256), hex("9000"));
        assert_eq!(
            exchange(&mut chip, "10860000027C0000"),
            hex("7C12801095A3A016522EE98D01E76CB6B98B42C3 9000")
        );
        let mapping = "10860000457C43814104\
            7ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E\
            544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D 00";
        let pk_map_ic = "7C43824104\
            824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57\
            30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54 9000";
        assert_eq!(exchange(&mut chip, mapping), hex(pk_map_ic));
        let agreement = "10860000457C43834104\
            2DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C\
            3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462 00";
        let pk_ic = "7C43844104\
            9E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB\
            7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094 9000";
        assert_eq!(exchange(&mut chip, agreement), hex(pk_ic));
        assert!(!chip.is_secured());
        assert_eq!(
            exchange(&mut chip, "008600000C7C0A8508C2B0BD78D94BA86600"),
            hex("7C0A86083ABB9674BCE93C08 9000")
        );
        assert!(chip.is_secured());
        // The session keys are those of G.1: a terminal holding them reads EF.COM.
        let mut terminal = Terminal {
            cipher: Cipher::Aes128,
            ks_enc: hex("F5F0E35C0D7161EE6724EE513A0D9A7F").try_into().unwrap(),
            ks_mac: hex("FE251C7858B356B24514B3BD5F4297D1").try_into().unwrap(),
            ssc: vec![0; 16],
            extended: false,
        };
        let (_, sw) = terminal
            .send(
                &mut chip,
                [0x00, 0xA4, 0x04, 0x0C],
                &crate::files::EMRTD_AID,
                None,
            )
            .unwrap();
        assert_eq!(sw, 0x9000);
        let (com, sw) = terminal
            .send(&mut chip, [0x00, 0xB0, 0x9E, 0x00], &[], Some(4))
            .unwrap();
        assert_eq!((com, sw), (vec![0x60, 0x82, 0x00, 0x16], 0x9000));
    }

    #[test]
    fn a_wrong_token_answers_6300_and_leaves_no_session() {
        let mut chip = appendix_g1_chip();
        exchange(&mut chip, SET_AT_MRZ_BP256);
        exchange(&mut chip, "10860000027C0000");
        exchange(
            &mut chip,
            "10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E\
             544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00",
        );
        exchange(
            &mut chip,
            "10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C\
             3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200",
        );
        assert_eq!(
            exchange(&mut chip, "008600000C7C0A8508C2B0BD78D94BA86700"),
            hex("6300")
        );
        assert!(!chip.is_secured());
        assert_eq!(
            exchange(&mut chip, "008600000C7C0A8508C2B0BD78D94BA86600"),
            hex("6985")
        );
    }

    #[test]
    fn set_at_refuses_unknown_protocols_domains_and_passwords() {
        let mut chip = appendix_g1_chip();
        let other_oid = "0022C1A412800A04007F0007020204020383010184010D";
        assert_eq!(exchange(&mut chip, other_oid), hex("6A80"));
        let unknown_domain = "0022C1A412800A04007F0007020204020283010184010E";
        assert_eq!(exchange(&mut chip, unknown_domain), hex("6A80"));
        let can_without_can = "0022C1A412800A04007F0007020204020283010284010D";
        assert_eq!(exchange(&mut chip, can_without_can), hex("6A88"));
        assert_eq!(exchange(&mut chip, "10860000027C0000"), hex("6985"));
    }

    #[test]
    fn mapping_rejects_a_point_off_the_curve() {
        let mut chip = appendix_g1_chip();
        exchange(&mut chip, SET_AT_MRZ_BP256);
        exchange(&mut chip, "10860000027C0000");
        let off_curve = "10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E\
             544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922E00";
        assert_eq!(exchange(&mut chip, off_curve), hex("6A80"));
        assert!(!chip.is_secured());
    }

    /// The terminal's half of PACE-GM, written against the curve crates directly.
    fn terminal_pace<C>(chip: &mut Chip, set_at: &str, password_seed: &[u8]) -> Option<Terminal>
    where
        C: CurveArithmetic,
        ProjectivePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
        FieldBytesSize<C>: ModulusSize,
    {
        let scalar = |byte: u8| {
            let mut repr = FieldBytes::<C>::default();
            repr[5] = byte;
            Option::<Scalar<C>>::from(Scalar::<C>::from_repr(repr)).unwrap()
        };
        assert_eq!(status(&exchange(chip, set_at)), 0x9000);
        let k_pi = kdf_128(password_seed, KDF_PACE);
        let nonce = exchange(chip, "10860000027C0000");
        let s_bytes = Cipher::Aes128
            .decrypt(&k_pi, &[0; 16], nonce.get(4..20)?)
            .ok()?;
        let mut repr = FieldBytes::<C>::default();
        repr[16..].copy_from_slice(&s_bytes);
        let s = Option::<Scalar<C>>::from(Scalar::<C>::from_repr(repr))?;
        let (sk_map, sk) = (scalar(0x31), scalar(0x57));
        let g = ProjectivePoint::<C>::generator();
        let ga = |tag: u8, point: &[u8], cla: u8| {
            let body = tlv::encode(&[0x7C], &tlv::encode(&[tag], point));
            let mut apdu = vec![cla, 0x86, 0, 0, body.len() as u8];
            apdu.extend(body);
            apdu.push(0);
            apdu
        };
        let answer = chip.transmit(&ga(0x81, &encode::<C>(&(g * sk_map)), 0x10));
        let pk_map_ic =
            ProjectivePoint::<C>::from_sec1_bytes(answer.get(4..answer.len() - 2)?).ok()?;
        let mapped = g * s + pk_map_ic * sk_map;
        let pk_ifd = encode::<C>(&(mapped * sk));
        let answer = chip.transmit(&ga(0x83, &pk_ifd, 0x10));
        let pk_ic_bytes = answer.get(4..answer.len() - 2)?.to_vec();
        let pk_ic = ProjectivePoint::<C>::from_sec1_bytes(&pk_ic_bytes).ok()?;
        let shared = encode::<C>(&(pk_ic * sk));
        let x = &shared[1..1 + (shared.len() - 1) / 2];
        let (ks_enc, ks_mac) = (kdf_128(x, KDF_ENC), kdf_128(x, KDF_MAC));
        let answer = chip.transmit(&ga(0x85, &token(&ks_mac, &pk_ic_bytes).ok()?, 0x00));
        if status(&answer) != 0x9000 || answer.get(4..12)? != token(&ks_mac, &pk_ifd).ok()? {
            return None;
        }
        Some(Terminal {
            cipher: Cipher::Aes128,
            ks_enc,
            ks_mac,
            ssc: vec![0; 16],
            extended: false,
        })
    }

    #[test]
    fn pace_on_nist_p256_opens_aes_secure_messaging() {
        let mut chip = powered_chip(
            ReadLimits::default(),
            ScriptedEntropy::new([&[7u8; 16][..], &[9u8; 32], &[11u8; 32]]),
        );
        let set_at = "0022C1A412800A04007F0007020204020283010184010C";
        let seed = sha1(b"L898902C<369080619406236");
        let mut terminal =
            terminal_pace::<p256::NistP256>(&mut chip, set_at, &seed).expect("PACE succeeds");
        assert!(chip.is_secured());
        terminal
            .send(
                &mut chip,
                [0x00, 0xA4, 0x04, 0x0C],
                &crate::files::EMRTD_AID,
                None,
            )
            .unwrap();
        let (dg13, sw) = terminal
            .send(&mut chip, [0x00, 0xB0, 0x8D, 0x00], &[], Some(223))
            .unwrap();
        assert_eq!((dg13[0], dg13.len(), sw), (0x6D, 223, 0x9000));
        let (_, sw) = terminal
            .send(&mut chip, [0x00, 0xB0, 0x8D, 0x00], &[], Some(231))
            .unwrap();
        assert_eq!(
            sw, 0x6700,
            "an AES-protected 231-byte block does not fit a short response"
        );
    }

    #[test]
    fn pace_with_the_can_works_when_the_card_has_one() {
        let mut chip = powered_chip(
            ReadLimits::default(),
            ScriptedEntropy::new([&[7u8; 16][..], &[9u8; 32], &[11u8; 32]]),
        );
        let mut profile = crate::chip::tests::profile(ReadLimits::default());
        profile.can = Some("123456".into());
        chip.replace_profile(profile);
        let set_at = "0022C1A412800A04007F0007020204020283010284010D";
        assert!(terminal_pace::<bp256::BrainpoolP256r1>(&mut chip, set_at, b"123456").is_some());
        assert!(chip.is_secured());
    }

    #[test]
    fn pace_with_a_wrong_password_fails_at_the_token() {
        let mut chip = powered_chip(
            ReadLimits::default(),
            ScriptedEntropy::new([&[7u8; 16][..], &[9u8; 32], &[11u8; 32]]),
        );
        let seed = sha1(b"L898902C<369080619406237");
        assert!(
            terminal_pace::<bp256::BrainpoolP256r1>(&mut chip, SET_AT_MRZ_BP256, &seed).is_none()
        );
        assert!(!chip.is_secured());
    }
}
