// The kiosk shell in headless Chromium with the Tauri core mocked: languages, modes, header
// states, keypad, sign-in errors, idle wipe, layout. Run with `npm test` (builds dist first).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { byId, calls, kioskSuite, passPortrait } from "./harness.mjs";

const { open } = kioskSuite();

async function typeDigits(page, digits) {
  for (const d of digits) await byId(page, `digits-key-${d}`).click();
}

async function text(page, id) {
  return (await byId(page, id).textContent())?.trim();
}

describe("languages", () => {
  test("renders in Vietnamese by default and in English after the switch, and back", async () => {
    const { page, errors } = await open({ shell: { mode: "self-service" } });
    assert.equal(await page.evaluate(() => document.documentElement.lang), "vi");
    assert.equal(await text(page, "welcome-title"), "Đăng ký tài khoản định danh điện tử mức 2");
    assert.equal(await text(page, "welcome-start"), "Bắt đầu");
    assert.equal(await text(page, "status-camera-text"), "Sẵn sàng");
    assert.equal(await byId(page, "lang-vi").getAttribute("aria-pressed"), "true");

    await byId(page, "lang-en").click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    assert.equal(
      await text(page, "welcome-title"),
      "Enroll for a level-2 electronic identification account",
    );
    assert.equal(await text(page, "welcome-start"), "Start");
    assert.equal(await text(page, "status-camera-text"), "Ready");
    assert.equal(await byId(page, "lang-en").getAttribute("aria-pressed"), "true");
    assert.equal(await byId(page, "lang-vi").getAttribute("aria-pressed"), "false");

    await byId(page, "lang-vi").click();
    assert.equal(await text(page, "welcome-start"), "Bắt đầu");
    assert.deepEqual(errors, []);
  });

  test("switching language keeps what was typed", async () => {
    const { page } = await open({ shell: { mode: "self-service" } });
    await byId(page, "welcome-start").click();
    await byId(page, "consent-agree").click();
    await typeDigits(page, "0790");
    await byId(page, "lang-en").click();
    assert.equal(await byId(page, "id-input").inputValue(), "0790");
    assert.equal(await text(page, "id-count"), "4/12 digits entered");
  });

  test("the configured language is the start language", async () => {
    const { page } = await open({ shell: { mode: "counter", language: "en" } });
    assert.equal(await text(page, "signin-submit"), "Sign in");
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  });

  test("every visible text on every screen is NFC", async () => {
    const { page } = await open({ shell: { mode: "self-service" } });
    const notNfc = () =>
      [...document.querySelectorAll("body *")]
        .flatMap((el) => [el.textContent ?? "", el.getAttribute("aria-label") ?? ""])
        .filter((s) => s !== s.normalize("NFC"));
    for (const step of [null, "welcome-start", "consent-agree"]) {
      if (step) await byId(page, step).click();
      for (const lang of ["vi", "en"]) {
        await byId(page, `lang-${lang}`).click();
        assert.deepEqual(await page.evaluate(notNfc), [], `after ${step} in ${lang}`);
      }
    }
  });
});

describe("modes", () => {
  test("counter mode starts on the operator sign-in screen", async () => {
    const { page } = await open({ shell: { mode: "counter" } });
    await byId(page, "screen-signin").waitFor();
    assert.equal(await byId(page, "screen-welcome").count(), 0);
    assert.equal(await text(page, "signin-submit"), "Đăng nhập");
    assert.equal(await byId(page, "shell").getAttribute("data-mode"), "counter");
    assert.equal(await byId(page, "keypad").isVisible(), true);
  });

  test("self-service starts on welcome, then consent with nothing pre-selected, then ID entry", async () => {
    const { page } = await open({ shell: { mode: "self-service" } });
    await byId(page, "screen-welcome").waitFor();
    assert.equal(await byId(page, "screen-signin").count(), 0);
    assert.equal(await byId(page, "keypad").count(), 0);

    await byId(page, "welcome-start").click();
    await byId(page, "screen-consent").waitFor();
    assert.equal(
      await page
        .locator("input:checked, [aria-pressed=true]:not(.lang-button), [aria-checked=true]")
        .count(),
      0,
    );
    assert.match(await text(page, "consent-why"), /^Mục đích: lập hồ sơ/);
    assert.equal(await text(page, "consent-agree"), "Đồng ý");
    assert.equal(await text(page, "consent-refuse"), "Không đồng ý");

    await byId(page, "consent-agree").click();
    await byId(page, "screen-id-entry").waitFor();
    assert.equal(await byId(page, "keypad").getAttribute("data-mode"), "digits");
  });

  test("refusing consent reads nothing, clears the session and returns to welcome", async () => {
    const { page } = await open({ shell: { mode: "self-service" } });
    await byId(page, "welcome-start").click();
    await byId(page, "consent-refuse").click();
    await byId(page, "screen-welcome").waitFor();
    assert.equal((await calls(page, "clear_session")).length, 1);
    const other = (await calls(page)).filter(
      (c) =>
        !["shell_state", "clear_session", "setup_status", "kiosk_mode"].includes(c.cmd) &&
        !(c.cmd === "plugin:event|listen" && c.args.event === "sync-status"),
    );
    assert.deepEqual(other, []);
  });
});

