//! Reading LDS files from the chip: SELECT of the application and of files, READ BINARY in
//! the largest block the card accepts (extended length when it takes it, then 256 → 223 → 192
//! → 160 → 128 on `6700`/`6Cxx`/`6B00`/`6282`), SFI reads that save a SELECT, progress per file
//! and per byte, and a read state that survives errors: after card removal or a broken secure
//! messaging session, the next call re-authenticates and resumes at the last offset.
//!
//! [`ReadError`] is the one enum a UI matches; its messages carry no personal data.

use crate::access::{self, AccessError, AccessKeys, AccessMethod};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::lds::{LdsError, LdsFile};
use crate::secure_messaging::{SecureChannel, SmError};
use crate::security_infos::PaceInfo;
use crate::tlv::{self, TlvError};
use crate::transport::{CardTransport, TransportError};
use rand_core::TryCryptoRng;
use std::collections::BTreeMap;
use thiserror::Error;

/// The eMRTD LDS1 application identifier.
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

/// Short READ BINARY block sizes, largest first (223 is the largest whose protected answer fits
/// a short response).
pub const SHORT_BLOCKS: [usize; 5] = [256, 223, 192, 160, 128];

/// Files larger than this are refused as malformed rather than read (DG2 is well under it).
pub const MAX_FILE_LEN: usize = 1 << 20;

/// How many times one call re-authenticates after secure messaging broke before giving up.
const MAX_REAUTHENTICATIONS: usize = 3;

/// Why reading the document failed: one variant per thing a person can be told.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The card left the reader. Reading resumes where it stopped once it is back.
    #[error("card removed")]
    CardRemoved,
    /// The reader or the PC/SC service failed.
    #[error(transparent)]
    Transport(TransportError),
    /// The chip refused the access key: wrong document number, dates or CAN.
    #[error("access key refused by the chip")]
    AccessDenied,
    /// The chip blocked the access method.
    #[error("access blocked by the chip")]
    AccessBlocked,
    /// No key was given for any access protocol the chip offers.
    #[error("no access key for the protocols this chip offers")]
    NoAccessKey,
    /// The chip offers no access protocol this reader implements.
    #[error("unsupported chip: {0}")]
    UnsupportedCard(&'static str),
    /// The chip's authentication proof did not verify: a different chip answered, or the
    /// exchange was tampered with.
    #[error("the chip failed to prove it holds the document's keys")]
    ChipProofInvalid,
    /// Secure messaging failed (bad MAC, unprotected answer, session ended by the card) and
    /// re-authenticating did not restore it.
    #[error("secure messaging broken: {0}")]
    SecureMessagingBroken(SmError),
    /// The file is not on the chip.
    #[error("{0} not found on the chip")]
    FileNotFound(LdsFile),
    /// The file needs access rights this reader does not have (EAC-protected DG3).
    #[error("{0} is protected by Extended Access Control")]
    AccessConditionsNotSatisfied(LdsFile),
    /// The chip returned content that does not parse.
    #[error("malformed chip data: {0}")]
    Malformed(&'static str),
    /// An LDS file's content is malformed.
    #[error(transparent)]
    Lds(#[from] LdsError),
    /// The chip answered a status word the reader cannot act on.
    #[error("unexpected chip status {0}")]
    Card(StatusWord),
    /// The RNG failed.
    #[error("random number generator failed")]
    Rng,
}

impl From<TransportError> for ReadError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::CardRemoved => Self::CardRemoved,
            other => Self::Transport(other),
        }
    }
}

impl From<SmError> for ReadError {
    fn from(e: SmError) -> Self {
        match e {
            SmError::Transport(t) => t.into(),
            SmError::Apdu(_) => Self::Malformed("APDU"),
            other => Self::SecureMessagingBroken(other),
        }
    }
}

impl From<TlvError> for ReadError {
    fn from(_: TlvError) -> Self {
        Self::Malformed("file is not valid BER-TLV")
    }
}

