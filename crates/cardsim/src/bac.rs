//! Basic Access Control from the chip's side (ICAO 9303-11 §4.3): check the terminal's
//! cryptogram against the challenge the chip gave, answer with the chip's own, and derive the
//! 3DES session keys and send sequence counter.

use crate::crypto::{Cipher, CryptoError, KDF_ENC, KDF_MAC, kdf_128, pad, sha1, with_des_parity};
use crate::entropy::{Entropy, EntropyError};
use crate::sm::SecureChannel;
use thiserror::Error;

/// Why MUTUAL AUTHENTICATE failed.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum BacError {
    /// The terminal's MAC or the echoed challenge is wrong (wrong MRZ key): `6300`.
    #[error("BAC authentication failed")]
    Authentication,
    /// The command data is not the 40 bytes E.IFD ‖ M.IFD: `6700`.
    #[error("BAC command data has the wrong length")]
    Length,
    /// The chip could not draw K.IC.
    #[error(transparent)]
    Entropy(#[from] EntropyError),
}

impl From<CryptoError> for BacError {
    fn from(_: CryptoError) -> Self {
        BacError::Authentication
    }
}

/// The document basic access keys K_enc and K_mac, derived from the MRZ information.
/// Key material: no `Debug`.
#[derive(Clone)]
pub struct BacKeys {
    k_enc: [u8; 16],
    k_mac: [u8; 16],
}

impl BacKeys {
    /// Derives the keys from MRZ_information (document number ‖ cd ‖ birth ‖ cd ‖ expiry ‖ cd).
    pub fn from_mrz_information(mrz_information: &[u8]) -> Self {
        let digest = sha1(mrz_information);
        let seed = digest.get(..16).unwrap_or_default();
        Self {
            k_enc: with_des_parity(kdf_128(seed, KDF_ENC)),
            k_mac: with_des_parity(kdf_128(seed, KDF_MAC)),
        }
    }
}

/// Runs the chip's half of MUTUAL AUTHENTICATE: `rnd_ic` is the challenge the chip handed out,
/// `command` is E.IFD ‖ M.IFD. Returns E.IC ‖ M.IC and the secure-messaging session.
pub fn mutual_authenticate(
    keys: &BacKeys,
    rnd_ic: [u8; 8],
    command: &[u8],
    entropy: &mut dyn Entropy,
) -> Result<(Vec<u8>, SecureChannel), BacError> {
    if command.len() != 40 {
        return Err(BacError::Length);
    }
    let (e_ifd, m_ifd) = command.split_at(32);
    let cipher = Cipher::Tdes;
    if cipher.mac(&keys.k_mac, &pad(e_ifd, 8))? != m_ifd {
        return Err(BacError::Authentication);
    }
    let s = cipher.decrypt(&keys.k_enc, &[0; 8], e_ifd)?;
    let (rnd_ifd, rest) = s.split_at_checked(8).ok_or(BacError::Authentication)?;
    let (echoed, k_ifd) = rest.split_at_checked(8).ok_or(BacError::Authentication)?;
    if echoed != rnd_ic {
        return Err(BacError::Authentication);
    }
    let mut k_ic = [0u8; 16];
    entropy.fill(&mut k_ic)?;
    let mut r = Vec::with_capacity(32);
    r.extend_from_slice(&rnd_ic);
    r.extend_from_slice(rnd_ifd);
    r.extend_from_slice(&k_ic);
    let e_ic = cipher.encrypt(&keys.k_enc, &[0; 8], &r)?;
    let m_ic = cipher.mac(&keys.k_mac, &pad(&e_ic, 8))?;
    let mut seed = [0u8; 16];
    for (out, (a, b)) in seed.iter_mut().zip(k_ifd.iter().zip(k_ic.iter())) {
        *out = a ^ b;
    }
    let ks_enc = with_des_parity(kdf_128(&seed, KDF_ENC));
    let ks_mac = with_des_parity(kdf_128(&seed, KDF_MAC));
    let mut ssc = Vec::with_capacity(8);
    ssc.extend_from_slice(rnd_ic.get(4..).unwrap_or_default());
    ssc.extend_from_slice(rnd_ifd.get(4..).unwrap_or_default());
    let mut response = e_ic;
    response.extend_from_slice(&m_ic);
    Ok((response, SecureChannel::new(cipher, ks_enc, ks_mac, &ssc)))
}

