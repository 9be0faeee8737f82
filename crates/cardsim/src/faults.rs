//! Faults a test can tell the chip to inject — the card torn from the field after N bytes,
//! a response with a wrong MAC — and a model of the contactless air interface (bit rate, frame
//! size, turnaround, chip processing) that turns each exchange into the time a real reader
//! would need for it.

use std::time::Duration;

/// What the chip should get wrong. The default injects nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// The card leaves the field instead of sending the response that would take the bytes it
    /// has sent since insertion past this count. One-shot: a re-inserted card reads through.
    pub tear_after_bytes: Option<usize>,
    /// The n-th protected response (1-based, counted since insertion) carries a wrong MAC.
    /// One-shot.
    pub bad_mac_on_response: Option<u32>,
    /// The air interface; `None` means exchanges take no modelled time.
    pub air: Option<AirModel>,
    /// After this many failed BAC/PACE attempts in a row (a counter that survives power
    /// cycles, as in a chip's EEPROM), authentication answers `6983` (blocked).
    pub block_after_failures: Option<u32>,
}

/// ISO/IEC 14443-4 air interface timing: frames of at most `frame_size` bytes (PCB and CRC
/// included), 9 bits per byte on air (8 data + parity), a turnaround per frame, R(ACK) frames
/// for chaining, and the chip's processing time per APDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AirModel {
    /// Bits per second: 106, 212, 424 or 848 kbit/s on real readers.
    pub bit_rate: u32,
    /// FSC/FSD: the largest frame, 3 bytes of which are PCB and CRC.
    pub frame_size: usize,
    /// Frame delay time between the end of one frame and the start of the answer.
    pub turnaround: Duration,
    /// The chip's computing time per APDU.
    pub processing: Duration,
    /// Transports (the in-process card, the vpcd adapter) really wait this long per exchange.
    pub realtime: bool,
}

/// PCB (1 byte) and CRC (2 bytes) around each frame's payload.
const FRAME_OVERHEAD: usize = 3;
/// An R(ACK) frame: PCB and CRC.
const ACK_FRAME: usize = 3;
const BITS_PER_BYTE: u64 = 9;

impl AirModel {
    /// A typical good desktop reader at `bit_rate`: 256-byte frames, 100 µs turnaround,
    /// 1 ms of chip processing per APDU.
    pub fn at(bit_rate: u32) -> Self {
        Self {
            bit_rate,
            frame_size: 256,
            turnaround: Duration::from_micros(100),
            processing: Duration::from_millis(1),
            realtime: false,
        }
    }

    /// The time one command/response exchange occupies the field.
    pub fn exchange_time(&self, command_len: usize, response_len: usize) -> Duration {
        let payload = self.frame_size.saturating_sub(FRAME_OVERHEAD).max(1);
        let frames = |len: usize| len.div_ceil(payload).max(1);
        let (command_frames, response_frames) = (frames(command_len), frames(response_len));
        let acks = (command_frames - 1) + (response_frames - 1);
        let bytes = command_len
            + response_len
            + FRAME_OVERHEAD * (command_frames + response_frames)
            + ACK_FRAME * acks;
        let turnarounds =
            u32::try_from(command_frames + response_frames + acks).unwrap_or(u32::MAX);
        self.processing + self.turnaround * turnarounds + self.transfer_time(bytes)
    }