impl From<AccessError> for ReadError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Transport(t) => t.into(),
            AccessError::KeyRejected => Self::AccessDenied,
            AccessError::Blocked => Self::AccessBlocked,
            AccessError::NotSupported(_) => Self::UnsupportedCard("access protocol refused"),
            AccessError::UnsupportedParameters(what) => Self::UnsupportedCard(what),
            AccessError::Card(sw) => Self::Card(sw),
            AccessError::ChipProofInvalid => Self::ChipProofInvalid,
            AccessError::Malformed(what) => Self::Malformed(what),
            AccessError::Rng => Self::Rng,
            AccessError::Apdu(_) => Self::Malformed("APDU"),
            AccessError::Crypto(_) => Self::Malformed("cryptogram"),
            AccessError::SecureMessaging(sm) => sm.into(),
        }
    }
}

/// What the reader learned about one card, to keep (per document) and hand back next time:
/// the access method that worked, the READ BINARY block that works, whether extended length
/// and SFI reads work.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CardProfile {
    /// The access method that last succeeded.
    pub access: Option<AccessMethod>,
    /// EF.CardAccess has been read: `pace` holds its usable PACE entry, if any.
    pub card_access_probed: bool,
    /// The PACE parameters from EF.CardAccess this reader can use.
    pub pace: Option<PaceInfo>,
    /// The READ BINARY block size to use (the largest accepted so far).
    pub block_size: Option<usize>,
    /// Extended length READ BINARY: `None` not probed, `Some(false)` refused.
    pub extended_length: Option<bool>,
    /// READ BINARY by short file identifier: `Some(false)` once the card refused it.
    pub sfi: Option<bool>,
}

/// Reading policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// First block size to try with extended length; `None` never uses extended length.
    pub extended_block: Option<usize>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            extended_block: Some(4096),
        }
    }
}

/// Progress of reading, reported per file and per block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A file read starts (or resumes at `offset`).
    Started {
        /// The file.
        file: LdsFile,
        /// Bytes already held from an interrupted read.
        offset: usize,
    },
    /// Bytes arrived.
    Bytes {
        /// The file.
        file: LdsFile,
        /// Bytes held so far.
        read: usize,
        /// The file's size once its header has been read.
        total: Option<usize>,
    },
    /// The file is complete.
    Finished {
        /// The file.
        file: LdsFile,
        /// Its size.
        size: usize,
    },
}

/// Bytes of a file read so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct PartialFile {
    data: Vec<u8>,
    total: Option<usize>,
}

/// The block sizes to try, largest first, given what the card refused.
fn ladder(options: &ReadOptions, profile: &CardProfile) -> Vec<usize> {
    let mut sizes = Vec::new();
    if profile.extended_length != Some(false)
        && let Some(mut block) = options.extended_block
    {
        block = block.min(crate::apdu::EXTENDED_LE_MAX);
        while block > SHORT_BLOCKS[0] {
            sizes.push(block);
            block /= 2;
        }
    }
    sizes.extend_from_slice(&SHORT_BLOCKS);
    sizes
}

/// One exchange, protected when a session exists.
fn exchange<T: CardTransport + ?Sized>(
    transport: &mut T,
    session: Option<&mut SecureChannel>,
    command: &CommandApdu,
) -> Result<ResponseApdu, ReadError> {
    match session {
        Some(sm) => Ok(sm.transmit(transport, command)?),
        None => {
            let raw =
                transport.transmit(&command.encode().map_err(|_| ReadError::Malformed("APDU"))?)?;
            ResponseApdu::parse(&raw).map_err(|_| ReadError::Malformed("response without status"))
        }
    }
}

/// SELECT of the eMRTD application by AID (no Le, as the CCCD expects).
pub(crate) fn select_application<T: CardTransport + ?Sized>(
    transport: &mut T,
    session: Option<&mut SecureChannel>,
) -> Result<(), ReadError> {
    let select = CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(EMRTD_AID);
    match exchange(transport, session, &select)?.sw {
        StatusWord::Success => Ok(()),
        StatusWord::FileNotFound => Err(ReadError::UnsupportedCard("no eMRTD application")),
        sw => Err(ReadError::Card(sw)),
    }
}

