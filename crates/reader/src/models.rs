//! Which reader is this, and what can it do for a chip ID card: the models the kiosk knows
//! (recognised from the name pcscd gives the reader), the card's ATR kind, and the reader's own
//! CCID facts when the driver reports them (PC/SC part 10 TLV properties: USB vendor and
//! product, largest APDU).
//!
//! Two capabilities matter for reading a CCCD quickly: extended-length APDUs (a DG2 portrait in
//! a few large reads instead of many 223-byte ones) and 424/848 kbit/s on ISO 14443. The table
//! says what each maker's documentation claims; no row but the virtual reader has been tested
//! on hardware by this project, and each says so. The protocol code probes extended length on
//! the card itself anyway, so a wrong claim costs speed, never a failed read.

use std::fmt;

/// Whether a model has a capability, and how we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Seen working in this project's tests.
    Verified,
    /// The maker's documentation says so; not tested on hardware.
    VendorClaim,
    /// Not known.
    Unknown,
}

impl Claim {
    /// A short word for logs and `doctor`.
    pub fn as_str(self) -> &'static str {
        match self {
            Claim::Verified => "yes (tested)",
            Claim::VendorClaim => "yes (vendor claim)",
            Claim::Unknown => "unknown",
        }
    }
}

/// A reader model the kiosk knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderModel {
    /// Stable identifier for logs (`acs-acr1252u`).
    pub id: &'static str,
    /// The model's marketing name.
    pub name: &'static str,
    /// Extended-length APDUs (ISO 7816-4) end to end through the reader.
    pub extended_apdu: Claim,
    /// Highest ISO 14443 bit rate, kbit/s (106, 212, 424, 848); `None` when not applicable.
    pub max_kbps: Option<u32>,
    /// Someone has read a CCCD with it.
    pub tested_on_hardware: bool,
    /// Lower-case fragments of pcscd's reader name, any of which identifies the model.
    name_fragments: &'static [&'static str],
}

/// Every model the kiosk knows. Keep `docs/readers.md` in step.
pub const MODELS: &[ReaderModel] = &[
    ReaderModel {
        id: "acs-acr1252u",
        name: "ACS ACR1252U",
        extended_apdu: Claim::VendorClaim,
        max_kbps: Some(848),
        tested_on_hardware: false,
        name_fragments: &["acr1252"],
    },
    ReaderModel {
        id: "acs-acr1552u",
        name: "ACS ACR1552U",
        extended_apdu: Claim::VendorClaim,
        max_kbps: Some(848),
        tested_on_hardware: false,
        name_fragments: &["acr1552"],
    },
    ReaderModel {
        id: "hid-omnikey-5022",
        name: "HID OMNIKEY 5022 CL",
        extended_apdu: Claim::VendorClaim,
        max_kbps: Some(848),
        tested_on_hardware: false,
        name_fragments: &["omnikey 5022", "5022 cl"],
    },
    ReaderModel {
        id: "hid-omnikey-5422",
        name: "HID OMNIKEY 5422",
        extended_apdu: Claim::VendorClaim,
        max_kbps: Some(848),
        tested_on_hardware: false,
        name_fragments: &["omnikey 5422", "5422 cl"],
    },
    ReaderModel {
        id: "identiv-utrust-3700f",
        name: "Identiv uTrust 3700 F",
        extended_apdu: Claim::VendorClaim,
        max_kbps: Some(848),
        tested_on_hardware: false,
        name_fragments: &["utrust 3700 f", "3700 f cl"],
    },
    ReaderModel {
        id: "vsmartcard-vpcd",
        name: "vpcd virtual reader (vsmartcard; demo and tests)",
        extended_apdu: Claim::Verified,
        max_kbps: None,
        tested_on_hardware: true,
        name_fragments: &["virtual pcd"],
    },
];

/// The model whose name fragment appears in pcscd's reader name, if any.
pub fn identify(reader_name: &str) -> Option<&'static ReaderModel> {
    let name = reader_name.to_lowercase();
    MODELS
        .iter()
        .find(|m| m.name_fragments.iter().any(|f| name.contains(f)))
}

impl ReaderModel {
    /// One line for `doctor` and the logs.
    pub fn summary(&self) -> String {
        let rate = self
            .max_kbps
            .map_or("n/a".to_string(), |k| format!("{k} kbit/s (vendor claim)"));
        let tested = if self.tested_on_hardware {
            "tested"
        } else {
            "not tested on hardware"
        };
        format!(
            "{}: extended APDU {}, max rate {rate}, {tested}",
            self.name,
            self.extended_apdu.as_str()
        )
    }
}

