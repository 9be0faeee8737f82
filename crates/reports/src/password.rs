//! The VNeID activation rules a citizen must meet, checked before they type them into the app
//! (seed 003, steps 4 and 5):
//!
//! - **password**: 8 to 20 characters, with at least one digit, one upper-case letter, one
//!   lower-case letter and one of the special characters `! @ # $ ^ * ( ) _ –` (the seed's
//!   list; `–` is the en dash U+2013 as the brief writes it, the ASCII hyphen is *not* in it);
//! - **passcode**: exactly 6 digits, avoiding the birthday and digits too easy to guess.
//!
//! Nothing here stores or logs what is checked.

/// The special characters the password needs one of, exactly as listed.
pub const SPECIALS: [char; 10] = ['!', '@', '#', '$', '^', '*', '(', ')', '_', '–'];
/// Shortest password, in characters.
pub const MIN_LEN: usize = 8;
/// Longest password, in characters.
pub const MAX_LEN: usize = 20;

/// A requirement the password misses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordProblem {
    /// Fewer than 8 characters.
    TooShort,
    /// More than 20 characters.
    TooLong,
    /// No digit 0–9.
    NoDigit,
    /// No upper-case letter.
    NoUpper,
    /// No lower-case letter.
    NoLower,
    /// None of [`SPECIALS`].
    NoSpecial,
}

impl PasswordProblem {
    /// What to tell the citizen.
    pub fn message(self, lang: crate::locale::Lang) -> &'static str {
        use crate::locale::Lang::*;
        match (self, lang) {
            (Self::TooShort, Vi) => "Mật khẩu phải có ít nhất 8 ký tự.",
            (Self::TooLong, Vi) => "Mật khẩu chỉ được tối đa 20 ký tự.",
            (Self::NoDigit, Vi) => "Thêm ít nhất một chữ số (0–9).",
            (Self::NoUpper, Vi) => "Thêm ít nhất một chữ viết hoa.",
            (Self::NoLower, Vi) => "Thêm ít nhất một chữ viết thường.",
            (Self::NoSpecial, Vi) => "Thêm ít nhất một ký tự đặc biệt: ! @ # $ ^ * ( ) _ –",
            (Self::TooShort, En) => "The password needs at least 8 characters.",
            (Self::TooLong, En) => "The password may have at most 20 characters.",
            (Self::NoDigit, En) => "Add at least one digit (0–9).",
            (Self::NoUpper, En) => "Add at least one upper-case letter.",
            (Self::NoLower, En) => "Add at least one lower-case letter.",
            (Self::NoSpecial, En) => "Add at least one special character: ! @ # $ ^ * ( ) _ –",
        }
    }
}

/// Every requirement `password` misses, in the order of the rule; empty means it is accepted.
pub fn check_password(password: &str) -> Vec<PasswordProblem> {
    let len = password.chars().count();
    let mut problems = Vec::new();
    if len < MIN_LEN {
        problems.push(PasswordProblem::TooShort);
    }
    if len > MAX_LEN {
        problems.push(PasswordProblem::TooLong);
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        problems.push(PasswordProblem::NoDigit);
    }
    if !password.chars().any(char::is_uppercase) {
        problems.push(PasswordProblem::NoUpper);
    }
    if !password.chars().any(char::is_lowercase) {
        problems.push(PasswordProblem::NoLower);
    }
    if !password.chars().any(|c| SPECIALS.contains(&c)) {
        problems.push(PasswordProblem::NoSpecial);
    }
    problems
}

/// Why a passcode is refused or discouraged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasscodeProblem {
    /// Not exactly six digits 0–9.
    NotSixDigits,
    /// Made from the birthday (ddmmyy, mmddyy, yymmdd, ddmmyy…): the app asks to avoid it.
    Birthday,
    /// One digit repeated, or a run such as 123456 or 987654: too easy to guess.
    TooEasy,
}

impl PasscodeProblem {
    /// What to tell the citizen.
    pub fn message(self, lang: crate::locale::Lang) -> &'static str {
        use crate::locale::Lang::*;
        match (self, lang) {
            (Self::NotSixDigits, Vi) => "Passcode gồm đúng 6 chữ số từ 0 đến 9.",
            (Self::Birthday, Vi) => "Tránh dùng các chữ số của ngày sinh nhật.",
            (Self::TooEasy, Vi) => "Passcode quá dễ đoán; hãy chọn dãy số khác.",
            (Self::NotSixDigits, En) => "The passcode is exactly 6 digits from 0 to 9.",
            (Self::Birthday, En) => "Avoid the digits of your birthday.",
            (Self::TooEasy, En) => "This passcode is too easy to guess; choose other digits.",
        }
    }
}

