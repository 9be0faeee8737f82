//! The enrollment form the citizen (or the operator for them) fills in: the mobile phone the
//! activation OTP goes to, an optional e-mail, and the documents to integrate into the account
//! (health insurance, driving licence, vehicle registrations, tax code).
//!
//! Each field is a type that only exists once its format was checked and normalised. Errors name
//! the field and say what to do, in Vietnamese and English, without repeating the input.

use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Which form field an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Mobile phone.
    Phone,
    /// E-mail.
    Email,
    /// Health-insurance / social-insurance number.
    HealthInsurance,
    /// Driving licence number.
    DrivingLicence,
    /// Vehicle registration plate.
    VehiclePlate,
    /// Tax code.
    TaxCode,
}

/// A form field that failed its format check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// No phone number given.
    #[error("enter a mobile phone number")]
    PhoneMissing,
    /// Characters other than digits, spaces, dots, dashes, brackets and a leading +84.
    #[error("the phone number may contain only digits (and a leading +84)")]
    PhoneCharacters,
    /// Not 10 digits once normalised.
    #[error("a Vietnamese mobile number has 10 digits, e.g. 09xx xxx xxx")]
    PhoneLength,
    /// 10 digits, but not a mobile prefix (03, 05, 07, 08, 09).
    #[error("this is not a Vietnamese mobile number: it must start with 03, 05, 07, 08 or 09")]
    PhoneNotMobile,
    /// Not a plausible e-mail address.
    #[error("the e-mail address is not valid (name@domain.vn)")]
    EmailInvalid,
    /// Neither a 10-digit social-insurance number nor a 15-character health-insurance card code.
    #[error(
        "the health-insurance number must be the 10-digit social-insurance number or the 15-character card code"
    )]
    HealthInsuranceInvalid,
    /// Not a 12-digit driving licence number.
    #[error("the driving licence number must have 12 digits")]
    DrivingLicenceInvalid,
    /// Not a Vietnamese registration plate.
    #[error("the registration plate is not valid (e.g. 29A-123.45 or 59X3-123.45)")]
    VehiclePlateInvalid,
    /// More than [`MAX_VEHICLE_PLATES`] plates.
    #[error("at most 5 vehicle registrations can be integrated at once")]
    TooManyVehiclePlates,
    /// Not a tax code (10 digits, 10-3 digits for a branch, or the 12-digit personal ID).
    #[error("the tax code must be 10 digits, 10 digits-3 digits, or the 12-digit personal ID")]
    TaxCodeInvalid,
}

impl FormError {
    /// The field this error is about.
    pub fn field(self) -> Field {
        match self {
            FormError::PhoneMissing
            | FormError::PhoneCharacters
            | FormError::PhoneLength
            | FormError::PhoneNotMobile => Field::Phone,
            FormError::EmailInvalid => Field::Email,
            FormError::HealthInsuranceInvalid => Field::HealthInsurance,
            FormError::DrivingLicenceInvalid => Field::DrivingLicence,
            FormError::VehiclePlateInvalid | FormError::TooManyVehiclePlates => Field::VehiclePlate,
            FormError::TaxCodeInvalid => Field::TaxCode,
        }
    }

    /// The message in Vietnamese (the [`Display`](fmt::Display) text is the English one).
    pub fn message_vi(self) -> &'static str {
        match self {
            FormError::PhoneMissing => "Vui lòng nhập số điện thoại di động.",
            FormError::PhoneCharacters => {
                "Số điện thoại chỉ được gồm các chữ số (có thể bắt đầu bằng +84)."
            }
            FormError::PhoneLength => {
                "Số điện thoại di động Việt Nam gồm 10 chữ số, ví dụ 09xx xxx xxx."
            }
            FormError::PhoneNotMobile => {
                "Đây không phải số di động Việt Nam: số phải bắt đầu bằng 03, 05, 07, 08 hoặc 09."
            }
            FormError::EmailInvalid => "Địa chỉ thư điện tử không hợp lệ (ten@tenmien.vn).",
            FormError::HealthInsuranceInvalid => {
                "Mã số BHXH gồm 10 chữ số, hoặc mã thẻ BHYT gồm 15 ký tự."
            }
            FormError::DrivingLicenceInvalid => "Số giấy phép lái xe gồm 12 chữ số.",
            FormError::VehiclePlateInvalid => {
                "Biển số xe không hợp lệ (ví dụ 29A-123.45 hoặc 59X3-123.45)."
            }
            FormError::TooManyVehiclePlates => "Chỉ tích hợp tối đa 5 đăng ký xe mỗi lần.",
            FormError::TaxCodeInvalid => {
                "Mã số thuế gồm 10 chữ số, 10 chữ số-3 chữ số, hoặc số định danh 12 chữ số."
            }
        }
    }
}