describe("frozen queue", () => {
  test("a frozen queue refuses consent on the start screen with what to do, and nothing is read", async () => {
    const { page, errors } = await open({ shell: { mode: "self-service" } });
    await byId(page, "welcome-start").click();
    await page.evaluate(() => {
      window.__mock.failures.session_consent = "queue.frozen_too_many";
    });
    await byId(page, "consent-agree").click();
    await byId(page, "consent-error").waitFor();
    assert.match(await text(page, "consent-error"), /^Máy tạm ngừng tiếp nhận hồ sơ mới/);
    assert.match(await text(page, "consent-error"), /vẫn an toàn.*kỹ thuật viên cấp huyện/);
    assert.equal(await byId(page, "screen-id-entry").count(), 0, "no step past consent");
    await byId(page, "lang-en").click();
    assert.match(await text(page, "consent-error"), /the district technician\.$/);
    for (const cmd of ["card_read_typed", "card_read_qr", "camera_start"]) {
      assert.deepEqual(await calls(page, cmd), [], cmd);
    }
    assert.deepEqual(errors, []);
  });
});

describe("header", () => {
  test("shows 'no reader found', no camera, back office unreachable and no queue honestly", async () => {
    const { page } = await open({
      shell: {
        reader: { state: "no_reader", detail: null },
        camera: { state: "no_camera", detail: null },
        sync: { state: "unreachable", detail: "backoffice.example.vn" },
        queueWaiting: null,
      },
    });
    assert.equal(await byId(page, "status-sync-detail").isVisible(), false, "no time to tell");
    assert.equal(await text(page, "device-name"), "UBND phường Thử Nghiệm");
    assert.equal(
      await text(page, "status-reader-text"),
      "Không tìm thấy đầu đọc thẻ — hãy kiểm tra cáp USB của đầu đọc",
    );
    assert.equal(await byId(page, "status-reader").getAttribute("data-level"), "problem");
    assert.equal(
      await text(page, "status-camera-text"),
      "Không tìm thấy camera — hãy kiểm tra cáp của camera",
    );
    assert.equal(
      await text(page, "status-sync-text"),
      "Mất kết nối — hồ sơ được giữ lại và tự gửi khi có kết nối",
    );
    assert.equal(await byId(page, "status-sync").getAttribute("data-level"), "warn");
    assert.equal(await text(page, "status-queue-text"), "Hàng đợi chưa được thiết lập");

    await byId(page, "lang-en").click();
    assert.equal(
      await text(page, "status-reader-text"),
      "No reader found — check the reader's USB cable",
    );
    assert.equal(
      await text(page, "status-camera-text"),
      "No camera found — check the camera's cable",
    );
    assert.equal(
      await text(page, "status-sync-text"),
      "Unreachable — packages are kept and sent when it is back",
    );
    assert.equal(await text(page, "status-queue-text"), "Queue not set up yet");
  });

  test("says when the PC/SC service is not running, and names an unknown state", async () => {
    const { page } = await open({
      shell: {
        reader: { state: "service_down", detail: null },
        camera: { state: "warming_up", detail: null },
      },
    });
    assert.equal(
      await text(page, "status-reader-text"),
      "Dịch vụ PC/SC chưa chạy — hãy báo quản trị viên khởi động lại dịch vụ",
    );
    await byId(page, "lang-en").click();
    assert.equal(
      await text(page, "status-reader-text"),
      "PC/SC service not running — ask the administrator to start it",
    );
    assert.equal(
      await text(page, "status-camera-text"),
      "Unknown state (warming_up) — tell the administrator",
    );
  });

  test("follows the core's state every 2 s, and says when it cannot refresh", async () => {
    const { page } = await open({ shell: { reader: { state: "no_reader", detail: null } } });
    await page.evaluate(() => {
      window.__mock.state.reader = { state: "card_present", detail: "ACS ACR1252 PICC" };
      window.__mock.state.queueWaiting = 3;
    });
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="status-reader"]')?.getAttribute("data-state") ===
        "card_present",
      null,
      { timeout: 3000 },
    );
    assert.equal(await text(page, "status-reader-text"), "Có thẻ trên đầu đọc");
    assert.equal(await text(page, "status-reader-detail"), "ACS ACR1252 PICC");
    assert.equal(await text(page, "status-queue-text"), "3 hồ sơ đang chờ gửi");

    await page.evaluate(() => {
      window.__mock.shellStateError = "config.unreadable";
    });
    await byId(page, "status-stale").waitFor({ timeout: 3000 });
    assert.match(await text(page, "status-stale"), /\(mã: config\.unreadable\)/);
    assert.equal(await text(page, "status-reader-text"), "Có thẻ trên đầu đọc");
  });

  test("until the core answers, says so in both languages and retries", async () => {
    const { page } = await open({ shellStateError: "ipc.not_ready" });
    await byId(page, "boot-error").waitFor();
    const boot = await text(page, "boot-error");
    assert.match(boot, /Không liên lạc được với phần lõi của máy \(mã: ipc\.not_ready\)/);
    assert.match(boot, /Cannot reach the kiosk's core \(code: ipc\.not_ready\)/);
    await page.evaluate(() => {
      window.__mock.shellStateError = null;
    });
    await byId(page, "screen-welcome").waitFor({ timeout: 4000 });
  });
});

