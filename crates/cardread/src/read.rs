//! One card read, start to verdict: [`CardRead`] opens the chip with the first key candidate
//! it accepts (one [`CardProfile`] across candidates, so EF.CardAccess is read once and no key
//! is tried twice on a method), reads the files in the order that fills the screen first,
//! reports progress, and, once every file is in, runs passive authentication against the trust
//! store, the clone check (Chip or Active Authentication) and the cross-check of DG1, DG13 and
//! the QR code.
//!
//! When the card leaves the reader, [`CardRead::run`] returns [`CardReadError::CardRemoved`]
//! and keeps what it has: called again once the card is back, it re-authenticates with the key
//! that worked and resumes the interrupted file at its offset.

use std::collections::BTreeMap;

use cccd::cross_check::cross_check;
use cccd::dg13::Dg13;
use emrtd::access::AccessMethod;
use emrtd::clone_detection::{self, CloneCheck};
use emrtd::dg2::{Dg2, ImageFormat};
use emrtd::lds::{Dg1, EfCom, LdsFile};
use emrtd::mrz::Mrz;
use emrtd::passive_auth::{self, PassiveAuthReport, TrustStore};
use emrtd::read::{CardProfile, DocumentFiles, DocumentReader, ReadError, ReadOptions, read_order};
use emrtd::transport::{CardTransport, TransportError};
use rand_core::TryCryptoRng;
use thiserror::Error;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::keys::KeyCandidates;
use crate::verdict::{InvalidReason, Verdict};

/// Why a card read stopped: one variant per sentence the person at the kiosk is shown. None
/// carries personal data.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CardReadError {
    /// No PC/SC reader is connected (or the PC/SC service is down).
    #[error("no card reader")]
    NoReader,
    /// No card is on the reader.
    #[error("no card on the reader")]
    CardNotPresent,
    /// The card left the reader mid-read; reading resumes once it is back.
    #[error("the card was removed during the read")]
    CardRemoved,
    /// Every key candidate was refused: the ID, birth date or expiry is wrong.
    #[error("the chip refused every access key")]
    WrongAccessKey,
    /// The chip blocked access after too many wrong keys.
    #[error("the chip blocked access")]
    AccessBlocked,
    /// The chip cannot be read by this kiosk (unsupported, malformed, broken session):
    /// the QR fallback remains.
    #[error("the chip cannot be read: {0}")]
    ChipUnreadable(&'static str),
    /// The reader failed (not the card).
    #[error("the reader failed")]
    ReaderFailure,
    /// EF.SOD uses a signature algorithm this kiosk cannot verify.
    #[error("the card's signature algorithm is not supported")]
    UnsupportedSignature,
}

impl CardReadError {
    /// A stable code for the UI's dictionary.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoReader => "card.no_reader",
            Self::CardNotPresent => "card.not_present",
            Self::CardRemoved => "card.removed",
            Self::WrongAccessKey => "card.wrong_key",
            Self::AccessBlocked => "card.blocked",
            Self::ChipUnreadable(_) => "card.unreadable",
            Self::ReaderFailure => "card.reader_failure",
            Self::UnsupportedSignature => "card.unsupported_signature",
        }
    }
}

impl From<ReadError> for CardReadError {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::CardRemoved => Self::CardRemoved,
            ReadError::Transport(TransportError::ReaderUnavailable(_)) => Self::NoReader,
            ReadError::Transport(_) => Self::ReaderFailure,
            ReadError::AccessDenied | ReadError::NoAccessKey => Self::WrongAccessKey,
            ReadError::AccessBlocked => Self::AccessBlocked,
            ReadError::UnsupportedCard(_) => Self::ChipUnreadable("unsupported chip"),
            ReadError::ChipProofInvalid => Self::ChipUnreadable("chip proof invalid"),
            ReadError::SecureMessagingBroken(_) => Self::ChipUnreadable("secure messaging broken"),
            ReadError::FileNotFound(_) => Self::ChipUnreadable("required file missing"),
            ReadError::AccessConditionsNotSatisfied(_) => {
                Self::ChipUnreadable("required file protected")
            }
            ReadError::Malformed(_) | ReadError::Lds(_) => Self::ChipUnreadable("malformed data"),
            ReadError::Card(_) => Self::ChipUnreadable("unexpected status"),
            ReadError::Rng => Self::ReaderFailure,
        }
    }
}