/// Removes the separators people type inside numbers: spaces, dots, dashes, brackets.
fn strip_separators(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}'))
        .collect()
}

macro_rules! personal_text {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Deserialize, Zeroize, ZeroizeOnDrop)]
        #[serde(try_from = "String")]
        pub struct $name(String);

        impl $name {
            /// The normalised value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = FormError;
            fn try_from(mut s: String) -> Result<Self, FormError> {
                let parsed = Self::parse(&s);
                s.zeroize();
                parsed
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

personal_text!(
    /// A Vietnamese mobile number, normalised to 10 digits starting with 0.
    MobilePhone
);
personal_text!(
    /// An e-mail address, trimmed, domain in lower case.
    Email
);
personal_text!(
    /// A social-insurance number (10 digits) or health-insurance card code (15 characters).
    HealthInsuranceNumber
);
personal_text!(
    /// A driving licence number (12 digits).
    DrivingLicenceNumber
);
personal_text!(
    /// A vehicle registration plate, upper case without separators (e.g. `29A12345`).
    VehiclePlate
);
personal_text!(
    /// A tax code: 10 digits, `10digits-3digits` for a branch, or the 12-digit personal ID.
    TaxCode
);

/// The mobile prefixes in use (03x, 05x, 07x, 08x, 09x).
const MOBILE_PREFIXES: [&str; 5] = ["03", "05", "07", "08", "09"];

impl MobilePhone {
    /// Checks and normalises a mobile number: `0912 345 678`, `+84 912 345 678` and
    /// `+84 0912 345 678` all become `0912345678`.
    pub fn parse(input: &str) -> Result<Self, FormError> {
        let compact = strip_separators(input.trim());
        if compact.is_empty() {
            return Err(FormError::PhoneMissing);
        }
        let national = match compact.strip_prefix("+84") {
            Some(rest) if rest.starts_with('0') => rest.to_owned(),
            Some(rest) => format!("0{rest}"),
            None => compact,
        };
        if !national.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FormError::PhoneCharacters);
        }
        if national.len() != 10 {
            return Err(FormError::PhoneLength);
        }
        if !MOBILE_PREFIXES.iter().any(|p| national.starts_with(p)) {
            return Err(FormError::PhoneNotMobile);
        }
        Ok(Self(national))
    }
}

impl Email {
    /// Checks an address: one `@`, a local part of printable ASCII without spaces or quotes,
    /// a domain of at least two dot-separated labels with an alphabetic top-level label.
    pub fn parse(input: &str) -> Result<Self, FormError> {
        let s = input.trim();
        if s.len() > 254 {
            return Err(FormError::EmailInvalid);
        }
        let (local, domain) = s.split_once('@').ok_or(FormError::EmailInvalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"\"(),:;<>@[\\]".contains(&b));
        let labels: Vec<&str> = domain.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        let tld_ok = labels
            .last()
            .is_some_and(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic()));
        if !local_ok || labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
            return Err(FormError::EmailInvalid);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }
}

