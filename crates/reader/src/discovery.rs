//! Reader discovery: the readers pcscd knows and whether a card is present on each.

use thiserror::Error;

/// One reader as pcscd reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    /// The reader's name as pcscd reports it, e.g. "ACS ACR1252 1S CL Reader [ACR1252 1S CL Reader PICC] 00 00".
    pub name: String,
    /// A card is in the reader's field.
    pub card_present: bool,
}

/// Why readers could not be listed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DiscoveryError {
    /// pcscd is not running (or its socket is unreachable).
    #[error("the PC/SC service (pcscd) is not running")]
    ServiceDown,
    /// Any other PC/SC failure.
    #[error("PC/SC error: {0}")]
    Pcsc(String),
}

/// Lists the readers pcscd knows, with card presence. An empty list means no reader is connected.
pub fn list_readers() -> Result<Vec<ReaderInfo>, DiscoveryError> {
    let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(map_error)?;
    let names = match ctx.list_readers_owned() {
        Ok(names) => names,
        Err(pcsc::Error::NoReadersAvailable) => return Ok(Vec::new()),
        Err(err) => return Err(map_error(err)),
    };
    let mut states: Vec<pcsc::ReaderState> = names
        .iter()
        .map(|name| pcsc::ReaderState::new(name.clone(), pcsc::State::UNAWARE))
        .collect();
    ctx.get_status_change(std::time::Duration::ZERO, &mut states)
        .map_err(map_error)?;
    Ok(states
        .iter()
        .map(|state| ReaderInfo {
            name: reader_name(state.name()),
            card_present: state.event_state().contains(pcsc::State::PRESENT),
        })
        .collect())
}

fn reader_name(name: &std::ffi::CStr) -> String {
    name.to_string_lossy().into_owned()
}

fn map_error(err: pcsc::Error) -> DiscoveryError {
    match err {
        pcsc::Error::NoService | pcsc::Error::ServiceStopped => DiscoveryError::ServiceDown,
        other => DiscoveryError::Pcsc(other.to_string()),
    }
}
