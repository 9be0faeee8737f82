//! Reading LDS files from the chip: SELECT of the application and of files, READ BINARY in
//! the largest block the card accepts (extended length when it takes it, then 256 → 223 → 192
//! → 160 → 128 on `6700`/`6Cxx`/`6B00`/`6282`), SFI reads that save a SELECT, progress per file
//! and per byte, and a read state that survives errors: after card removal or a broken secure
//! messaging session, the next call re-authenticates and resumes at the last offset.
//!
//! [`ReadError`] is the one enum a UI matches; its messages carry no personal data.

use crate::access::{self, AccessAttempt, AccessError, AccessKeys, AccessMethod};
use crate::active_authentication::{self, ActiveAuthenticationError, Dg15};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::chip_authentication::{self, ChipAuthenticationError, Dg14};
use crate::lds::{EfCom, LdsError, LdsFile};
use crate::secure_messaging::{SecureChannel, SmError};
use crate::security_infos::PaceInfo;
use crate::tlv::{self, TlvError};
use crate::transport::{CardTransport, TransportError};
use rand_core::TryCryptoRng;
use std::collections::BTreeMap;
use thiserror::Error;

/// The eMRTD LDS1 application identifier.
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

/// Short READ BINARY block sizes, largest first. Under secure messaging the ladder starts at
/// [`largest_protected_short_block`] instead of 256 (231 with 3DES, 223 with AES).
pub const SHORT_BLOCKS: [usize; 5] = [256, 223, 192, 160, 128];

/// The largest READ BINARY block whose protected answer fits a short response (256 bytes):
/// DO'87' (tag, length, padding indicator, the data padded to the cipher's `cipher_block`),
/// DO'99' (status word) and DO'8E' (8-byte MAC).
pub fn largest_protected_short_block(cipher_block: usize) -> usize {
    let protected_len = |n: usize| {
        let value = 1 + (n / cipher_block.max(1) + 1) * cipher_block.max(1);
        let length_bytes = match value {
            0..=0x7F => 1,
            0x80..=0xFF => 2,
            _ => 3,
        };
        1 + length_bytes + value + 4 + 10
    };
    (1..=SHORT_BLOCKS[0])
        .rev()
        .find(|n| protected_len(*n) <= 256)
        .unwrap_or(SHORT_BLOCKS[SHORT_BLOCKS.len() - 1])
}

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
    /// The attempts of the last access strategy run, in order (what real cards do, for the log).
    pub access_log: Vec<AccessAttempt>,
}

