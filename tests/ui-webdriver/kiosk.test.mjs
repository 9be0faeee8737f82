// The real kiosk app (Tauri + WebKitGTK) under Xvfb with a window manager, driven through
// tauri-driver: for each mode it proves the start screen, both languages, the honest header,
// the on-screen keypad, the core's sign-in answer, the idle wipe, the card step through the
// real pcscd, a whole enrollment, and saves screenshots. These are the layout-sensitive paths:
// they run at every screen size; the unhappy paths (torn, wrong key, forged cards, no face,
// camera lost) run once, in unhappy.test.mjs.
//
// Run by scripts/test.sh, which starts Xvfb (at SCREEN_SIZE) + matchbox + tauri-driver and sets
// VNEID_KIOSK_APP (the built binary) and SCREEN_SIZE (e.g. 1280x800), plus optionally
// SCREENSHOT_DIR (default: screenshots/) and TAURI_DRIVER_URL (default http://127.0.0.1:4444).
// The real stack (app launch, software card, back office, element helpers) is realstack.mjs.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testid, waitFor } from "./webdriver.mjs";
import {
  BackOffice,
  CARD_PRESENT,
  CARD_WAITING,
  CHIP_PORTRAIT,
  GROUPS,
  SIZE,
  addOperator,
  addSelfServiceStation,
  insertCard,
  kioskCli,
  launch,
  machineWait,
  pcscd,
  queueCounts,
  readCard,
  removeCard,
  saveScreenshot,
  signIn,
  step,
  toCardScreen,
  typeDigits,
  ui,
  verdict,
  writePackageKey,
} from "./realstack.mjs";

const [WIDTH, HEIGHT] = SIZE.split("x").map(Number);
const IDLE_TIMEOUT_SECS = 10; // the configuration's minimum, realstack's default
const IDLE_WARNING_SECS = 4;

/** What the header says for each state the core reports (Vietnamese, the default). */
const READER_TEXT = {
  service_down:
    "Dịch vụ PC/SC chưa chạy — hãy báo quản trị viên khởi động lại dịch vụ",
  no_reader: "Không tìm thấy đầu đọc thẻ — hãy kiểm tra cáp USB của đầu đọc",
  ready: "Sẵn sàng, chưa có thẻ",
  card_present: "Có thẻ trên đầu đọc",
};
/** What the card screen says for each reader state the card worker reports. */
const CARD_STATE_TEXT = {
  service_down: "Dịch vụ đọc thẻ (PC/SC) chưa chạy — hãy báo quản trị viên.",
  no_reader: "Không tìm thấy đầu đọc thẻ — hãy kiểm tra cáp USB của đầu đọc.",
  waiting: CARD_WAITING,
  present: CARD_PRESENT,
};
const CAMERA_TEXT = {
  no_camera: "Không tìm thấy camera — hãy kiểm tra cáp của camera",
  ready: "Sẵn sàng",
};