/// Reads files over one transport and session, adapting the block size.
struct FileReader<'a, T: CardTransport + ?Sized> {
    transport: &'a mut T,
    session: Option<&'a mut SecureChannel>,
    profile: &'a mut CardProfile,
    options: ReadOptions,
    current: &'a mut Option<LdsFile>,
}

impl<T: CardTransport + ?Sized> FileReader<'_, T> {
    fn send(&mut self, command: &CommandApdu) -> Result<ResponseApdu, ReadError> {
        exchange(self.transport, self.session.as_deref_mut(), command)
    }

    fn select(&mut self, file: LdsFile) -> Result<(), ReadError> {
        let [hi, lo] = file.fid().to_be_bytes();
        let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data([hi, lo]);
        match self.send(&select)?.sw {
            StatusWord::Success => {
                *self.current = Some(file);
                Ok(())
            }
            StatusWord::FileNotFound => Err(ReadError::FileNotFound(file)),
            StatusWord::SecurityStatusNotSatisfied => {
                Err(ReadError::AccessConditionsNotSatisfied(file))
            }
            sw => Err(ReadError::Card(sw)),
        }
    }

    fn block_size(&self) -> usize {
        let sizes = ladder(&self.options, self.profile);
        self.profile
            .block_size
            .filter(|b| sizes.contains(b))
            .or_else(|| sizes.first().copied())
            .unwrap_or(SHORT_BLOCKS[0])
    }

    /// Steps down to the next smaller block; `false` when none is left.
    fn step_down(&mut self, below: usize) -> bool {
        if below > SHORT_BLOCKS[0] {
            self.profile.extended_length = Some(false);
        }
        let next = ladder(&self.options, self.profile)
            .into_iter()
            .find(|b| *b < below);
        self.profile.block_size = next;
        next.is_some()
    }

    /// Reads `file` into `partial` until complete, reporting progress.
    fn read(
        &mut self,
        file: LdsFile,
        partial: &mut PartialFile,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), ReadError> {
        let mut use_sfi = self.profile.sfi != Some(false) && !file.in_master_file();
        let mut exact_le: Option<usize> = None;
        loop {
            let offset = partial.data.len();
            if partial.total.is_some_and(|t| offset >= t) {
                return Ok(());
            }
            let block = self.block_size();
            let remaining = partial.total.map(|t| t - offset);
            let le = exact_le
                .take()
                .unwrap_or(block)
                .min(remaining.unwrap_or(usize::MAX))
                .max(1);

            let by_sfi = use_sfi && *self.current != Some(file) && offset <= 0xFF;
            if !by_sfi && *self.current != Some(file) {
                self.select(file)?;
            }
            let odd = offset > 0x7FFF;
            let command = if by_sfi {
                CommandApdu::new(0x00, 0xB0, 0x80 | file.sfi(), offset as u8).with_le(le)
            } else if odd {
                let offset_bytes = (offset as u32).to_be_bytes();
                let start = offset_bytes.iter().position(|b| *b != 0).unwrap_or(3);
                CommandApdu::new(0x00, 0xB1, 0x00, 0x00)
                    .with_data(tlv::encode(0x54, offset_bytes.get(start..).unwrap_or(&[0])))
                    .with_le(le)
            } else {
                let [p1, p2] = (offset as u16).to_be_bytes();
                CommandApdu::new(0x00, 0xB0, p1, p2).with_le(le)
            };
            let response = self.send(&command)?;
            match response.sw {
                StatusWord::Success | StatusWord::EndOfFile if !response.data.is_empty() => {
                    if by_sfi {
                        *self.current = Some(file);
                        self.profile.sfi = Some(true);
                    }
                    if le > SHORT_BLOCKS[0] {
                        self.profile.extended_length = Some(true);
                    }
                    if self.profile.block_size.is_none() {
                        self.profile.block_size = Some(block);
                    }
                    let chunk = if odd {
                        tlv::parse_one(&response.data)?.0.expect_tag(0x53)?.to_vec()
                    } else {
                        response.data
                    };
                    if chunk.is_empty() {
                        return Err(ReadError::Malformed("READ BINARY returned no data"));
                    }
                    self.append(file, partial, &chunk)?;
                    progress(Progress::Bytes {
                        file,
                        read: partial.data.len(),
                        total: partial.total,
                    });
                    if response.sw == StatusWord::EndOfFile
                        && partial.total.is_none_or(|t| partial.data.len() < t)
                    {
                        return Err(ReadError::Malformed("file ends before its declared length"));
                    }
                }
                StatusWord::WrongLe(available) => {
                    let available = if available == 0 {
                        256
                    } else {
                        usize::from(available)
                    };
                    if available >= le {
                        return Err(ReadError::Card(response.sw));
                    }
                    if remaining.is_some_and(|r| r > available) {
                        // The card's limit, not the file's end: remember a block that fits.
                        self.profile.block_size = ladder(&self.options, self.profile)
                            .into_iter()
                            .find(|b| *b <= available);
                    }
                    exact_le = Some(available);
                }
                sw if sw.is_length_refusal() => {
                    if !self.step_down(block) {
                        return Err(ReadError::Card(sw));
                    }
                }
                StatusWord::SecurityStatusNotSatisfied => {
                    return Err(ReadError::AccessConditionsNotSatisfied(file));
                }
                StatusWord::FileNotFound if !by_sfi => return Err(ReadError::FileNotFound(file)),
                StatusWord::FileNotFound => use_sfi = false,
                StatusWord::IncorrectP1P2
                | StatusWord::FunctionNotSupported
                | StatusWord::InsNotSupported
                | StatusWord::CommandNotAllowed
                    if by_sfi =>
                {
                    self.profile.sfi = Some(false);
                    use_sfi = false;
                }
                sw => return Err(ReadError::Card(sw)),
            }
        }
    }

    fn append(
        &mut self,
        file: LdsFile,
        partial: &mut PartialFile,
        chunk: &[u8],
    ) -> Result<(), ReadError> {
        let room = partial
            .total
            .map_or(chunk.len(), |t| t.saturating_sub(partial.data.len()));
        partial
            .data
            .extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
        if partial.total.is_none() {
            match tlv::parse_header(&partial.data) {
                Ok(header) => {
                    if header.tag.0 != u32::from(file.tag()) {
                        return Err(ReadError::Malformed("file starts with an unexpected tag"));
                    }
                    let total = header
                        .total_len()
                        .filter(|t| *t <= MAX_FILE_LEN)
                        .ok_or(ReadError::Malformed("file length out of range"))?;
                    partial.total = Some(total);
                    partial.data.truncate(total);
                }
                Err(TlvError::TruncatedHeader) => {}
                Err(_) => return Err(ReadError::Malformed("file header is not valid BER-TLV")),
            }
        }
        Ok(())
    }
}