/// What the card's ATR says about the card's interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtrKind {
    /// A contactless ISO 14443-4 chip as PC/SC part 3 presents it (what a CCCD gives).
    ContactlessProcessor,
    /// A contactless memory card (PC/SC part 3 storage-card ATR, e.g. MIFARE): not an ID card.
    ContactlessStorage,
    /// Any other ATR (a contact card, or a virtual card with its own ATR).
    Other,
}

impl AtrKind {
    /// Classifies an ATR by the PC/SC part 3 layout: `3B 8n 80 01` starts a contactless
    /// card's ATR; storage cards carry the PC/SC RID `A0 00 00 03 06` in the historical bytes.
    pub fn of(atr: &[u8]) -> AtrKind {
        let contactless = matches!(atr, [0x3B, t0, 0x80, 0x01, ..] if t0 & 0xF0 == 0x80);
        if !contactless {
            return AtrKind::Other;
        }
        let storage = atr.windows(5).any(|w| w == [0xA0, 0x00, 0x00, 0x03, 0x06]);
        if storage {
            AtrKind::ContactlessStorage
        } else {
            AtrKind::ContactlessProcessor
        }
    }

    /// A short name for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            AtrKind::ContactlessProcessor => "contactless-iso14443-4",
            AtrKind::ContactlessStorage => "contactless-storage",
            AtrKind::Other => "other",
        }
    }
}

/// The reader's own facts from its driver (PC/SC part 10 `FEATURE_GET_TLV_PROPERTIES`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CcidProperties {
    /// USB vendor id.
    pub usb_vendor: Option<u16>,
    /// USB product id.
    pub usb_product: Option<u16>,
    /// Largest APDU data the reader passes: 0 means short APDUs only.
    pub max_apdu_data: Option<u32>,
}

impl CcidProperties {
    /// Whether the driver says extended APDUs pass (data over 256 bytes).
    pub fn extended_apdu(&self) -> Option<bool> {
        self.max_apdu_data.map(|n| n > 256)
    }
}

impl fmt::Display for CcidProperties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(v), Some(p)) = (self.usb_vendor, self.usb_product) {
            write!(f, "usb {v:04x}:{p:04x}")?;
        }
        if let Some(n) = self.max_apdu_data {
            write!(f, ", max APDU data {n} bytes")?;
        }
        Ok(())
    }
}

/// What the kiosk knows about the reader a card sits on: logged on every read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderFacts {
    /// The model, when its name is in the table.
    pub model: Option<&'static ReaderModel>,
    /// The card's ATR kind.
    pub atr: Option<AtrKind>,
    /// The driver's CCID properties, when it reports them.
    pub ccid: Option<CcidProperties>,
}

/// PC/SC part 10: the feature tag of `FEATURE_GET_TLV_PROPERTIES`.
const FEATURE_GET_TLV_PROPERTIES: u8 = 0x12;
/// PC/SC part 10 property tags.
const PROPERTY_MAX_APDU_DATA_SIZE: u8 = 0x0A;
const PROPERTY_ID_VENDOR: u8 = 0x0B;
const PROPERTY_ID_PRODUCT: u8 = 0x0C;

/// The control code of `FEATURE_GET_TLV_PROPERTIES` in a `CM_IOCTL_GET_FEATURE_REQUEST`
/// answer (tag, length 4, big-endian code, repeated).
pub fn tlv_properties_code(features: &[u8]) -> Option<u32> {
    let mut rest = features;
    while let [tag, len, tail @ ..] = rest {
        let len = usize::from(*len);
        let value = tail.get(..len)?;
        if *tag == FEATURE_GET_TLV_PROPERTIES && len == 4 {
            return Some(u32::from_be_bytes(value.try_into().ok()?));
        }
        rest = tail.get(len..)?;
    }
    None
}