describe("the back-office link from the sync loop", () => {
  /** A time today at hh:mm in the page's local time, as Unix milliseconds. */
  const today = (page, hh, mm) =>
    page.evaluate(([h, m]) => new Date().setHours(h, m, 0, 0), [hh, mm]);
  const sync = (page, update) => page.evaluate((u) => window.__mock.emit("sync-status", u), update);
  const status = (state, fields = {}) => ({
    state,
    detail: "127.0.0.1:8787",
    lastSyncAt: null,
    retryAt: null,
    ...fields,
  });

  test("each sync-status event shows at once: sending, synced with its time, waiting packages", async () => {
    const { page } = await open({ shell: { sync: { state: "starting" }, queueWaiting: 0 } });
    assert.equal(await text(page, "status-sync-text"), "Đang kết nối…");
    assert.equal(await text(page, "status-queue-text"), "Không có hồ sơ chờ gửi");
    const at = await today(page, 9, 5);
    await sync(page, { sync: status("sending", { lastSyncAt: at }), queueWaiting: 2 });
    // Well before the next 2 s poll: the event itself updated the header.
    await page.waitForFunction(
      () => document.querySelector('[data-testid="status-sync"]')?.dataset.state === "sending",
      null,
      { timeout: 500 },
    );
    assert.equal(await text(page, "status-sync-text"), "Đang gửi…");
    assert.equal(await text(page, "status-queue-text"), "2 hồ sơ đang chờ gửi");
    assert.equal(await byId(page, "status-queue").getAttribute("data-level"), "warn");
    await sync(page, { sync: status("synced", { lastSyncAt: at }), queueWaiting: 0 });
    assert.equal(await text(page, "status-sync-text"), "Đã đồng bộ");
    assert.equal(await text(page, "status-sync-detail"), "đồng bộ lần cuối 09:05");
    assert.equal(await byId(page, "status-sync").getAttribute("data-level"), "ok");
    assert.equal(await text(page, "status-queue-text"), "Không có hồ sơ chờ gửi");
    await byId(page, "lang-en").click();
    assert.equal(await text(page, "status-sync-text"), "Up to date");
    assert.equal(await text(page, "status-sync-detail"), "last synced 09:05");
    assert.equal(await text(page, "status-queue-text"), "Nothing waiting");
  });

  test("unreachable says the packages wait, when it last synced and when it retries", async () => {
    const { page } = await open();
    const last = await today(page, 8, 30);
    const retry = await today(page, 8, 41);
    await sync(page, {
      sync: status("unreachable", { lastSyncAt: last, retryAt: retry }),
      queueWaiting: 1,
    });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="status-sync"]')?.dataset.state === "unreachable",
    );
    assert.equal(
      await text(page, "status-sync-text"),
      "Mất kết nối — hồ sơ được giữ lại và tự gửi khi có kết nối",
    );
    assert.equal(
      await text(page, "status-sync-detail"),
      "đồng bộ lần cuối 08:30 · thử lại lúc 08:41",
    );
    assert.equal(await text(page, "status-queue-text"), "1 hồ sơ đang chờ gửi");
    await byId(page, "lang-en").click();
    assert.equal(await text(page, "status-sync-detail"), "last synced 08:30 · retry at 08:41");
  });

  test("a refused kiosk, a wrong clock and a kiosk never registered each name the next step", async () => {
    const { page } = await open();
    const cases = [
      [
        "refused",
        "problem",
        "Máy bị từ chối (chưa đăng ký hoặc đã bị thu hồi) — hãy báo quản trị viên đăng ký lại",
        "Kiosk refused (unregistered or revoked) — tell the administrator",
      ],
      [
        "clock_skew",
        "problem",
        "Đồng hồ của máy bị lệch — hãy báo quản trị viên chỉnh giờ",
        "The kiosk's clock is off — ask the administrator to set the time",
      ],
      [
        "not_registered",
        "problem",
        "Chưa đăng ký với máy chủ — hồ sơ được giữ lại; hãy báo quản trị viên",
        "Not registered — packages are kept here; tell the administrator",
      ],
    ];
    for (const [state, level, vi, en] of cases) {
      await byId(page, "lang-vi").click();
      await sync(page, { sync: status(state), queueWaiting: 4 });
      assert.equal(await byId(page, "status-sync").getAttribute("data-state"), state);
      assert.equal(await byId(page, "status-sync").getAttribute("data-level"), level);
      assert.equal(await text(page, "status-sync-text"), vi);
      await byId(page, "lang-en").click();
      assert.equal(await text(page, "status-sync-text"), en);
    }
  });

  test("the 2 s poll carries the same state (a missed event is caught up)", async () => {
    const { page } = await open();
    await page.evaluate(() => {
      window.__mock.state.sync = {
        state: "refused",
        detail: "127.0.0.1:8787",
        lastSyncAt: null,
        retryAt: null,
      };
    });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="status-sync"]')?.dataset.state === "refused",
      null,
      { timeout: 3000 },
    );
  });
});

