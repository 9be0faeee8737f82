//! Reader and card events: a card placed on or taken off a reader, a reader plugged in or
//! unplugged. Waits in `SCardGetStatusChange` (with pcscd's plug-and-play pseudo reader for
//! reader changes), never in a polling sleep, and can be woken from another thread.

use std::ffi::{CStr, CString};
use std::time::Duration;
use thiserror::Error;

/// Something that changed on the PC/SC side, in the order pcscd reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardEvent {
    /// A card entered a reader's field.
    CardInserted {
        /// The reader.
        reader: String,
        /// The card's ATR.
        atr: Vec<u8>,
    },
    /// The card left a reader's field.
    CardRemoved {
        /// The reader.
        reader: String,
    },
    /// A reader was plugged in.
    ReaderAdded {
        /// The reader.
        reader: String,
    },
    /// A reader was unplugged (a card on it is gone with it).
    ReaderRemoved {
        /// The reader.
        reader: String,
    },
}

/// Why waiting for events stopped.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EventError {
    /// pcscd is not running or stopped.
    #[error("the PC/SC service (pcscd) is not running")]
    ServiceDown,
    /// [`Waker::wake`] was called.
    #[error("waiting was cancelled")]
    Cancelled,
    /// The deadline passed without the awaited event.
    #[error("timed out waiting for the card")]
    Timeout,
    /// Any other PC/SC failure.
    #[error("PC/SC error: {0}")]
    Pcsc(String),
}

/// Wakes a thread blocked in [`CardMonitor::wait`] (it returns [`EventError::Cancelled`]).
#[derive(Clone)]
pub struct Waker(pcsc::Context);

impl Waker {
    /// Interrupts the wait.
    pub fn wake(&self) -> Result<(), EventError> {
        self.0.cancel().map_err(event_error)
    }
}

/// Watches every reader pcscd knows and reports changes.
pub struct CardMonitor {
    context: pcsc::Context,
    /// Index 0 is the plug-and-play pseudo reader; the rest are real readers.
    states: Vec<pcsc::ReaderState>,
}

impl CardMonitor {
    /// Starts watching; [`CardMonitor::cards_present`] tells the state at this moment.
    pub fn new() -> Result<Self, EventError> {
        let context = pcsc::Context::establish(pcsc::Scope::User).map_err(event_error)?;
        let mut monitor = Self {
            context,
            states: vec![pcsc::ReaderState::new(
                pcsc::PNP_NOTIFICATION(),
                pcsc::State::UNAWARE,
            )],
        };
        for name in monitor.reader_names()? {
            monitor
                .states
                .push(pcsc::ReaderState::new(name, pcsc::State::UNAWARE));
        }
        monitor
            .context
            .get_status_change(Duration::ZERO, &mut monitor.states)
            .or_else(ignore_timeout)
            .map_err(event_error)?;
        for state in &mut monitor.states {
            state.sync_current_state();
        }
        Ok(monitor)
    }

    /// A handle that interrupts [`CardMonitor::wait`] from another thread.
    pub fn waker(&self) -> Waker {
        Waker(self.context.clone())
    }

    /// The readers known, with whether a card is on each.
    pub fn cards_present(&self) -> Vec<(String, bool)> {
        self.readers()
            .map(|state| {
                (
                    name(state.name()),
                    state.current_state().contains(pcsc::State::PRESENT),
                )
            })
            .collect()
    }

