//! Shared by the reader's integration tests: a CCCD-sized software card and a full read of it
//! with `emrtd`'s BAC and secure messaging over any transport.

use cardsim::identity::Identity;
use cardsim::{Chip, ChipProfile, Ef, OsEntropy, ReadLimits};
use emrtd::apdu::CommandApdu;
use emrtd::mrz::MrzInformation;
use emrtd::transport::CardTransport;

/// The files a full read fetches, in the order a kiosk wants them (text first, photo last).
pub const READ_ORDER: [Ef; 6] = [
    Ef::Com,
    Ef::Dg(1),
    Ef::Dg(13),
    Ef::Sod,
    Ef::Dg(15),
    Ef::Dg(2),
];

/// A shipped identity with DG2, DG15 and SOD of CCCD size (20 KB, 300 B, 2.5 KB of stand-in
/// bytes in their LDS wrappers): enough to time a full read.
pub fn cccd_sized_profile() -> ChipProfile {
    let mut profile = Identity::builtin("nguyen-van-a")
        .expect("shipped")
        .profile(ReadLimits::default());
    for (ef, tag, len) in [
        (Ef::Dg(2), 0x75u8, 20_000usize),
        (Ef::Dg(15), 0x6F, 300),
        (Ef::Sod, 0x77, 2_500),
    ] {
        let mut bytes = vec![tag, 0x82, (len >> 8) as u8, len as u8];
        bytes.extend((0..len).map(|i| (i * 7 % 256) as u8));
        profile.files.insert(ef, bytes);
    }
    profile
}

pub fn cccd_sized_chip() -> Chip {
    Chip::new(cccd_sized_profile(), Box::new(OsEntropy))
}

/// Selects the applet, runs BAC with the identity's MRZ key, and reads every file of
/// [`READ_ORDER`] in `block`-byte protected READ BINARYs. Returns the files and the number of
/// APDUs sent.
pub fn read_all<T: CardTransport>(transport: &mut T, block: usize) -> (Vec<Vec<u8>>, usize) {
    let mut apdus = 0;
    let aid = [
        0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
    ];
    assert_eq!(
        transport.transmit(&aid).expect("select applet"),
        vec![0x90, 0x00]
    );
    apdus += 1;
    let identity = Identity::builtin("nguyen-van-a").expect("shipped");
    let mrz = MrzInformation::parse(&identity.mrz_information()).expect("valid MRZ information");
    let mut rng = getrandom::SysRng;
    let mut channel =
        emrtd::bac::establish(transport, &mut rng, &mrz).expect("BAC with the right key");
    apdus += 2;
    let mut files = Vec::new();
    for ef in READ_ORDER {
        let first = CommandApdu::new(0x00, 0xB0, 0x80 | ef.sfi(), 0x00).with_le(block);
        let mut content = data(channel.transmit(transport, &first).expect("read"));
        apdus += 1;
        let total = lds_length(&content).expect("LDS header");
        while content.len() < total {
            let offset = content.len();
            let want = block.min(total - offset);
            let command =
                CommandApdu::new(0x00, 0xB0, (offset >> 8) as u8, offset as u8).with_le(want);
            let more = data(channel.transmit(transport, &command).expect("read"));
            apdus += 1;
            assert!(!more.is_empty(), "progress");
            content.extend(more);
        }
        files.push(content);
    }
    (files, apdus)
}

/// The data of a successful read; `6282` (end of file before Ne bytes) is success too.
fn data(response: emrtd::apdu::ResponseApdu) -> Vec<u8> {
    assert!(
        matches!(response.sw.to_u16(), 0x9000 | 0x6282),
        "read refused: {:?}",
        response.sw
    );
    response.data
}

/// The full length (header included) of an LDS file from its first bytes.
fn lds_length(head: &[u8]) -> Option<usize> {
    let (&len_byte, rest) = head.get(1..)?.split_first()?;
    match len_byte {
        0x00..=0x7F => Some(2 + usize::from(len_byte)),
        0x81 => Some(3 + usize::from(*rest.first()?)),
        0x82 => Some(4 + usize::from(u16::from_be_bytes([*rest.first()?, *rest.get(1)?]))),
        _ => None,
    }
}