describe("counter mode: the operator stays signed in across citizens", () => {
  async function signIn(page) {
    await byId(page, "signin-operator").fill("cb01");
    await byId(page, "signin-pin").fill("246813");
    await byId(page, "signin-submit").click();
    await byId(page, "screen-consent").waitFor();
  }

  /** Consent, the ID and a genuine card read, to the form. */
  async function toForm(page) {
    await byId(page, "consent-agree").click();
    await typeDigits(page, "001090012345");
    await byId(page, "id-continue").click();
    await byId(page, "screen-card").waitFor();
    await byId(page, "card-dob").click();
    await typeDigits(page, "01011990");
    await byId(page, "card-expiry").click();
    await typeDigits(page, "01012030");
    await byId(page, "card-read").click();
    await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === "card_read_typed"));
    const readId = await page.evaluate(() => window.__mock.lastReadId);
    await page.evaluate(
      (id) =>
        window.__mock.emit("card-result", {
          readId: id,
          error: null,
          verdict: "genuine",
          action: "continue",
          holder: {
            fullName: "Nguyễn Văn A",
            idNumber: "001090012345",
            dateOfBirth: "01/01/1990",
            gender: "male",
            placeOfOrigin: null,
            placeOfResidence: null,
            dateOfExpiry: "01/01/2030",
          },
          portrait: null,
          expired: false,
        }),
      readId,
    );
    await byId(page, "card-continue").click();
    await passPortrait(page);
    await byId(page, "form-group-thon-dong").waitFor();
  }

  test("the next citizen starts on consent with an empty form while the operator's name stays", async () => {
    const { page, errors } = await open({ shell: { mode: "counter" }, signInCode: null });
    assert.equal(await byId(page, "operator").isVisible(), false, "nobody signed in yet");
    await signIn(page);
    assert.equal(await text(page, "operator-name"), "Cán bộ: cb01");
    assert.equal(await text(page, "operator-sign-out"), "Đăng xuất");
    await toForm(page);
    await byId(page, "form-phone").click();
    await typeDigits(page, "0912345678");
    await byId(page, "form-group-thon-dong").click();
    await byId(page, "form-continue").click();
    await byId(page, "review-confirm").click();
    await byId(page, "screen-done").waitFor();
    assert.equal(await text(page, "operator-name"), "Cán bộ: cb01");
    await byId(page, "done-finish").click();
    await byId(page, "screen-consent").waitFor();
    assert.equal(await byId(page, "screen-signin").count(), 0);
    assert.equal(await text(page, "operator-name"), "Cán bộ: cb01");
    assert.equal((await calls(page, "clear_session")).length, 1);
    assert.equal((await calls(page, "operator_sign_out")).length, 0);
    assert.equal(
      await page.evaluate(() => document.body.innerHTML.includes("0912345678")),
      false,
      "the first citizen's phone is gone",
    );
    await toForm(page);
    const values = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="screen-form"] input')]
        .filter((i) => i.type !== "radio" && i.type !== "checkbox")
        .map((i) => i.value),
    );
    assert.ok(values.length >= 5, "the form's text fields");
    assert.deepEqual(
      values.filter((v) => v !== ""),
      [],
      "the second citizen's form starts empty",
    );
    assert.equal(await page.locator('[aria-checked="true"]').count(), 0, "no group chosen");
    assert.equal((await calls(page, "operator_sign_in")).length, 1, "signed in once");
    assert.deepEqual(errors, []);
  });

  test("the idle wipe clears the citizen's data but not the operator", async () => {
    const { page } = await open({
      shell: { mode: "counter", idleTimeoutSecs: 3, idleWarningSecs: 1 },
      signInCode: null,
    });
    await signIn(page);
    await byId(page, "consent-agree").click();
    await typeDigits(page, "079203004521");
    await page.waitForFunction(
      () => window.__mock.calls.some((c) => c.cmd === "clear_session"),
      null,
      { timeout: 6000 },
    );
    await byId(page, "screen-consent").waitFor();
    assert.equal(await text(page, "operator-name"), "Cán bộ: cb01");
    assert.equal(
      await page.evaluate(() => document.body.innerHTML.includes("079203004521")),
      false,
    );
    assert.equal((await calls(page, "operator_sign_out")).length, 0);
  });

  test("'Đăng xuất' ends the operator's sign-in and the citizen's session", async () => {
    const { page } = await open({ shell: { mode: "counter" }, signInCode: null });
    await signIn(page);
    await byId(page, "consent-agree").click();
    await typeDigits(page, "0792");
    await byId(page, "operator-sign-out").click();
    await byId(page, "screen-signin").waitFor();
    assert.deepEqual(
      (await calls(page, "operator_sign_out")).map((c) => c.args),
      [{ locked: false }],
    );
    assert.equal(await byId(page, "operator").isVisible(), false);
    assert.equal(await byId(page, "session-notice").isVisible(), false);
    assert.equal(await byId(page, "signin-operator").inputValue(), "");
  });

  test("the desk locks after the lock time without input, and says why on the sign-in screen", async () => {
    const { page } = await open({
      shell: { mode: "counter", operatorLockSecs: 3 },
      signInCode: null,
    });
    await signIn(page);
    const signedInAt = Date.now();
    await byId(page, "screen-signin").waitFor({ timeout: 6000 });
    const after = Date.now() - signedInAt;
    assert.ok(after >= 2500, `locked after ${after} ms, expected about 3000`);
    assert.deepEqual(
      (await calls(page, "operator_sign_out")).map((c) => c.args),
      [{ locked: true }],
    );
    assert.equal(
      await text(page, "session-notice"),
      "Máy đã tự đăng xuất vì không có thao tác trong 1 phút. Hãy đăng nhập lại để tiếp tục.",
    );
    await byId(page, "lang-en").click();
    assert.match(await text(page, "session-notice"), /^The kiosk signed you out after 1 minutes/);
  });

  test("input keeps the desk open", async () => {
    const { page } = await open({
      shell: { mode: "counter", operatorLockSecs: 3 },
      signInCode: null,
    });
    await signIn(page);
    for (let i = 0; i < 5; i++) {
      await page.waitForTimeout(1000);
      await byId(page, "consent-why").click();
    }
    assert.equal(await byId(page, "screen-consent").isVisible(), true);
    assert.equal((await calls(page, "operator_sign_out")).length, 0);
  });

  test("a command the core refuses because it locked the desk returns to sign-in with nothing of the citizen", async () => {
    const { page, errors } = await open({ shell: { mode: "counter" }, signInCode: null });
    await signIn(page);
    await byId(page, "consent-agree").click();
    await typeDigits(page, "079203004521");
    await page.evaluate(() => {
      // Only the refusal: the status poll still shows the operator, so the refusal alone locks.
      window.__mock.failures.session_set_id_number = "operators.desk_locked";
    });
    await byId(page, "id-continue").click();
    await byId(page, "screen-signin").waitFor();
    assert.deepEqual(
      (await calls(page, "operator_sign_out")).map((c) => c.args),
      [{ locked: true }],
    );
    assert.equal(await byId(page, "operator").isVisible(), false);
    assert.match(await text(page, "session-notice"), /^Máy đã tự đăng xuất/);
    assert.equal(
      await page.evaluate(() => document.body.innerHTML.includes("079203004521")),
      false,
      "the citizen's ID number is gone",
    );
    assert.equal(await byId(page, "signin-operator").inputValue(), "");
    assert.deepEqual(errors, []);
  });

  test("a status poll showing nobody signed in locks the desk here too", async () => {
    const { page } = await open({ shell: { mode: "counter" }, signInCode: null });
    await signIn(page);
    await byId(page, "consent-agree").click();
    await page.evaluate(() => {
      window.__mock.state.operator = null;
    });
    await byId(page, "screen-signin").waitFor({ timeout: 5000 });
    assert.deepEqual(
      (await calls(page, "operator_sign_out")).map((c) => c.args),
      [{ locked: true }],
    );
    assert.match(await text(page, "session-notice"), /^Máy đã tự đăng xuất/);
  });

  test("the operator's input is reported to the core at most every 30 s", async () => {
    const { page } = await open({ shell: { mode: "counter" }, signInCode: null });
    await signIn(page);
    for (let i = 0; i < 4; i++) await byId(page, "consent-why").click();
    assert.equal(
      (await calls(page, "operator_active")).length,
      0,
      "the sign-in itself was the last activity",
    );
    await page.evaluate(() => {
      const realNow = Date.now.bind(Date);
      Date.now = () => realNow() + 31_000;
    });
    for (let i = 0; i < 4; i++) await byId(page, "consent-why").click();
    assert.equal((await calls(page, "operator_active")).length, 1);
  });

  test("a core that already has the operator signed in resumes at consent", async () => {
    const { page } = await open({ shell: { mode: "counter", operator: "cb07" } });
    await byId(page, "screen-consent").waitFor();
    assert.equal(await text(page, "operator-name"), "Cán bộ: cb07");
  });

  test("self-service has no operator and no sign-out", async () => {
    const { page } = await open({ shell: { mode: "self-service", operator: "cb07" } });
    await byId(page, "screen-welcome").waitFor();
    assert.equal(await byId(page, "operator").isVisible(), false);
  });
});