impl HealthInsuranceNumber {
    /// Accepts the 10-digit social-insurance number (mã số BHXH, printed on health-insurance
    /// cards since 2021) or the 15-character card code: 2 letters (beneficiary group), 1 digit
    /// (benefit level 1–5), 2 digits (province), then the 10-digit number.
    pub fn parse(input: &str) -> Result<Self, FormError> {
        let s = strip_separators(input.trim()).to_ascii_uppercase();
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        let valid = match s.len() {
            10 => digits(&s),
            15 => s.split_at_checked(2).is_some_and(|(group, rest)| {
                group.bytes().all(|b| b.is_ascii_uppercase())
                    && digits(rest)
                    && rest.get(..1).is_some_and(|l| ("1"..="5").contains(&l))
            }),
            _ => false,
        };
        if valid {
            Ok(Self(s))
        } else {
            Err(FormError::HealthInsuranceInvalid)
        }
    }

    /// The 10-digit social-insurance number inside either form.
    pub fn social_insurance_number(&self) -> &str {
        self.0.get(self.0.len().saturating_sub(10)..).unwrap_or("")
    }
}

impl DrivingLicenceNumber {
    /// Accepts a 12-digit licence number (spaces allowed).
    pub fn parse(input: &str) -> Result<Self, FormError> {
        let s = strip_separators(input.trim());
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s))
        } else {
            Err(FormError::DrivingLicenceInvalid)
        }
    }
}

impl VehiclePlate {
    /// Accepts a plate such as `29A-123.45` (car), `30E-12345`, `29LD-123.45` (two-letter
    /// series), `59X3-123.45` (motorbike: letter and digit), `29AA-123.45` (under 50 cc) or
    /// `29MĐ1-123.45` (electric): a 2-digit locality code 11–99, a series of one or two letters
    /// and an optional digit, then 4 or 5 digits.
    pub fn parse(input: &str) -> Result<Self, FormError> {
        let s: String = strip_separators(input.trim()).to_uppercase();
        let chars: Vec<char> = s.chars().collect();
        let is_letter = |c: &char| c.is_ascii_uppercase() || *c == 'Đ';
        let locality: String = chars.iter().take(2).collect();
        let locality_ok = locality.len() == 2
            && locality.bytes().all(|b| b.is_ascii_digit())
            && locality.as_str() >= "11";
        let rest = chars.get(2..).unwrap_or(&[]);
        let letters = rest.iter().take_while(|c| is_letter(c)).count();
        let after_letters = rest.get(letters..).unwrap_or(&[]);
        let serial_len = after_letters.len();
        let all_digits = after_letters.iter().all(char::is_ascii_digit);
        // The series may end in one digit; what follows is the 4- or 5-digit serial number.
        let valid = locality_ok
            && (1..=2).contains(&letters)
            && all_digits
            && (4..=6).contains(&serial_len);
        if valid {
            Ok(Self(s))
        } else {
            Err(FormError::VehiclePlateInvalid)
        }
    }
}

impl TaxCode {
    /// Accepts 10 digits, 13 digits as `10-3` (a branch; written with or without the dash), or
    /// the 12-digit personal identification number (the personal tax code since 1 July 2025).
    pub fn parse(input: &str) -> Result<Self, FormError> {
        let s: String = input
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let digits: String = s.chars().filter(|c| *c != '-').collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) || s.matches('-').count() > 1 {
            return Err(FormError::TaxCodeInvalid);
        }
        let dash_at = s.find('-');
        match (digits.len(), dash_at) {
            (10 | 12, None) => Ok(Self(digits)),
            (13, None | Some(10)) => digits
                .split_at_checked(10)
                .map(|(main, branch)| Self(format!("{main}-{branch}")))
                .ok_or(FormError::TaxCodeInvalid),
            _ => Err(FormError::TaxCodeInvalid),
        }
    }
}

/// The most vehicle registrations one enrollment integrates.
pub const MAX_VEHICLE_PLATES: usize = 5;