impl CardProfile {
    /// What holds for every card of the same kind, to start the next card's read with: the
    /// READ BINARY block, extended length and SFI support. The access method and the
    /// EF.CardAccess offer stay per card.
    pub fn transport_limits(&self) -> CardProfile {
        CardProfile {
            block_size: self.block_size,
            extended_length: self.extended_length,
            sfi: self.sfi,
            ..CardProfile::default()
        }
    }
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
///
/// Under secure messaging with a cipher of block size `secured`, a short 256-byte read can
/// never succeed (its protected answer is longer than a short response), so the short ladder
/// starts at the largest block whose answer fits.
fn ladder(options: &ReadOptions, profile: &CardProfile, secured: Option<usize>) -> Vec<usize> {
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
    match secured {
        Some(cipher_block) => {
            let largest = largest_protected_short_block(cipher_block);
            sizes.push(largest);
            sizes.extend(SHORT_BLOCKS.iter().filter(|b| **b < largest));
        }
        None => sizes.extend_from_slice(&SHORT_BLOCKS),
    }
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
            let encoded = command.encode().map_err(|_| ReadError::Malformed("APDU"))?;
            let raw = crate::apdu::transmit_joined(transport, &encoded)?;
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

    /// The session cipher's block size, when reading under secure messaging.
    fn cipher_block(&self) -> Option<usize> {
        self.session
            .as_ref()
            .map(|session| session.cipher().block_size())
    }

    fn block_size(&self) -> usize {
        let sizes = ladder(&self.options, self.profile, self.cipher_block());
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
        let next = ladder(&self.options, self.profile, self.cipher_block())
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
            let extended = le > SHORT_BLOCKS[0];
            let response = match self.send(&command) {
                // A reader or card that cannot carry an extended APDU may fail the exchange
                // itself: never ask for one again on this card.
                Err(ReadError::Transport(e)) if extended => {
                    self.profile.extended_length = Some(false);
                    self.profile.block_size = None;
                    return Err(ReadError::Transport(e));
                }
                other => other?,
            };
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
                StatusWord::Success | StatusWord::EndOfFile | StatusWord::WrongParameters
                    if offset > 0 =>
                {
                    return Err(ReadError::Malformed("file ends before its declared length"));
                }
                StatusWord::Success => {
                    return Err(ReadError::Malformed("READ BINARY returned no data"));
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
                        self.profile.block_size =
                            ladder(&self.options, self.profile, self.cipher_block())
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
                // Any other refusal of an extended request: fall back to short blocks.
                _ if extended => {
                    self.step_down(block);
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
///
/// While `profile` does not know whether the card takes extended length, the first READ BINARY
/// asks for `options.extended_block` bytes: the probe. Here, before any session, a refusal costs
/// one plain APDU; on a protected read it would cost a re-authentication, since a chip that
/// rejects the APDU unread leaves the send sequence counters apart (or ends the session). A
/// reader that cannot carry the extended APDU at all fails the exchange: the file is then read
/// again in short APDUs. Only the extended-length answer is kept: the block size plain reads
/// of the master file accept says nothing about protected reads.
pub(crate) fn read_card_access<T: CardTransport + ?Sized>(
    transport: &mut T,
    profile: &mut CardProfile,
    options: ReadOptions,
) -> Result<Option<Vec<u8>>, ReadError> {
    let probe = options
        .extended_block
        .filter(|_| profile.extended_length.is_none());
    let block_size = profile.block_size;
    let mut partial = PartialFile::default();
    let mut result = read_plain(transport, profile, probe, &mut partial);
    if probe.is_some()
        && profile.extended_length == Some(false)
        && matches!(result, Err(ReadError::Transport(_)))
    {
        partial = PartialFile::default();
        result = read_plain(transport, profile, None, &mut partial);
    }
    profile.block_size = block_size;
    match result {
        Ok(()) => Ok(Some(partial.data)),
        Err(ReadError::FileNotFound(_)) => Ok(None),
        Err(e @ (ReadError::CardRemoved | ReadError::Transport(_))) => Err(e),
        // A chip that refuses plain access to it offers no PACE we can use.
        Err(_) => Ok(None),
    }
}

/// One plain read of EF.CardAccess, in blocks from `extended_block` down.
fn read_plain<T: CardTransport + ?Sized>(
    transport: &mut T,
    profile: &mut CardProfile,
    extended_block: Option<usize>,
    partial: &mut PartialFile,
) -> Result<(), ReadError> {
    let mut current = None;
    let mut reader = FileReader {
        transport,
        session: None,
        profile,
        options: ReadOptions { extended_block },
        current: &mut current,
    };
    reader.read(LdsFile::CardAccess, partial, &mut |_| {})
}

/// Every file a full read got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFiles {
    /// EF.COM as read.
    pub com: Vec<u8>,
    /// EF.SOD and the data groups read, by file.
    pub files: BTreeMap<LdsFile, Vec<u8>>,
    /// Files EF.COM lists that the chip did not give, with why.
    pub unavailable: Vec<(LdsFile, ReadError)>,
}

/// The files to read for a document whose EF.COM lists `listed`, in reading order.
pub fn read_order(listed: &[LdsFile]) -> Vec<LdsFile> {
    const EAC_PROTECTED: [u8; 2] = [3, 4];
    let first: Vec<LdsFile> = [1, 13]
        .into_iter()
        .filter_map(LdsFile::dg)
        .filter(|f| listed.contains(f))
        .chain([LdsFile::Sod])
        .chain(
            [14, 15]
                .into_iter()
                .filter_map(LdsFile::dg)
                .filter(|f| listed.contains(f)),
        )
        .collect();
    let dg2 = LdsFile::dg(2);
    let rest = listed.iter().copied().filter(|f| {
        !first.contains(f)
            && Some(*f) != dg2
            && !matches!(f, LdsFile::Dg(dg) if EAC_PROTECTED.contains(&dg.number()))
    });
    let mut order = first.clone();
    order.extend(rest);
    order.extend(dg2.filter(|f| listed.contains(f)));
    order
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
    complete: BTreeMap<LdsFile, Vec<u8>>,
}

// A reader runs on a worker thread while the UI waits: it must stay `Send`.
const _: fn() = || {
    fn send<T: Send>() {}
    send::<DocumentReader>();
};

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
            complete: BTreeMap::new(),
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

    /// Reads EF.COM, then every data group it lists that this reader may read, in the order
    /// that fills the screen first (DG1, DG13, EF.SOD, DG14, DG15, the rest, DG2 last), skipping
    /// the EAC-protected DG3 and DG4. Files finished before an interruption are not read again:
    /// after [`ReadError::CardRemoved`], call again once the card is back.
    pub fn read_document<T, R>(
        &mut self,
        transport: &mut T,
        rng: &mut R,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<DocumentFiles, ReadError>
    where
        T: CardTransport + ?Sized,
        R: TryCryptoRng + ?Sized,
    {
        let com = self.read_file(transport, rng, LdsFile::Com, progress)?;
        let listed = EfCom::parse(&com)?.data_groups;
        let mut files = BTreeMap::new();
        let mut unavailable = Vec::new();
        for file in read_order(&listed) {
            match self.read_file(transport, rng, file, progress) {
                Ok(bytes) => {
                    files.insert(file, bytes);
                }
                Err(
                    e @ (ReadError::FileNotFound(_) | ReadError::AccessConditionsNotSatisfied(_)),
                ) => unavailable.push((file, e)),
                Err(e) => return Err(e),
            }
        }
        Ok(DocumentFiles {
            com,
            files,
            unavailable,
        })
    }

    /// Runs Chip Authentication with `dg14` over the session (opening one if needed); reading
    /// then continues under the new keys. A failure ends the session (the next read
    /// re-authenticates).
    pub fn chip_authenticate<T, R>(
        &mut self,
        transport: &mut T,
        rng: &mut R,
        dg14: &Dg14,
    ) -> Result<(), ChipAuthenticationError>
    where
        T: CardTransport + ?Sized,
        R: TryCryptoRng + ?Sized,
    {
        self.authenticate(transport, rng)?;
        let session = self
            .session
            .as_mut()
            .ok_or(ReadError::Malformed("no session after authentication"))?;
        let result = chip_authentication::authenticate(transport, rng, session, dg14);
        self.current = None;
        if result.is_err() {
            self.reset_session();
        }
        result
    }

    /// Runs Active Authentication with DG15's key over the session (opening one if needed).
    /// `dg14` supplies the signature algorithm for ECDSA keys.
    pub fn active_authenticate<T, R>(
        &mut self,
        transport: &mut T,
        rng: &mut R,
        dg15: &Dg15,
        dg14: Option<&Dg14>,
    ) -> Result<(), ActiveAuthenticationError>
    where
        T: CardTransport + ?Sized,
        R: TryCryptoRng + ?Sized,
    {
        self.authenticate(transport, rng)?;
        let session = self
            .session
            .as_mut()
            .ok_or(ReadError::Malformed("no session after authentication"))?;
        let algorithm = dg14.and_then(|d| d.security_infos.active_authentication_algorithm());
        let result = active_authentication::authenticate(transport, rng, session, dg15, algorithm);
        if matches!(result, Err(ActiveAuthenticationError::SecureMessaging(_))) {
            self.reset_session();
        }
        result
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
        if let Some(done) = self.complete.get(&file) {
            return Ok(done.clone());
        }
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
            let extended_before = self.profile.extended_length;
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
                    self.complete.insert(file, partial.data.clone());
                    return Ok(partial.data);
                }
                Err(ReadError::SecureMessagingBroken(_))
                    if reauthentications < MAX_REAUTHENTICATIONS =>
                {
                    reauthentications += 1;
                    self.reset_session();
                }
                Err(ReadError::Transport(_))
                    if extended_before != Some(false)
                        && self.profile.extended_length == Some(false)
                        && reauthentications < MAX_REAUTHENTICATIONS =>
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::PasswordKind;
    use crate::lds::Dg1;
    use crate::mrz::MrzInformation;
    use crate::pace::Can;
    use crate::test_chip::{CCCD_CARD_ACCESS, TestChip};
    use crate::test_support::TestRng;

    const MRZ: &str = "090012345090010113001019";
    const DG2_FID: u16 = 0x0102;

    fn dg(n: u8) -> LdsFile {
        LdsFile::dg(n).unwrap()
    }

    /// A file of `len` content bytes under `tag`, with a recognisable pattern.
    fn file(tag: u8, len: usize) -> Vec<u8> {
        let content: Vec<u8> = (0..len)
            .map(|i| (i % 251) as u8 ^ (i / 251) as u8)
            .collect();
        tlv::encode(u32::from(tag), &content)
    }

    fn cccd_dg1() -> Vec<u8> {
        let mrz = "IDVNM0900123450001090012345<<19001011M3001019VNM<<<<<<<<<<<2NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<";
        tlv::encode(0x61, &tlv::encode(0x5F1F, mrz.as_bytes()))
    }

    fn cccd_com() -> Vec<u8> {
        let mut content = tlv::encode(0x5F01, b"0107");
        tlv::encode_into(0x5F36, b"040000", &mut content);
        tlv::encode_into(0x5C, &[0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F], &mut content);
        tlv::encode(0x60, &content)
    }

    fn cccd_files(dg2_len: usize) -> Vec<(u16, Vec<u8>)> {
        vec![
            (0x011E, cccd_com()),
            (0x0101, cccd_dg1()),
            (DG2_FID, file(0x75, dg2_len)),
            (0x0103, file(0x63, 100)),
            (0x010D, file(0x6D, 420)),
            (0x010E, file(0x6E, 300)),
            (0x010F, file(0x6F, 200)),
            (0x011D, file(0x77, 1800)),
        ]
    }

    /// A CCCD-shaped chip: EF.CardAccess offers PACE, DG3 is EAC-protected.
    fn cccd_chip(pace: bool) -> TestChip {
        let mut chip = TestChip::new(MRZ, Some(CCCD_CARD_ACCESS), &cccd_files(20_000));
        chip.eac_protected = vec![0x0103];
        chip.pace = pace;
        chip
    }

    fn keys(mrz: &str) -> AccessKeys {
        AccessKeys {
            mrz: Some(MrzInformation::parse(mrz).unwrap()),
            can: None,
        }
    }

    fn reader() -> DocumentReader {
        DocumentReader::new(keys(MRZ), CardProfile::default(), ReadOptions::default())
    }

    fn read(
        reader: &mut DocumentReader,
        chip: &mut TestChip,
        f: LdsFile,
    ) -> Result<Vec<u8>, ReadError> {
        reader.read_file(chip, &mut TestRng(0x1234_5678_9ABC_DEF1), f, &mut |_| {})
    }

    fn content_of(fid: u16) -> Vec<u8> {
        cccd_files(20_000)
            .into_iter()
            .find(|(f, _)| *f == fid)
            .map(|(_, c)| c)
            .unwrap()
    }

    #[test]
    fn cccd_without_pace_falls_back_to_bac_and_reads_every_listed_file() {
        let mut chip = cccd_chip(false);
        let mut reader = reader();
        let com = EfCom::parse(&read(&mut reader, &mut chip, LdsFile::Com).unwrap()).unwrap();
        assert_eq!(com.data_groups.len(), 6);
        for group in com.data_groups {
            let result = read(&mut reader, &mut chip, group);
            if group == dg(3) {
                assert_eq!(result, Err(ReadError::AccessConditionsNotSatisfied(dg(3))));
            } else {
                assert_eq!(result.unwrap(), content_of(group.fid()), "{group}");
            }
        }
        assert_eq!(
            read(&mut reader, &mut chip, LdsFile::Sod).unwrap(),
            content_of(0x011D)
        );
        assert_eq!(reader.profile().access, Some(AccessMethod::Bac));
        assert_eq!(chip.bac_attempts, 1);
    }

    #[test]
    fn dg1_read_over_bac_parses_with_valid_check_digits() {
        let mut chip = cccd_chip(false);
        let dg1 = Dg1::parse(&read(&mut reader(), &mut chip, dg(1)).unwrap()).unwrap();
        dg1.mrz.verify_check_digits().unwrap();
        assert_eq!(
            dg1.mrz.mrz_information().unwrap(),
            MrzInformation::parse(MRZ).unwrap()
        );
    }

    #[test]
    fn pace_is_preferred_when_card_access_offers_it() {
        let mut chip = cccd_chip(true);
        let mut reader = reader();
        assert_eq!(read(&mut reader, &mut chip, dg(1)).unwrap(), cccd_dg1());
        match &reader.profile().access {
            Some(AccessMethod::Pace { info, password }) => {
                assert_eq!(*password, PasswordKind::Mrz);
                assert_eq!(info.parameter_id, Some(13));
            }
            other => panic!("expected PACE, got {other:?}"),
        }
        assert_eq!(chip.bac_attempts, 0);
        assert_eq!(
            reader.session_mut().unwrap().cipher(),
            crate::crypto::Cipher::Aes128
        );
    }

    #[test]
    fn pace_refused_for_mrz_and_can_falls_back_to_bac() {
        let mut chip = cccd_chip(false);
        let mut keys = keys(MRZ);
        keys.can = Can::new("123456");
        let mut reader = DocumentReader::new(keys, CardProfile::default(), ReadOptions::default());
        assert_eq!(read(&mut reader, &mut chip, dg(1)).unwrap(), cccd_dg1());
        assert_eq!(reader.profile().access, Some(AccessMethod::Bac));
        let log: Vec<_> = reader
            .profile()
            .access_log
            .iter()
            .map(|a| (a.method.clone(), a.outcome.clone()))
            .collect();
        let pace = |password| AccessMethod::Pace {
            info: reader.profile().pace.clone().unwrap(),
            password,
        };
        assert_eq!(
            log,
            [
                (
                    pace(PasswordKind::Mrz),
                    Err(ReadError::Card(StatusWord::WrongData))
                ),
                (
                    pace(PasswordKind::Can),
                    Err(ReadError::Card(StatusWord::WrongData))
                ),
                (AccessMethod::Bac, Ok(())),
            ]
        );
    }

    #[test]
    fn wrong_key_is_access_denied_after_one_try_per_method() {
        let mut chip = cccd_chip(true);
        let wrong = MrzInformation::new("090012345", "900101", "300102").unwrap();
        let mut reader = DocumentReader::new(
            AccessKeys {
                mrz: Some(wrong),
                can: None,
            },
            CardProfile::default(),
            ReadOptions::default(),
        );
        assert_eq!(
            read(&mut reader, &mut chip, dg(1)),
            Err(ReadError::AccessDenied)
        );
        assert_eq!(chip.bac_attempts, 1);
        assert!(reader.profile().access.is_none());
    }

    #[test]
    fn a_key_refused_by_the_remembered_method_is_not_tried_elsewhere() {
        let mut chip = cccd_chip(false);
        let mut first = reader();
        read(&mut first, &mut chip, dg(1)).unwrap();
        assert_eq!(first.profile().access, Some(AccessMethod::Bac));

        let mut chip = cccd_chip(false);
        let wrong = MrzInformation::new("090012345", "900101", "300102").unwrap();
        let mut second = DocumentReader::new(
            AccessKeys {
                mrz: Some(wrong),
                can: None,
            },
            first.profile().clone(),
            ReadOptions::default(),
        );
        assert_eq!(
            read(&mut second, &mut chip, dg(1)),
            Err(ReadError::AccessDenied)
        );
        assert_eq!(chip.bac_attempts, 1);
        assert_eq!(
            chip.pace_attempts, 0,
            "the MRZ secret is not retried over PACE"
        );
    }

    #[test]
    fn no_key_at_all_is_reported_before_talking_to_the_chip() {
        let mut chip = cccd_chip(true);
        let mut reader = DocumentReader::new(
            AccessKeys::default(),
            CardProfile::default(),
            ReadOptions::default(),
        );
        assert_eq!(
            read(&mut reader, &mut chip, dg(1)),
            Err(ReadError::NoAccessKey)
        );
        assert_eq!(chip.commands, 0);
    }

    #[test]
    fn a_remembered_method_and_block_size_skip_all_probing() {
        let mut chip = cccd_chip(false);
        chip.extended = false;
        let mut first = reader();
        read(&mut first, &mut chip, dg(13)).unwrap();
        let profile = first.profile().clone();
        assert_eq!(
            profile.block_size,
            Some(231),
            "the largest 3DES-protected short block"
        );

        let mut chip = cccd_chip(false);
        chip.extended = false;
        let mut second = DocumentReader::new(keys(MRZ), profile, ReadOptions::default());
        read(&mut second, &mut chip, dg(13)).unwrap();
        // SELECT application, GET CHALLENGE, EXTERNAL AUTHENTICATE, then 424 bytes in two
        // 223-byte SFI/offset reads: nothing wasted.
        assert_eq!(chip.commands, 3 + 2);
    }

    #[test]
    fn the_next_card_of_a_kind_starts_from_the_learned_limits_without_probing() {
        let mut chip = cccd_chip(false);
        chip.extended = false;
        let mut first = reader();
        read(&mut first, &mut chip, dg(2)).unwrap();
        assert_eq!(
            chip.bac_attempts, 1,
            "the extended probe, on EF.CardAccess, cost no re-authentication"
        );
        let first_commands = chip.commands;

        let limits = first.profile().transport_limits();
        assert_eq!(limits.access, None);
        assert_eq!(limits.extended_length, Some(false));
        let mut next_card = cccd_chip(false);
        next_card.extended = false;
        let mut second = DocumentReader::new(keys(MRZ), limits, ReadOptions::default());
        read(&mut second, &mut next_card, dg(2)).unwrap();
        assert_eq!(next_card.bac_attempts, 1, "no re-authentication");
        assert_eq!(next_card.commands, first_commands - 1, "and no probe");
        let dg2_reads = next_card.reads.iter().filter(|r| r.0 == DG2_FID).count();
        assert_eq!(dg2_reads, 20_004usize.div_ceil(231));
    }

    #[test]
    fn the_largest_protected_short_block_fills_a_short_response_for_each_cipher() {
        // AES: 223 bytes pad to 224; DO'87' 87 81 E1 01 ‖ 224, DO'99' 4, DO'8E' 10 = 242.
        assert_eq!(largest_protected_short_block(16), 223);
        // 3DES: 231 bytes pad to 232; 4 + 232 + 14 = 250, and 232 would pad to 240 (258).
        assert_eq!(largest_protected_short_block(8), 231);
        let aes = ladder(
            &ReadOptions {
                extended_block: None,
            },
            &CardProfile::default(),
            Some(16),
        );
        assert_eq!(aes, [223, 192, 160, 128]);
        let tdes = ladder(
            &ReadOptions {
                extended_block: None,
            },
            &CardProfile::default(),
            Some(8),
        );
        assert_eq!(tdes, [231, 223, 192, 160, 128]);
    }

    #[test]
    fn block_size_steps_down_on_6700_and_is_remembered() {
        let mut chip = cccd_chip(false);
        chip.extended = false;
        chip.max_le = 160;
        let mut reader = reader();
        assert_eq!(
            read(&mut reader, &mut chip, dg(2)).unwrap(),
            content_of(DG2_FID)
        );
        assert_eq!(reader.profile().block_size, Some(160));
        assert_eq!(reader.profile().extended_length, Some(false));
        let dg2_reads = chip.reads.iter().filter(|r| r.0 == DG2_FID).count();
        assert_eq!(dg2_reads, 20_004usize.div_ceil(160));

        let before = chip.commands;
        read(&mut reader, &mut chip, dg(13)).unwrap();
        assert_eq!(chip.commands - before, 424usize.div_ceil(160));
    }

    #[test]
    fn extended_length_reads_dg2_in_a_handful_of_apdus() {
        let mut chip = cccd_chip(false);
        let mut reader = reader();
        assert_eq!(
            read(&mut reader, &mut chip, dg(2)).unwrap(),
            content_of(DG2_FID)
        );
        let dg2_reads: Vec<_> = chip.reads.iter().filter(|r| r.0 == DG2_FID).collect();
        assert_eq!(dg2_reads.len(), 20_004usize.div_ceil(4096));
        assert_eq!(reader.profile().extended_length, Some(true));
        assert_eq!(chip.bac_attempts, 1);
    }

    #[test]
    fn card_removed_mid_dg2_resumes_from_the_last_offset_after_reauthentication() {
        let mut chip = cccd_chip(false);
        chip.extended = false;
        chip.remove_at = Some((DG2_FID, 10_000));
        let mut reader = reader();
        assert_eq!(
            read(&mut reader, &mut chip, dg(2)),
            Err(ReadError::CardRemoved)
        );
        let resume_at = reader.resume_offset(dg(2));
        assert!(
            resume_at > 10_000 - 223 && resume_at <= 10_000,
            "{resume_at}"
        );
        // Still gone: the same error, nothing lost.
        assert_eq!(
            read(&mut reader, &mut chip, dg(2)),
            Err(ReadError::CardRemoved)
        );
        assert_eq!(reader.resume_offset(dg(2)), resume_at);

        chip.reinsert();
        let reads_before = chip.reads.len();
        let bac_before = chip.bac_attempts;
        assert_eq!(
            read(&mut reader, &mut chip, dg(2)).unwrap(),
            content_of(DG2_FID)
        );
        assert_eq!(chip.bac_attempts, bac_before + 1);
        let after: Vec<_> = chip.reads[reads_before..]
            .iter()
            .filter(|r| r.0 == DG2_FID)
            .collect();
        assert_eq!(
            after.first().unwrap().1,
            resume_at,
            "first read after reinsertion"
        );
        assert!(
            after.iter().all(|r| r.1 >= resume_at),
            "nothing re-read from zero"
        );
    }

    #[test]
    fn a_spoiled_response_mac_reauthenticates_and_the_read_completes() {
        let mut chip = cccd_chip(false);
        chip.spoil_mac = Some((3, false));
        let mut reader = reader();
        assert_eq!(
            read(&mut reader, &mut chip, dg(2)).unwrap(),
            content_of(DG2_FID)
        );
        assert_eq!(chip.bac_attempts, 2);
    }

    #[test]
    fn persistent_mac_failures_are_secure_messaging_broken() {
        let mut chip = cccd_chip(false);
        chip.spoil_mac = Some((2, true));
        let mut reader = reader();
        assert_eq!(
            read(&mut reader, &mut chip, dg(2)),
            Err(ReadError::SecureMessagingBroken(SmError::MacMismatch))
        );
    }

    #[test]
    fn plain_6700_that_ends_the_session_is_survived_by_reauthenticating() {
        let mut chip = cccd_chip(false);
        chip.extended = false;
        chip.max_le = 192;
        chip.plain_errors_end_session = true;
        let short_only = ReadOptions {
            extended_block: None,
        };
        let mut reader = DocumentReader::new(keys(MRZ), CardProfile::default(), short_only);
        assert_eq!(
            read(&mut reader, &mut chip, dg(2)).unwrap(),
            content_of(DG2_FID)
        );
        assert_eq!(reader.profile().block_size, Some(192));
        // 231 and 223 are refused in plain, each ending the session: two re-authentications,
        // then 192.
        assert_eq!(chip.bac_attempts, 3);
    }

    #[test]
    fn an_extended_probe_the_card_cannot_parse_costs_one_plain_apdu_and_no_reauthentication() {
        let mut chip = cccd_chip(false);
        chip.extended = false;
        let mut reader = reader();
        assert_eq!(
            read(&mut reader, &mut chip, dg(2)).unwrap(),
            content_of(DG2_FID)
        );
        assert_eq!(reader.profile().extended_length, Some(false));
        assert_eq!(chip.bac_attempts, 1);
        let card_access_reads: Vec<usize> = chip
            .reads
            .iter()
            .filter(|r| r.0 == 0x011C)
            .map(|r| r.2)
            .collect();
        assert_eq!(
            card_access_reads,
            [256],
            "refused probe, then one short read"
        );
        read(&mut reader, &mut chip, dg(13)).unwrap();
        assert_eq!(chip.bac_attempts, 1, "remembered: no second probe");
    }

    /// A reader (not the card) that cannot carry extended APDUs fails the exchange.
    struct ShortOnlyReader<'a>(&'a mut TestChip);

    impl CardTransport for ShortOnlyReader<'_> {
        fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
            let extended = command.len() > 5 && command.get(4) == Some(&0);
            if extended {
                return Err(TransportError::Other("extended APDU not supported".into()));
            }
            self.0.transmit(command)
        }
    }

    #[test]
    fn a_reader_failing_the_extended_probe_still_finds_the_pace_offer() {
        let mut chip = cccd_chip(true);
        let mut reader = reader();
        let dg1 = reader.read_file(
            &mut ShortOnlyReader(&mut chip),
            &mut TestRng(0x1234_5678_9ABC_DEF1),
            dg(1),
            &mut |_| {},
        );
        assert_eq!(dg1.unwrap(), cccd_dg1());
        assert!(matches!(
            reader.profile().access,
            Some(AccessMethod::Pace { .. })
        ));
        assert_eq!(reader.profile().extended_length, Some(false));
        assert_eq!(chip.bac_attempts, 0);
    }

    #[test]
    fn absent_file_is_file_not_found() {
        let mut chip = cccd_chip(false);
        assert_eq!(
            read(&mut reader(), &mut chip, dg(11)),
            Err(ReadError::FileNotFound(dg(11)))
        );
    }

    #[test]
    fn refused_sfi_reads_fall_back_to_select() {
        let mut chip = cccd_chip(false);
        chip.sfi = false;
        let mut reader = reader();
        assert_eq!(read(&mut reader, &mut chip, dg(1)).unwrap(), cccd_dg1());
        assert_eq!(reader.profile().sfi, Some(false));
        assert_eq!(
            read(&mut reader, &mut chip, dg(13)).unwrap(),
            content_of(0x010D)
        );
    }

    #[test]
    fn progress_is_reported_per_file_and_per_block() {
        let mut chip = cccd_chip(false);
        chip.extended = false;
        let mut events = Vec::new();
        let data = reader()
            .read_file(&mut chip, &mut TestRng(7), dg(2), &mut |p| events.push(p))
            .unwrap();
        assert_eq!(
            events.first(),
            Some(&Progress::Started {
                file: dg(2),
                offset: 0
            })
        );
        assert_eq!(
            events.last(),
            Some(&Progress::Finished {
                file: dg(2),
                size: data.len()
            })
        );
        let counts: Vec<usize> = events
            .iter()
            .filter_map(|e| match e {
                Progress::Bytes { read, total, .. } => {
                    assert_eq!(*total, Some(data.len()));
                    Some(*read)
                }
                _ => None,
            })
            .collect();
        assert!(counts.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(counts.last(), Some(&data.len()));
        assert_eq!(counts.len(), data.len().div_ceil(231));
    }

    #[test]
    fn a_file_shorter_than_its_declared_length_is_malformed() {
        let mut truncated = file(0x6C, 500);
        truncated.truncate(300);
        let mut files = cccd_files(1000);
        files.push((0x010C, truncated));
        let mut chip = TestChip::new(MRZ, None, &files);
        assert_eq!(
            read(&mut reader(), &mut chip, dg(12)),
            Err(ReadError::Malformed("file ends before its declared length"))
        );
    }

    #[test]
    fn an_over_long_declared_length_is_refused_without_reading_on() {
        let mut huge = vec![0x75, 0x84, 0x7F, 0xFF, 0xFF, 0xFF];
        huge.extend_from_slice(&[0; 100]);
        let mut chip = TestChip::new(MRZ, None, &[(DG2_FID, huge)]);
        assert_eq!(
            read(&mut reader(), &mut chip, dg(2)),
            Err(ReadError::Malformed("file length out of range"))
        );
    }

    #[test]
    fn a_file_with_the_wrong_tag_is_refused() {
        let mut chip = TestChip::new(MRZ, None, &[(0x0101, file(0x75, 50))]);
        assert_eq!(
            read(&mut reader(), &mut chip, dg(1)),
            Err(ReadError::Malformed("file starts with an unexpected tag"))
        );
    }

    #[test]
    fn offsets_past_32k_use_odd_ins_read_binary() {
        let mut chip = TestChip::new(MRZ, None, &[(DG2_FID, file(0x75, 40_000))]);
        chip.extended = false;
        let mut reader = reader();
        assert_eq!(
            read(&mut reader, &mut chip, dg(2)).unwrap(),
            file(0x75, 40_000)
        );
        assert!(chip.reads.iter().any(|r| r.1 > 0x7FFF));
    }

    #[test]
    fn a_chip_without_card_access_is_read_with_bac() {
        let mut chip = TestChip::new(MRZ, None, &cccd_files(500));
        let mut reader = reader();
        assert_eq!(read(&mut reader, &mut chip, dg(1)).unwrap(), cccd_dg1());
        assert!(reader.profile().card_access_probed);
        assert!(reader.profile().pace.is_none());
    }

    #[test]
    fn errors_name_no_personal_data() {
        for e in [
            ReadError::CardRemoved,
            ReadError::AccessDenied,
            ReadError::FileNotFound(dg(2)),
            ReadError::SecureMessagingBroken(SmError::MacMismatch),
        ] {
            let text = e.to_string();
            assert!(!text.contains("090012345") && !text.is_empty());
        }
    }

    #[test]
    fn read_order_puts_the_screen_first_and_dg2_last() {
        let listed: Vec<LdsFile> = [1, 2, 3, 13, 14, 15].into_iter().map(dg).collect();
        assert_eq!(
            read_order(&listed),
            [dg(1), dg(13), LdsFile::Sod, dg(14), dg(15), dg(2)]
        );
        let passport: Vec<LdsFile> = [1, 2, 11, 12].into_iter().map(dg).collect();
        assert_eq!(
            read_order(&passport),
            [dg(1), LdsFile::Sod, dg(11), dg(12), dg(2)]
        );
    }

    #[test]
    fn a_full_read_gets_every_listed_file_and_never_touches_dg3() {
        let mut chip = cccd_chip(true);
        let mut reader = reader();
        let mut started = Vec::new();
        let document = reader
            .read_document(&mut chip, &mut TestRng(11), &mut |p| {
                if let Progress::Started { file, .. } = p {
                    started.push(file);
                }
            })
            .unwrap();
        assert_eq!(
            started,
            [
                LdsFile::Com,
                dg(1),
                dg(13),
                LdsFile::Sod,
                dg(14),
                dg(15),
                dg(2)
            ]
        );
        for (file, bytes) in &document.files {
            assert_eq!(*bytes, content_of(file.fid()), "{file}");
        }
        assert_eq!(document.files.len(), 6);
        assert!(document.unavailable.is_empty());
        assert!(chip.reads.iter().all(|r| r.0 != 0x0103), "DG3 never read");
    }

    #[test]
    fn removal_during_a_full_read_resumes_without_rereading_finished_files() {
        let mut chip = cccd_chip(false);
        chip.extended = false;
        chip.remove_at = Some((DG2_FID, 12_000));
        let mut reader = reader();
        assert_eq!(
            reader.read_document(&mut chip, &mut TestRng(3), &mut |_| {}),
            Err(ReadError::CardRemoved)
        );
        chip.reinsert();
        let reads_before = chip.reads.len();
        let document = reader
            .read_document(&mut chip, &mut TestRng(4), &mut |_| {})
            .unwrap();
        assert_eq!(document.files[&dg(2)], content_of(DG2_FID));
        let after = &chip.reads[reads_before..];
        assert!(after.iter().all(|r| r.0 == DG2_FID && r.1 >= 12_000 - 223));
    }

    /// The APDUs a full read of the CCCD-shaped chip takes against the least possible for its
    /// largest accepted block: every file in whole blocks, plus the access protocol itself.
    fn apdus_against_minimum(pace: bool) -> (usize, usize) {
        let mut chip = cccd_chip(pace);
        chip.extended = false;
        let mut reader = reader();
        reader
            .read_document(&mut chip, &mut TestRng(21), &mut |_| {})
            .unwrap();
        let block = reader.profile().block_size.unwrap();
        let files = [0x011E, 0x0101, 0x010D, 0x011D, 0x010E, 0x010F, DG2_FID];
        let reads: usize = files
            .iter()
            .map(|fid| content_of(*fid).len().div_ceil(block))
            .sum();
        // PACE: SELECT EF.CardAccess, READ it, MSE, 4 x GENERAL AUTHENTICATE, SELECT
        // application. BAC: SELECT application, GET CHALLENGE, EXTERNAL AUTHENTICATE.
        let access = if pace { 8 } else { 3 };
        (chip.commands, reads + access)
    }

    #[test]
    fn a_full_read_stays_within_ten_percent_of_the_minimum_apdu_count() {
        for pace in [true, false] {
            let (used, minimum) = apdus_against_minimum(pace);
            assert!(
                used * 10 <= minimum * 11,
                "pace={pace}: {used} APDUs against a minimum of {minimum}"
            );
        }
    }

    /// A card that answers every command with bytes drawn from the test's input.
    struct ChaosCard(std::collections::VecDeque<Vec<u8>>);

    impl CardTransport for ChaosCard {
        fn transmit(&mut self, _command: &[u8]) -> Result<Vec<u8>, TransportError> {
            self.0.pop_front().ok_or(TransportError::CardRemoved)
        }
    }

    proptest::proptest! {
        #[test]
        fn a_card_answering_garbage_never_panics_the_reader(
            answers in proptest::collection::vec(
                proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40), 0..40)
        ) {
            let mut card = ChaosCard(answers.into_iter().collect());
            let mut reader = reader();
            let result = reader.read_document(&mut card, &mut TestRng(5), &mut |_| {});
            proptest::prop_assert!(result.is_err());
        }

    }

    proptest::proptest! {
        // Each case runs PACE and a full read: a few dozen cases cover every exchange slot.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(40))]

        #[test]
        fn a_genuine_exchange_with_one_corrupted_answer_never_panics(
            victim in 0usize..40, flip in proptest::prelude::any::<u8>(), at in proptest::prelude::any::<proptest::sample::Index>()
        ) {
            struct Corrupting { chip: TestChip, count: usize, victim: usize, flip: u8, at: proptest::sample::Index }
            impl CardTransport for Corrupting {
                fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
                    let mut answer = self.chip.transmit(command)?;
                    self.count += 1;
                    if self.count == self.victim && !answer.is_empty() {
                        let i = self.at.index(answer.len());
                        answer[i] ^= self.flip | 1;
                    }
                    Ok(answer)
                }
            }
            let mut card = Corrupting { chip: cccd_chip(true), count: 0, victim, flip, at };
            let mut reader = reader();
            if let Ok(document) = reader.read_document(&mut card, &mut TestRng(8), &mut |_| {}) {
                // Whatever got through the MACs is the chip's content, byte for byte.
                for (file, bytes) in &document.files {
                    proptest::prop_assert_eq!(bytes, &content_of(file.fid()));
                }
            }
        }
    }
}