describe("on-screen keypad", () => {
  test("types digits into the ID field; backspace, clear and the 12-digit limit work", async () => {
    const { page } = await open({ shell: { mode: "self-service" } });
    await byId(page, "welcome-start").click();
    await byId(page, "consent-agree").click();
    await typeDigits(page, "001099012345");
    assert.equal(await byId(page, "id-input").inputValue(), "001099012345");
    assert.equal(await text(page, "id-count"), "Đã nhập 12/12 chữ số");
    await typeDigits(page, "7");
    assert.equal(await byId(page, "id-input").inputValue(), "001099012345");
    await byId(page, "digits-key-backspace").click();
    assert.equal(await byId(page, "id-input").inputValue(), "00109901234");
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute("data-testid")),
      "id-input",
    );
    await byId(page, "digits-key-clear").click();
    assert.equal(await byId(page, "id-input").inputValue(), "");
  });

  test("the ID step refuses fewer than 12 digits, then goes on to the card", async () => {
    const { page } = await open({ shell: { mode: "self-service" } });
    await byId(page, "welcome-start").click();
    await byId(page, "consent-agree").click();
    await typeDigits(page, "03720");
    await byId(page, "id-continue").click();
    assert.equal(
      await text(page, "id-error"),
      "Số định danh cần đủ 12 chữ số, bạn mới nhập 5. Hãy kiểm tra lại số in trên thẻ.",
    );
    assert.equal(await byId(page, "id-input").getAttribute("aria-invalid"), "true");
    await byId(page, "lang-en").click();
    assert.equal(
      await text(page, "id-error"),
      "The ID number needs 12 digits; you entered 5. Check the number printed on your card.",
    );
    await typeDigits(page, "1234567");
    assert.equal(await byId(page, "id-error").isVisible(), false);
    await byId(page, "id-continue").click();
    await byId(page, "screen-card").waitFor();
    assert.deepEqual(
      (await calls(page, "session_set_id_number")).map((c) => c.args),
      [{ idNumber: "037201234567" }],
    );
    await byId(page, "cancel").click();
    await byId(page, "screen-welcome").waitFor();
    assert.equal((await calls(page, "clear_session")).length, 1);
    assert.equal(
      await text(page, "welcome-start"),
      "Bắt đầu",
      "language back to the configured default",
    );
  });

  test("a refusal from the core is shown as its sentence and the number stays to correct", async () => {
    const { page } = await open({ shell: { mode: "self-service" } });
    await page.evaluate(() => {
      window.__mock.failures.session_set_id_number = "id.format";
    });
    await byId(page, "welcome-start").click();
    await byId(page, "consent-agree").click();
    await typeDigits(page, "001099012345");
    await byId(page, "id-continue").click();
    await byId(page, "id-error").waitFor();
    assert.equal(
      await text(page, "id-error"),
      "Máy không nhận số định danh này: cần đúng 12 chữ số. Hãy xóa và nhập lại theo số in trên thẻ.",
    );
    assert.equal(await byId(page, "screen-id-entry").isVisible(), true);
    assert.equal(await byId(page, "id-input").inputValue(), "001099012345");
  });

  test("a physical keyboard cannot put letters in a digits field", async () => {
    const { page } = await open({ shell: { mode: "self-service" } });
    await byId(page, "welcome-start").click();
    await byId(page, "consent-agree").click();
    await byId(page, "id-input").pressSequentially("12ab3");
    assert.equal(await byId(page, "id-input").inputValue(), "123");
  });

  test("text mode types Vietnamese letters and puts tone marks where Vietnamese spelling does", async () => {
    const { page } = await open({ shell: { mode: "counter" } });
    const field = byId(page, "signin-operator");
    await field.focus();
    assert.equal(await byId(page, "keypad").getAttribute("data-mode"), "text");
    const key = (k) => byId(page, `text-key-${k}`).click();
    const typeWord = async (letters) => {
      for (const l of letters) await key(l);
    };

    await key("shift");
    await key("n");
    await key("shift");
    await typeWord(["g", "u", "y", "ê", "n"]);
    await key("tone-tilde");
    assert.equal(await field.inputValue(), "Nguyễn");

    await key("space");
    await typeWord(["n", "g", "ư", "ơ", "i"]);
    await key("tone-grave");
    assert.equal(await field.inputValue(), "Nguyễn người");

    await key("space");
    await typeWord(["h", "o", "a"]);
    await key("tone-grave");
    await key("tone-acute");
    assert.equal(await field.inputValue(), "Nguyễn người hóa", "a second tone replaces the first");
    await key("tone-acute");
    assert.equal(await field.inputValue(), "Nguyễn người hoa", "the same tone again removes it");

    await key("space");
    await typeWord(["q", "u", "y"]);
    await key("tone-acute");
    await key("space");
    await typeWord(["g", "i", "ư"]);
    await key("tone-tilde");
    await key("space");
    await typeWord(["đ", "ô", "n", "g"]);
    await key("tone-dot");
    const value = await field.inputValue();
    assert.equal(value, "Nguyễn người hoa quý giữ động");
    assert.equal(value, value.normalize("NFC"));

    await key("backspace");
    assert.equal(await field.inputValue(), "Nguyễn người hoa quý giữ độn");
    await key("clear");
    assert.equal(await field.inputValue(), "");
  });

  test("tone keys follow Vietnamese spelling across syllable shapes", async () => {
    const { page } = await open({ shell: { mode: "counter" } });
    const field = byId(page, "signin-operator");
    await field.focus();
    const cases = [
      [["t", "i", "ê", "n", "g"], "acute", "tiếng"],
      [["n", "g", "o", "a", "i"], "grave", "ngoài"],
      [["k", "h", "u", "y", "u"], "hook", "khuỷu"],
      [["g", "i"], "grave", "gì"],
      [["t", "h", "u", "y"], "hook", "thủy"],
      [["t", "r", "ư", "ơ", "n", "g"], "grave", "trường"],
      [["m", "u", "a"], "grave", "mùa"],
      [["h", "o", "a", "n", "g"], "grave", "hoàng"],
      [["v", "i", "ê", "t"], "dot", "việt"],
      [["b", "c"], "acute", "bc"],
    ];
    for (const [letters, tone, expected] of cases) {
      await byId(page, "text-key-clear").click();
      for (const l of letters) await byId(page, `text-key-${l}`).click();
      await byId(page, `text-key-tone-${tone}`).click();
      assert.equal(await field.inputValue(), expected, `${letters.join("")} + ${tone}`);
    }
  });

  test("the keypad follows the focused field's mode and types into it", async () => {
    const { page } = await open({ shell: { mode: "counter" } });
    await byId(page, "signin-pin").focus();
    assert.equal(await byId(page, "keypad").getAttribute("data-mode"), "digits");
    await typeDigits(page, "2468");
    assert.equal(await byId(page, "signin-pin").inputValue(), "2468");
    assert.equal(await byId(page, "signin-operator").inputValue(), "");
  });
});

