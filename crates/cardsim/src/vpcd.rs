//! The vpcd adapter: connects the software chip to vsmartcard's virtual reader driver inside
//! pcscd, so PC/SC applications see a real card in "Virtual PCD 00 00".
//!
//! Wire protocol (vsmartcard vpcd, server mode): every message either way is a 2-byte
//! big-endian length and a payload. A 1-byte payload from vpcd is a control byte: `00` power
//! off, `01` power on, `02` reset, `04` send the ATR (only `04` is answered). Anything longer
//! is a command APDU, answered with the response APDU. Closing the connection removes the card.
//!
//! vpcd writes the length and the payload in two segments; with delayed ACKs each exchange
//! would stall ~40 ms, so `TCP_QUICKACK` is set before every read (Linux clears it again) and
//! every reply goes out in one write.

use crate::chip::Chip;
use socket2::SockRef;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread::JoinHandle;
use thiserror::Error;

/// vpcd's first reader ("Virtual PCD 00 00") in its default configuration.
pub const DEFAULT_VPCD_ADDR: &str = "127.0.0.1:35963";

const POWER_OFF: u8 = 0x00;
const POWER_ON: u8 = 0x01;
const RESET: u8 = 0x02;
const GET_ATR: u8 = 0x04;

/// Why the link to vpcd ended other than by vpcd closing it.
#[derive(Debug, Error)]
pub enum VpcdError {
    /// The socket failed.
    #[error("vpcd link failed: {0}")]
    Io(#[from] io::Error),
    /// vpcd sent a control byte this adapter does not know.
    #[error("unknown vpcd control byte {0:#04x}")]
    UnknownControl(u8),
    /// The chip's answer does not fit a 2-byte length.
    #[error("response of {0} bytes is too long for a vpcd frame")]
    ResponseTooLong(usize),
    /// The serving thread panicked.
    #[error("vpcd serving thread panicked")]
    Panicked,
}

/// Serves `chip` on an established vpcd connection until vpcd closes it (or the socket is
/// shut down by [`InsertedCard::remove`]).
pub fn serve(stream: &mut TcpStream, chip: &mut Chip) -> Result<(), VpcdError> {
    stream.set_nodelay(true)?;
    loop {
        SockRef::from(&*stream).set_tcp_quickack(true)?;
        let mut length = [0u8; 2];
        match stream.read_exact(&mut length) {
            Ok(()) => {}
            Err(err) if is_closed(&err) => return Ok(()),
            Err(err) => return Err(err.into()),
        }
        let mut payload = vec![0u8; usize::from(u16::from_be_bytes(length))];
        SockRef::from(&*stream).set_tcp_quickack(true)?;
        match stream.read_exact(&mut payload) {
            Ok(()) => {}
            Err(err) if is_closed(&err) => return Ok(()),
            Err(err) => return Err(err.into()),
        }
        let reply = match payload.as_slice() {
            [POWER_OFF] => {
                chip.power_off();
                None
            }
            [POWER_ON] => {
                chip.power_on();
                None
            }
            [RESET] => {
                chip.reset();
                None
            }
            [GET_ATR] => Some(chip.atr().to_vec()),
            [other] => return Err(VpcdError::UnknownControl(*other)),
            [] => None,
            apdu => match chip.exchange(apdu) {
                Some(response) => {
                    if let Some(wait) = chip.last_air_time() {
                        std::thread::sleep(wait);
                    }
                    Some(response)
                }
                None => {
                    // Torn from the field: the closed link is the removal pcscd sees.
                    stream.shutdown(Shutdown::Both)?;
                    return Ok(());
                }
            },
        };
        if let Some(reply) = reply {
            let length =
                u16::try_from(reply.len()).map_err(|_| VpcdError::ResponseTooLong(reply.len()))?;
            let mut frame = Vec::with_capacity(reply.len() + 2);
            frame.extend_from_slice(&length.to_be_bytes());
            frame.extend_from_slice(&reply);
            stream.write_all(&frame)?;
        }
    }
}

fn is_closed(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::NotConnected
    )
}

/// A chip sitting in a vpcd reader, served on its own thread.
pub struct InsertedCard {
    control: TcpStream,
    worker: JoinHandle<Result<Chip, VpcdError>>,
}

