// The card step in headless Chromium with the Tauri core mocked, its events included: live
// reader state, typed dates, progress per file, names before the portrait, each verdict with
// what to do in each mode, each error as its sentence, a lifted card that resumes, the wipe.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { byId, calls, kioskSuite, passPortrait } from "./harness.mjs";

const suite = kioskSuite();

const ID = "001090012345";
const HOLDER = {
  fullName: "Nguyễn Văn A",
  idNumber: ID,
  dateOfBirth: "01/01/1990",
  gender: "male",
  placeOfOrigin: "Xã Phù Đổng, Huyện Gia Lâm, Hà Nội",
  placeOfResidence: "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
  dateOfExpiry: "01/01/2030",
};
// A real JPEG (a recorded camera frame, 640 x 480), so the chip portrait really decodes.
const JPEG = [
  ...readFileSync(
    fileURLToPath(new URL("../../assets/frames/qr/00-nguyen-van-a-640x480.jpg", import.meta.url)),
  ),
];

async function open(options = {}) {
  return suite.open({
    shell: { mode: "self-service", ...options.shell },
    ...options,
  });
}

async function text(page, id) {
  return (await byId(page, id).textContent())?.trim();
}

async function typeDigits(page, digits) {
  for (const d of digits) await byId(page, `digits-key-${d}`).click();
}

/** Self-service: welcome, consent, the ID, to the card screen. */
async function toCardScreen(page) {
  await byId(page, "welcome-start").click();
  await byId(page, "consent-agree").click();
  await typeDigits(page, ID);
  await byId(page, "id-continue").click();
  await byId(page, "screen-card").waitFor();
}

async function typeDates(page, birth = "01011990", expiry = "01012030") {
  await byId(page, "card-dob").click();
  await typeDigits(page, birth);
  await byId(page, "card-expiry").click();
  await typeDigits(page, expiry);
}

function emit(page, event, payload) {
  return page.evaluate(([e, p]) => window.__mock.emit(e, p), [event, payload]);
}

async function startRead(page) {
  await typeDates(page);
  await byId(page, "card-read").click();
  await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === "card_read_typed"));
  return page.evaluate(() => window.__mock.lastReadId);
}

function result(readId, fields) {
  return {
    readId,
    error: null,
    verdict: null,
    action: null,
    holder: null,
    portrait: null,
    expired: false,
    ...fields,
  };
}

