//! The activation guide of the seeds (seed 003 "Hướng dẫn kích hoạt định danh điện tử", seed 001
//! part II) as structured text, in Vietnamese and English, for the follow-up screen and the
//! printed sheet the officer hands to a citizen who was approved but never activated.

use crate::locale::Lang;
use crate::password;

/// One step of the guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideStep {
    /// 1-based.
    pub number: u8,
    /// Short title, e.g. `Nhập mã OTP`.
    pub title: &'static str,
    /// What to do, in one or two sentences.
    pub detail: String,
}

/// The guide's heading.
pub fn title(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Hướng dẫn kích hoạt tài khoản định danh điện tử mức 2 trên ứng dụng VNeID",
        Lang::En => "How to activate your level-2 electronic identification account in VNeID",
    }
}

/// The steps from opening VNeID to the success message.
pub fn activation_steps(lang: Lang) -> Vec<GuideStep> {
    let specials = password::SPECIALS
        .iter()
        .map(char::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    let (min, max) = (password::MIN_LEN, password::MAX_LEN);
    let steps: [(&'static str, String); 7] = match lang {
        Lang::Vi => [
            (
                "Mở ứng dụng VNeID",
                "Mở ứng dụng VNeID và chọn “Kích hoạt tài khoản định danh điện tử”.".into(),
            ),
            (
                "Nhập số định danh và số điện thoại",
                "Nhập số định danh cá nhân (số căn cước gắn chip) và số điện thoại đã dùng khi \
                 đăng ký, rồi chọn “Gửi yêu cầu”."
                    .into(),
            ),
            (
                "Nhập mã OTP",
                "Nhập mã OTP được gửi bằng tin nhắn SMS đến số điện thoại vừa nhập. Mã có hiệu \
                 lực trong thời gian ngắn; nếu hết hạn, chọn “Gửi lại mã”."
                    .into(),
            ),
            (
                "Thiết lập mật khẩu",
                format!(
                    "Mật khẩu từ {min} đến {max} ký tự, gồm chữ số, chữ viết hoa, chữ viết \
                     thường và ít nhất một ký tự đặc biệt: {specials}"
                ),
            ),
            (
                "Thiết lập passcode",
                "Passcode gồm 6 chữ số từ 0 đến 9. Tránh các chữ số liên quan tới ngày sinh \
                 nhật và các dãy số quá dễ đoán."
                    .into(),
            ),
            (
                "Thiết lập câu hỏi bảo mật",
                "Chọn 2 câu hỏi bảo mật trong danh sách và nhập câu trả lời; ghi nhớ câu trả \
                 lời (hệ thống phân biệt chữ hoa và chữ thường)."
                    .into(),
            ),
            (
                "Hoàn tất",
                "Ứng dụng báo “Bạn đã kích hoạt tài khoản định danh điện tử thành công”. Đăng \
                 nhập bằng số định danh cá nhân và mật khẩu vừa đặt."
                    .into(),
            ),
        ],
        Lang::En => [
            (
                "Open VNeID",
                "Open the VNeID app and choose “Activate electronic identification account”."
                    .into(),
            ),
            (
                "Enter your ID number and phone",
                "Enter your personal identification number (the chip ID card number) and the \
                 phone number given at enrollment, then choose “Send request”."
                    .into(),
            ),
            (
                "Enter the OTP",
                "Enter the one-time code sent by SMS to that phone. It expires after a few \
                 minutes; if it does, choose “Resend code”."
                    .into(),
            ),
            (
                "Set a password",
                format!(
                    "{min} to {max} characters, with a digit, an upper-case letter, a \
                     lower-case letter and at least one special character: {specials}"
                ),
            ),
            (
                "Set a passcode",
                "A passcode of 6 digits from 0 to 9. Avoid digits from your birthday and \
                 sequences that are easy to guess."
                    .into(),
            ),
            (
                "Set security questions",
                "Choose 2 security questions from the list and type the answers; remember them \
                 (upper and lower case count)."
                    .into(),
            ),
            (
                "Done",
                "The app says the electronic identification account was activated. Log in with \
                 your ID number and the new password."
                    .into(),
            ),
        ],
    };
    steps
        .into_iter()
        .zip(1u8..)
        .map(|((title, detail), number)| GuideStep {
            number,
            title,
            detail,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_seven_steps_in_order() {
        let vi = activation_steps(Lang::Vi);
        let en = activation_steps(Lang::En);
        assert_eq!(vi.len(), 7);
        assert_eq!(en.len(), 7);
        for (i, (a, b)) in vi.iter().zip(&en).enumerate() {
            assert_eq!(usize::from(a.number), i + 1);
            assert_eq!(a.number, b.number);
        }
        assert!(vi[2].title.contains("OTP") && en[2].title.contains("OTP"));
    }

    #[test]
    fn the_password_step_states_the_checkers_rule() {
        for lang in [Lang::Vi, Lang::En] {
            let step = &activation_steps(lang)[3];
            assert!(step.detail.contains("8") && step.detail.contains("20"));
            assert!(
                step.detail.ends_with("! @ # $ ^ * ( ) _ –"),
                "{}",
                step.detail
            );
        }
        assert!(activation_steps(Lang::Vi)[4].detail.contains("6 chữ số"));
        assert!(
            activation_steps(Lang::En)[5]
                .detail
                .contains("2 security questions")
        );
    }
}
