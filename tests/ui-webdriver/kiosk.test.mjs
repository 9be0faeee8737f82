// The real kiosk app (Tauri + WebKitGTK) under Xvfb with a window manager, driven through
// tauri-driver: for each mode it proves the start screen, both languages, the honest header,
// the on-screen keypad, the core's sign-in answer, the idle wipe, and saves screenshots.
//
// Run by scripts/test.sh, which starts Xvfb (at SCREEN_SIZE) + matchbox + tauri-driver and sets
// VNEID_KIOSK_APP (the built binary) and SCREEN_SIZE (e.g. 1280x800), plus optionally
// SCREENSHOT_DIR (default: screenshots/), VNEID_KIOSK_CONFIG (where to write each case's
// config; default: a temporary folder) and TAURI_DRIVER_URL (default http://127.0.0.1:4444).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  writeFile,
} from "node:fs/promises";
import { execFile, spawn } from "node:child_process";
import { createConnection } from "node:net";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Session, testid, waitFor } from "./webdriver.mjs";

const APP = process.env.VNEID_KIOSK_APP;
const DRIVER = process.env.TAURI_DRIVER_URL ?? "http://127.0.0.1:4444";
const SIZE = process.env.SCREEN_SIZE ?? "1280x800";
const [WIDTH, HEIGHT] = SIZE.split("x").map(Number);
const SHOTS = resolve(process.env.SCREENSHOT_DIR ?? "screenshots");

// An address where nothing listens: the header must say the back office is unreachable.
const UNREACHABLE_BACKOFFICE = "http://127.0.0.1:9";
const IDLE_TIMEOUT_SECS = 10; // the configuration's minimum
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
  waiting: "Đầu đọc sẵn sàng — hãy đặt thẻ lên đầu đọc.",
  present: "Đã thấy thẻ trên đầu đọc.",
};
const CAMERA_TEXT = {
  no_camera: "Không tìm thấy camera — hãy kiểm tra cáp của camera",
  ready: "Sẵn sàng",
};

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// The software card's command (`cargo build -p cardsim`); tests through pcscd need it.
const CARDSIM = process.env.VNEID_CARDSIM ?? join(ROOT, "target/debug/cardsim");

function configToml(
  dir,
  mode,
  trustStore = join(dir, "trust"),
  backoffice = UNREACHABLE_BACKOFFICE,
) {
  return [
    `device_id = "kiosk-uitest-${mode}"`,
    `device_name = "Điểm thử nghiệm giao diện"`,
    `mode = "${mode}"`,
    `language = "vi"`,
    `data_dir = "${join(dir, "data")}"`,
    `backoffice_url = "${backoffice}"`,
    `trust_store = "${trustStore}"`,
    `idle_timeout_secs = ${IDLE_TIMEOUT_SECS}`,
    `idle_warning_secs = ${IDLE_WARNING_SECS}`,
    "",
  ].join("\n");
}

/** Writes the case's configuration, runs `prepare(configPath)` if given, and starts the app. */
async function launch(mode, trustStore, prepare, backoffice) {
  assert.ok(
    APP,
    "VNEID_KIOSK_APP must name the built kiosk binary (scripts/test.sh sets it)",
  );
  const dir = await mkdtemp(join(tmpdir(), `kiosk-ui-${mode}-`));
  await mkdir(join(dir, "trust"), { recursive: true });
  // The camera replays one still face: the portrait step takes it (no QR code in it).
  await mkdir(join(dir, "camera"), { recursive: true });
  await copyFile(
    join(ROOT, "assets/frames/portrait/0-ok-960x540.jpg"),
    join(dir, "camera", "0-ok.jpg"),
  );
  const configPath = process.env.VNEID_KIOSK_CONFIG ?? join(dir, "kiosk.toml");
  await mkdir(dirname(configPath), { recursive: true });
  await writeFile(
    configPath,
    configToml(dir, mode, trustStore, backoffice) +
      `camera = "replay:${join(dir, "camera")}"\n`,
    "utf8",
  );
  await prepare?.(configPath);
  const session = await Session.start(DRIVER, APP, ["--config", configPath]);
  return { session, dir };
}