/** PNG width and height from its IHDR chunk. */
function pngSize(png) {
  assert.equal(png.subarray(1, 4).toString("latin1"), "PNG", "a PNG image");
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

/** The log files of the app's data folder, joined (empty while there are none). */
async function logText(data) {
  const logDir = join(data, "logs");
  const files = existsSync(logDir) ? await readdir(logDir) : [];
  const all = await Promise.all(
    files.map((f) => readFile(join(logDir, f), "utf8")),
  );
  return all.join("\n");
}

async function checkFullScreen(session) {
  const [w, h] = await session.execute(
    "return [window.innerWidth, window.innerHeight];",
  );
  assert.deepEqual(
    [w, h],
    [WIDTH, HEIGHT],
    "the kiosk window fills the screen",
  );
}

async function checkHonestHeader(u) {
  assert.equal(await u.text("device-name"), "Điểm thử nghiệm giao diện");
  const reader = await u.attr("status-reader", "data-state");
  assert.ok(
    reader in READER_TEXT,
    `reader state ${reader} is one the header knows`,
  );
  assert.equal(await u.text("status-reader-text"), READER_TEXT[reader]);
  const camera = await u.attr("status-camera", "data-state");
  assert.ok(
    camera in CAMERA_TEXT,
    `camera state ${camera} is one the header knows`,
  );
  assert.equal(await u.text("status-camera-text"), CAMERA_TEXT[camera]);
  // Never registered with a back office: the sync loop does not run, and the header says so.
  assert.equal(await u.attr("status-sync", "data-state"), "not_registered");
  assert.equal(
    await u.text("status-sync-text"),
    "Chưa đăng ký với máy chủ — hồ sơ được giữ lại; hãy báo quản trị viên",
  );
  assert.equal(
    await u.text("status-queue-text"),
    "Không có hồ sơ chờ gửi",
    "the queue in the data directory exists and is empty",
  );
}

/**
 * The portrait step: the replayed face is taken by itself (the person's presence keeps the
 * idle watch from wiping); saves `NAME-SIZE.png` of the picture beside the chip photo, then
 * continues.
 */
async function passPortrait(session, u, name) {
  await u.waitVisible("screen-portrait", 15_000);
  await machineWait(
    u,
    "the portrait taken",
    () => u.visible("portrait-continue"),
    90_000,
  );
  await saveScreenshot(session, name);
  await u.click("portrait-continue");
}

/** Waits until `queue status` shows exactly one package queued. The sync loop, woken by the
 * enrollment, may be trying the (stopped) back office at that moment: the package is then
 * briefly "uploading" before it goes back to "queued". */
async function waitForOneQueued(config) {
  let last = {};
  await waitFor(
    "one package queued",
    async () => {
      last = await queueCounts(config);
      return last.queued === 1 && !(last.uploading > 0);
    },
    15_000,
  ).catch((err) => {
    throw new Error(
      `${err.message}; last queue status: ${JSON.stringify(last)}`,
    );
  });
}

/** Waits through the warning to the wipe; returns the seconds the countdown showed first. */
async function waitForIdleWipe(u, startScreen) {
  const warning = await waitFor(
    "the idle warning",
    async () =>
      (await u.visible("idle-warning")) ? u.text("idle-countdown") : null,
    (IDLE_TIMEOUT_SECS - IDLE_WARNING_SECS + 3) * 1000,
  );
  await waitFor(
    "the wipe back to the start screen",
    async () =>
      (await u.visible(startScreen)) && !(await u.visible("idle-warning")),
    (IDLE_WARNING_SECS + 4) * 1000,
  );
  return warning;
}

/** Starts the app in `mode`; resolves to { session, dir, data, config, u, startMs }. */
async function start(mode, startScreen, options = {}) {
  const app = await launch({
    mode,
    idleTimeoutSecs: IDLE_TIMEOUT_SECS,
    idleWarningSecs: IDLE_WARNING_SECS,
    ...options,
  });
  const u = ui(app.session);
  await u.waitVisible(startScreen, 30_000);
  return { ...app, u, startMs: Date.now() - app.startedMs };
}

describe(`counter mode, real app at ${SIZE}`, () => {
  let session;
  let dir;
  let u;
  let startMs;

  before(async () => {
    ({ session, dir, u, startMs } = await start("counter", "screen-signin"));
  });

  after(async () => {
    await session?.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("starts full screen on operator sign-in, with an honest header", async (t) => {
    t.diagnostic(`app start to sign-in screen: ${startMs} ms`);
    await step(session, "counter-start", async () => {
      assert.equal(await u.attr("shell", "data-mode"), "counter");
      assert.equal(await u.visible("screen-welcome"), false);
      assert.equal(await u.text("signin-submit"), "Đăng nhập");
      await checkFullScreen(session);
      await checkHonestHeader(u);
    });
  });

  test("the on-screen keypad types digits into the PIN field", async () => {
    await step(session, "counter-keypad", async () => {
      await u.click("signin-operator");
      await u.keys("text", ["c", "b", "0", "1"]);
      assert.equal(await u.value("signin-operator"), "cb01");
      await u.click("signin-pin");
      assert.equal(await u.attr("keypad", "data-mode"), "digits");
      await u.keys("digits", "2468");
      assert.equal(await u.value("signin-pin"), "2468");
      assert.equal(
        await session.execute(
          "return document.activeElement ? document.activeElement.getAttribute('data-testid') : null;",
        ),
        "signin-pin",
        "the field keeps the focus",
      );
    });
  });

  test("the core's answer to sign-in shows inline, in Vietnamese and after the switch in English", async () => {
    await step(session, "counter-signin", async () => {
      await u.click("signin-submit");
      await u.waitVisible("signin-error");
      assert.equal(
        await u.text("signin-error"),
        "Máy này chưa có tài khoản cán bộ nào. Hãy đề nghị quản trị viên tạo tài khoản cán bộ cho máy, rồi đăng nhập lại.",
      );
      await u.click("lang-en");
      assert.equal(
        await session.execute("return document.documentElement.lang;"),
        "en",
      );
      assert.equal(await u.text("signin-submit"), "Sign in");
      assert.equal(await u.text("status-queue-text"), "Nothing waiting");
      assert.equal(
        await u.text("signin-error"),
        "This kiosk has no operator accounts yet. Ask the administrator to create operator accounts for it, then sign in again.",
      );
      await u.click("lang-vi");
      assert.equal(await u.text("signin-submit"), "Đăng nhập");
    });
  });

  test(`saves counter-${SIZE}.png at the screen's size`, async () => {
    await step(session, "counter-screenshot", async () => {
      const png = await readFile(await saveScreenshot(session, "counter"));
      assert.deepEqual(pngSize(png), [WIDTH, HEIGHT]);
    });
  });

  test("idle timeout wipes the typed operator code and returns to start in Vietnamese", async () => {
    await step(session, "counter-idle", async () => {
      await u.click("lang-en");
      await u.click("signin-operator");
      await u.keys("text", ["x", "y", "7"]);
      assert.equal((await u.value("signin-operator")).endsWith("xy7"), true);
      const countdown = await waitForIdleWipe(u, "screen-signin");
      assert.match(countdown, /erased in [1-4] seconds/);
      assert.equal(await u.value("signin-operator"), "");
      assert.equal(await u.value("signin-pin"), "");
      assert.equal(await u.visible("signin-error"), false);
      assert.equal(await u.text("signin-submit"), "Đăng nhập");
      assert.equal(await u.holds("xy7"), false);
    });
  });
});

describe(`counter mode with an operator account made by the CLI, real app at ${SIZE}`, () => {
  let session;
  let data;
  let dir;
  let u;
  const PIN = "246813";

  before(async () => {
    ({ session, dir, data, u } = await start("counter", "screen-signin", {
      async prepare(config) {
        await addOperator(config, PIN);
        const list = await kioskCli(config, ["operator", "list"]);
        assert.equal(list, "admin\tadministrator\ncb01\toperator\n");
      },
    }));
  });

  after(async () => {
    await session?.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("a wrong PIN is refused with the store's sentence and the PIN field emptied", async () => {
    await step(session, "counter-wrong-pin", async () => {
      await u.click("signin-operator");
      await u.keys("text", [..."cb01"]);
      await u.click("signin-pin");
      await u.keys("digits", "111111");
      await u.click("signin-submit");
      await u.waitVisible("signin-error");
      assert.equal(
        await u.text("signin-error"),
        "Sai mã cán bộ hoặc mã PIN. Hãy kiểm tra và nhập lại; nhập sai 5 lần liên tiếp, tài khoản sẽ tạm khóa 15 phút.",
      );
      assert.equal(await u.value("signin-pin"), "");
      assert.equal(await u.visible("screen-signin"), true);
    });
  });

  test("the operator signs in with the right PIN, the citizen consents, and the card step follows", async () => {
    await step(session, "counter-signed-in", async () => {
      await session.execute(
        "document.querySelector(arguments[0]).value = '';",
        testid("signin-operator"),
      );
      await signIn(u, "cb01", PIN);
      await toCardScreen(u, "001090012345");
      await saveScreenshot(session, "counter-card-after-sign-in");
    });
  });

  test("the log records the sign-in by role, never the PIN", async () => {
    const text = await waitFor(
      "a log line for the sign-in",
      async () => {
        const joined = await logText(data);
        return joined.includes("operator signed in") ? joined : null;
      },
      10_000,
    );
    assert.match(text, /"role":"operator"/);
    assert.equal(text.includes(PIN), false, "no PIN in the log");
  });
});

describe(`self-service mode, real app at ${SIZE}`, () => {
  let session;
  let dir;
  let data;
  let u;
  let startMs;
  const ID = "001099012345";

  before(async () => {
    ({ session, dir, data, u, startMs } = await start(
      "self-service",
      "screen-welcome",
    ));
  });

  after(async () => {
    await session?.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("starts full screen on the welcome screen, with an honest header", async (t) => {
    t.diagnostic(`app start to welcome screen: ${startMs} ms`);
    await step(session, "self-service-start", async () => {
      assert.equal(await u.attr("shell", "data-mode"), "self-service");
      assert.equal(await u.visible("screen-signin"), false);
      assert.equal(await u.text("welcome-start"), "Bắt đầu");
      await checkFullScreen(session);
      await checkHonestHeader(u);
    });
  });

  test(`saves self-service-${SIZE}.png at the screen's size`, async () => {
    await step(session, "self-service-screenshot", async () => {
      const png = await readFile(await saveScreenshot(session, "self-service"));
      assert.deepEqual(pngSize(png), [WIDTH, HEIGHT]);
    });
  });

  test("renders in English after the switch, and in Vietnamese again", async () => {
    await step(session, "self-service-language", async () => {
      await u.click("lang-en");
      assert.equal(await u.text("welcome-start"), "Start");
      assert.equal(
        await u.text("welcome-title"),
        "Enroll for a level-2 electronic identification account",
      );
      await u.click("lang-vi");
      assert.equal(await u.text("welcome-start"), "Bắt đầu");
      assert.equal(
        await u.text("welcome-title"),
        "Đăng ký tài khoản định danh điện tử mức 2",
      );
    });
  });

  test("consent, then the keypad types the 12-digit ID, the core accepts it, and the card step follows", async () => {
    await step(session, "self-service-id", async () => {
      await u.click("welcome-start");
      await u.waitVisible("screen-consent");
      await u.click("consent-agree");
      await u.waitVisible("screen-id-entry");
      await u.keys("digits", ID);
      assert.equal(await u.value("id-input"), ID);
      assert.equal(await u.text("id-count"), "Đã nhập 12/12 chữ số");
      await saveScreenshot(session, "self-service-id-entry");
      await u.click("id-continue");
      await u.waitVisible("screen-card");
      assert.ok(
        Object.values(CARD_STATE_TEXT).includes(
          await u.text("card-reader-state"),
        ),
        "the card screen says what the reader is doing",
      );
    });
  });

  test("idle timeout wipes the typed ID and returns to the welcome screen", async () => {
    await step(session, "self-service-idle", async () => {
      await u.click("lang-en");
      const countdown = await waitForIdleWipe(u, "screen-welcome");
      assert.match(countdown, /erased in [1-4] seconds/);
      assert.equal(await u.visible("id-input"), false);
      assert.equal(await u.text("welcome-start"), "Bắt đầu");
      const leftover = await session.execute(
        "return [document.documentElement.outerHTML.includes(arguments[0])," +
          " [...document.querySelectorAll('input')].some((i) => i.value !== '')];",
        ID,
      );
      assert.deepEqual(leftover, [false, false]);
    });
  });

  test("the log records the wipe but never the typed ID", async () => {
    const text = await waitFor(
      "a log line for the wipe",
      async () => {
        const joined = await logText(data);
        return joined.includes('"held_data":true') ? joined : null;
      },
      5_000,
    );
    assert.match(text, /session wiped/);
    assert.equal(
      text.includes(ID),
      false,
      "the typed ID must not reach the log",
    );
    assert.equal(
      text.includes(ID.slice(-6)),
      false,
      "nor any recognisable part of it",
    );
  });
});

describe(`the card step through the real pcscd and a software card, real app at ${SIZE}`, () => {
  let session;
  let dir;
  let data;
  let u;
  let card;

  before(async () => {
    await pcscd("start");
    ({ session, dir, data, u } = await start("self-service", "screen-welcome"));
  });

  after(async () => {
    await removeCard(card);
    await session?.end();
    await pcscd("stop").catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("the screen follows the reader live: waiting, then the card placed on it", async () => {
    await step(session, "card-waiting", async () => {
      await u.click("welcome-start");
      await u.waitVisible("screen-consent");
      await toCardScreen(u, "001090012345");
      await waitFor(
        "the reader waiting for a card",
        async () => (await u.text("card-reader-state")) === CARD_WAITING,
        10_000,
      );
      card = insertCard(dir, "nguyen-van-a", ["--portrait", CHIP_PORTRAIT]);
      await waitFor(
        "the card seen on the reader",
        async () => (await u.text("card-reader-state")) === CARD_PRESENT,
        15_000,
      );
      await saveScreenshot(session, "card-present");
    });
  });

  test("typed dates open the chip: the names, the chip portrait and the verdict 'genuine'", async (t) => {
    await step(session, "card-read", async () => {
      await typeDigits(u, "card-dob", "01011990");
      await typeDigits(u, "card-expiry", "01012030");
      const t0 = Date.now();
      await u.click("card-read");
      await machineWait(
        u,
        "the holder's name from DG13",
        async () => (await u.text("card-holder-name")) === "Nguyễn Văn A",
        20_000,
      );
      assert.equal(await verdict(u, 20_000), "genuine");
      t.diagnostic(`read and verify through pcscd: ${Date.now() - t0} ms`);
      assert.match(await u.text("card-verdict-text"), /^Thẻ thật/);
      assert.equal(await u.text("card-holder-id"), "001090012345");
      assert.equal(await u.text("card-holder-dob"), "01/01/1990");
      const width = await session.execute(
        "const img = document.querySelector(arguments[0]);" +
          " return img && img.decode().then(() => img.naturalWidth);",
        testid("card-portrait-image"),
      );
      assert.equal(width, 640, "the chip's JPEG portrait is shown");
      await saveScreenshot(session, "card-genuine");
      await u.click("lang-en");
      assert.match(await u.text("card-verdict-text"), /^Genuine card/);
      await saveScreenshot(session, "card-genuine-en");
      await u.click("lang-vi");
    });
  });

  test("the log names the verdict and the issuer, never the holder", async () => {
    const text = await waitFor(
      "a log line for the card read",
      async () => {
        const joined = await logText(data);
        return joined.includes("card read") ? joined : null;
      },
      5_000,
    );
    assert.match(text, /"verdict":"genuine"/);
    for (const secret of ["001090012345", "090012345", "Nguyễn", "NGUYEN"]) {
      assert.equal(text.includes(secret), false, `${secret} in the log`);
    }
  });

  test("cancel wipes the names and the portrait from the screen", async () => {
    await step(session, "card-wipe", async () => {
      await u.click("cancel");
      await u.waitVisible("screen-welcome");
      assert.equal(await u.holds("Nguyễn Văn A"), false);
    });
  });
});

describe(`a whole enrollment at the counter: operator, software card through pcscd, form, review, done, real app at ${SIZE}`, () => {
  let session;
  let dir;
  let data;
  let u;
  let card;
  let config;
  const PIN = "246813";
  const PHONE = "0912345678";
  // The reference back office, a real HTTP server on loopback (`cargo build -p backoffice`).
  let office;
  let officeDir;

  before(async () => {
    await pcscd("start");
    officeDir = await mkdtemp(join(tmpdir(), "backoffice-"));
    office = new BackOffice(
      officeDir,
      20000 + Math.floor(Math.random() * 10000),
    );
    await office.start();
    const token = await office.token();
    ({ session, dir, data, config, u } = await start(
      "counter",
      "screen-signin",
      {
        backoffice: office.url,
        async prepare(configPath, dataDir) {
          await addOperator(configPath, PIN);
          assert.match(
            await kioskCli(configPath, ["register", "--token", token]),
            /^OK registered/,
          );
          await writeFile(
            join(dataDir, "residential-groups.txt"),
            GROUPS,
            "utf8",
          );
        },
      },
    ));
  });

  after(async () => {
    await removeCard(card);
    await session?.end();
    await office?.stop();
    await pcscd("stop").catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
    if (officeDir) await rm(officeDir, { recursive: true, force: true });
  });

  test("sign-in, consent and the chip read through pcscd reach the verdict 'genuine'", async () => {
    await step(session, "enroll-card", async () => {
      await signIn(u, "cb01", PIN);
      await toCardScreen(u, "001090012345");
      card = insertCard(dir, "nguyen-van-a");
      await readCard(u, "01011990", "01012030");
      assert.equal(await verdict(u), "genuine");
    });
  });

  test("the form refuses a landline with the domain's sentence, then takes a mobile and a group", async () => {
    await step(session, "enroll-form", async () => {
      await u.click("card-continue");
      await passPortrait(session, u, "enroll-portrait");
      await u.waitVisible("screen-form");
      await u.waitVisible("form-group-thon-dong");
      await u.click("form-phone");
      await u.keys("digits", "0243825555");
      await u.click("form-group-thon-dong");
      await u.click("form-continue");
      await u.waitVisible("form-error-phone");
      assert.equal(
        await u.text("form-error-phone"),
        "Đây không phải số di động Việt Nam: số phải bắt đầu bằng 03, 05, 07, 08 hoặc 09.",
      );
      assert.equal(await u.attr("form-phone", "aria-invalid"), "true");
      await saveScreenshot(session, "enroll-form-error");
      await session.execute(
        "const el = document.querySelector(arguments[0]); el.value = ''; el.focus();",
        testid("form-phone"),
      );
      await u.keys("digits", PHONE);
      await u.click("form-continue");
      await u.waitVisible("screen-review");
    });
  });

  test("the review shows what will be sealed: the chip's holder and the checked form", async () => {
    await step(session, "enroll-review", async () => {
      assert.equal(await u.text("review-full-name"), "Nguyễn Văn A");
      assert.equal(await u.text("review-id-number"), "001090012345");
      assert.equal(await u.text("review-phone"), PHONE);
      assert.equal(await u.text("review-group"), "Thôn Đông");
      assert.equal(
        await session.execute(
          "return document.querySelector('h1').textContent;",
        ),
        "Xác nhận thông tin đăng ký",
      );
      await saveScreenshot(session, "enroll-review");
    });
  });

  test("confirming seals and queues the package: the done screen, one package queued, the session wiped", async (t) => {
    await step(session, "enroll-done", async () => {
      // The back office goes down: the package must wait in the queue, and the header say so.
      await office.stop();
      const t0 = Date.now();
      await u.click("review-confirm");
      await u.waitVisible("screen-done", 30_000);
      t.diagnostic(`seal, sign and queue: ${Date.now() - t0} ms`);
      const number = await u.text("done-number");
      assert.match(
        number,
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
      const qrWidth = await session.execute(
        "const img = document.querySelector(arguments[0]);" +
          " return img && img.decode().then(() => img.naturalWidth);",
        testid("done-qr"),
      );
      assert.ok(qrWidth > 0, "the QR code image decodes");
      assert.match(await u.text("done-next-steps"), /OTP/);
      await saveScreenshot(session, "enroll-done");
      await waitForOneQueued(config);
      await waitFor(
        "the header counting the waiting package, the back office unreachable",
        async () =>
          (await u.text("status-queue-text")) === "1 hồ sơ đang chờ gửi" &&
          (await u.attr("status-sync", "data-state")) === "unreachable",
        10_000,
      );
      assert.equal(await u.attr("status-queue", "data-level"), "warn");
      await saveScreenshot(session, "enroll-done-backoffice-down");
      await u.click("done-finish");
      // The operator stays signed in: the next citizen starts on consent.
      await u.waitVisible("screen-consent");
      assert.equal(await u.text("operator-name"), "Cán bộ: cb01");
      assert.equal(
        await session.execute(
          "return document.documentElement.outerHTML.includes(arguments[0]);",
          PHONE,
        ),
        false,
      );
    });
  });

  test("when the back office is back, the sync loop delivers the package and its signed receipt marks it acknowledged", async (t) => {
    await office.start();
    const t0 = Date.now();
    const status = await waitFor(
      "the package acknowledged",
      async () => {
        const counts = await queueCounts(config);
        return counts.acknowledged === 1 ? counts : null;
      },
      90_000,
    );
    t.diagnostic(`back office up to acknowledged: ${Date.now() - t0} ms`);
    assert.equal(status.queued, 0);
    await waitFor(
      "the header with nothing waiting, synced",
      async () =>
        (await u.text("status-queue-text")) === "Không có hồ sơ chờ gửi" &&
        (await u.attr("status-sync", "data-state")) === "synced",
      10_000,
    );
    assert.match(
      await u.text("status-sync-detail"),
      /^đồng bộ lần cuối \d\d:\d\d$/,
    );
  });

  test("the log names the sealed package, never the citizen or the phone", async () => {
    const text = await waitFor(
      "a log line for the queued package",
      async () => {
        const joined = await logText(data);
        return joined.includes("enrollment sealed and queued") ? joined : null;
      },
      10_000,
    );
    for (const secret of [PHONE, "001090012345", "Nguyễn Văn A", PIN]) {
      assert.equal(
        text.includes(secret),
        false,
        "no personal data or PIN in the log",
      );
    }
  });
});

describe(`a whole enrollment at a self-service station, real app at ${SIZE}`, () => {
  let session;
  let dir;
  let u;
  let card;
  let config;

  before(async () => {
    await pcscd("start");
    ({ session, dir, config, u } = await start(
      "self-service",
      "screen-welcome",
      {
        async prepare(configPath, data) {
          await addSelfServiceStation(configPath);
          await writeFile(
            join(data, "residential-groups.txt"),
            "thon-dong Thôn Đông\n",
            "utf8",
          );
          await writePackageKey(data);
        },
      },
    ));
  });

  after(async () => {
    await removeCard(card);
    await session?.end();
    await pcscd("stop").catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("the citizen alone: consent, card, form, review, done, and the package in the queue", async () => {
    await step(session, "self-enroll", async () => {
      await u.click("welcome-start");
      await u.waitVisible("screen-consent");
      await toCardScreen(u, "001090012345");
      card = insertCard(dir, "nguyen-van-a");
      await readCard(u, "01011990", "01012030");
      assert.equal(await verdict(u), "genuine");
      await u.click("card-continue");
      await passPortrait(session, u, "self-service-portrait");
      await u.waitVisible("form-group-thon-dong");
      await u.click("form-phone");
      await u.keys("digits", "0387654321");
      await u.click("form-group-thon-dong");
      await u.click("form-continue");
      await u.waitVisible("screen-review");
      assert.equal(await u.text("review-phone"), "0387654321");
      await u.click("review-confirm");
      await u.waitVisible("screen-done", 30_000);
      await saveScreenshot(session, "self-service-done");
      await waitForOneQueued(config);
      await u.click("done-finish");
      await u.waitVisible("screen-welcome");
    });
  });
});
