//! The software chip as an in-process transport: the reader's protocol code talks to it
//! exactly as to a card behind PC/SC, with no daemon in between.

use crate::chip::Chip;
use emrtd::transport::{CardTransport, TransportError};

/// A chip on an imaginary reader, reachable through [`CardTransport`].
pub struct SoftCard {
    chip: Chip,
    present: bool,
}

impl SoftCard {
    /// Places the chip on the reader and powers it.
    pub fn insert(mut chip: Chip) -> Self {
        chip.power_on();
        Self {
            chip,
            present: true,
        }
    }

    /// Takes the card away: the field drops and every later command fails with
    /// [`TransportError::CardRemoved`].
    pub fn remove(&mut self) {
        self.chip.power_off();
        self.present = false;
    }

    /// Puts the card back (a fresh session, as after any power cycle).
    pub fn reinsert(&mut self) {
        self.chip.power_on();
        self.present = true;
    }

    /// The chip itself, e.g. to inspect its session in a test.
    pub fn chip(&self) -> &Chip {
        &self.chip
    }
}

impl CardTransport for SoftCard {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if !self.present {
            return Err(TransportError::CardRemoved);
        }
        let response = self.chip.exchange(command);
        if let Some(wait) = self.chip.last_air_time() {
            std::thread::sleep(wait);
        }
        response.ok_or_else(|| {
            self.present = false;
            TransportError::CardRemoved
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chip::tests::profile;
    use crate::{ReadLimits, ScriptedEntropy};

    #[test]
    fn transmits_while_present_and_reports_removal() {
        let chip = Chip::new(
            profile(ReadLimits::default()),
            Box::new(ScriptedEntropy::default()),
        );
        let mut card = SoftCard::insert(chip);
        let select = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C];
        assert_eq!(card.transmit(&select), Ok(vec![0x90, 0x00]));
        card.remove();
        assert_eq!(card.transmit(&select), Err(TransportError::CardRemoved));
        card.reinsert();
        assert_eq!(
            card.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x01]),
            Ok(vec![0x69, 0x86]),
            "session was reset"
        );
    }
}