/// Checks a 6-digit passcode; `birth` is the citizen's date of birth `(year, month, day)` when
/// known (read from the chip or QR), to refuse passcodes made from it.
pub fn check_passcode(passcode: &str, birth: Option<(u16, u8, u8)>) -> Result<(), PasscodeProblem> {
    let digits: Vec<u8> = passcode.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    if digits.len() != 6 || digits.iter().any(|&d| d > 9) {
        return Err(PasscodeProblem::NotSixDigits);
    }
    if let Some((y, m, d)) = birth {
        let (dd, mm, yy, yyyy) = (
            format!("{d:02}"),
            format!("{m:02}"),
            format!("{:02}", y % 100),
            format!("{y:04}"),
        );
        let forms = [
            format!("{dd}{mm}{yy}"),
            format!("{mm}{dd}{yy}"),
            format!("{yy}{mm}{dd}"),
            format!("{yy}{dd}{mm}"),
            format!("{dd}{yyyy}"),
            format!("{mm}{yyyy}"),
            format!("{yyyy}{mm}"),
            format!("{dd}{mm}{:02}", (y / 100) % 100),
        ];
        if forms.iter().any(|f| f == passcode) {
            return Err(PasscodeProblem::Birthday);
        }
    }
    let steps: Vec<i16> = digits
        .windows(2)
        .map(|w| match w {
            [a, b] => i16::from(*b) - i16::from(*a),
            _ => 0,
        })
        .collect();
    let all_same = steps.iter().all(|&s| s == 0);
    let run_up = steps.iter().all(|&s| s == 1);
    let run_down = steps.iter().all(|&s| s == -1);
    if all_same || run_up || run_down {
        return Err(PasscodeProblem::TooEasy);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn passwords_meeting_the_rule_are_accepted() {
        assert_eq!(check_password("Abcdef1!"), vec![]);
        assert_eq!(check_password("VNeID(2025)kichhoat"), vec![]);
        assert_eq!(check_password("Mật_Khẩu9"), vec![]);
        assert_eq!(check_password("aB3–aaaa"), vec![]);
        assert_eq!(check_password("Aa1^Aa1^Aa1^Aa1^Aa1^"), vec![]);
    }

    #[test]
    fn each_missing_requirement_is_named() {
        use PasswordProblem::*;
        assert_eq!(check_password("Ab1!"), vec![TooShort]);
        assert_eq!(check_password("Aa1!Aa1!Aa1!Aa1!Aa1!x"), vec![TooLong]);
        assert_eq!(check_password("abcdefg1!"), vec![NoUpper]);
        assert_eq!(check_password("ABCDEFG1!"), vec![NoLower]);
        assert_eq!(check_password("Abcdefgh!"), vec![NoDigit]);
        assert_eq!(check_password("Abcdefgh1"), vec![NoSpecial]);
        // The ASCII hyphen, '%', '&' and '.' are not in the seed's list.
        assert_eq!(check_password("Abcdefg1-"), vec![NoSpecial]);
        assert_eq!(check_password("Abcdefg1%&."), vec![NoSpecial]);
        assert_eq!(
            check_password(""),
            vec![TooShort, NoDigit, NoUpper, NoLower, NoSpecial]
        );
    }

    #[test]
    fn passcodes_birthdays_and_easy_runs_are_refused() {
        let birth = Some((1990, 3, 7));
        assert_eq!(check_passcode("482913", birth), Ok(()));
        assert_eq!(
            check_passcode("070390", birth),
            Err(PasscodeProblem::Birthday)
        );
        assert_eq!(
            check_passcode("900307", birth),
            Err(PasscodeProblem::Birthday)
        );
        assert_eq!(
            check_passcode("031990", birth),
            Err(PasscodeProblem::Birthday)
        );
        assert_eq!(check_passcode("070390", None), Ok(()));
        assert_eq!(
            check_passcode("111111", None),
            Err(PasscodeProblem::TooEasy)
        );
        assert_eq!(
            check_passcode("123456", None),
            Err(PasscodeProblem::TooEasy)
        );
        assert_eq!(
            check_passcode("876543", None),
            Err(PasscodeProblem::TooEasy)
        );
        assert_eq!(
            check_passcode("12345", None),
            Err(PasscodeProblem::NotSixDigits)
        );
        assert_eq!(
            check_passcode("12a456", None),
            Err(PasscodeProblem::NotSixDigits)
        );
        assert_eq!(
            check_passcode("١٢٣٤٥٦", None),
            Err(PasscodeProblem::NotSixDigits)
        );
    }

    /// The rule written a second time, independently, as one boolean.
    fn oracle(p: &str) -> bool {
        let n = p.chars().count();
        (8..=20).contains(&n)
            && p.chars().any(|c| c.is_ascii_digit())
            && p.chars().any(|c| c.is_uppercase())
            && p.chars().any(|c| c.is_lowercase())
            && p.chars().any(|c| "!@#$^*()_–".contains(c))
    }

    fn alphabet() -> impl Strategy<Value = char> {
        prop_oneof![
            proptest::char::range('a', 'z'),
            proptest::char::range('A', 'Z'),
            proptest::char::range('0', '9'),
            proptest::sample::select(vec![
                '!', '@', '#', '$', '^', '*', '(', ')', '_', '–', '-', '%', '&', '.', ' ', 'ă',
                'Đ', 'ệ', 'Ơ', '~'
            ]),
        ]
    }

    proptest! {
        #[test]
        fn the_checker_accepts_exactly_what_the_rule_allows(
            chars in proptest::collection::vec(alphabet(), 0..26)
        ) {
            let p: String = chars.into_iter().collect();
            let problems = check_password(&p);
            prop_assert_eq!(problems.is_empty(), oracle(&p));
            let n = p.chars().count();
            prop_assert_eq!(problems.contains(&PasswordProblem::TooShort), n < 8);
            prop_assert_eq!(problems.contains(&PasswordProblem::TooLong), n > 20);
        }

        #[test]
        fn adding_a_missing_class_removes_exactly_that_problem(
            chars in proptest::collection::vec(proptest::char::range('a', 'z'), 8..12)
        ) {
            let base: String = chars.into_iter().collect();
            let before = check_password(&base);
            prop_assert_eq!(before, vec![
                PasswordProblem::NoDigit, PasswordProblem::NoUpper, PasswordProblem::NoSpecial
            ]);
            let fixed = format!("{base}7Q(");
            prop_assert_eq!(check_password(&fixed), vec![]);
        }

        #[test]
        fn arbitrary_text_never_panics_the_checkers(s in ".*", y in 1900u16..2100, m in 1u8..13, d in 1u8..32) {
            let _ = check_password(&s);
            let _ = check_passcode(&s, Some((y, m, d)));
        }
    }
}
