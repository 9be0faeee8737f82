//! The chip: power states, the session a power cycle wipes, and the dispatch of each command
//! APDU to SELECT, READ BINARY, GET CHALLENGE and the access-control protocols, with secure
//! messaging around whatever arrives protected.

use crate::apdu::{Command, Response, sw};
use crate::bac::{self, BacError, BacKeys};
use crate::chip_auth::{self, ChipKeys};
use crate::entropy::Entropy;
use crate::faults::Faults;
use crate::files::{Access, EMRTD_AID, Ef, Files, MF_FID};
use crate::pace::{self, PaceDomain, PaceSecrets, PaceState, PaceStep};
use crate::sm::SecureChannel;

/// ATR of a contactless ISO 14443-4 card as a PC/SC reader builds it (PC/SC part 3):
/// `3B 88 80 01`, eight historical bytes, and the check byte TCK.
pub const ATR: [u8; 13] = atr_with_check_byte([
    0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x77, 0x81, 0x81, 0x00, 0x00,
]);

const fn atr_with_check_byte(mut atr: [u8; 13]) -> [u8; 13] {
    let mut tck = 0u8;
    let mut i = 1;
    while i < 12 {
        tck ^= atr[i];
        i += 1;
    }
    atr[12] = tck;
    atr
}

/// How the chip reads: whether it takes extended-length APDUs and the largest block one READ
/// BINARY may ask for (larger requests answer `6700`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Extended-length APDUs are accepted (otherwise they answer `6700`).
    pub extended_length: bool,
    /// The largest Ne a READ BINARY may ask for.
    pub max_block: usize,
}

impl Default for ReadLimits {
    /// Short APDUs only, 256-byte blocks: the safe guess for a CCCD (extended length is unknown).
    fn default() -> Self {
        Self {
            extended_length: false,
            max_block: 256,
        }
    }
}

/// Everything that makes one card: its files, its access key and how it reads.
/// Holds personal data: it has no `Debug`.
#[derive(Clone)]
pub struct ChipProfile {
    /// The files.
    pub files: Files,
    /// MRZ_information (document number ‖ cd ‖ birth ‖ cd ‖ expiry ‖ cd), the BAC/PACE secret.
    pub mrz_information: String,
    /// The card access number for PACE, when the card has one.
    pub can: Option<String>,
    /// Block size and extended-length support.
    pub limits: ReadLimits,
    /// The domains PACE runs on (empty: the chip offers BAC only). EF.CardAccess must agree.
    pub pace_domains: Vec<PaceDomain>,
    /// Faults to inject and the air-interface model.
    pub faults: Faults,
    /// The private keys behind DG14 (Chip Authentication) and DG15 (Active Authentication);
    /// `None`: the chip offers neither.
    pub keys: Option<ChipKeys>,
}

impl ChipProfile {
    /// The same card data on a chip that lacks the genuine private keys: a clone, which passive
    /// authentication accepts but Chip and Active Authentication expose.
    pub fn cloned(mut self) -> Self {
        self.keys = Some(ChipKeys {
            chip_authentication: chip_auth::derived_scalar_bytes("cardsim clone CA"),
            active_authentication: chip_auth::derived_scalar_bytes("cardsim clone AA"),
        });
        self
    }
}

/// How far the terminal has authenticated in this session.
enum Auth {
    /// Nothing yet (or the last session was dropped).
    None,
    /// A PACE run is under way.
    Pace(PaceState),
    /// BAC or PACE succeeded: every command must come protected.
    Secure(SecureChannel),
}

/// The state a power cycle or reset wipes.
struct Session {
    applet_selected: bool,
    current: Option<Ef>,
    challenge: Option<[u8; 8]>,
    auth: Auth,
    chip_authentication_selected: bool,
}

impl Session {
    fn fresh() -> Self {
        Self {
            applet_selected: false,
            current: None,
            challenge: None,
            auth: Auth::None,
            chip_authentication_selected: false,
        }
    }
}