describe("card screen", () => {
  test("shows the reader's state live, in both languages", async () => {
    const { page, errors } = await open({ cardState: { state: "no_reader", reader: null } });
    await toCardScreen(page);
    assert.equal(
      await text(page, "card-reader-state"),
      "Không tìm thấy đầu đọc thẻ — hãy kiểm tra cáp USB của đầu đọc.",
    );
    await emit(page, "card-state", { state: "waiting", reader: "Virtual PCD 00 00" });
    assert.equal(
      await text(page, "card-reader-state"),
      "Đầu đọc sẵn sàng — hãy đặt thẻ lên đầu đọc.",
    );
    await emit(page, "card-state", { state: "present", reader: "Virtual PCD 00 00" });
    await byId(page, "lang-en").click();
    assert.equal(await text(page, "card-reader-state"), "Card detected on the reader.");
    await emit(page, "card-state", { state: "service_down", reader: null });
    assert.equal(
      await text(page, "card-reader-state"),
      "The card-reading service (PC/SC) is not running — tell the administrator.",
    );
    assert.deepEqual(errors, []);
  });

  test("refuses dates that are not 8 digits without asking the core", async () => {
    const { page } = await open();
    await toCardScreen(page);
    await typeDates(page, "0101199", "01012030");
    await byId(page, "card-read").click();
    assert.equal(
      await text(page, "card-error"),
      "Mỗi ngày cần đủ 8 chữ số: ngày, tháng, năm (ví dụ 01011990). Hãy kiểm tra lại các số in trên thẻ.",
    );
    assert.equal(await byId(page, "card-dob").getAttribute("aria-invalid"), "true");
    assert.deepEqual(await calls(page, "card_read_typed"), []);
  });

  test("a read shows each file's progress, the names before the portrait, then the verdict", async () => {
    const { page, errors } = await open();
    await toCardScreen(page);
    const readId = await startRead(page);
    assert.deepEqual(
      (await calls(page, "card_read_typed")).map((c) => c.args),
      [{ dateOfBirth: "01011990", dateOfExpiry: "01012030" }],
    );
    assert.equal(await byId(page, "card-read").isDisabled(), true);
    await emit(page, "card-progress", { stage: "opening", readId, attempt: 1, of: 2 });
    assert.equal(await text(page, "card-progress-text"), "Đang mở chip (khóa 1/2)…");
    await emit(page, "card-progress", {
      stage: "file",
      readId,
      file: "DG13",
      read: 223,
      total: 392,
    });
    assert.equal(await text(page, "card-progress-file"), "Thông tin cá nhân");
    assert.equal(await text(page, "card-progress-bytes"), "223/392 byte");
    await emit(page, "card-progress", { stage: "holder", readId, holder: HOLDER });
    assert.equal(await text(page, "card-holder-name"), "Nguyễn Văn A");
    assert.equal(await text(page, "card-holder-id"), ID);
    assert.equal(await byId(page, "card-portrait").isVisible(), false, "portrait not yet read");
    await emit(page, "card-progress", {
      stage: "file",
      readId,
      file: "DG2",
      read: 4096,
      total: 12103,
    });
    assert.equal(await text(page, "card-progress-file"), "Ảnh chân dung");
    await byId(page, "lang-en").click();
    assert.equal(await text(page, "card-progress-file"), "Portrait");
    assert.equal(await text(page, "card-progress-bytes"), "4096/12103 bytes");
    await emit(page, "card-progress", { stage: "verifying", readId });
    assert.equal(
      await text(page, "card-progress-text"),
      "Read complete. Checking whether the card is genuine…",
    );
    await emit(
      page,
      "card-result",
      result(readId, {
        verdict: "genuine",
        action: "continue",
        holder: HOLDER,
        portrait: { format: "jpeg", mime: "image/jpeg", width: 640, height: 480, bytes: JPEG },
      }),
    );
    assert.equal(await byId(page, "card-progress").isVisible(), false);
    assert.equal(await byId(page, "card-verdict").getAttribute("data-verdict"), "genuine");
    assert.match(await text(page, "card-verdict-text"), /^Genuine card/);
    assert.equal(await text(page, "card-action"), "The card is verified. You can continue.");
    const decoded = await byId(page, "card-portrait-image").evaluate((img) =>
      img.decode().then(() => [img.src.slice(0, 5), img.naturalWidth]),
    );
    assert.deepEqual(decoded, ["blob:", 640]);
    await byId(page, "card-continue").click();
    await passPortrait(page);
    assert.deepEqual(errors, []);
  });

  test("after a genuine card: the form's errors inline from the core, the review, the done screen, the wipe", async () => {
    const { page, errors } = await open();
    await toCardScreen(page);
    const readId = await startRead(page);
    await emit(
      page,
      "card-result",
      result(readId, { verdict: "genuine", action: "continue", holder: HOLDER }),
    );
    await byId(page, "card-continue").click();
    await passPortrait(page);
    await byId(page, "form-group-thon-dong").waitFor();
    await byId(page, "form-continue").click();
    await byId(page, "form-error-phone").waitFor();
    assert.equal(await text(page, "form-error-phone"), "Vui lòng nhập số điện thoại di động.");
    assert.equal(await byId(page, "form-phone").getAttribute("aria-invalid"), "true");
    assert.equal(
      await text(page, "form-error-group"),
      "Hãy chọn tổ dân phố / thôn nơi công dân cư trú.",
    );
    await byId(page, "lang-en").click();
    assert.equal(await text(page, "form-error-phone"), "enter a mobile phone number");
    await byId(page, "lang-vi").click();
    await byId(page, "form-phone").click();
    await typeDigits(page, "0912345678");
    await byId(page, "form-group-thon-dong").click();
    assert.equal(await byId(page, "form-group-thon-dong").getAttribute("aria-checked"), "true");
    await byId(page, "form-continue").click();
    await byId(page, "screen-review").waitFor();
    assert.equal(await text(page, "review-phone"), "0912345678");
    assert.equal(await text(page, "review-group"), "Thôn Đông");
    assert.equal(await text(page, "review-full-name"), "Nguyễn Văn A");
    assert.equal(await page.locator("h1").textContent(), "Xác nhận thông tin đăng ký");
    await byId(page, "review-edit").click();
    assert.equal(
      await byId(page, "form-phone").inputValue(),
      "0912345678",
      "the form keeps its values",
    );
    await byId(page, "form-continue").click();
    await byId(page, "review-confirm").click();
    await byId(page, "screen-done").waitFor();
    assert.equal(await text(page, "done-number"), "01900000-0000-7000-8000-000000000001");
    assert.match(await text(page, "done-next-steps"), /OTP/);
    const submitted = await calls(page, "enrollment_submit");
    assert.equal(submitted.length, 1);
    assert.equal(submitted[0].args.form.group, "thon-dong");
    assert.equal(submitted[0].args.form.phone, "0912345678");
    await byId(page, "done-finish").click();
    await byId(page, "screen-welcome").waitFor();
    assert.equal(
      await page.evaluate(() => document.body.innerHTML.includes("0912345678")),
      false,
      "the wipe leaves no typed phone in the page",
    );
    assert.deepEqual(errors, []);
  });

  test("a card lifted mid-read is named, and the read goes on when it is placed again", async () => {
    const { page } = await open();
    await toCardScreen(page);
    const readId = await startRead(page);
    await emit(page, "card-progress", {
      stage: "file",
      readId,
      file: "DG2",
      read: 6000,
      total: 12103,
    });
    await emit(page, "card-result", result(readId, { error: "card.removed" }));
    assert.equal(
      await text(page, "card-error"),
      "Thẻ đã bị nhấc khỏi đầu đọc khi đang đọc. Hãy đặt lại thẻ và giữ yên: máy sẽ đọc tiếp từ chỗ dừng.",
    );
    assert.equal(await byId(page, "card-read").isDisabled(), true, "the read is still under way");
    assert.equal(await byId(page, "card-progress").isVisible(), true);
    assert.equal(await text(page, "card-progress-text"), "Đang chờ thẻ trên đầu đọc…");
    await emit(page, "card-progress", {
      stage: "file",
      readId,
      file: "DG2",
      read: 8192,
      total: 12103,
    });
    assert.equal(await byId(page, "card-error").isVisible(), false);
    assert.equal(await text(page, "card-progress-bytes"), "8192/12103 byte");
  });

  test("every read error is one sentence in each language, and a wrong key asks to check the dates", async () => {
    const { page } = await open();
    await toCardScreen(page);
    const sentences = {
      "card.wrong_key": [/^Chip không mở được/, /^The chip did not open/],
      "card.no_reader": [/^Không tìm thấy đầu đọc/, /^No card reader found/],
      "card.not_present": [/^Chưa có thẻ/, /^There is no card/],
      "card.blocked": [/^Chip đã tạm khóa/, /^The chip is temporarily locked/],
      "card.unreadable": [/mã QR trên thẻ/, /QR code on the card/],
      "card.reader_failure": [/^Đầu đọc thẻ gặp lỗi/, /^The card reader failed/],
      "card.unsupported_signature": [
        /chữ ký số của loại thẻ này/,
        /digital signature of this kind/,
      ],
    };
    await typeDates(page);
    for (const [code, [vi, en]] of Object.entries(sentences)) {
      await byId(page, "lang-vi").click();
      const readId = await page.evaluate(() => window.__mock.lastReadId + 1);
      await byId(page, "card-read").click();
      await page.waitForFunction((id) => window.__mock.lastReadId === id, readId);
      await emit(page, "card-result", result(readId, { error: code }));
      assert.match(await text(page, "card-error"), vi, code);
      await byId(page, "lang-en").click();
      assert.match(await text(page, "card-error"), en, code);
      assert.equal(await byId(page, "card-read").isDisabled(), false, code);
    }
  });

  test("the core's refusal of the typed dates is shown as its sentence", async () => {
    const { page } = await open();
    await page.evaluate(() => {
      window.__mock.failures.card_read_typed = "card.key.date_of_birth";
    });
    await toCardScreen(page);
    await typeDates(page, "31021990", "01012030");
    await byId(page, "card-read").click();
    await byId(page, "card-error").waitFor();
    assert.equal(
      await text(page, "card-error"),
      "Ngày sinh không có thật. Hãy nhập 8 chữ số: ngày, tháng, năm (ví dụ 01011990).",
    );
    assert.equal(await byId(page, "card-read").isDisabled(), false);
  });

  test("in self-service a card that is not genuine sends the citizen to the police, with no way on", async () => {
    const { page } = await open();
    await toCardScreen(page);
    await typeDates(page);
    for (const [verdict, action, sentence] of [
      ["issuer_unknown", "check_with_issuer", /^Chữ ký số hợp lệ, nhưng/],
      ["invalid", "refuse_and_report", /^Thẻ không hợp lệ/],
      ["clone_suspected", "refuse_and_report", /^Nghi chip sao chép/],
    ]) {
      const readId = await page.evaluate(() => window.__mock.lastReadId + 1);
      await byId(page, "card-read").click();
      await page.waitForFunction((id) => window.__mock.lastReadId === id, readId);
      await emit(page, "card-result", result(readId, { verdict, action, holder: HOLDER }));
      assert.match(await text(page, "card-verdict-text"), sentence, verdict);
      assert.equal(
        await text(page, "card-action"),
        "Máy không xác nhận được thẻ này. Hãy mang thẻ đến Công an xã, phường để được hỗ trợ.",
      );
      assert.equal(await byId(page, "card-continue").count(), 0, verdict);
    }
  });

  test("at the counter each verdict tells the officer what to do", async () => {
    // The mock core accepts the sign-in, as a core with operator accounts will.
    const { page } = await open({ shell: { mode: "counter" }, signInCode: null });
    await byId(page, "signin-operator").fill("cb01");
    await byId(page, "signin-pin").fill("1234");
    await byId(page, "signin-submit").click();
    await byId(page, "consent-agree").click();
    await typeDigits(page, ID);
    await byId(page, "id-continue").click();
    await byId(page, "screen-card").waitFor();
    await typeDates(page);
    for (const [verdict, action, officer, canContinue] of [
      ["genuine", "continue", "Cán bộ: tiếp tục đăng ký.", true],
      ["issuer_unknown", "check_with_issuer", /^Cán bộ: kiểm tra thẻ bằng mắt/, true],
      ["invalid", "refuse_and_report", /^Cán bộ: không đăng ký bằng thẻ này/, false],
      ["clone_suspected", "refuse_and_report", /^Cán bộ: không đăng ký bằng thẻ này/, false],
    ]) {
      const readId = await page.evaluate(() => window.__mock.lastReadId + 1);
      await byId(page, "card-read").click();
      await page.waitForFunction((id) => window.__mock.lastReadId === id, readId);
      await emit(page, "card-result", result(readId, { verdict, action, holder: HOLDER }));
      const shown = await text(page, "card-action");
      if (typeof officer === "string") assert.equal(shown, officer);
      else assert.match(shown, officer);
      assert.equal(await byId(page, "card-continue").count(), canContinue ? 1 : 0, verdict);
    }
  });

  test("an expired card is said so; in self-service there is no way on", async () => {
    const { page } = await open();
    await toCardScreen(page);
    const readId = await startRead(page);
    await emit(
      page,
      "card-result",
      result(readId, { verdict: "genuine", action: "continue", holder: HOLDER, expired: true }),
    );
    assert.equal(
      await text(page, "card-expired"),
      "Thẻ của bạn đã hết hạn. Hãy đến Công an xã, phường để cấp đổi thẻ.",
    );
    assert.equal(await byId(page, "card-continue").count(), 0);
    const readAgain = await page.evaluate(() => window.__mock.lastReadId + 1);
    await byId(page, "card-read").click();
    await page.waitForFunction((id) => window.__mock.lastReadId === id, readAgain);
    await emit(
      page,
      "card-result",
      result(readAgain, { verdict: "genuine", action: "continue", holder: HOLDER }),
    );
    assert.equal(await byId(page, "card-expired").count(), 0);
    assert.equal(await byId(page, "card-continue").count(), 1);
  });

  test("a JPEG 2000 portrait is said to be unviewable rather than shown broken", async () => {
    const { page } = await open();
    await toCardScreen(page);
    const readId = await startRead(page);
    await emit(
      page,
      "card-result",
      result(readId, {
        verdict: "genuine",
        action: "continue",
        holder: HOLDER,
        portrait: { format: "jpeg2000", mime: "image/jp2", width: 0, height: 0, bytes: null },
      }),
    );
    assert.match(await text(page, "card-portrait-unavailable"), /JPEG 2000/);
    assert.equal(await byId(page, "card-portrait-image").count(), 0);
  });

  test("events of another read are ignored", async () => {
    const { page } = await open();
    await toCardScreen(page);
    const readId = await startRead(page);
    await emit(page, "card-result", result(readId + 7, { verdict: "clone_suspected" }));
    assert.equal(await byId(page, "card-verdict").isVisible(), false);
    await emit(page, "card-progress", { stage: "holder", readId: readId - 1, holder: HOLDER });
    assert.equal(await byId(page, "card-holder").isVisible(), false);
  });

  test("cancel wipes the session and stops listening to the card worker", async () => {
    const { page } = await open();
    await toCardScreen(page);
    const readId = await startRead(page);
    await emit(page, "card-progress", { stage: "holder", readId, holder: HOLDER });
    const listening = () =>
      page.evaluate(() =>
        Object.entries(window.__mock.listeners)
          .filter(([event]) => event.startsWith("card-"))
          .reduce((n, [, l]) => n + Object.keys(l).length, 0),
      );
    assert.equal(await listening(), 3);
    await byId(page, "cancel").click();
    await byId(page, "screen-welcome").waitFor();
    assert.equal((await calls(page, "clear_session")).length, 1);
    assert.equal(await listening(), 0);
    assert.equal(
      await page.evaluate((name) => document.body.innerHTML.includes(name), HOLDER.fullName),
      false,
    );
  });
});