describe("operator sign-in", () => {
  async function signIn(page) {
    await byId(page, "signin-operator").focus();
    for (const k of ["c", "b", "0", "1"]) await byId(page, `text-key-${k}`).click();
    await byId(page, "signin-pin").focus();
    await typeDigits(page, "1234");
    await byId(page, "signin-submit").click();
    await byId(page, "signin-error").waitFor();
  }

  test("'no operator accounts' is shown inline in both languages with what to do next", async () => {
    const { page } = await open({ shell: { mode: "counter" } });
    await signIn(page);
    assert.deepEqual(
      (await calls(page, "operator_sign_in")).map((c) => c.args),
      [{ operatorId: "cb01", pin: "1234" }],
    );
    assert.equal(
      await text(page, "signin-error"),
      "Máy này chưa có tài khoản cán bộ nào. Hãy đề nghị quản trị viên tạo tài khoản cán bộ cho máy, rồi đăng nhập lại.",
    );
    await byId(page, "lang-en").click();
    assert.equal(
      await text(page, "signin-error"),
      "This kiosk has no operator accounts yet. Ask the administrator to create operator accounts for it, then sign in again.",
    );
    assert.equal(
      await byId(page, "signin-pin").inputValue(),
      "",
      "the PIN does not stay on screen",
    );
    assert.equal(await byId(page, "screen-signin").isVisible(), true);
  });

  test("an unknown error code shows the generic sentence with the code", async () => {
    const { page } = await open({ shell: { mode: "counter" }, signInCode: "db.locked" });
    await signIn(page);
    assert.equal(
      await text(page, "signin-error"),
      "Đã xảy ra lỗi (mã: db.locked). Hãy thử lại; nếu lỗi lặp lại, hãy báo quản trị viên kèm mã lỗi này.",
    );
  });

  test("empty fields are named before anything is sent", async () => {
    const { page } = await open({ shell: { mode: "counter" } });
    await byId(page, "signin-submit").click();
    assert.equal(await text(page, "signin-error"), "Hãy nhập mã cán bộ.");
    await byId(page, "signin-operator").fill("cb01");
    await byId(page, "signin-submit").click();
    assert.equal(await text(page, "signin-error"), "Hãy nhập mã PIN.");
    assert.equal((await calls(page, "operator_sign_in")).length, 0);
  });
});