const js = {
  text: "const el = document.querySelector(arguments[0]); return el ? el.textContent.trim() : null;",
  value:
    "const el = document.querySelector(arguments[0]); return el ? el.value : null;",
  attr: "const el = document.querySelector(arguments[0]); return el ? el.getAttribute(arguments[1]) : null;",
  visible:
    "const el = document.querySelector(arguments[0]); return !!el && el.getClientRects().length > 0;",
  focused:
    "return document.activeElement ? document.activeElement.getAttribute('data-testid') : null;",
};

function ui(session) {
  return {
    text: (id) => session.execute(js.text, testid(id)),
    value: (id) => session.execute(js.value, testid(id)),
    attr: (id, name) => session.execute(js.attr, testid(id), name),
    visible: (id) => session.execute(js.visible, testid(id)),
    click: (id) => session.click(testid(id)),
    async keys(block, chars) {
      for (const c of chars) await session.click(testid(`${block}-key-${c}`));
    },
    waitVisible: (id, ms = 10_000) =>
      waitFor(
        `${id} visible`,
        () => session.execute(js.visible, testid(id)),
        ms,
      ),
  };
}

/** PNG width and height from its IHDR chunk. */
function pngSize(png) {
  assert.equal(png.subarray(1, 4).toString("latin1"), "PNG", "a PNG image");
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

async function saveScreenshot(session, name) {
  const png = await session.screenshot();
  await mkdir(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}-${SIZE}.png`);
  await writeFile(path, png);
  return { png, path };
}

/** Runs a step; on failure keeps a screenshot of what the app showed. */
async function step(session, name, body) {
  try {
    await body();
  } catch (err) {
    await saveScreenshot(session, `failed-${name}`).catch(() => {});
    throw err;
  }
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
 * The portrait step: the replayed face is taken by itself (input meanwhile keeps the idle watch
 * from wiping); saves `NAME-SIZE.png` of the picture beside the chip photo, then continues.
 */
async function passPortrait(session, u, name) {
  await u.waitVisible("screen-portrait", 15_000);
  await waitFor(
    "the portrait taken",
    async () => {
      await session.execute(
        "document.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));",
      );
      return u.visible("portrait-continue");
    },
    90_000,
    250,
  );
  await session.execute(
    "return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));",
  );
  await saveScreenshot(session, name);
  await u.click("portrait-continue");
}

/** Waits through the warning to the wipe; returns the seconds the countdown showed first. */
/** Waits until `queue status` shows exactly one package queued. The sync loop, woken by the
 * enrollment, may be trying the (stopped) back office at that moment: the package is then
 * briefly "uploading" before it goes back to "queued". */
async function waitForOneQueued(config) {
  let last = "";
  await waitFor(
    "one package queued",
    async () => {
      const { stdout } = await promisify(execFile)(APP, [
        "--config",
        config,
        "queue",
        "status",
      ]);
      last = stdout;
      return /^queued\t1$/m.test(stdout) && !/^uploading\t[1-9]/m.test(stdout);
    },
    15_000,
  ).catch((err) => {
    throw new Error(`${err.message}; last queue status:\n${last}`);
  });
}

async function waitForIdleWipe(session, u, startScreen) {
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

describe(`counter mode, real app at ${SIZE}`, () => {
  let session;
  let dir;
  let u;
  let startMs;

  before(async () => {
    const t0 = Date.now();
    ({ session, dir } = await launch("counter"));
    u = ui(session);
    await u.waitVisible("screen-signin", 30_000);
    startMs = Date.now() - t0;
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
        await session.execute(js.focused),
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
      const { png } = await saveScreenshot(session, "counter");
      assert.deepEqual(pngSize(png), [WIDTH, HEIGHT]);
    });
  });

  test("idle timeout wipes the typed operator code and returns to start in Vietnamese", async () => {
    await step(session, "counter-idle", async () => {
      await u.click("lang-en");
      await u.click("signin-operator");
      await u.keys("text", ["x", "y", "7"]);
      assert.equal((await u.value("signin-operator")).endsWith("xy7"), true);
      const countdown = await waitForIdleWipe(session, u, "screen-signin");
      assert.match(countdown, /erased in [1-4] seconds/);
      assert.equal(await u.value("signin-operator"), "");
      assert.equal(await u.value("signin-pin"), "");
      assert.equal(await u.visible("signin-error"), false);
      assert.equal(await u.text("signin-submit"), "Đăng nhập");
      assert.equal(
        await session.execute(
          "return document.documentElement.outerHTML.includes('xy7');",
        ),
        false,
      );
    });
  });
});

/** `vneid-kiosk --config CONFIG operator ARGS`, with `stdin` (the PINs) on standard input. */
function operatorCli(configPath, args, stdin) {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      APP,
      ["--config", configPath, "operator", ...args],
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`${err.message}\n${stderr}`))
          : resolvePromise(stdout),
    );
    child.stdin.end(stdin);
  });
}

describe(`counter mode with an operator account made by the CLI, real app at ${SIZE}`, () => {
  let session;
  let dir;
  let u;
  const PIN = "246813";

  before(async () => {
    ({ session, dir } = await launch("counter", undefined, async (config) => {
      await operatorCli(
        config,
        ["add", "--id", "admin", "--role", "administrator"],
        "97531864\n",
      );
      await operatorCli(
        config,
        ["add", "--id", "cb01", "--role", "operator", "--by", "admin"],
        `${PIN}\n97531864\n`,
      );
      const list = await operatorCli(config, ["list"], "");
      assert.equal(list, "admin\tadministrator\ncb01\toperator\n");
    }));
    u = ui(session);
    await u.waitVisible("screen-signin", 30_000);
  });

  after(async () => {
    await session?.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function signIn(operator, pin) {
    await u.click("signin-operator");
    await u.keys("text", [...operator]);
    await u.click("signin-pin");
    await u.keys("digits", pin);
    await u.click("signin-submit");
  }

  test("a wrong PIN is refused with the store's sentence and the PIN field emptied", async () => {
    await step(session, "counter-wrong-pin", async () => {
      await signIn("cb01", "111111");
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
      await signIn("cb01", PIN);
      await u.waitVisible("screen-consent", 15_000);
      await u.click("consent-agree");
      await u.waitVisible("screen-id-entry");
      await u.keys("digits", "001090012345");
      await u.click("id-continue");
      await u.waitVisible("screen-card");
      await saveScreenshot(session, "counter-card-after-sign-in");
    });
  });

  test("the log records the sign-in by role, never the PIN", async () => {
    const logDir = join(dir, "data", "logs");
    const text = await waitFor(
      "a log line for the sign-in",
      async () => {
        const files = existsSync(logDir) ? await readdir(logDir) : [];
        const all = await Promise.all(
          files.map((f) => readFile(join(logDir, f), "utf8")),
        );
        const joined = all.join("\n");
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
  let u;
  let startMs;
  const ID = "001099012345";

  before(async () => {
    const t0 = Date.now();
    ({ session, dir } = await launch("self-service"));
    u = ui(session);
    await u.waitVisible("screen-welcome", 30_000);
    startMs = Date.now() - t0;
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
      const { png } = await saveScreenshot(session, "self-service");
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
      const countdown = await waitForIdleWipe(session, u, "screen-welcome");
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
    const logDir = join(dir, "data", "logs");
    const text = await waitFor(
      "a log line for the wipe",
      async () => {
        const files = await readdir(logDir);
        const all = await Promise.all(
          files.map((f) => readFile(join(logDir, f), "utf8")),
        );
        const joined = all.join("");
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

/** pcscd with the virtual reader (vpcd), started and stopped by the project's script. */
const pcscd = (action) =>
  promisify(execFile)("bash", [join(ROOT, "scripts/pcscd-vpcd.sh"), action]);

/** Places a software card on the virtual reader; resolves to the process serving it. */
function insertCard(dir, identity, extra = []) {
  assert.ok(
    existsSync(CARDSIM),
    `${CARDSIM} missing: build it with cargo build -p cardsim`,
  );
  const pidFile = join(dir, `${identity}.pid`);
  const child = spawn(
    CARDSIM,
    ["insert", "--identity", identity, "--pid-file", pidFile, ...extra],
    { stdio: "ignore" },
  );
  return { child, pidFile };
}

async function removeCard(card) {
  if (!card) return;
  await promisify(execFile)(CARDSIM, [
    "remove",
    "--pid-file",
    card.pidFile,
  ]).catch(() => card.child.kill());
}

describe(`the card step through the real pcscd and a software card, real app at ${SIZE}`, () => {
  let session;
  let dir;
  let u;
  let card;
  const PORTRAIT = join(ROOT, "assets/frames/qr/00-nguyen-van-a-640x480.jpg");

  before(async () => {
    await pcscd("start");
    ({ session, dir } = await launch(
      "self-service",
      join(ROOT, "assets/test-csca"),
    ));
    u = ui(session);
    await u.waitVisible("screen-welcome", 30_000);
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
      await u.click("consent-agree");
      await u.waitVisible("screen-id-entry");
      await u.keys("digits", "001090012345");
      await u.click("id-continue");
      await u.waitVisible("screen-card");
      await waitFor(
        "the reader waiting for a card",
        async () =>
          (await u.text("card-reader-state")) === CARD_STATE_TEXT.waiting,
        10_000,
      );
      card = insertCard(dir, "nguyen-van-a", ["--portrait", PORTRAIT]);
      await waitFor(
        "the card seen on the reader",
        async () =>
          (await u.text("card-reader-state")) === CARD_STATE_TEXT.present,
        15_000,
      );
      await saveScreenshot(session, "card-present");
    });
  });

  test("typed dates open the chip: the names, the chip portrait and the verdict 'genuine'", async (t) => {
    await step(session, "card-read", async () => {
      await u.click("card-dob");
      await u.keys("digits", "01011990");
      await u.click("card-expiry");
      await u.keys("digits", "01012030");
      const t0 = Date.now();
      await u.click("card-read");
      await waitFor(
        "the holder's name from DG13",
        async () => (await u.text("card-holder-name")) === "Nguyễn Văn A",
        20_000,
      );
      await waitFor(
        "the verdict",
        async () => (await u.attr("card-verdict", "data-verdict")) || null,
        20_000,
      );
      t.diagnostic(`read and verify through pcscd: ${Date.now() - t0} ms`);
      assert.equal(await u.attr("card-verdict", "data-verdict"), "genuine");
      assert.match(await u.text("card-verdict-text"), /^Thẻ thật/);
      assert.equal(await u.text("card-holder-id"), "001090012345");
      assert.equal(await u.text("card-holder-dob"), "01/01/1990");
      const width = await session.execute(
        "const img = document.querySelector(arguments[0]);" +
          " return img && img.decode().then(() => img.naturalWidth);",
        testid("card-portrait-image"),
      );
      assert.equal(width, 640, "the chip's JPEG portrait is shown");
      await session.execute(
        "return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));",
      );
      await saveScreenshot(session, "card-genuine");
      await u.click("lang-en");
      assert.match(await u.text("card-verdict-text"), /^Genuine card/);
      await saveScreenshot(session, "card-genuine-en");
      await u.click("lang-vi");
    });
  });

  test("the log names the verdict and the issuer, never the holder", async () => {
    const logDir = join(dir, "data", "logs");
    const text = await waitFor(
      "a log line for the card read",
      async () => {
        const files = await readdir(logDir);
        const all = await Promise.all(
          files.map((f) => readFile(join(logDir, f), "utf8")),
        );
        const joined = all.join("");
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
      assert.equal(
        await session.execute(
          "return document.documentElement.outerHTML.includes('Nguyễn Văn A');",
        ),
        false,
      );
    });
  });

  /** From the welcome screen to a started read of the card on the reader. */
  async function startRead(id, birth, expiry) {
    await u.click("welcome-start");
    await u.click("consent-agree");
    await u.waitVisible("screen-id-entry");
    await u.keys("digits", id);
    await u.click("id-continue");
    await u.waitVisible("screen-card");
    await waitFor(
      "the card on the reader",
      async () =>
        (await u.text("card-reader-state")) === CARD_STATE_TEXT.present,
      15_000,
    );
    await u.click("card-dob");
    await u.keys("digits", birth);
    await u.click("card-expiry");
    await u.keys("digits", expiry);
    await u.click("card-read");
  }

  /** Swaps the card on the reader for another one. */
  async function swapCard(identity, extra) {
    await removeCard(card);
    card = insertCard(dir, identity, extra);
  }

  test("a card lifted mid-portrait is named, and the read resumes when it is placed again", async () => {
    await step(session, "card-torn", async () => {
      await swapCard("nguyen-van-a", [
        "--portrait",
        PORTRAIT,
        "--tear-after-bytes",
        "9000",
      ]);
      await startRead("001090012345", "01011990", "01012030");
      await waitFor(
        "the removal sentence",
        async () => await u.visible("card-error"),
        20_000,
      );
      assert.match(
        await u.text("card-error"),
        /^Thẻ đã bị nhấc khỏi đầu đọc khi đang đọc/,
      );
      assert.equal(
        await u.text("card-holder-name"),
        "Nguyễn Văn A",
        "the names read before the tear stay",
      );
      await saveScreenshot(session, "card-removed");
      await waitFor(
        "the reader without the card",
        async () =>
          (await u.text("card-reader-state")) === CARD_STATE_TEXT.waiting,
        10_000,
      );
      card = insertCard(dir, "nguyen-van-a", ["--portrait", PORTRAIT]);
      await waitFor(
        "the verdict after the card came back",
        async () => (await u.attr("card-verdict", "data-verdict")) || null,
        20_000,
      );
      assert.equal(await u.attr("card-verdict", "data-verdict"), "genuine");
      assert.equal(await u.visible("card-error"), false);
      await u.click("cancel");
      await u.waitVisible("screen-welcome");
    });
  });

  test("a wrong birth date is refused with the sentence that says what to check", async () => {
    await step(session, "card-wrong-key", async () => {
      await swapCard("tran-thi-bich-ngoc", []);
      await startRead("079303001234", "16082003", "15082028");
      await waitFor(
        "the wrong-key sentence",
        async () => await u.visible("card-error"),
        20_000,
      );
      assert.match(
        await u.text("card-error"),
        /^Chip không mở được với số định danh, ngày sinh và ngày hết hạn đã nhập/,
      );
      assert.equal(await u.visible("card-dob"), true, "the dates can be fixed");
      await saveScreenshot(session, "card-wrong-key");
      await u.click("cancel");
      await u.waitVisible("screen-welcome");
    });
  });

  for (const [flag, verdict, sentence] of [
    [["--clone"], "clone_suspected", /^Nghi chip sao chép/],
    [["--issuer", "unknown"], "issuer_unknown", /^Chữ ký số hợp lệ, nhưng/],
    [["--corrupt-dg", "13"], "invalid", /^Thẻ không hợp lệ/],
  ]) {
    test(`a card with ${flag.join(" ")} reads as ${verdict} and the citizen is sent to the police`, async () => {
      await step(session, `card-${verdict}`, async () => {
        await swapCard("nguyen-van-a", flag);
        await startRead("001090012345", "01011990", "01012030");
        await waitFor(
          "the verdict",
          async () => (await u.attr("card-verdict", "data-verdict")) || null,
          20_000,
        );
        assert.equal(await u.attr("card-verdict", "data-verdict"), verdict);
        assert.match(await u.text("card-verdict-text"), sentence);
        assert.match(
          await u.text("card-action"),
          /^Máy không xác nhận được thẻ này/,
        );
        assert.equal(await u.visible("card-continue"), false);
        await saveScreenshot(session, `card-${verdict}`);
        await u.click("cancel");
        await u.waitVisible("screen-welcome");
      });
    });
  }
});

describe(`a whole enrollment at the counter: operator, software card through pcscd, form, review, done, real app at ${SIZE}`, () => {
  let session;
  let dir;
  let u;
  let card;
  let config;
  const PIN = "246813";
  const PHONE = "0912345678";
  // The reference back office, a real HTTP server on loopback (`cargo build -p backoffice`).
  const BACKOFFICE =
    process.env.VNEID_BACKOFFICE ?? join(ROOT, "target/debug/backoffice");
  const PORT = 20000 + Math.floor(Math.random() * 10000);
  let office;
  let officeDir;

  async function startBackOffice() {
    assert.ok(
      existsSync(BACKOFFICE),
      `${BACKOFFICE} missing: build it with cargo build -p backoffice`,
    );
    officeDir ??= await mkdtemp(join(tmpdir(), "backoffice-"));
    const db = join(officeDir, "office.sqlite");
    office = spawn(
      BACKOFFICE,
      [
        "--db",
        db,
        "serve",
        "--listen",
        `127.0.0.1:${PORT}`,
        "--keys",
        join(officeDir, "keys"),
      ],
      { stdio: "ignore" },
    );
    await waitFor(
      "the back office listening",
      () =>
        new Promise((done) => {
          const probe = createConnection(
            { host: "127.0.0.1", port: PORT },
            () => {
              probe.end();
              done(true);
            },
          );
          probe.on("error", () => done(false));
        }),
      20_000,
    );
    const { stdout } = await promisify(execFile)(BACKOFFICE, [
      "--db",
      db,
      "create-kiosk-token",
    ]);
    return stdout.trim();
  }

  async function stopBackOffice() {
    if (!office || office.exitCode !== null) return;
    const exited = new Promise((done) => office.once("exit", done));
    office.kill();
    await exited;
  }
  before(async () => {
    await pcscd("start");
    const token = await startBackOffice();
    ({ session, dir } = await launch(
      "counter",
      join(ROOT, "assets/test-csca"),
      async (configPath) => {
        config = configPath;
        await operatorCli(
          configPath,
          ["add", "--id", "admin", "--role", "administrator"],
          "97531864\n",
        );
        await operatorCli(
          configPath,
          ["add", "--id", "cb01", "--role", "operator", "--by", "admin"],
          `${PIN}\n97531864\n`,
        );
        const data = join(dirname(configPath), "data");
        const registered = await promisify(execFile)(APP, [
          "--config",
          configPath,
          "register",
          "--token",
          token,
        ]);
        assert.match(registered.stdout, /^OK registered/);
        await writeFile(
          join(data, "residential-groups.txt"),
          "# Phường thử nghiệm\nto-1 Tổ dân phố 1\nthon-dong Thôn Đông\n",
          "utf8",
        );
      },
      `http://127.0.0.1:${PORT}`,
    ));
    u = ui(session);
    await u.waitVisible("screen-signin", 30_000);
  });

  after(async () => {
    await removeCard(card);
    await session?.end();
    await stopBackOffice();
    await pcscd("stop").catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
    if (officeDir) await rm(officeDir, { recursive: true, force: true });
  });

  test("sign-in, consent and the chip read through pcscd reach the verdict 'genuine'", async () => {
    await step(session, "enroll-card", async () => {
      await u.click("signin-operator");
      await u.keys("text", ["c", "b", "0", "1"]);
      await u.click("signin-pin");
      await u.keys("digits", PIN);
      await u.click("signin-submit");
      await u.waitVisible("screen-consent", 15_000);
      await u.click("consent-agree");
      await u.waitVisible("screen-id-entry");
      await u.keys("digits", "001090012345");
      await u.click("id-continue");
      await u.waitVisible("screen-card");
      card = insertCard(dir, "nguyen-van-a");
      await waitFor(
        "the card seen on the reader",
        async () =>
          (await u.text("card-reader-state")) === CARD_STATE_TEXT.present,
        15_000,
      );
      await u.click("card-dob");
      await u.keys("digits", "01011990");
      await u.click("card-expiry");
      await u.keys("digits", "01012030");
      await u.click("card-read");
      await waitFor(
        "the verdict",
        async () => (await u.attr("card-verdict", "data-verdict")) || null,
        30_000,
      );
      assert.equal(await u.attr("card-verdict", "data-verdict"), "genuine");
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
      await stopBackOffice();
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
      await session.execute(
        "return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));",
      );
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
    await startBackOffice();
    const t0 = Date.now();
    const status = await waitFor(
      "the package acknowledged",
      async () => {
        const { stdout } = await promisify(execFile)(APP, [
          "--config",
          config,
          "queue",
          "status",
        ]);
        return /^acknowledged\t1$/m.test(stdout) ? stdout : null;
      },
      90_000,
    );
    t.diagnostic(`back office up to acknowledged: ${Date.now() - t0} ms`);
    assert.match(status, /^queued\t0$/m);
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
    const logDir = join(dir, "data", "logs");
    const text = await waitFor(
      "a log line for the queued package",
      async () => {
        const files = existsSync(logDir) ? await readdir(logDir) : [];
        const all = await Promise.all(
          files.map((f) => readFile(join(logDir, f), "utf8")),
        );
        const joined = all.join("\n");
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
  // An X25519 public key the station seals to (any 32 bytes are one); the counter suite above
  // proves the real back office opens and acknowledges what the kiosk seals.
  const PACKAGE_KEY =
    "8f40c5adb68f25624ae5b214ea767a6ec94d829d3d7b5e1ad1ba6f3e2138285f";

  before(async () => {
    await pcscd("start");
    ({ session, dir } = await launch(
      "self-service",
      join(ROOT, "assets/test-csca"),
      async (configPath) => {
        config = configPath;
        await operatorCli(
          configPath,
          ["add", "--id", "admin", "--role", "administrator"],
          "97531864\n",
        );
        await operatorCli(
          configPath,
          [
            "add",
            "--id",
            "kiosk-uitest-self-service",
            "--role",
            "self-service",
            "--by",
            "admin",
          ],
          "97531864\n",
        );
        const data = join(dirname(configPath), "data");
        await writeFile(
          join(data, "residential-groups.txt"),
          "thon-dong Thôn Đông\n",
          "utf8",
        );
        await writeFile(
          join(data, "backoffice-package-x25519.pub"),
          `${PACKAGE_KEY}\n`,
          "utf8",
        );
      },
    ));
    u = ui(session);
    await u.waitVisible("screen-welcome", 30_000);
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
      await u.click("consent-agree");
      await u.waitVisible("screen-id-entry");
      await u.keys("digits", "001090012345");
      await u.click("id-continue");
      await u.waitVisible("screen-card");
      card = insertCard(dir, "nguyen-van-a");
      await waitFor(
        "the card seen on the reader",
        async () =>
          (await u.text("card-reader-state")) === CARD_STATE_TEXT.present,
        15_000,
      );
      await u.click("card-dob");
      await u.keys("digits", "01011990");
      await u.click("card-expiry");
      await u.keys("digits", "01012030");
      await u.click("card-read");
      await waitFor(
        "the verdict",
        async () => (await u.attr("card-verdict", "data-verdict")) || null,
        30_000,
      );
      assert.equal(await u.attr("card-verdict", "data-verdict"), "genuine");
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