/// A software CCCD chip. Feed it command APDUs; it answers as the card would.
pub struct Chip {
    profile: ChipProfile,
    bac_keys: BacKeys,
    entropy: Box<dyn Entropy>,
    powered: bool,
    session: Session,
    /// Response bytes sent since the card was placed on the reader.
    bytes_sent: usize,
    /// Failed BAC/PACE attempts in a row; survives power cycles.
    failed_authentications: u32,
    /// Protected responses sent since the card was placed on the reader.
    protected_responses: u32,
    /// APDUs answered and their modelled air time, since the card was placed on the reader.
    apdus: u32,
    air_time: std::time::Duration,
    last_air_time: std::time::Duration,
}

impl Chip {
    /// A chip with this profile, drawing its random numbers from `entropy`, powered off.
    pub fn new(profile: ChipProfile, entropy: Box<dyn Entropy>) -> Self {
        let bac_keys = BacKeys::from_mrz_information(profile.mrz_information.as_bytes());
        Self {
            profile,
            bac_keys,
            entropy,
            powered: false,
            session: Session::fresh(),
            bytes_sent: 0,
            failed_authentications: 0,
            protected_responses: 0,
            apdus: 0,
            air_time: std::time::Duration::ZERO,
            last_air_time: std::time::Duration::ZERO,
        }
    }

    /// Swaps the card for another with the same chip (a new identity or new faults); the
    /// session starts afresh.
    pub fn replace_profile(&mut self, profile: ChipProfile) {
        self.bac_keys = BacKeys::from_mrz_information(profile.mrz_information.as_bytes());
        self.profile = profile;
        self.session = Session::fresh();
    }

