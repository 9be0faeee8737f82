//! Basic Access Control (ICAO 9303-11 §4.3): the document basic access keys Kenc/Kmac derived
//! from `MRZ_information`, the GET CHALLENGE / EXTERNAL AUTHENTICATE mutual authentication, and
//! the 3DES secure messaging session it establishes.
//!
//! The card must already have the eMRTD application selected.

use crate::access::{AccessError, card_status, random_bytes};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::crypto::{self, Cipher};
use crate::mrz::MrzInformation;
use crate::secure_messaging::{SecureChannel, SessionKeys};
use crate::transport::CardTransport;
use rand_core::TryCryptoRng;
use zeroize::Zeroizing;

/// The document basic access keys: Kenc and Kmac.
pub struct BacKeys {
    enc: Zeroizing<Vec<u8>>,
    mac: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for BacKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("BacKeys(<redacted>)")
    }
}

impl BacKeys {
    /// Kseed = first 16 bytes of SHA-1(MRZ_information); Kenc = KDF(Kseed, 1), Kmac = KDF(Kseed, 2).
    pub fn derive(mrz: &MrzInformation) -> Self {
        let seed = kseed(mrz);
        Self {
            enc: crypto::derive_key(Cipher::Tdes, &seed, 1),
            mac: crypto::derive_key(Cipher::Tdes, &seed, 2),
        }
    }

    /// Kenc.
    pub(crate) fn enc(&self) -> &[u8] {
        &self.enc
    }

    /// Kmac.
    pub(crate) fn mac(&self) -> &[u8] {
        &self.mac
    }
}

fn kseed(mrz: &MrzInformation) -> Zeroizing<Vec<u8>> {
    let digest = crypto::sha1(mrz.as_bytes());
    Zeroizing::new(digest.get(..16).unwrap_or_default().to_vec())
}

/// Runs BAC mutual authentication and returns the secure messaging session.
///
/// The RNG supplies RND.IFD (8 bytes) then K.IFD (16 bytes).
pub fn establish<T, R>(
    transport: &mut T,
    rng: &mut R,
    mrz: &MrzInformation,
) -> Result<SecureChannel, AccessError>
where
    T: CardTransport + ?Sized,
    R: TryCryptoRng + ?Sized,
{
    let keys = BacKeys::derive(mrz);

    let challenge = CommandApdu::new(0x00, 0x84, 0x00, 0x00)
        .with_le(8)
        .encode()?;
    let response = ResponseApdu::parse(&transport.transmit(&challenge)?)?;
    let rnd_ic = card_status(response, false)?;
    let rnd_ic: [u8; 8] = rnd_ic
        .as_slice()
        .try_into()
        .map_err(|_| AccessError::Malformed("challenge is not 8 bytes"))?;

    let mut rnd_ifd = [0u8; 8];
    random_bytes(rng, &mut rnd_ifd)?;
    let mut k_ifd = Zeroizing::new([0u8; 16]);
    random_bytes(rng, k_ifd.as_mut())?;

    let mut s = Zeroizing::new(Vec::with_capacity(32));
    s.extend_from_slice(&rnd_ifd);
    s.extend_from_slice(&rnd_ic);
    s.extend_from_slice(k_ifd.as_ref());
    crypto::cbc_encrypt(Cipher::Tdes, keys.enc(), &[0; 8], &mut s)?;
    let m_ifd = crypto::mac(Cipher::Tdes, keys.mac(), &crypto::pad(&s, 8))?;
    let mut data = s.to_vec();
    data.extend_from_slice(&m_ifd);

    let authenticate = CommandApdu::new(0x00, 0x82, 0x00, 0x00)
        .with_data(data)
        .with_le(40)
        .encode()?;
    let response = ResponseApdu::parse(&transport.transmit(&authenticate)?)?;
    let answer = card_status(response, true)?;
    let (e_ic, m_ic) = match answer.len() {
        40 => answer.split_at(32),
        _ => {
            return Err(AccessError::Malformed(
                "EXTERNAL AUTHENTICATE answer is not 40 bytes",
            ));
        }
    };
    let expected = crypto::mac(Cipher::Tdes, keys.mac(), &crypto::pad(e_ic, 8))?;
    if !crypto::mac_eq(&expected, m_ic) {
        return Err(AccessError::ChipProofInvalid);
    }
    let mut r = Zeroizing::new(e_ic.to_vec());
    crypto::cbc_decrypt(Cipher::Tdes, keys.enc(), &[0; 8], &mut r)?;
    let (echo_ic, rest) = r.split_at(8);
    let (echo_ifd, k_ic) = rest.split_at(8);
    if echo_ic != rnd_ic || echo_ifd != rnd_ifd {
        return Err(AccessError::ChipProofInvalid);
    }

    let seed: Zeroizing<Vec<u8>> =
        Zeroizing::new(k_ifd.iter().zip(k_ic).map(|(a, b)| a ^ b).collect());
    let mut ssc = rnd_ic.get(4..).unwrap_or_default().to_vec();
    ssc.extend_from_slice(rnd_ifd.get(4..).unwrap_or_default());
    Ok(SecureChannel::new(
        SessionKeys::derive(Cipher::Tdes, &seed),
        ssc,
    ))
}