/// Progress of a read, for the screen.
#[derive(Debug, Clone, Copy)]
pub enum ReadEvent<'a> {
    /// Trying key candidate `attempt` (1-based) of `of`.
    Opening {
        /// This candidate.
        attempt: usize,
        /// How many there are.
        of: usize,
    },
    /// Bytes of a file (also sent when a file starts or resumes).
    File {
        /// The file.
        file: LdsFile,
        /// Bytes held.
        read: usize,
        /// Its size once known.
        total: Option<usize>,
    },
    /// DG13 is in and decoded: the names can be shown while the rest is read.
    Holder(&'a Dg13),
    /// Every file is in; authenticity is being checked.
    Verifying,
}

/// The portrait from DG2, as the chip holds it.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Portrait {
    /// JPEG or JPEG 2000.
    #[zeroize(skip)]
    pub format: ImageFormat,
    /// Width in pixels, from the facial record.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// The image file's bytes.
    pub image: Vec<u8>,
}

impl core::fmt::Debug for Portrait {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Portrait({:?}, {} bytes)", self.format, self.image.len())
    }
}

/// The chip's files as read, kept as evidence for the enrollment package (the back office
/// re-runs passive authentication on them).
#[derive(Clone, PartialEq, Eq)]
pub struct ChipEvidence {
    /// EF.COM.
    pub com: Vec<u8>,
    /// EF.SOD.
    pub sod: Vec<u8>,
    /// Every data group read, by number.
    pub data_groups: BTreeMap<u8, Vec<u8>>,
}

impl Drop for ChipEvidence {
    fn drop(&mut self) {
        self.com.zeroize();
        self.sod.zeroize();
        self.data_groups.values_mut().for_each(Zeroize::zeroize);
    }
}

impl core::fmt::Debug for ChipEvidence {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let groups: Vec<u8> = self.data_groups.keys().copied().collect();
        write!(
            f,
            "ChipEvidence(DGs {groups:?}, SOD {} bytes)",
            self.sod.len()
        )
    }
}

/// Everything a successful read gives.
#[derive(Debug, Clone)]
pub struct CardReading {
    /// DG1's MRZ, when it parsed.
    pub mrz: Option<Mrz>,
    /// DG13 decoded, when it decoded.
    pub dg13: Option<Dg13>,
    /// The DG2 portrait, when the chip has one and it parsed.
    pub portrait: Option<Portrait>,
    /// The raw files.
    pub evidence: ChipEvidence,
    /// How the chip was opened.
    pub access: AccessMethod,
    /// Passive authentication's report (document signer, CSCA: public data for the log).
    pub passive_auth: PassiveAuthReport,
    /// The clone check run.
    pub clone_check: CloneCheck,
    /// The outcome for the officer.
    pub verdict: Verdict,
}

/// A card read in progress: call [`CardRead::run`] until it returns something other than
/// [`CardReadError::CardRemoved`].
pub struct CardRead {
    candidates: KeyCandidates,
    next: usize,
    profile: CardProfile,
    reader: Option<DocumentReader>,
    options: ReadOptions,
}

impl core::fmt::Debug for CardRead {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CardRead")
            .field("candidates", &self.candidates.attempts.len())
            .field("next", &self.next)
            .field("opened", &self.reader.is_some())
            .finish_non_exhaustive()
    }
}

impl CardRead {
    /// A read with these key candidates, starting from what is known of cards of this kind
    /// (`CardProfile::transport_limits` of the previous card, or the default).
    pub fn new(candidates: KeyCandidates, start: CardProfile) -> Self {
        Self {
            candidates,
            next: 0,
            profile: start,
            reader: None,
            options: ReadOptions::default(),
        }
    }

    /// What to start the next card's read with: block size, extended length, SFI support.
    pub fn transport_limits(&self) -> CardProfile {
        self.reader
            .as_ref()
            .map_or(&self.profile, DocumentReader::profile)
            .transport_limits()
    }