describe("wipe: idle timeout and return to start", () => {
  const shortIdle = { mode: "self-service", idleTimeoutSecs: 3, idleWarningSecs: 1 };

  async function typeAnId(page) {
    await byId(page, "welcome-start").click();
    await byId(page, "consent-agree").click();
    await typeDigits(page, "079203004521");
  }

  test("warns, then wipes: clear_session called, typed value gone, default language, start screen", async () => {
    const { page } = await open({ shell: shortIdle });
    await byId(page, "lang-en").click();
    await typeAnId(page);
    const typedAt = Date.now();
    assert.equal(await byId(page, "idle-warning").isVisible(), false);

    await byId(page, "idle-warning").waitFor({ timeout: 4000 });
    const warnedAfter = Date.now() - typedAt;
    assert.match(await text(page, "idle-countdown"), /erased in 1 seconds/);
    assert.ok(warnedAfter >= 1500, `warning came after ${warnedAfter} ms, expected about 2000`);

    await byId(page, "screen-welcome").waitFor({ timeout: 4000 });
    assert.equal((await calls(page, "clear_session")).length, 1);
    assert.equal(await byId(page, "idle-warning").isVisible(), false);
    assert.equal(await text(page, "welcome-start"), "Bắt đầu");
    assert.equal(await page.evaluate(() => document.documentElement.lang), "vi");
    assert.equal(await byId(page, "id-input").count(), 0);
    const leftovers = await page.evaluate(() => ({
      html: document.documentElement.outerHTML.includes("079203004521"),
      inputs: [...document.querySelectorAll("input")].map((i) => i.value).filter((v) => v !== ""),
    }));
    assert.deepEqual(leftovers, { html: false, inputs: [] });
  });

  test("'continue' on the warning keeps the session and what was typed", async () => {
    const { page } = await open({ shell: shortIdle });
    await typeAnId(page);
    await byId(page, "idle-warning").waitFor({ timeout: 4000 });
    assert.match(await text(page, "idle-countdown"), /sau 1 giây/);
    const behindInert = () => document.querySelector('[data-testid="screen-outlet"]').inert;
    assert.equal(await page.evaluate(behindInert), true, "the screen behind the warning is inert");
    await byId(page, "idle-continue").click();
    assert.equal(await byId(page, "idle-warning").isVisible(), false);
    assert.equal(await page.evaluate(behindInert), false);
    assert.equal(await byId(page, "id-input").inputValue(), "079203004521");
    assert.equal((await calls(page, "clear_session")).length, 0);
  });

  test("a failed clear_session is reported on the fresh start screen", async () => {
    const { page } = await open({ shell: shortIdle });
    await page.evaluate(() => {
      window.__mock.failures.clear_session = "session.lock_failed";
    });
    await byId(page, "welcome-start").click();
    await byId(page, "consent-refuse").click();
    await byId(page, "screen-welcome").waitFor();
    assert.match(
      await text(page, "session-error"),
      /^Không xóa được phiên làm việc trước .*\(mã: session\.lock_failed\)/,
    );
  });

  test("a core that never answers clear_session cannot hang the wipe", async () => {
    const { page } = await open({ shell: shortIdle });
    await page.evaluate(() => {
      window.__mock.hangs.clear_session = true;
    });
    await byId(page, "welcome-start").click();
    await byId(page, "consent-refuse").click();
    await byId(page, "session-error").waitFor({ timeout: 7000 });
    assert.match(await text(page, "session-error"), /\(mã: ipc\.timeout\)/);
    assert.equal(await byId(page, "screen-welcome").isVisible(), true);
  });

  test("an untouched start screen is never interrupted", async () => {
    const { page } = await open({ shell: shortIdle });
    await page.waitForTimeout(3500);
    assert.equal(await byId(page, "idle-warning").isVisible(), false);
    assert.equal((await calls(page, "clear_session")).length, 0);
  });

  test("the counter sign-in screen is wiped too, operator code and PIN included", async () => {
    const { page } = await open({ shell: { ...shortIdle, mode: "counter" } });
    await byId(page, "signin-operator").fill("cb01");
    await byId(page, "signin-pin").fill("9876");
    await page.waitForFunction(
      () => document.querySelector('[data-testid="signin-operator"]')?.value === "",
      null,
      { timeout: 5000 },
    );
    assert.equal(await byId(page, "signin-pin").inputValue(), "");
    assert.equal((await calls(page, "clear_session")).length, 1);
  });
});