/// Whether a refusal of EXTERNAL AUTHENTICATE means the key was wrong.
pub(crate) fn is_key_refusal(sw: StatusWord) -> bool {
    matches!(
        sw,
        StatusWord::AuthenticationFailed { .. } | StatusWord::SecurityStatusNotSatisfied
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apdu::CommandApdu;
    use crate::test_support::{ReplayRng, ScriptedCard, hex};
    use crate::transport::TransportError;

    fn appendix_d_mrz() -> MrzInformation {
        MrzInformation::parse("L898902C<369080619406236").unwrap()
    }

    const GET_CHALLENGE: (&str, &str) = ("0084000008", "4608F919887022129000");
    const EXTERNAL_AUTHENTICATE: &str = "0082000028\
        72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2\
        5F1448EEA8AD90A728";
    const CHIP_ANSWER: &str = "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F\
        2F2D235D074D74499000";

    fn appendix_d_rng() -> ReplayRng {
        ReplayRng::new(&["781723860C06C226", "0B795240CB7049B01C19B33E32804F0B"])
    }

    #[test]
    fn kseed_and_basic_access_keys_match_appendix_d() {
        let mrz = appendix_d_mrz();
        assert_eq!(*kseed(&mrz), hex("239AB9CB282DAF66231DC5A4DF6BFBAE"));
        let keys = BacKeys::derive(&mrz);
        assert_eq!(keys.enc(), hex("AB94FDECF2674FDFB9B391F85D7F76F2"));
        assert_eq!(keys.mac(), hex("7962D9ECE03D1ACD4C76089DCE131543"));
    }

    #[test]
    fn synthetic_cccd_kseed_matches_the_documented_value() {
        let mrz = MrzInformation::parse("090012345090010113001019").unwrap();
        assert_eq!(*kseed(&mrz), hex("90EB37B41B9B64E97BB79581E13AD301"));
    }

    #[test]
    fn mutual_authentication_replays_appendix_d_and_protects_select_ef_com() {
        let mut card = ScriptedCard::new(&[
            GET_CHALLENGE,
            (EXTERNAL_AUTHENTICATE, CHIP_ANSWER),
            (
                "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800",
                "990290008E08FA855A5D4C50A8ED9000",
            ),
        ]);
        let mut channel = establish(&mut card, &mut appendix_d_rng(), &appendix_d_mrz()).unwrap();
        assert_eq!(channel.cipher(), Cipher::Tdes);
        assert_eq!(channel.ssc(), hex("887022120C06C226"));
        let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x01, 0x1E]);
        let response = channel.transmit(&mut card, &select).unwrap();
        assert_eq!(response.sw, StatusWord::Success);
        card.assert_done();
    }

    #[test]
    fn session_keys_match_appendix_d() {
        let mut card = ScriptedCard::new(&[GET_CHALLENGE, (EXTERNAL_AUTHENTICATE, CHIP_ANSWER)]);
        let channel = establish(&mut card, &mut appendix_d_rng(), &appendix_d_mrz()).unwrap();
        let keys = SessionKeys::derive(
            Cipher::Tdes,
            &hex("0B795240CB7049B01C19B33E32804F0B")
                .iter()
                .zip(hex("0B4F80323EB3191CB04970CB4052790B"))
                .map(|(a, b)| a ^ b)
                .collect::<Vec<_>>(),
        );
        assert_eq!(keys.enc(), hex("979EC13B1CBFE9DCD01AB0FED307EAE5"));
        assert_eq!(keys.mac(), hex("F1CB1F1FB5ADF208806B89DC579DC1F8"));
        assert_eq!(channel.ssc(), hex("887022120C06C226"));
    }

    #[test]
    fn wrong_mrz_key_is_reported_as_key_rejected() {
        let wrong = MrzInformation::new("L898902C", "690806", "940624").unwrap();
        let mut card = ScriptedCard::new(&[GET_CHALLENGE]);
        // With a different key the cryptogram differs; answer whatever comes with 6300.
        let mut rng = appendix_d_rng();
        let result = establish(&mut RefuseAuthenticate(&mut card), &mut rng, &wrong);
        assert_eq!(result.unwrap_err(), AccessError::KeyRejected);
    }

    /// Passes GET CHALLENGE to the script and refuses EXTERNAL AUTHENTICATE with 6300.
    struct RefuseAuthenticate<'a>(&'a mut ScriptedCard);

    impl CardTransport for RefuseAuthenticate<'_> {
        fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
            if command.get(1) == Some(&0x82) {
                Ok(vec![0x63, 0x00])
            } else {
                self.0.transmit(command)
            }
        }
    }

    #[test]
    fn a_chip_answer_with_a_bad_mac_is_not_trusted() {
        let forged = CHIP_ANSWER.replace("2F2D235D074D7449", "2F2D235D074D7448");
        let mut card = ScriptedCard::new(&[GET_CHALLENGE, (EXTERNAL_AUTHENTICATE, &forged)]);
        let result = establish(&mut card, &mut appendix_d_rng(), &appendix_d_mrz());
        assert_eq!(result.unwrap_err(), AccessError::ChipProofInvalid);
    }

    #[test]
    fn card_removed_during_bac_is_a_transport_error() {
        let mut card = ScriptedCard::new(&[]).then_fail("0084000008", TransportError::CardRemoved);
        let result = establish(&mut card, &mut appendix_d_rng(), &appendix_d_mrz());
        assert_eq!(
            result.unwrap_err(),
            AccessError::Transport(TransportError::CardRemoved)
        );
    }

    #[test]
    fn short_challenge_is_malformed() {
        let mut card = ScriptedCard::new(&[("0084000008", "46089000")]);
        let result = establish(&mut card, &mut appendix_d_rng(), &appendix_d_mrz());
        assert!(matches!(result.unwrap_err(), AccessError::Malformed(_)));
    }
}