    /// Reads and verifies the card. After [`CardReadError::CardRemoved`], call again once the
    /// card is back: the read resumes.
    pub fn run<T, R>(
        &mut self,
        transport: &mut T,
        rng: &mut R,
        trust_store: &TrustStore,
        events: &mut dyn FnMut(ReadEvent<'_>),
    ) -> Result<CardReading, CardReadError>
    where
        T: CardTransport + ?Sized,
        R: TryCryptoRng + ?Sized,
    {
        let mut reader = self.open(transport, rng, events)?;
        let result = read_and_verify(&mut reader, transport, rng, trust_store, self, events);
        if matches!(result, Err(CardReadError::CardRemoved)) {
            reader.reset_session();
        }
        self.reader = Some(reader);
        result
    }

    /// The reader of the candidate that opened the chip, opening it if needed.
    fn open<T, R>(
        &mut self,
        transport: &mut T,
        rng: &mut R,
        events: &mut dyn FnMut(ReadEvent<'_>),
    ) -> Result<DocumentReader, CardReadError>
    where
        T: CardTransport + ?Sized,
        R: TryCryptoRng + ?Sized,
    {
        if let Some(reader) = self.reader.take() {
            return Ok(reader);
        }
        let of = self.candidates.attempts.len();
        // A refused key says most; a candidate whose protocol the chip does not offer (a CAN on a
        // chip without one) only matters when no key was refused.
        let mut refused = false;
        let mut last = CardReadError::WrongAccessKey;
        while let Some(keys) = self.candidates.attempts.get(self.next) {
            events(ReadEvent::Opening {
                attempt: self.next + 1,
                of,
            });
            let mut reader = DocumentReader::new(keys.clone(), self.profile.clone(), self.options);
            let outcome = reader.authenticate(transport, rng);
            self.profile = reader.profile().clone();
            match outcome {
                Ok(_) => return Ok(reader),
                Err(ReadError::AccessDenied | ReadError::NoAccessKey) => refused = true,
                Err(e @ ReadError::UnsupportedCard(_)) => last = e.into(),
                Err(other) => return Err(other.into()),
            }
            self.next += 1;
        }
        if refused {
            last = CardReadError::WrongAccessKey;
        }
        Err(last)
    }
}

fn read_and_verify<T, R>(
    reader: &mut DocumentReader,
    transport: &mut T,
    rng: &mut R,
    trust_store: &TrustStore,
    read: &CardRead,
    events: &mut dyn FnMut(ReadEvent<'_>),
) -> Result<CardReading, CardReadError>
where
    T: CardTransport + ?Sized,
    R: TryCryptoRng + ?Sized,
{
    let com = reader.read_file(transport, rng, LdsFile::Com, &mut |p| forward(events, p))?;
    let listed = EfCom::parse(&com)
        .map_err(|_| CardReadError::ChipUnreadable("EF.COM malformed"))?
        .data_groups;
    let mut files = BTreeMap::new();
    let mut unavailable = Vec::new();
    let mut dg13 = None;
    for file in read_order(&listed) {
        match reader.read_file(transport, rng, file, &mut |p| forward(events, p)) {
            Ok(bytes) => {
                if Some(file) == LdsFile::dg(13) {
                    dg13 = Dg13::decode(&bytes).ok();
                    if let Some(holder) = &dg13 {
                        events(ReadEvent::Holder(holder));
                    }
                }
                files.insert(file, bytes);
            }
            Err(e @ (ReadError::FileNotFound(_) | ReadError::AccessConditionsNotSatisfied(_))) => {
                unavailable.push((file, e));
            }
            Err(e) => return Err(e.into()),
        }
    }
    events(ReadEvent::Verifying);
    let document = DocumentFiles {
        com,
        files,
        unavailable,
    };
    let clone_check = clone_detection::check(reader, transport, rng, &document);
    if let Some(error) = interrupted(&clone_check) {
        return Err(error);
    }
    let evidence = evidence(&document)?;
    let groups: Vec<(u8, &[u8])> = evidence
        .data_groups
        .iter()
        .map(|(n, bytes)| (*n, bytes.as_slice()))
        .collect();
    let passive = passive_auth::verify(&evidence.sod, &groups, trust_store)
        .map_err(|_| CardReadError::UnsupportedSignature)?;
    let mrz = evidence
        .data_groups
        .get(&1)
        .and_then(|bytes| Dg1::parse(bytes).ok())
        .map(|dg1| dg1.mrz);
    let portrait = evidence
        .data_groups
        .get(&2)
        .and_then(|bytes| portrait(bytes));
    let disagreements = match (&dg13, &mrz) {
        (Some(dg13), mrz) => cross_check(dg13, mrz.as_ref(), read.candidates.qr.as_ref()),
        (None, _) => Vec::new(),
    };
    let mut verdict = Verdict::decide(&passive, &clone_check, &disagreements);
    if matches!(verdict, Verdict::Genuine | Verdict::IssuerUnknown)
        && (dg13.is_none() || mrz.is_none())
    {
        verdict = Verdict::Invalid(InvalidReason::PersonalDataUnreadable);
    }
    let access = reader
        .profile()
        .access
        .clone()
        .ok_or(CardReadError::ChipUnreadable("access method not recorded"))?;
    Ok(CardReading {
        mrz,
        dg13,
        portrait,
        evidence,
        access,
        passive_auth: passive,
        clone_check,
        verdict,
    })
}

/// emrtd's progress in the screen's terms.
fn forward(events: &mut dyn FnMut(ReadEvent<'_>), progress: emrtd::read::Progress) {
    use emrtd::read::Progress;
    events(match progress {
        Progress::Started { file, offset } => ReadEvent::File {
            file,
            read: offset,
            total: None,
        },
        Progress::Bytes { file, read, total } => ReadEvent::File { file, read, total },
        Progress::Finished { file, size } => ReadEvent::File {
            file,
            read: size,
            total: Some(size),
        },
    });
}

/// A clone check that stopped because the card left or the reader failed is no verdict.
fn interrupted(check: &CloneCheck) -> Option<CardReadError> {
    use emrtd::active_authentication::ActiveAuthenticationError as Aa;
    use emrtd::chip_authentication::ChipAuthenticationError as Ca;
    use emrtd::secure_messaging::SmError;
    let transport = |e: &TransportError| CardReadError::from(ReadError::from(e.clone()));
    match check {
        CloneCheck::ChipAuthentication(Err(
            Ca::SecureMessaging(SmError::Transport(e))
            | Ca::Access(emrtd::access::AccessError::Transport(e)),
        ))
        | CloneCheck::ActiveAuthentication(Err(
            Aa::SecureMessaging(SmError::Transport(e))
            | Aa::Access(emrtd::access::AccessError::Transport(e)),
        )) => Some(transport(e)),
        CloneCheck::ChipAuthentication(Err(Ca::Read(e)))
        | CloneCheck::ActiveAuthentication(Err(Aa::Read(e)))
            if matches!(e, ReadError::CardRemoved | ReadError::Transport(_)) =>
        {
            Some(e.clone().into())
        }
        _ => None,
    }
}

fn evidence(document: &DocumentFiles) -> Result<ChipEvidence, CardReadError> {
    let sod = document
        .files
        .get(&LdsFile::Sod)
        .cloned()
        .ok_or(CardReadError::ChipUnreadable("EF.SOD missing"))?;
    let data_groups = document
        .files
        .iter()
        .filter_map(|(file, bytes)| match file {
            LdsFile::Dg(dg) => Some((dg.number(), bytes.clone())),
            _ => None,
        })
        .collect();
    Ok(ChipEvidence {
        com: document.com.clone(),
        sod,
        data_groups,
    })
}

fn portrait(dg2: &[u8]) -> Option<Portrait> {
    let mut parsed = Dg2::parse(dg2).ok()?;
    let face = parsed.faces.drain(..).next()?;
    Some(Portrait {
        format: face.format,
        width: face.width,
        height: face.height,
        image: face.image.clone(),
    })
}