describe("layout", () => {
  const sizes = [
    { width: 1280, height: 800 },
    { width: 1920, height: 1080 },
  ];

  async function checkTargets(page, where) {
    const small = await page.evaluate(() =>
      [...document.querySelectorAll("button, input, [role=button]")]
        .filter((el) => el.getClientRects().length > 0)
        .map((el) => ({
          id: el.getAttribute("data-testid") ?? el.textContent,
          r: el.getBoundingClientRect(),
        }))
        .filter(({ r }) => r.width < 56 || r.height < 56)
        .map(({ id, r }) => `${id} ${Math.round(r.width)}x${Math.round(r.height)}`),
    );
    assert.deepEqual(small, [], `targets under 56 px on ${where}`);
  }

  async function checkFits(page, where) {
    const fit = await page.evaluate(() => {
      const keypad = document.querySelector('[data-testid="keypad"]');
      const box = keypad?.getBoundingClientRect();
      return {
        horizontalOverflow: document.documentElement.scrollWidth > window.innerWidth,
        keypadOutside: box
          ? box.bottom > window.innerHeight || box.right > window.innerWidth
          : false,
      };
    });
    assert.deepEqual(fit, { horizontalOverflow: false, keypadOutside: false }, where);
  }

  for (const size of sizes) {
    test(`self-service targets are at least 56 px and everything fits at ${size.width}x${size.height}`, async () => {
      const { page } = await open({ shell: { mode: "self-service" }, viewport: size });
      for (const step of [null, "welcome-start", "consent-agree"]) {
        if (step) await byId(page, step).click();
        for (const lang of ["vi", "en"]) {
          await byId(page, `lang-${lang}`).click();
          const where = `${await byId(page, "screen-outlet").getAttribute("data-screen")} (${lang})`;
          await checkTargets(page, where);
          await checkFits(page, where);
        }
      }
    });

    test(`the counter sign-in screen and its letter keypad fit at ${size.width}x${size.height}`, async () => {
      const { page } = await open({ shell: { mode: "counter" }, viewport: size });
      await byId(page, "signin-operator").focus();
      for (const lang of ["vi", "en"]) {
        await byId(page, `lang-${lang}`).click();
        await checkTargets(page, `signin (${lang})`);
        await checkFits(page, `signin (${lang})`);
      }
    });
  }
});
