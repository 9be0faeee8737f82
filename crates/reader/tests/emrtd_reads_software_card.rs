//! The reader's protocol code (`emrtd`) against the software chip (`cardsim`), in process:
//! two independent implementations of ICAO 9303, one per side, must agree on every byte.

mod common;

use cardsim::SoftCard;
use common::{READ_ORDER, cccd_sized_chip, cccd_sized_profile, read_all};
use std::time::Instant;

#[test]
fn emrtd_reads_every_file_of_the_software_card_over_bac() {
    let mut card = SoftCard::insert(cccd_sized_chip());
    let started = Instant::now();
    let (files, apdus) = read_all(&mut card, 223);
    let elapsed = started.elapsed();
    let profile = cccd_sized_profile();
    for (ef, content) in READ_ORDER.iter().zip(&files) {
        assert_eq!(Some(content.as_slice()), profile.files.get(*ef), "{ef:?}");
    }
    let bytes: usize = files.iter().map(Vec::len).sum();
    println!("in-process full read: {bytes} bytes in {apdus} APDUs, {elapsed:?}");
    assert!(card.chip().is_secured());
}