/// The form as typed: every field a string, empty meaning "not given".
#[derive(Default, Zeroize, ZeroizeOnDrop)]
pub struct RawForm {
    /// Mobile phone (required).
    pub phone: String,
    /// E-mail (optional).
    pub email: String,
    /// Health-insurance number (optional).
    pub health_insurance: String,
    /// Driving licence number (optional).
    pub driving_licence: String,
    /// Vehicle registration plates (optional, at most 5).
    pub vehicle_plates: Vec<String>,
    /// Tax code (optional).
    pub tax_code: String,
}

/// A checked enrollment form.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentForm {
    phone: MobilePhone,
    email: Option<Email>,
    health_insurance: Option<HealthInsuranceNumber>,
    driving_licence: Option<DrivingLicenceNumber>,
    vehicle_plates: Vec<VehiclePlate>,
    tax_code: Option<TaxCode>,
}

fn optional<T>(
    s: &str,
    parse: fn(&str) -> Result<T, FormError>,
    errors: &mut Vec<FormError>,
) -> Option<T> {
    if s.trim().is_empty() {
        return None;
    }
    parse(s).map_err(|e| errors.push(e)).ok()
}

impl EnrollmentForm {
    /// Checks every field and reports every error at once, in field order.
    pub fn parse(raw: &RawForm) -> Result<Self, Vec<FormError>> {
        let mut errors = Vec::new();
        let phone = MobilePhone::parse(&raw.phone)
            .map_err(|e| errors.push(e))
            .ok();
        let email = optional(&raw.email, Email::parse, &mut errors);
        let health_insurance = optional(
            &raw.health_insurance,
            HealthInsuranceNumber::parse,
            &mut errors,
        );
        let driving_licence = optional(
            &raw.driving_licence,
            DrivingLicenceNumber::parse,
            &mut errors,
        );
        let plates: Vec<&String> = raw
            .vehicle_plates
            .iter()
            .filter(|p| !p.trim().is_empty())
            .collect();
        if plates.len() > MAX_VEHICLE_PLATES {
            errors.push(FormError::TooManyVehiclePlates);
        }
        let vehicle_plates: Vec<VehiclePlate> = plates
            .iter()
            .filter_map(|p| VehiclePlate::parse(p).map_err(|e| errors.push(e)).ok())
            .collect();
        let tax_code = optional(&raw.tax_code, TaxCode::parse, &mut errors);
        match phone {
            Some(phone) if errors.is_empty() => Ok(Self {
                phone,
                email,
                health_insurance,
                driving_licence,
                vehicle_plates,
                tax_code,
            }),
            _ => Err(errors),
        }
    }

    /// The mobile phone.
    pub fn phone(&self) -> &MobilePhone {
        &self.phone
    }

    /// The e-mail, if given.
    pub fn email(&self) -> Option<&Email> {
        self.email.as_ref()
    }

    /// The health-insurance number, if given.
    pub fn health_insurance(&self) -> Option<&HealthInsuranceNumber> {
        self.health_insurance.as_ref()
    }

    /// The driving licence number, if given.
    pub fn driving_licence(&self) -> Option<&DrivingLicenceNumber> {
        self.driving_licence.as_ref()
    }

    /// The vehicle registration plates to integrate.
    pub fn vehicle_plates(&self) -> &[VehiclePlate] {
        &self.vehicle_plates
    }

    /// The tax code, if given.
    pub fn tax_code(&self) -> Option<&TaxCode> {
        self.tax_code.as_ref()
    }
}