/// Reads EF.CardAccess without secure messaging (selected directly: `SELECT MF` answers
/// `6D00` on the CCCD). `Ok(None)` when the chip has none.
pub(crate) fn read_card_access<T: CardTransport + ?Sized>(
    transport: &mut T,
    profile: &mut CardProfile,
    options: ReadOptions,
) -> Result<Option<Vec<u8>>, ReadError> {
    let mut current = None;
    let mut reader = FileReader {
        transport,
        session: None,
        profile,
        options,
        current: &mut current,
    };
    let mut partial = PartialFile::default();
    match reader.read(LdsFile::CardAccess, &mut partial, &mut |_| {}) {
        Ok(()) => Ok(Some(partial.data)),
        Err(ReadError::FileNotFound(_)) => Ok(None),
        Err(e @ (ReadError::CardRemoved | ReadError::Transport(_))) => Err(e),
        // A chip that refuses plain access to it offers no PACE we can use.
        Err(_) => Ok(None),
    }
}

/// Reads a document's files: authenticates when needed, keeps partial files across errors, and
/// remembers what works in its [`CardProfile`].
pub struct DocumentReader {
    keys: AccessKeys,
    profile: CardProfile,
    options: ReadOptions,
    session: Option<SecureChannel>,
    current: Option<LdsFile>,
    partial: BTreeMap<LdsFile, PartialFile>,
}

