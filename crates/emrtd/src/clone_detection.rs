//! Proof that the chip is the one its data groups were issued for, not a copy: Chip
//! Authentication when DG14 offers it (it also re-keys the session), otherwise Active
//! Authentication when DG15 is present. The outcome names the data group the proof relies
//! on, so the caller counts it only if passive authentication validated that data group.

use crate::active_authentication::{ActiveAuthenticationError, Dg15};
use crate::chip_authentication::{ChipAuthenticationError, Dg14};
use crate::lds::LdsFile;
use crate::read::{DocumentFiles, DocumentReader};
use crate::transport::CardTransport;
use rand_core::TryCryptoRng;

/// Which proof was run and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloneCheck {
    /// Chip Authentication with DG14's key.
    ChipAuthentication(Result<(), ChipAuthenticationError>),
    /// Active Authentication with DG15's key.
    ActiveAuthentication(Result<(), ActiveAuthenticationError>),
    /// The chip offers neither (no usable DG14 key, no DG15): nothing proves it is no clone.
    NotOffered,
}

impl CloneCheck {
    /// The data group whose passive authentication this proof needs before it counts.
    pub fn relies_on(&self) -> Option<LdsFile> {
        match self {
            Self::ChipAuthentication(_) => LdsFile::dg(14),
            Self::ActiveAuthentication(_) => LdsFile::dg(15),
            Self::NotOffered => None,
        }
    }

    /// Whether the chip proved it holds the private key (still subject to `relies_on`).
    pub fn passed(&self) -> bool {
        matches!(
            self,
            Self::ChipAuthentication(Ok(())) | Self::ActiveAuthentication(Ok(()))
        )
    }
}

/// Runs the strongest proof the read files allow.
pub fn check<T, R>(
    reader: &mut DocumentReader,
    transport: &mut T,
    rng: &mut R,
    files: &DocumentFiles,
) -> CloneCheck
where
    T: CardTransport + ?Sized,
    R: TryCryptoRng + ?Sized,
{
    let dg14 = LdsFile::dg(14)
        .and_then(|f| files.files.get(&f))
        .and_then(|bytes| Dg14::parse(bytes).ok());
    let dg15 = LdsFile::dg(15)
        .and_then(|f| files.files.get(&f))
        .and_then(|bytes| Dg15::parse(bytes).ok());
    if let Some(dg14) = &dg14
        && dg14
            .security_infos
            .chip_authentication_keys()
            .next()
            .is_some()
    {
        let result = reader.chip_authenticate(transport, rng, dg14);
        if !matches!(result, Err(ChipAuthenticationError::NotOffered)) {
            return CloneCheck::ChipAuthentication(result);
        }
    }
    match dg15 {
        Some(dg15) => CloneCheck::ActiveAuthentication(reader.active_authenticate(
            transport,
            rng,
            &dg15,
            dg14.as_ref(),
        )),
        None => CloneCheck::NotOffered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::AccessKeys;
    use crate::active_authentication::tests::{rsa_dg15, rsa_key};
    use crate::chip_authentication::tests::{dg14, static_key};
    use crate::mrz::MrzInformation;
    use crate::read::{CardProfile, ReadOptions};
    use crate::test_chip::TestChip;
    use crate::test_support::TestRng;
    use crate::tlv;

    const MRZ: &str = "090012345090010113001019";

    fn com(tags: &[u8]) -> Vec<u8> {
        tlv::encode(0x60, &tlv::encode(0x5C, tags))
    }

    fn run(chip: &mut TestChip) -> CloneCheck {
        let keys = AccessKeys {
            mrz: Some(MrzInformation::parse(MRZ).unwrap()),
            can: None,
        };
        let mut reader = DocumentReader::new(keys, CardProfile::default(), ReadOptions::default());
        let mut rng = TestRng(17);
        let files = reader.read_document(chip, &mut rng, &mut |_| {}).unwrap();
        check(&mut reader, chip, &mut rng, &files)
    }

    #[test]
    fn chip_authentication_is_preferred_and_relies_on_dg14() {
        let (sk, point) = static_key("42");
        let mut chip = TestChip::new(
            MRZ,
            None,
            &[
                (0x011E, com(&[0x6E, 0x6F])),
                (0x010E, dg14(&point, Some(2))),
                (0x010F, rsa_dg15()),
                (0x011D, tlv::encode(0x77, &[0; 10])),
            ],
        );
        chip.ca_private_key = Some(sk);
        chip.aa_key = Some(rsa_key());
        let outcome = run(&mut chip);
        assert_eq!(outcome, CloneCheck::ChipAuthentication(Ok(())));
        assert!(outcome.passed());
        assert_eq!(outcome.relies_on(), LdsFile::dg(14));
    }

    #[test]
    fn active_authentication_is_used_without_dg14_and_relies_on_dg15() {
        let mut chip = TestChip::new(
            MRZ,
            None,
            &[
                (0x011E, com(&[0x6F])),
                (0x010F, rsa_dg15()),
                (0x011D, tlv::encode(0x77, &[0; 10])),
            ],
        );
        chip.aa_key = Some(rsa_key());
        let outcome = run(&mut chip);
        assert_eq!(outcome, CloneCheck::ActiveAuthentication(Ok(())));
        assert_eq!(outcome.relies_on(), LdsFile::dg(15));
    }

    #[test]
    fn a_cloned_chip_fails_and_a_chip_without_keys_proves_nothing() {
        let (_, point) = static_key("42");
        let (other, _) = static_key("44");
        let mut clone = TestChip::new(
            MRZ,
            None,
            &[
                (0x011E, com(&[0x6E])),
                (0x010E, dg14(&point, Some(2))),
                (0x011D, tlv::encode(0x77, &[0; 10])),
            ],
        );
        clone.ca_private_key = Some(other);
        let outcome = run(&mut clone);
        assert_eq!(
            outcome,
            CloneCheck::ChipAuthentication(Err(ChipAuthenticationError::ChipNotAuthentic))
        );
        assert!(!outcome.passed());

        let mut bare = TestChip::new(
            MRZ,
            None,
            &[(0x011E, com(&[])), (0x011D, tlv::encode(0x77, &[0; 10]))],
        );
        let outcome = run(&mut bare);
        assert_eq!(outcome, CloneCheck::NotOffered);
        assert_eq!(outcome.relies_on(), None);
    }
}