impl fmt::Debug for EnrollmentForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnrollmentForm")
            .field("email", &self.email.is_some())
            .field("health_insurance", &self.health_insurance.is_some())
            .field("driving_licence", &self.driving_licence.is_some())
            .field("vehicle_plates", &self.vehicle_plates.len())
            .field("tax_code", &self.tax_code.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample_form() -> EnrollmentForm {
        let raw = RawForm {
            phone: "+84 912 345 678".to_owned(),
            email: "an.nguyen@example.vn".to_owned(),
            health_insurance: "DN4797915403385".to_owned(),
            driving_licence: "012345678901".to_owned(),
            vehicle_plates: vec!["29A-123.45".to_owned(), "59X3-123.45".to_owned()],
            tax_code: "0101234567".to_owned(),
        };
        EnrollmentForm::parse(&raw).expect("valid fixture")
    }

    fn phone(s: &str) -> Result<String, FormError> {
        MobilePhone::parse(s).map(|p| p.as_str().to_owned())
    }

    #[test]
    fn mobile_numbers_are_normalised_to_ten_digits() {
        assert_eq!(phone("0912345678"), Ok("0912345678".into()));
        assert_eq!(phone("0912 345 678"), Ok("0912345678".into()));
        assert_eq!(phone("091.234.5678"), Ok("0912345678".into()));
        assert_eq!(phone("+84 912 345 678"), Ok("0912345678".into()));
        assert_eq!(phone("(+84) 0383-456-789"), Ok("0383456789".into()));
        for prefix in ["03", "05", "07", "08", "09"] {
            assert!(phone(&format!("{prefix}12345678")).is_ok(), "{prefix}");
        }
    }

    #[test]
    fn non_mobile_or_malformed_numbers_are_refused() {
        assert_eq!(phone(""), Err(FormError::PhoneMissing));
        assert_eq!(phone("   "), Err(FormError::PhoneMissing));
        assert_eq!(phone("09123a5678"), Err(FormError::PhoneCharacters));
        assert_eq!(phone("+1 912 345 678"), Err(FormError::PhoneCharacters));
        assert_eq!(phone("091234567"), Err(FormError::PhoneLength));
        assert_eq!(phone("09123456789"), Err(FormError::PhoneLength));
        assert_eq!(phone("0243 826 4545"), Err(FormError::PhoneLength));
        assert_eq!(phone("0212345678"), Err(FormError::PhoneNotMobile));
        assert_eq!(phone("0112345678"), Err(FormError::PhoneNotMobile));
        assert_eq!(phone("+84 212 345 678"), Err(FormError::PhoneNotMobile));
    }

    #[test]
    fn email_addresses_are_checked_and_domain_lowercased() {
        assert_eq!(
            Email::parse(" An.Nguyen@Example.VN ").map(|e| e.as_str().to_owned()),
            Ok("An.Nguyen@example.vn".into())
        );
        for bad in [
            "an",
            "an@",
            "@example.vn",
            "an@example",
            "an@@example.vn",
            "an nguyen@example.vn",
            "an@example.v",
            "an@-example.vn",
            "an..b@example.vn",
            "an@exa mple.vn",
            "an@ví-dụ.vn",
        ] {
            assert_eq!(
                Email::parse(bad).err(),
                Some(FormError::EmailInvalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn health_insurance_accepts_both_number_forms() {
        let ok = HealthInsuranceNumber::parse("dn 4 79 7915403385").expect("card code");
        assert_eq!(ok.as_str(), "DN4797915403385");
        assert_eq!(ok.social_insurance_number(), "7915403385");
        assert!(HealthInsuranceNumber::parse("7915403385").is_ok());
        for bad in [
            "791540338",
            "DN9797915403385",
            "D14797915403385",
            "79154033851",
        ] {
            assert_eq!(
                HealthInsuranceNumber::parse(bad).err(),
                Some(FormError::HealthInsuranceInvalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn driving_licence_must_be_twelve_digits() {
        assert!(DrivingLicenceNumber::parse("0123 4567 8901").is_ok());
        assert_eq!(
            DrivingLicenceNumber::parse("01234567890").err(),
            Some(FormError::DrivingLicenceInvalid)
        );
        assert_eq!(
            DrivingLicenceNumber::parse("AB3456789012").err(),
            Some(FormError::DrivingLicenceInvalid)
        );
    }

    #[test]
    fn vehicle_plates_of_cars_and_motorbikes_are_accepted() {
        for (input, normal) in [
            ("29A-123.45", "29A12345"),
            ("30e-1234", "30E1234"),
            ("29LD-123.45", "29LD12345"),
            ("59X3-123.45", "59X312345"),
            ("29AA 123.45", "29AA12345"),
            ("29MĐ1-123.45", "29MĐ112345"),
        ] {
            assert_eq!(
                VehiclePlate::parse(input).map(|p| p.as_str().to_owned()),
                Ok(normal.to_owned()),
                "{input}"
            );
        }
        for bad in [
            "A29-12345",
            "05A-12345",
            "29-12345",
            "29ABC-12345",
            "29A-123",
            "29A-1234567",
        ] {
            assert_eq!(
                VehiclePlate::parse(bad).err(),
                Some(FormError::VehiclePlateInvalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn tax_codes_of_all_three_shapes_are_accepted() {
        let tax = |s: &str| TaxCode::parse(s).map(|t| t.as_str().to_owned());
        assert_eq!(tax("0101234567"), Ok("0101234567".into()));
        assert_eq!(tax("0101234567-001"), Ok("0101234567-001".into()));
        assert_eq!(tax("0101234567001"), Ok("0101234567-001".into()));
        assert_eq!(tax("001090123456"), Ok("001090123456".into()));
        for bad in [
            "010123456",
            "01012345-67001",
            "0101234567-01",
            "01012345678",
            "A101234567",
        ] {
            assert_eq!(tax(bad), Err(FormError::TaxCodeInvalid), "{bad}");
        }
    }

    #[test]
    fn whole_form_reports_every_bad_field_and_ignores_empty_optionals() {
        let mut raw = RawForm::default();
        raw.phone = "12345".into();
        raw.email = "not-an-email".into();
        raw.tax_code = "  ".into();
        raw.vehicle_plates = vec!["".into(), "29A-12345".into()];
        let errors = EnrollmentForm::parse(&raw).err().unwrap_or_default();
        assert_eq!(
            errors,
            vec![FormError::PhoneLength, FormError::EmailInvalid]
        );
        let mut minimal = RawForm::default();
        minimal.phone = "0912345678".into();
        let form = EnrollmentForm::parse(&minimal).map_err(|e| e.len());
        assert_eq!(form.as_ref().map(|f| f.email().is_none()), Ok(true));
    }

    #[test]
    fn every_error_has_both_languages_and_never_echoes_input() {
        let errors = [
            FormError::PhoneMissing,
            FormError::PhoneCharacters,
            FormError::PhoneLength,
            FormError::PhoneNotMobile,
            FormError::EmailInvalid,
            FormError::HealthInsuranceInvalid,
            FormError::DrivingLicenceInvalid,
            FormError::VehiclePlateInvalid,
            FormError::TooManyVehiclePlates,
            FormError::TaxCodeInvalid,
        ];
        for e in errors {
            assert!(!e.to_string().is_empty());
            assert!(!e.message_vi().is_empty());
            assert_ne!(e.to_string(), e.message_vi());
        }
    }

    #[test]
    fn debug_of_form_shows_no_personal_data() {
        let shown = format!("{:?} {:?}", sample_form(), sample_form().phone());
        for secret in [
            "0912345678",
            "an.nguyen",
            "7915403385",
            "29A12345",
            "0101234567",
        ] {
            assert!(!shown.contains(secret), "{secret} leaked");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_input_is_an_error_or_a_value_that_normalises_to_itself(input in "\\PC{0,40}") {
            macro_rules! idempotent {
                ($t:ty) => {
                    if let Ok(v) = <$t>::parse(&input) {
                        let again = <$t>::parse(v.as_str()).map(|w| w.as_str().to_owned());
                        proptest::prop_assert_eq!(again, Ok(v.as_str().to_owned()));
                    }
                };
            }
            idempotent!(MobilePhone);
            idempotent!(Email);
            idempotent!(HealthInsuranceNumber);
            idempotent!(DrivingLicenceNumber);
            idempotent!(VehiclePlate);
            idempotent!(TaxCode);
        }

        #[test]
        fn digit_strings_with_separators_never_panic(input in "[0-9+ .()-]{0,20}") {
            let _ = MobilePhone::parse(&input);
            let _ = TaxCode::parse(&input);
            let _ = DrivingLicenceNumber::parse(&input);
        }
    }
}