impl core::fmt::Debug for DocumentReader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DocumentReader")
            .field("profile", &self.profile)
            .field("authenticated", &self.session.is_some())
            .finish_non_exhaustive()
    }
}

impl DocumentReader {
    /// A reader for the document these keys open, starting from what is known of the card.
    pub fn new(keys: AccessKeys, profile: CardProfile, options: ReadOptions) -> Self {
        Self {
            keys,
            profile,
            options,
            session: None,
            current: None,
            partial: BTreeMap::new(),
        }
    }

    /// What has been learned about the card (store it to skip probing next time).
    pub fn profile(&self) -> &CardProfile {
        &self.profile
    }

    /// Bytes of `file` already held from an interrupted read.
    pub fn resume_offset(&self, file: LdsFile) -> usize {
        self.partial.get(&file).map_or(0, |p| p.data.len())
    }

    /// The secure messaging session, once established (Chip Authentication re-keys it).
    pub fn session_mut(&mut self) -> Option<&mut SecureChannel> {
        self.session.as_mut()
    }

    /// Forgets the session (call when the card was removed); partial files are kept.
    pub fn reset_session(&mut self) {
        self.session = None;
        self.current = None;
    }

    /// Establishes access if no session is open; returns the method in use.
    pub fn authenticate<T, R>(
        &mut self,
        transport: &mut T,
        rng: &mut R,
    ) -> Result<AccessMethod, ReadError>
    where
        T: CardTransport + ?Sized,
        R: TryCryptoRng + ?Sized,
    {
        if self.session.is_none() {
            self.current = None;
            let channel =
                access::establish(transport, rng, &self.keys, &mut self.profile, self.options)
                    .inspect_err(|_| self.reset_session())?;
            self.session = Some(channel);
        }
        self.profile
            .access
            .clone()
            .ok_or(ReadError::Malformed("access method not recorded"))
    }

    /// Reads one file completely, resuming an interrupted read of it, re-authenticating when
    /// secure messaging broke. On error the bytes read so far are kept for the next call.
    pub fn read_file<T, R>(
        &mut self,
        transport: &mut T,
        rng: &mut R,
        file: LdsFile,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Vec<u8>, ReadError>
    where
        T: CardTransport + ?Sized,
        R: TryCryptoRng + ?Sized,
    {
        let mut reauthentications = 0;
        let mut partial = self.partial.remove(&file).unwrap_or_default();
        progress(Progress::Started {
            file,
            offset: partial.data.len(),
        });
        loop {
            if let Err(e) = self.authenticate(transport, rng) {
                self.partial.insert(file, partial);
                return Err(e);
            }
            let mut reader = FileReader {
                transport: &mut *transport,
                session: self.session.as_mut(),
                profile: &mut self.profile,
                options: self.options,
                current: &mut self.current,
            };
            match reader.read(file, &mut partial, progress) {
                Ok(()) => {
                    progress(Progress::Finished {
                        file,
                        size: partial.data.len(),
                    });
                    return Ok(partial.data);
                }
                Err(ReadError::SecureMessagingBroken(_))
                    if reauthentications < MAX_REAUTHENTICATIONS =>
                {
                    reauthentications += 1;
                    self.reset_session();
                }
                Err(e) => {
                    if matches!(
                        e,
                        ReadError::CardRemoved
                            | ReadError::Transport(_)
                            | ReadError::SecureMessagingBroken(_)
                    ) {
                        self.reset_session();
                    }
                    if !partial.data.is_empty() {
                        self.partial.insert(file, partial);
                    }
                    return Err(e);
                }
            }
        }
    }
}