impl InsertedCard {
    /// Connects to vpcd at `addr` (pcscd must be running with the vpcd driver) and serves
    /// `chip` there: pcscd sees a card inserted.
    pub fn insert(addr: SocketAddr, mut chip: Chip) -> Result<Self, VpcdError> {
        let mut stream = TcpStream::connect(addr)?;
        let control = stream.try_clone()?;
        let worker = std::thread::Builder::new()
            .name("cardsim-vpcd".into())
            .spawn(move || {
                serve(&mut stream, &mut chip)?;
                chip.power_off();
                Ok(chip)
            })?;
        Ok(Self { control, worker })
    }

    /// Whether vpcd is still connected.
    pub fn is_inserted(&self) -> bool {
        !self.worker.is_finished()
    }

    /// Blocks until vpcd closes the link (pcscd stopped), then gives the chip back.
    pub fn wait(self) -> Result<Chip, VpcdError> {
        self.worker.join().map_err(|_| VpcdError::Panicked)?
    }

    /// Takes the card out of the reader (closes the connection) and gives the chip back.
    pub fn remove(self) -> Result<Chip, VpcdError> {
        match self.control.shutdown(Shutdown::Both) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::NotConnected => {}
            Err(err) => return Err(err.into()),
        }
        self.worker.join().map_err(|_| VpcdError::Panicked)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chip::tests::profile;
    use crate::{ReadLimits, ScriptedEntropy};
    use std::net::TcpListener;

    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut out = (payload.len() as u16).to_be_bytes().to_vec();
        out.extend_from_slice(payload);
        out
    }

    fn read_frame(stream: &mut TcpStream) -> Vec<u8> {
        let mut length = [0u8; 2];
        stream.read_exact(&mut length).unwrap();
        let mut payload = vec![0u8; usize::from(u16::from_be_bytes(length))];
        stream.read_exact(&mut payload).unwrap();
        payload
    }

    /// Plays vpcd's side of the protocol against an inserted card over loopback.
    #[test]
    fn speaks_vpcd_framing_and_control_bytes() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let chip = Chip::new(
            profile(ReadLimits::default()),
            Box::new(ScriptedEntropy::new([[5u8; 8]])),
        );
        let card = InsertedCard::insert(addr, chip).unwrap();
        let (mut vpcd, _) = listener.accept().unwrap();
        vpcd.write_all(&frame(&[GET_ATR])).unwrap();
        assert_eq!(read_frame(&mut vpcd), crate::chip::ATR.to_vec());
        vpcd.write_all(&frame(&[POWER_ON])).unwrap();
        // Length and payload in two writes, as vpcd sends them.
        vpcd.write_all(&[0x00, 0x05]).unwrap();
        vpcd.write_all(&[0x00, 0x84, 0x00, 0x00, 0x08]).unwrap();
        assert_eq!(
            read_frame(&mut vpcd),
            vec![5, 5, 5, 5, 5, 5, 5, 5, 0x90, 0x00]
        );
        vpcd.write_all(&frame(&[POWER_OFF])).unwrap();
        vpcd.write_all(&frame(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C]))
            .unwrap();
        assert_eq!(
            read_frame(&mut vpcd),
            vec![0x6F, 0x00],
            "an unpowered chip gives no real answer"
        );
        vpcd.write_all(&frame(&[RESET])).unwrap();
        vpcd.write_all(&frame(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C]))
            .unwrap();
        assert_eq!(read_frame(&mut vpcd), vec![0x90, 0x00]);
        assert!(card.is_inserted());
        let chip = card.remove().unwrap();
        assert!(!chip.is_powered());
        let mut rest = Vec::new();
        assert_eq!(
            vpcd.read_to_end(&mut rest).unwrap(),
            0,
            "removal closes the connection"
        );
    }

    #[test]
    fn vpcd_closing_the_link_ends_serving_cleanly() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let chip = Chip::new(
            profile(ReadLimits::default()),
            Box::new(ScriptedEntropy::default()),
        );
        let card = InsertedCard::insert(addr, chip).unwrap();
        let (vpcd, _) = listener.accept().unwrap();
        drop(vpcd);
        while card.is_inserted() {
            std::thread::yield_now();
        }
        assert!(card.remove().is_ok());
    }

    #[test]
    fn unknown_control_byte_is_an_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let chip = Chip::new(
            profile(ReadLimits::default()),
            Box::new(ScriptedEntropy::default()),
        );
        let card = InsertedCard::insert(addr, chip).unwrap();
        let (mut vpcd, _) = listener.accept().unwrap();
        vpcd.write_all(&frame(&[0x07])).unwrap();
        assert!(matches!(
            card.remove(),
            Err(VpcdError::UnknownControl(0x07))
        ));
    }
}