#[cfg(test)]
mod tests {
    use crate::chip::tests::{powered_chip, profile};
    use crate::crypto::tests::hex;
    use crate::test_terminal::{Terminal, status};
    use crate::{Chip, Ef, ReadLimits, ScriptedEntropy};

    const EF_COM: &str = "60145F0104303130365F36063034303030305C026175";

    /// The chip of ICAO 9303-11 Appendix D: its RND.IC and K.IC, and the EF.COM of D.4.
    fn appendix_d_chip() -> Chip {
        let entropy = ScriptedEntropy::new([
            hex("4608F91988702212"),
            hex("0B4F80323EB3191CB04970CB4052790B"),
        ]);
        let mut profile = profile(ReadLimits::default());
        profile.files.insert(Ef::Com, hex(EF_COM));
        let mut chip = Chip::new(profile, Box::new(entropy));
        chip.power_on();
        chip
    }

    fn exchange(chip: &mut Chip, command: &str) -> Vec<u8> {
        chip.transmit(&hex(command))
    }

    #[test]
    fn chip_answers_the_appendix_d_terminal_byte_for_byte() {
        let mut chip = appendix_d_chip();
        assert_eq!(exchange(&mut chip, "00A4040C07A0000002471001"), hex("9000"));
        assert_eq!(
            exchange(&mut chip, "0084000008"),
            hex("4608F91988702212 9000")
        );
        let mutual = "0082000028 72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2 5F1448EEA8AD90A7 28";
        let expected =
            "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449 9000";
        assert_eq!(exchange(&mut chip, mutual), hex(expected));
        assert!(chip.is_secured());
        // D.4: SELECT EF.COM, READ BINARY of 4 bytes, READ BINARY of the remaining 18.
        assert_eq!(
            exchange(
                &mut chip,
                "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800"
            ),
            hex("990290008E08FA855A5D4C50A8ED9000")
        );
        assert_eq!(
            exchange(&mut chip, "0CB000000D9701048E08ED6705417E96BA5500"),
            hex("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")
        );
        assert_eq!(
            exchange(&mut chip, "0CB000040D9701128E082EA28A70F3C7B53500"),
            hex(
                "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000"
            )
        );
    }

    #[test]
    fn wrong_mrz_key_answers_6300_and_opens_no_session() {
        let mut chip = powered_chip(
            ReadLimits::default(),
            ScriptedEntropy::new([&[1u8; 8][..], &[2u8; 16]]),
        );
        chip.transmit(&hex("00A4040C07A0000002471001"));
        assert!(Terminal::bac(&mut chip, "L898902C<369080619406237").is_none());
        assert!(!chip.is_secured());
    }

    #[test]
    fn replayed_mutual_authenticate_needs_a_fresh_challenge() {
        let mut chip = appendix_d_chip();
        exchange(&mut chip, "00A4040C07A0000002471001");
        exchange(&mut chip, "0084000008");
        let mutual = "0082000028 72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2 5F1448EEA8AD90A7 28";
        assert_eq!(status(&exchange(&mut chip, mutual)), 0x9000);
        assert_eq!(exchange(&mut chip, mutual), hex("6985"));
    }

    #[test]
    fn a_bad_mac_answers_6988_and_drops_the_session() {
        let mut chip = appendix_d_chip();
        exchange(&mut chip, "00A4040C07A0000002471001");
        exchange(&mut chip, "0084000008");
        exchange(
            &mut chip,
            "0082000028 72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2 5F1448EEA8AD90A7 28",
        );
        assert_eq!(
            exchange(
                &mut chip,
                "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F900"
            ),
            hex("6988")
        );
        assert!(!chip.is_secured());
        // The next, correctly protected, command finds no session any more.
        assert_eq!(
            exchange(
                &mut chip,
                "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800"
            ),
            hex("6987")
        );
    }

    #[test]
    fn a_skipped_counter_value_is_rejected() {
        let mut chip = appendix_d_chip();
        exchange(&mut chip, "00A4040C07A0000002471001");
        exchange(&mut chip, "0084000008");
        exchange(
            &mut chip,
            "0082000028 72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2 5F1448EEA8AD90A7 28",
        );
        // The READ BINARY of D.4 was protected with the SSC two steps further on.
        assert_eq!(
            exchange(&mut chip, "0CB000000D9701048E08ED6705417E96BA5500"),
            hex("6988")
        );
    }