/// The properties a `FEATURE_GET_TLV_PROPERTIES` answer gives (tag, length, little-endian
/// value, repeated); unknown tags are skipped, a truncated list keeps what came before.
pub fn parse_tlv_properties(answer: &[u8]) -> CcidProperties {
    let mut props = CcidProperties::default();
    let mut rest = answer;
    while let [tag, len, tail @ ..] = rest {
        let len = usize::from(*len);
        let Some(value) = tail.get(..len) else {
            break;
        };
        let le = || {
            value
                .iter()
                .rev()
                .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
        };
        match (*tag, len) {
            (PROPERTY_MAX_APDU_DATA_SIZE, 4) => props.max_apdu_data = u32::try_from(le()).ok(),
            (PROPERTY_ID_VENDOR, 2) => props.usb_vendor = u16::try_from(le()).ok(),
            (PROPERTY_ID_PRODUCT, 2) => props.usb_product = u16::try_from(le()).ok(),
            _ => {}
        }
        rest = tail.get(len..).unwrap_or_default();
    }
    props
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_are_recognised_from_the_names_pcscd_gives_them() {
        let cases = [
            (
                "ACS ACR1252 1S CL Reader [ACR1252 1S CL Reader PICC] 00 00",
                "acs-acr1252u",
            ),
            ("ACS ACR1552 1S CL Reader PICC 00 00", "acs-acr1552u"),
            (
                "HID Global OMNIKEY 5022 Smart Card Reader [OMNIKEY 5022 CL] 00 00",
                "hid-omnikey-5022",
            ),
            (
                "HID Global OMNIKEY 5422 Smartcard Reader [OMNIKEY 5422 CL] 01 00",
                "hid-omnikey-5422",
            ),
            (
                "Identiv uTrust 3700 F CL Reader [uTrust 3700 F CL Reader] 00 00",
                "identiv-utrust-3700f",
            ),
            ("Virtual PCD 00 00", "vsmartcard-vpcd"),
        ];
        for (name, id) in cases {
            assert_eq!(identify(name).map(|m| m.id), Some(id), "{name}");
        }
        assert_eq!(identify("Generic EMV Smartcard Reader 00 00"), None);
        assert_eq!(identify(""), None);
    }

    #[test]
    fn only_the_virtual_reader_is_marked_tested_and_every_summary_says_which() {
        for model in MODELS {
            let summary = model.summary();
            if model.id == "vsmartcard-vpcd" {
                assert!(model.tested_on_hardware && summary.ends_with(", tested"));
            } else {
                assert!(!model.tested_on_hardware, "{}", model.id);
                assert!(summary.contains("not tested on hardware"), "{summary}");
                assert_eq!(model.extended_apdu, Claim::VendorClaim);
            }
        }
    }

    #[test]
    fn atr_kinds_follow_the_pcsc_part3_layout() {
        // ISO 14443-4 type B as PC/SC part 3 builds it: 3B 88 80 01 + 8 historical bytes + TCK.
        let type_b = [
            0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x77, 0x81, 0x71, 0x00, 0x79,
        ];
        assert_eq!(AtrKind::of(&type_b), AtrKind::ContactlessProcessor);
        let mifare = [
            0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x03, 0x00,
            0x01, 0x00, 0x00, 0x00, 0x00, 0x6A,
        ];
        assert_eq!(AtrKind::of(&mifare), AtrKind::ContactlessStorage);
        assert_eq!(AtrKind::of(&[0x3B, 0x02, 0x14, 0x50]), AtrKind::Other);
        assert_eq!(AtrKind::of(&[]), AtrKind::Other);
        assert_eq!(AtrKind::of(&[0x3B, 0x88]), AtrKind::Other);
    }

    #[test]
    fn the_tlv_properties_feature_code_is_found_among_the_features() {
        let features = [
            0x06, 0x04, 0x42, 0x33, 0x00, 0x06, // FEATURE_VERIFY_PIN_DIRECT
            0x12, 0x04, 0x42, 0x33, 0x00, 0x12, // FEATURE_GET_TLV_PROPERTIES
        ];
        assert_eq!(tlv_properties_code(&features), Some(0x4233_0012));
        assert_eq!(tlv_properties_code(&features[..6]), None);
        assert_eq!(tlv_properties_code(&[0x12, 0x04, 0x42]), None, "truncated");
        assert_eq!(tlv_properties_code(&[]), None);
    }

    #[test]
    fn tlv_properties_give_usb_ids_and_the_largest_apdu() {
        let answer = [
            0x01, 0x02, 0x00, 0x00, // wLcdLayout, skipped
            0x0A, 0x04, 0x00, 0x00, 0x01, 0x00, // dwMaxAPDUDataSize = 65536
            0x0B, 0x02, 0x2F, 0x07, // wIdVendor = 0x072F
            0x0C, 0x02, 0x3B, 0x22, // wIdProduct = 0x223B
        ];
        let props = parse_tlv_properties(&answer);
        assert_eq!(props.usb_vendor, Some(0x072F));
        assert_eq!(props.usb_product, Some(0x223B));
        assert_eq!(props.max_apdu_data, Some(65_536));
        assert_eq!(props.extended_apdu(), Some(true));
        assert_eq!(
            props.to_string(),
            "usb 072f:223b, max APDU data 65536 bytes"
        );
        let short_only = parse_tlv_properties(&[0x0A, 0x04, 0, 0, 0, 0]);
        assert_eq!(short_only.extended_apdu(), Some(false));
        let truncated = parse_tlv_properties(&[0x0B, 0x02, 0x2F, 0x07, 0x0C, 0x02, 0x3B]);
        assert_eq!(truncated.usb_vendor, Some(0x072F));
        assert_eq!(truncated.usb_product, None);
        assert_eq!(parse_tlv_properties(&[]), CcidProperties::default());
    }
}