    /// The answer to reset.
    pub fn atr(&self) -> &'static [u8] {
        &ATR
    }

    /// Field on: a fresh session.
    pub fn power_on(&mut self) {
        self.powered = true;
        self.session = Session::fresh();
    }

    /// Field off: the session (selected files, keys, counters) is lost.
    pub fn power_off(&mut self) {
        self.powered = false;
        self.session = Session::fresh();
    }

    /// Warm reset: a fresh session, still powered.
    pub fn reset(&mut self) {
        self.power_on();
    }

    /// Whether the chip has power.
    pub fn is_powered(&self) -> bool {
        self.powered
    }

    /// Whether a BAC/PACE secure-messaging session is open.
    pub fn is_secured(&self) -> bool {
        matches!(self.session.auth, Auth::Secure(_))
    }

    /// Processes one command APDU and returns the response APDU (data ‖ SW1 SW2); empty if
    /// the card tore away instead of answering (see [`Chip::exchange`]).
    pub fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        self.exchange(apdu).unwrap_or_default()
    }

    /// Processes one command APDU; `None` when the card leaves the field instead of answering
    /// (the tearing fault), after which it is powered off.
    pub fn exchange(&mut self, apdu: &[u8]) -> Option<Vec<u8>> {
        let response = self.respond(apdu).to_bytes();
        self.apdus = self.apdus.saturating_add(1);
        if let Some(air) = &self.profile.faults.air {
            self.last_air_time = air.exchange_time(apdu.len(), response.len());
            self.air_time += self.last_air_time;
        }
        if let Some(limit) = self.profile.faults.tear_after_bytes {
            if self.bytes_sent + response.len() > limit {
                self.profile.faults.tear_after_bytes = None;
                self.power_off();
                return None;
            }
        }
        self.bytes_sent += response.len();
        Some(response)
    }

    /// APDUs answered and their total modelled air time since the card was placed on the
    /// reader (zero time without an air model).
    pub fn air_statistics(&self) -> (u32, std::time::Duration) {
        (self.apdus, self.air_time)
    }

    /// The modelled air time of the last exchange, for transports that wait it out.
    pub fn last_air_time(&self) -> Option<std::time::Duration> {
        self.profile
            .faults
            .air
            .filter(|air| air.realtime)
            .map(|_| self.last_air_time)
    }

    fn respond(&mut self, apdu: &[u8]) -> Response {
        if !self.powered {
            return Response::status(0x6F00);
        }
        let Ok(command) = Command::parse(apdu) else {
            return Response::status(sw::WRONG_LENGTH);
        };
        if command.extended && !self.profile.limits.extended_length {
            return Response::status(sw::WRONG_LENGTH);
        }
        match command.cla {
            0x0C | 0x1C => self.respond_protected(&command),
            0x00 | 0x10 => {
                // A plain command ends any secure-messaging session (ICAO 9303-11 §9.8).
                if matches!(self.session.auth, Auth::Secure(_)) {
                    self.session.auth = Auth::None;
                }
                self.execute(&command, false)
            }
            _ => Response::status(sw::CLA_NOT_SUPPORTED),
        }
    }

    fn respond_protected(&mut self, outer: &Command) -> Response {
        let Auth::Secure(mut channel) = std::mem::replace(&mut self.session.auth, Auth::None)
        else {
            return Response::status(sw::SM_DATA_OBJECTS_MISSING);
        };
        let inner = match channel.unwrap_command(outer) {
            Ok(inner) => inner,
            Err(err) => return Response::status(err.status_word()),
        };
        let mut plain = self.execute(&inner, true);
        if !outer.extended && channel.wrapped_len(plain.data.len()) > 256 {
            plain = Response::status(sw::WRONG_LENGTH);
        }
        match channel.wrap_response(&plain) {
            Ok(mut wrapped) => {
                self.protected_responses = self.protected_responses.saturating_add(1);
                if self.profile.faults.bad_mac_on_response == Some(self.protected_responses) {
                    self.profile.faults.bad_mac_on_response = None;
                    if let Some(last) = wrapped.data.last_mut() {
                        *last ^= 0x01;
                    }
                }
                if matches!(self.session.auth, Auth::None) {
                    self.session.auth = Auth::Secure(channel);
                }
                wrapped
            }
            Err(err) => Response::status(err.status_word()),
        }
    }

    fn execute(&mut self, command: &Command, secured: bool) -> Response {
        match command.ins {
            0xA4 => self.select(command, secured),
            0xB0 => self.read_binary(command, secured),
            0x84 => self.get_challenge(command),
            0x82 if !secured => self.external_authenticate(command),
            0x22 if !secured && (command.p1, command.p2) == (0xC1, 0xA4) => {
                self.set_pace_template(command)
            }
            0x86 if !secured => self.pace_step(command),
            0x22 if secured && (command.p1, command.p2) == (0x41, 0xA4) => {
                self.set_chip_authentication(command)
            }
            0x86 if secured => self.chip_authentication(command),
            0x88 => self.active_authentication(command),
            _ => Response::status(sw::INS_NOT_SUPPORTED),
        }
    }

    fn select(&mut self, command: &Command, secured: bool) -> Response {
        match command.p1 {
            0x04 => {
                if command.data == EMRTD_AID {
                    self.session.applet_selected = true;
                    self.session.current = None;
                    Response::status(sw::OK)
                } else {
                    Response::status(sw::FILE_NOT_FOUND)
                }
            }
            0x00 | 0x02 => {
                let Ok(fid) = <[u8; 2]>::try_from(command.data.as_slice()) else {
                    return Response::status(sw::WRONG_LENGTH);
                };
                let fid = u16::from_be_bytes(fid);
                if fid == MF_FID {
                    return Response::status(sw::INS_NOT_SUPPORTED);
                }
                match self.find(Ef::from_fid(fid), secured) {
                    Ok(ef) => {
                        self.session.current = Some(ef);
                        Response::status(sw::OK)
                    }
                    Err(status) => Response::status(status),
                }
            }
            _ => Response::status(sw::WRONG_P1P2),
        }
    }

    /// The file a SELECT or SFI read names, if it exists here and may be reached now.
    fn find(&self, ef: Option<Ef>, secured: bool) -> Result<Ef, u16> {
        let ef = ef.ok_or(sw::FILE_NOT_FOUND)?;
        if self.profile.files.get(ef).is_none()
            || (!ef.in_master_file() && !self.session.applet_selected)
        {
            return Err(sw::FILE_NOT_FOUND);
        }
        if ef.access() != Access::Free && !secured {
            return Err(sw::SECURITY_STATUS_NOT_SATISFIED);
        }
        Ok(ef)
    }

    fn read_binary(&mut self, command: &Command, secured: bool) -> Response {
        let (ef, offset) = if command.p1 & 0x80 != 0 {
            if command.p1 & 0x60 != 0 {
                return Response::status(sw::WRONG_P1P2);
            }
            match self.find(Ef::from_sfi(command.p1 & 0x1F), secured) {
                Ok(ef) => {
                    self.session.current = Some(ef);
                    (ef, usize::from(command.p2))
                }
                Err(status) => return Response::status(status),
            }
        } else {
            match self.session.current {
                Some(ef) => (
                    ef,
                    usize::from(u16::from_be_bytes([command.p1, command.p2])),
                ),
                None => return Response::status(sw::NO_CURRENT_EF),
            }
        };
        let Some(ne) = command.ne else {
            return Response::status(sw::WRONG_LENGTH);
        };
        if ne > self.profile.limits.max_block {
            return Response::status(sw::WRONG_LENGTH);
        }
        if ef.access() == Access::ExtendedAccessControl {
            return Response::status(sw::SECURITY_STATUS_NOT_SATISFIED);
        }
        let Some(content) = self.profile.files.get(ef) else {
            return Response::status(sw::FILE_NOT_FOUND);
        };
        if offset >= content.len() {
            return Response::status(sw::WRONG_OFFSET);
        }
        let end = offset.saturating_add(ne).min(content.len());
        let data = content.get(offset..end).unwrap_or_default().to_vec();
        let wildcard = ne == 256 || ne == 65536;
        if data.len() < ne && !wildcard {
            Response {
                data,
                sw: sw::END_OF_FILE,
            }
        } else {
            Response::ok(data)
        }
    }

    fn get_challenge(&mut self, command: &Command) -> Response {
        if command.p1 != 0 || command.p2 != 0 {
            return Response::status(sw::WRONG_P1P2);
        }
        if command.ne != Some(8) {
            return Response::status(sw::WRONG_LENGTH);
        }
        let mut challenge = [0u8; 8];
        if self.entropy.fill(&mut challenge).is_err() {
            return Response::status(0x6F00);
        }
        self.session.challenge = Some(challenge);
        Response::ok(challenge.to_vec())
    }

    fn set_chip_authentication(&mut self, command: &Command) -> Response {
        if self.profile.keys.is_none() {
            return Response::status(sw::INS_NOT_SUPPORTED);
        }
        match chip_auth::set_authentication_template(&command.data) {
            Ok(()) => {
                self.session.chip_authentication_selected = true;
                Response::status(sw::OK)
            }
            Err(status) => Response::status(status),
        }
    }

    /// On success the new session is installed here; the caller protects this response with
    /// the old one, as ICAO 9303-11 §6.2 requires.
    fn chip_authentication(&mut self, command: &Command) -> Response {
        let (Some(keys), true) = (
            &self.profile.keys,
            self.session.chip_authentication_selected,
        ) else {
            return Response::status(sw::CONDITIONS_NOT_SATISFIED);
        };
        match chip_auth::general_authenticate(keys, &command.data) {
            Ok((data, channel)) => {
                self.session.chip_authentication_selected = false;
                self.session.auth = Auth::Secure(channel);
                Response::ok(data)
            }
            Err(status) => Response::status(status),
        }
    }

    fn active_authentication(&mut self, command: &Command) -> Response {
        let Some(keys) = &self.profile.keys else {
            return Response::status(sw::INS_NOT_SUPPORTED);
        };
        if !self.session.applet_selected {
            return Response::status(sw::CONDITIONS_NOT_SATISFIED);
        }
        match chip_auth::internal_authenticate(keys, &command.data) {
            Ok(signature) => Response::ok(signature),
            Err(status) => Response::status(status),
        }
    }

    fn set_pace_template(&mut self, command: &Command) -> Response {
        if self.profile.pace_domains.is_empty() {
            return Response::status(sw::INS_NOT_SUPPORTED);
        }
        if self.authentication_blocked() {
            return Response::status(sw::AUTHENTICATION_BLOCKED);
        }
        let secrets = PaceSecrets {
            mrz_information: &self.profile.mrz_information,
            can: self.profile.can.as_deref(),
        };
        match pace::set_authentication_template(&command.data, &self.profile.pace_domains, &secrets)
        {
            Ok(state) => {
                self.session.auth = Auth::Pace(state);
                Response::status(sw::OK)
            }
            Err(status) => {
                self.session.auth = Auth::None;
                Response::status(status)
            }
        }
    }

    fn pace_step(&mut self, command: &Command) -> Response {
        let response = self.general_authenticate_pace(command);
        if response.sw != sw::OK || self.is_secured() {
            self.record_authentication(response.sw);
        }
        response
    }

    fn general_authenticate_pace(&mut self, command: &Command) -> Response {
        let Auth::Pace(state) = std::mem::replace(&mut self.session.auth, Auth::None) else {
            return Response::status(sw::CONDITIONS_NOT_SATISFIED);
        };
        match pace::general_authenticate(state, &command.data, self.entropy.as_mut()) {
            Ok((data, PaceStep::Continue(next))) => {
                self.session.auth = Auth::Pace(next);
                Response::ok(data)
            }
            Ok((data, PaceStep::Established(channel))) => {
                self.session.auth = Auth::Secure(channel);
                Response::ok(data)
            }
            Err(status) => Response::status(status),
        }
    }

    fn authentication_blocked(&self) -> bool {
        self.profile
            .faults
            .block_after_failures
            .is_some_and(|limit| self.failed_authentications >= limit)
    }

    /// Counts a BAC/PACE outcome: failures in a row, reset by a success.
    fn record_authentication(&mut self, status: u16) {
        if status == sw::AUTHENTICATION_FAILED {
            self.failed_authentications = self.failed_authentications.saturating_add(1);
        } else if status == sw::OK {
            self.failed_authentications = 0;
        }
    }

    fn external_authenticate(&mut self, command: &Command) -> Response {
        if self.authentication_blocked() {
            return Response::status(sw::AUTHENTICATION_BLOCKED);
        }
        let response = self.mutual_authenticate(command);
        self.record_authentication(response.sw);
        response
    }

    fn mutual_authenticate(&mut self, command: &Command) -> Response {
        let Some(challenge) = self.session.challenge.take() else {
            return Response::status(sw::CONDITIONS_NOT_SATISFIED);
        };
        match bac::mutual_authenticate(
            &self.bac_keys,
            challenge,
            &command.data,
            self.entropy.as_mut(),
        ) {
            Ok((data, channel)) => {
                self.session.auth = Auth::Secure(channel);
                Response::ok(data)
            }
            Err(BacError::Authentication) => Response::status(sw::AUTHENTICATION_FAILED),
            Err(BacError::Length) => Response::status(sw::WRONG_LENGTH),
            Err(BacError::Entropy(_)) => Response::status(0x6F00),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::entropy::ScriptedEntropy;
    use crate::files::CCCD_CARD_ACCESS;

    /// A file whose bytes encode their own offset, so a read at the wrong place shows.
    pub(crate) fn patterned(tag: u8, len: usize) -> Vec<u8> {
        let mut bytes = vec![tag, 0x82, (len >> 8) as u8, len as u8];
        bytes.extend((0..len).map(|i| (i % 251) as u8));
        bytes
    }

    pub(crate) fn profile(limits: ReadLimits) -> ChipProfile {
        let files = Files::new()
            .with(Ef::CardAccess, CCCD_CARD_ACCESS.to_vec())
            .with(Ef::Com, patterned(0x60, 22))
            .with(Ef::Dg(1), patterned(0x61, 91))
            .with(Ef::Dg(2), patterned(0x75, 18_000))
            .with(Ef::Dg(3), patterned(0x63, 40))
            .with(Ef::Dg(13), patterned(0x6D, 400))
            .with(Ef::Dg(14), patterned(0x6E, 300))
            .with(Ef::Dg(15), patterned(0x6F, 200))
            .with(Ef::Sod, patterned(0x77, 2_000));
        ChipProfile {
            files,
            mrz_information: "L898902C<369080619406236".into(),
            can: None,
            limits,
            pace_domains: vec![PaceDomain::BrainpoolP256r1, PaceDomain::NistP256],
            faults: Faults::default(),
            keys: Some(ChipKeys {
                chip_authentication: chip_auth::derived_scalar_bytes("test chip CA"),
                active_authentication: chip_auth::derived_scalar_bytes("test chip AA"),
            }),
        }
    }

    pub(crate) fn powered_chip(limits: ReadLimits, entropy: ScriptedEntropy) -> Chip {
        let mut chip = Chip::new(profile(limits), Box::new(entropy));
        chip.power_on();
        chip
    }

    fn sw_of(response: &[u8]) -> u16 {
        match response {
            [.., sw1, sw2] => u16::from_be_bytes([*sw1, *sw2]),
            _ => 0,
        }
    }

    #[test]
    fn atr_check_byte_makes_the_xor_zero() {
        assert_eq!(ATR.iter().skip(1).fold(0, |acc, b| acc ^ b), 0);
    }

    #[test]
    fn card_access_reads_in_plain_before_any_authentication() {
        let mut chip = powered_chip(ReadLimits::default(), ScriptedEntropy::default());
        assert_eq!(
            chip.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C]),
            vec![0x90, 0x00]
        );
        let response = chip.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00]);
        let mut expected = CCCD_CARD_ACCESS.to_vec();
        expected.extend_from_slice(&[0x90, 0x00]);
        assert_eq!(response, expected);
        let by_sfi = chip.transmit(&[0x00, 0xB0, 0x9C, 0x04, 0x02]);
        assert_eq!(
            by_sfi,
            vec![CCCD_CARD_ACCESS[4], CCCD_CARD_ACCESS[5], 0x90, 0x00]
        );
    }

    #[test]
    fn select_master_file_answers_6d00_as_the_cccd_does() {
        let mut chip = powered_chip(ReadLimits::default(), ScriptedEntropy::default());
        assert_eq!(
            chip.transmit(&[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00]),
            vec![0x6D, 0x00]
        );
    }

    #[test]
    fn applet_selects_by_aid_and_its_files_need_secure_messaging() {
        let mut chip = powered_chip(ReadLimits::default(), ScriptedEntropy::default());
        assert_eq!(
            chip.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E]),
            vec![0x6A, 0x82]
        );
        let wrong_aid = [
            0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x02,
        ];
        assert_eq!(chip.transmit(&wrong_aid), vec![0x6A, 0x82]);
        let aid = [
            0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
        ];
        assert_eq!(chip.transmit(&aid), vec![0x90, 0x00]);
        assert_eq!(
            chip.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E]),
            vec![0x69, 0x82]
        );
        assert_eq!(
            chip.transmit(&[0x00, 0xB0, 0x81, 0x00, 0x00]),
            vec![0x69, 0x82]
        );
        assert_eq!(
            chip.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x0B]),
            vec![0x6A, 0x82]
        );
    }

    #[test]
    fn read_without_a_current_file_answers_6986() {
        let mut chip = powered_chip(ReadLimits::default(), ScriptedEntropy::default());
        assert_eq!(
            chip.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x10]),
            vec![0x69, 0x86]
        );
    }

    #[test]
    fn read_binary_above_the_largest_block_answers_6700() {
        let limits = ReadLimits {
            extended_length: false,
            max_block: 223,
        };
        let mut chip = powered_chip(limits, ScriptedEntropy::default());
        chip.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C]);
        assert_eq!(
            chip.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00]),
            vec![0x67, 0x00]
        );
        assert_eq!(
            chip.transmit(&[0x00, 0xB0, 0x00, 0x00, 0xE0]),
            vec![0x67, 0x00]
        );
        let within = chip.transmit(&[0x00, 0xB0, 0x00, 0x00, 0xDF]);
        assert_eq!(
            (within.len(), sw_of(&within)),
            (CCCD_CARD_ACCESS.len() + 2, 0x6282)
        );
    }

    #[test]
    fn reads_at_and_past_the_end_of_a_file() {
        let mut chip = powered_chip(ReadLimits::default(), ScriptedEntropy::default());
        chip.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C]);
        let tail = chip.transmit(&[0x00, 0xB0, 0x00, 0x34, 0x10]);
        assert_eq!(tail, vec![0x01, 0x0d, 0x62, 0x82]);
        assert_eq!(
            chip.transmit(&[0x00, 0xB0, 0x00, 0x36, 0x01]),
            vec![0x6B, 0x00]
        );
    }

    #[test]
    fn extended_length_reads_only_when_the_chip_supports_them() {
        let short_only = ReadLimits::default();
        let mut chip = powered_chip(short_only, ScriptedEntropy::default());
        assert_eq!(
            chip.transmit(&[0x00, 0xB0, 0x9C, 0x00, 0x00, 0x00, 0x00]),
            vec![0x67, 0x00]
        );
        let extended = ReadLimits {
            extended_length: true,
            max_block: 65536,
        };
        let mut chip = powered_chip(extended, ScriptedEntropy::default());
        let response = chip.transmit(&[0x00, 0xB0, 0x9C, 0x00, 0x00, 0x00, 0x00]);
        assert_eq!(response.len(), CCCD_CARD_ACCESS.len() + 2);
        assert_eq!(sw_of(&response), 0x9000);
    }

    #[test]
    fn get_challenge_hands_out_eight_random_bytes() {
        let mut chip = powered_chip(
            ReadLimits::default(),
            ScriptedEntropy::new([[1, 2, 3, 4, 5, 6, 7, 8]]),
        );
        assert_eq!(
            chip.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]),
            vec![1, 2, 3, 4, 5, 6, 7, 8, 0x90, 0x00]
        );
        assert_eq!(
            chip.transmit(&[0x00, 0x84, 0x00, 0x00, 0x10]),
            vec![0x67, 0x00]
        );
    }

    #[test]
    fn power_cycle_and_reset_forget_the_session() {
        let mut chip = powered_chip(
            ReadLimits::default(),
            ScriptedEntropy::new([[9u8; 8], [9u8; 8]]),
        );
        chip.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C]);
        chip.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]);
        chip.reset();
        assert_eq!(
            chip.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x01]),
            vec![0x69, 0x86]
        );
        assert_eq!(
            chip.transmit(&[0x00, 0x82, 0x00, 0x00, 0x28, 0, 0x28])[..],
            [0x67, 0x00]
        );
        let bac = {
            let mut apdu = vec![0x00, 0x82, 0x00, 0x00, 0x28];
            apdu.extend_from_slice(&[0u8; 40]);
            apdu.push(0x28);
            apdu
        };
        assert_eq!(chip.transmit(&bac), vec![0x69, 0x85]);
        chip.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C]);
        chip.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]);
        chip.power_off();
        assert!(!chip.is_powered());
        assert_eq!(
            chip.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x01]),
            vec![0x6F, 0x00]
        );
        chip.power_on();
        assert_eq!(
            chip.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x01]),
            vec![0x69, 0x86]
        );
        assert_eq!(chip.transmit(&bac), vec![0x69, 0x85]);
    }

    #[test]
    fn malformed_apdus_get_a_status_word_not_a_panic() {
        let mut chip = powered_chip(ReadLimits::default(), ScriptedEntropy::default());
        for apdu in [
            &[][..],
            &[0x00],
            &[0x00, 0xA4, 0x02],
            &[0x00, 0xA4, 0x02, 0x0C, 0x05, 0x01],
            &[0x80, 0xA4, 0, 0],
        ] {
            let response = chip.transmit(apdu);
            assert_eq!(response.len(), 2);
            assert_ne!(sw_of(&response), 0x9000);
        }
    }
}