    #[test]
    fn plain_command_ends_the_secure_session() {
        let mut chip = appendix_d_chip();
        exchange(&mut chip, "00A4040C07A0000002471001");
        exchange(&mut chip, "0084000008");
        exchange(
            &mut chip,
            "0082000028 72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2 5F1448EEA8AD90A7 28",
        );
        assert_eq!(exchange(&mut chip, "00A4020C02011E"), hex("6982"));
        assert!(!chip.is_secured());
    }

    #[test]
    fn secured_reads_cover_every_file_and_dg3_stays_locked() {
        let mut chip = powered_chip(
            ReadLimits::default(),
            ScriptedEntropy::new([&[1u8; 8][..], &[2u8; 16]]),
        );
        chip.transmit(&hex("00A4040C07A0000002471001"));
        let mut terminal =
            Terminal::bac(&mut chip, "L898902C<369080619406236").expect("BAC succeeds");
        let (dg1, sw) = terminal
            .send(&mut chip, [0x00, 0xB0, 0x81, 0x00], &[], Some(0x20))
            .unwrap();
        assert_eq!((dg1[0], dg1.len(), sw), (0x61, 0x20, 0x9000));
        let (_, sw) = terminal
            .send(&mut chip, [0x00, 0xA4, 0x02, 0x0C], &[0x01, 0x03], None)
            .unwrap();
        assert_eq!(sw, 0x9000);
        let (_, sw) = terminal
            .send(&mut chip, [0x00, 0xB0, 0x00, 0x00], &[], Some(0x10))
            .unwrap();
        assert_eq!(sw, 0x6982);
        let (_, sw) = terminal
            .send(&mut chip, [0x00, 0xB0, 0x83, 0x00], &[], Some(0x10))
            .unwrap();
        assert_eq!(sw, 0x6982);
        let (_, sw) = terminal
            .send(&mut chip, [0x00, 0xA4, 0x02, 0x0C], &[0x01, 0x0B], None)
            .unwrap();
        assert_eq!(sw, 0x6A82);
        let (sod, sw) = terminal
            .send(&mut chip, [0x00, 0xB0, 0x9D, 0x00], &[], Some(231))
            .unwrap();
        assert_eq!((sod[0], sod.len(), sw), (0x77, 231, 0x9000));
    }

    #[test]
    fn secured_short_reads_stop_where_the_protected_answer_outgrows_256_bytes() {
        let mut chip = powered_chip(
            ReadLimits::default(),
            ScriptedEntropy::new([&[1u8; 8][..], &[2u8; 16]]),
        );
        chip.transmit(&hex("00A4040C07A0000002471001"));
        let mut terminal =
            Terminal::bac(&mut chip, "L898902C<369080619406236").expect("BAC succeeds");
        let (_, sw) = terminal
            .send(&mut chip, [0x00, 0xB0, 0x82, 0x00], &[], Some(256))
            .unwrap();
        assert_eq!(sw, 0x6700);
        let (data, sw) = terminal
            .send(&mut chip, [0x00, 0xB0, 0x82, 0x00], &[], Some(231))
            .unwrap();
        assert_eq!((data.len(), sw), (231, 0x9000));
    }

    #[test]
    fn secured_extended_reads_return_large_blocks() {
        let limits = ReadLimits {
            extended_length: true,
            max_block: 4096,
        };
        let mut chip = powered_chip(limits, ScriptedEntropy::new([&[1u8; 8][..], &[2u8; 16]]));
        chip.transmit(&hex("00A4040C07A0000002471001"));
        let mut terminal =
            Terminal::bac(&mut chip, "L898902C<369080619406236").expect("BAC succeeds");
        terminal.extended = true;
        let (data, sw) = terminal
            .send(&mut chip, [0x00, 0xB0, 0x82, 0x00], &[], Some(4096))
            .unwrap();
        assert_eq!((data.len(), sw), (4096, 0x9000));
        let (_, sw) = terminal
            .send(&mut chip, [0x00, 0xB0, 0x10, 0x00], &[], Some(4097))
            .unwrap();
        assert_eq!(sw, 0x6700);
    }
}