    /// The time `bytes` take on air at the bit rate alone.
    pub fn transfer_time(&self, bytes: usize) -> Duration {
        let bits = u64::try_from(bytes)
            .unwrap_or(u64::MAX)
            .saturating_mul(BITS_PER_BYTE);
        Duration::from_nanos(bits.saturating_mul(1_000_000_000) / u64::from(self.bit_rate.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_exchange_costs_processing_two_turnarounds_and_its_bits() {
        let air = AirModel::at(424_000);
        // 5-byte command + 10-byte response, one frame each: (15 + 6) bytes * 9 bits.
        let expected = Duration::from_millis(1)
            + Duration::from_micros(200)
            + Duration::from_nanos(21 * 9 * 1_000_000_000 / 424_000);
        assert_eq!(air.exchange_time(5, 10), expected);
    }

    #[test]
    fn long_responses_are_chained_with_acks() {
        let air = AirModel::at(106_000);
        let one_frame = air.exchange_time(5, 253);
        let two_frames = air.exchange_time(5, 254);
        let extra = air.turnaround * 2 + air.transfer_time(1 + FRAME_OVERHEAD + ACK_FRAME);
        assert_eq!(two_frames - one_frame, extra);
    }

    #[test]
    fn doubling_the_bit_rate_halves_the_transfer_time() {
        assert_eq!(
            AirModel::at(212_000).transfer_time(1000) * 2,
            AirModel::at(106_000).transfer_time(1000)
        );
    }
}

#[cfg(test)]
mod chip_fault_tests {
    use super::*;
    use crate::chip::tests::profile;
    use crate::test_terminal::Terminal;
    use crate::{Chip, Ef, ReadLimits, ScriptedEntropy, SoftCard};
    use emrtd::transport::{CardTransport, TransportError};

    const SELECT_CARD_ACCESS: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C];
    const READ_CARD_ACCESS: [u8; 5] = [0x00, 0xB0, 0x00, 0x00, 0x00];

    fn card_with(faults: Faults, entropy: ScriptedEntropy) -> SoftCard {
        let mut profile = profile(ReadLimits::default());
        profile.faults = faults;
        SoftCard::insert(Chip::new(profile, Box::new(entropy)))
    }

    #[test]
    fn tearing_after_n_bytes_removes_the_card_once_and_a_reinsert_reads_through() {
        let faults = Faults {
            tear_after_bytes: Some(100),
            ..Faults::default()
        };
        let mut card = card_with(faults, ScriptedEntropy::default());
        assert_eq!(card.transmit(&SELECT_CARD_ACCESS), Ok(vec![0x90, 0x00]));
        assert_eq!(card.transmit(&READ_CARD_ACCESS).map(|r| r.len()), Ok(56));
        assert_eq!(
            card.transmit(&READ_CARD_ACCESS),
            Err(TransportError::CardRemoved)
        );
        assert!(!card.chip().is_powered());
        assert_eq!(
            card.transmit(&SELECT_CARD_ACCESS),
            Err(TransportError::CardRemoved)
        );
        card.reinsert();
        assert_eq!(card.transmit(&SELECT_CARD_ACCESS), Ok(vec![0x90, 0x00]));
        for _ in 0..3 {
            assert_eq!(card.transmit(&READ_CARD_ACCESS).map(|r| r.len()), Ok(56));
        }
    }

    #[test]
    fn bad_mac_fault_spoils_exactly_the_chosen_protected_response() {
        let mut profile = profile(ReadLimits::default());
        profile.faults = Faults {
            bad_mac_on_response: Some(2),
            ..Faults::default()
        };
        let mut chip = Chip::new(
            profile,
            Box::new(ScriptedEntropy::new([&[1u8; 8][..], &[2u8; 16]])),
        );
        chip.power_on();
        chip.transmit(&[
            0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
        ]);
        let mut terminal =
            Terminal::bac(&mut chip, "L898902C<369080619406236").expect("BAC succeeds");
        let read_dg1 =
            |t: &mut Terminal, c: &mut Chip| t.send(c, [0x00, 0xB0, 0x81, 0x00], &[], Some(16));
        assert_eq!(
            read_dg1(&mut terminal, &mut chip).map(|(_, sw)| sw),
            Ok(0x9000)
        );
        assert_eq!(
            read_dg1(&mut terminal, &mut chip),
            Err(0x9000),
            "MAC check fails on response 2"
        );
        assert_eq!(
            read_dg1(&mut terminal, &mut chip).map(|(_, sw)| sw),
            Ok(0x9000)
        );
    }

    #[test]
    fn air_model_accumulates_the_time_of_every_exchange() {
        let air = AirModel::at(424_000);
        let faults = Faults {
            air: Some(air),
            ..Faults::default()
        };
        let mut card = card_with(faults, ScriptedEntropy::default());
        card.transmit(&SELECT_CARD_ACCESS).unwrap();
        card.transmit(&READ_CARD_ACCESS).unwrap();
        let expected = air.exchange_time(7, 2) + air.exchange_time(5, 56);
        assert_eq!(card.chip().air_statistics(), (2, expected));
    }

    #[test]
    fn corrupting_a_file_changes_only_its_last_byte() {
        let mut files = profile(ReadLimits::default()).files;
        let before = files.get(Ef::Dg(1)).unwrap().to_vec();
        files.corrupt(Ef::Dg(1));
        let after = files.get(Ef::Dg(1)).unwrap();
        assert_eq!(before.len(), after.len());
        assert_eq!(before[..before.len() - 1], after[..after.len() - 1]);
        assert_ne!(before.last(), after.last());
    }
}

#[cfg(test)]
mod blocking_tests {
    use crate::chip::tests::profile;
    use crate::test_terminal::{Terminal, status};
    use crate::{Chip, ReadLimits, ScriptedEntropy};

    const AID: [u8; 12] = [
        0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
    ];

    #[test]
    fn failed_attempts_block_authentication_across_power_cycles() {
        let mut profile = profile(ReadLimits::default());
        profile.faults.block_after_failures = Some(2);
        let challenges: Vec<[u8; 8]> = (0..4).map(|i| [i; 8]).collect();
        let mut chip = Chip::new(profile, Box::new(ScriptedEntropy::new(challenges)));
        chip.power_on();
        chip.transmit(&AID);
        assert!(Terminal::bac(&mut chip, "L898902C<369080619406237").is_none());
        chip.power_off();
        chip.power_on();
        chip.transmit(&AID);
        assert!(Terminal::bac(&mut chip, "L898902C<369080619406237").is_none());
        chip.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]);
        let mut mutual = vec![0x00, 0x82, 0x00, 0x00, 0x28];
        mutual.extend_from_slice(&[0u8; 40]);
        mutual.push(0x28);
        assert_eq!(
            status(&chip.transmit(&mutual)),
            0x6983,
            "blocked, even for the right key"
        );
        let set_at = [
            0x00, 0x22, 0xC1, 0xA4, 0x0F, 0x80, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02,
            0x04, 0x02, 0x02, 0x83, 0x01, 0x01,
        ];
        assert_eq!(
            status(&chip.transmit(&set_at)),
            0x6983,
            "PACE is blocked too"
        );
    }

    #[test]
    fn a_success_resets_the_failure_count() {
        let mut profile = profile(ReadLimits::default());
        profile.faults.block_after_failures = Some(2);
        let entropy: Vec<Vec<u8>> =
            vec![vec![1; 8], vec![2; 8], vec![3; 16], vec![4; 8], vec![5; 8]];
        let mut chip = Chip::new(profile, Box::new(ScriptedEntropy::new(entropy)));
        chip.power_on();
        chip.transmit(&AID);
        assert!(Terminal::bac(&mut chip, "L898902C<369080619406237").is_none());
        assert!(Terminal::bac(&mut chip, "L898902C<369080619406236").is_some());
        chip.power_off();
        chip.power_on();
        chip.transmit(&AID);
        assert!(Terminal::bac(&mut chip, "L898902C<369080619406237").is_none());
        let challenge = chip.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]);
        assert_eq!(
            status(&challenge),
            0x9000,
            "one failure after a success is not a block"
        );
    }
}