describe("card screen layout", () => {
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 1920, height: 1080 },
  ]) {
    test(`targets are at least 56 px and the actions stay on screen at ${viewport.width}x${viewport.height}`, async () => {
      // The header's longest states, as on a kiosk without camera or back office.
      const { page } = await open({
        viewport,
        shell: {
          camera: { state: "no_camera", detail: null },
          sync: { state: "refused", lastSyncAt: Date.now(), retryAt: Date.now() },
          queueWaiting: null,
        },
      });
      await toCardScreen(page);
      const check = async (where) => {
        const layout = await page.evaluate(() => {
          const inView = (id) => {
            const el = document.querySelector(`[data-testid="${id}"]`);
            if (!el || el.getClientRects().length === 0) return null;
            const r = el.getBoundingClientRect();
            const footer = document.querySelector('[data-testid="footer"]');
            const bottom = footer?.getBoundingClientRect().top ?? window.innerHeight;
            return r.bottom <= bottom && r.right <= window.innerWidth;
          };
          return {
            small: [...document.querySelectorAll("button, input")]
              .filter((el) => el.getClientRects().length > 0)
              .map((el) => [el.getAttribute("data-testid"), el.getBoundingClientRect()])
              .filter(([, r]) => r.width < 56 || r.height < 56)
              .map(([id]) => id),
            horizontalOverflow: document.documentElement.scrollWidth > window.innerWidth,
            read: inView("card-read"),
            keypad: inView("keypad"),
            proceed: inView("card-continue"),
            cancel: inView("cancel"),
          };
        });
        assert.deepEqual(layout.small, [], `targets under 56 px: ${where}`);
        assert.equal(layout.horizontalOverflow, false, where);
        assert.notEqual(layout.read, false, `read button below the fold: ${where}`);
        assert.notEqual(layout.cancel, false, `cancel below the fold: ${where}`);
        assert.notEqual(layout.keypad, false, `keypad off screen: ${where}`);
        assert.notEqual(layout.proceed, false, `continue below the fold: ${where}`);
      };
      for (const lang of ["vi", "en"]) {
        await byId(page, `lang-${lang}`).click();
        await check(`dates (${lang})`);
      }
      const wrong = await startRead(page);
      await emit(page, "card-result", result(wrong, { error: "card.wrong_key" }));
      for (const lang of ["vi", "en"]) {
        await byId(page, `lang-${lang}`).click();
        await check(`dates with an error (${lang})`);
      }
      const readId = await page.evaluate(() => window.__mock.lastReadId + 1);
      await byId(page, "card-read").click();
      await page.waitForFunction((id) => window.__mock.lastReadId === id, readId);
      await emit(page, "card-progress", { stage: "holder", readId, holder: HOLDER });
      await emit(page, "card-progress", {
        stage: "file",
        readId,
        file: "DG2",
        read: 10,
        total: 90,
      });
      await check("reading");
      await emit(
        page,
        "card-result",
        result(readId, {
          verdict: "genuine",
          action: "continue",
          holder: HOLDER,
          portrait: { format: "jpeg", mime: "image/jpeg", width: 640, height: 480, bytes: JPEG },
        }),
      );
      for (const lang of ["vi", "en"]) {
        await byId(page, `lang-${lang}`).click();
        await check(`verdict (${lang})`);
      }
    });
  }
});