    /// Blocks until something changes (or `timeout` passes: then an empty list) and returns
    /// the changes in order.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<Vec<CardEvent>, EventError> {
        match self.context.get_status_change(timeout, &mut self.states) {
            Ok(()) => {}
            Err(pcsc::Error::Timeout) => return Ok(Vec::new()),
            Err(err) => return Err(event_error(err)),
        }
        let mut events = Vec::new();
        let mut readers_changed = false;
        for (index, state) in self.states.iter_mut().enumerate() {
            let (before, after) = (state.current_state(), state.event_state());
            if !after.contains(pcsc::State::CHANGED) {
                continue;
            }
            // The plug-and-play pseudo reader, or a reader that vanished: re-list readers.
            if index == 0 || after.intersects(pcsc::State::UNKNOWN | pcsc::State::IGNORE) {
                readers_changed = true;
            } else {
                let reader = name(state.name());
                match (
                    before.contains(pcsc::State::PRESENT),
                    after.contains(pcsc::State::PRESENT),
                ) {
                    (false, true) => events.push(CardEvent::CardInserted {
                        reader,
                        atr: state.atr().to_vec(),
                    }),
                    (true, false) => events.push(CardEvent::CardRemoved { reader }),
                    _ => {}
                }
            }
            state.sync_current_state();
        }
        if readers_changed {
            events.extend(self.refresh_readers()?);
        }
        Ok(events)
    }

    /// Waits until a card is on `reader` (`present`) or off it (`!present`), at most `timeout`.
    pub fn wait_for_card(
        &mut self,
        reader: &str,
        present: bool,
        timeout: Duration,
    ) -> Result<(), EventError> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let already = self
                .cards_present()
                .iter()
                .any(|(name, on)| name == reader && *on == present);
            if already || (!present && !self.cards_present().iter().any(|(name, _)| name == reader))
            {
                return Ok(());
            }
            let left = deadline
                .checked_duration_since(std::time::Instant::now())
                .ok_or(EventError::Timeout)?;
            self.wait(Some(left))?;
        }
    }

    fn readers(&self) -> impl Iterator<Item = &pcsc::ReaderState> {
        self.states.iter().skip(1)
    }

    fn reader_names(&self) -> Result<Vec<CString>, EventError> {
        match self.context.list_readers_owned() {
            Ok(names) => Ok(names),
            Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
            Err(err) => Err(event_error(err)),
        }
    }

    /// Re-lists readers after a plug-and-play change: drops the gone (and the cards on them),
    /// adds the new (and reports cards already on them).
    fn refresh_readers(&mut self) -> Result<Vec<CardEvent>, EventError> {
        let names = self.reader_names()?;
        let mut events = Vec::new();
        let mut kept = vec![self.states.remove(0)];
        for state in self.states.drain(..) {
            if names.iter().any(|n| n.as_c_str() == state.name()) {
                kept.push(state);
            } else {
                let reader = name(state.name());
                if state.current_state().contains(pcsc::State::PRESENT) {
                    events.push(CardEvent::CardRemoved {
                        reader: reader.clone(),
                    });
                }
                events.push(CardEvent::ReaderRemoved { reader });
            }
        }
        let mut added = Vec::new();
        for new in names
            .into_iter()
            .filter(|n| !kept.iter().any(|s| s.name() == n.as_c_str()))
        {
            added.push(pcsc::ReaderState::new(new, pcsc::State::UNAWARE));
        }
        if !added.is_empty() {
            self.context
                .get_status_change(Duration::ZERO, &mut added)
                .or_else(ignore_timeout)
                .map_err(event_error)?;
            for mut state in added {
                let reader = name(state.name());
                events.push(CardEvent::ReaderAdded {
                    reader: reader.clone(),
                });
                if state.event_state().contains(pcsc::State::PRESENT) {
                    events.push(CardEvent::CardInserted {
                        reader,
                        atr: state.atr().to_vec(),
                    });
                }
                state.sync_current_state();
                kept.push(state);
            }
        }
        self.states = kept;
        Ok(events)
    }
}

fn ignore_timeout(err: pcsc::Error) -> Result<(), pcsc::Error> {
    if err == pcsc::Error::Timeout {
        Ok(())
    } else {
        Err(err)
    }
}

fn name(name: &CStr) -> String {
    name.to_string_lossy().into_owned()
}

fn event_error(err: pcsc::Error) -> EventError {
    match err {
        pcsc::Error::NoService | pcsc::Error::ServiceStopped => EventError::ServiceDown,
        pcsc::Error::Cancelled => EventError::Cancelled,
        pcsc::Error::Timeout => EventError::Timeout,
        other => EventError::Pcsc(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daemon_loss_and_cancellation_are_distinct_errors() {
        assert_eq!(event_error(pcsc::Error::NoService), EventError::ServiceDown);
        assert_eq!(event_error(pcsc::Error::Cancelled), EventError::Cancelled);
        assert!(ignore_timeout(pcsc::Error::Timeout).is_ok());
        assert_eq!(
            ignore_timeout(pcsc::Error::NoService),
            Err(pcsc::Error::NoService)
        );
    }
}
