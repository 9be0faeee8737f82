// The unhappy paths through the real app (tauri-driver + WebKitWebDriver under Xvfb), with the
// software card behind the real pcscd, the replayed camera and the reference back office on
// loopback. Each says what the person sees (Vietnamese) and that nothing is lost or sent twice.
// At the counter: a back office that refuses the kiosk, then one that is down while a package
// waits; a card lifted mid-read that resumes; the next citizen's empty form with the operator
// still signed in; the idle timeout mid-form; a wrong typed key, retried; forged cards; nobody
// in front of the camera; the camera lost mid-portrait (its replay folder taken away, the
// closest this machine has to a webcam pulled out) and back after "Thử lại". At a
// self-service station: a card lifted mid-read, a wrong key, forged cards, nobody in front of
// the camera. Screenshots of each go to SCREENSHOT_DIR. Run at one screen size only (1280x800)
// to keep CI short: these are not layout tests.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  rename,
  rm,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testid, waitFor } from "./webdriver.mjs";
import {
  BackOffice,
  CARD_PRESENT,
  CARD_WAITING,
  CHIP_PORTRAIT,
  GROUPS,
  ROOT,
  SIZE,
  addOperator,
  addSelfServiceStation,
  emptyRoomPng,
  fillForm,
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
  toForm,
  typeDigits,
  ui,
  verdict,
  writePackageKey,
} from "./realstack.mjs";

const ID = "001090012345";
const BIRTH = "01011990";
const EXPIRY = "01012030";
const PIN = "246813";
const PHONE = "0912345678";
const IDLE_SECS = 12;

const total = (counts) => Object.values(counts).reduce((a, b) => a + b, 0);

/** The citizen in front of the camera (the replayed face the chip's photo also shows). */
const FACE_FRAME = join(ROOT, "assets/frames/portrait/0-ok-960x540.jpg");
const NO_FACE = "Chưa thấy khuôn mặt — hãy đứng trước camera, nhìn thẳng.";
/** An enrollment form the core accepts (for a submit that must still be refused). */
const VALID_FORM = {
  phone: PHONE,
  email: "",
  healthInsurance: "",
  drivingLicence: "",
  vehiclePlates: [],
  taxCode: "",
  group: "thon-dong",
};

/** What the replayed camera shows from its next opening on: `"face"` or `"empty"` (room). */
async function putInFrontOfCamera(folder, what) {
  await mkdir(folder, { recursive: true });
  for (const name of await readdir(folder)) await rm(join(folder, name));
  if (what === "face") await copyFile(FACE_FRAME, join(folder, "frame.jpg"));
  else await writeFile(join(folder, "frame.png"), emptyRoomPng());
}

/**
 * The submit the review screen sends, sent from the portrait step with a valid form: the
 * core's answer code ("queued" if it sealed a package).
 */
const submitWithoutPortrait = (session) =>
  session.execute(
    "return window.__TAURI_INTERNALS__.invoke('enrollment_submit', { form: arguments[0] })" +
      ".then(() => 'queued', (e) => (e && e.code) || JSON.stringify(e));",
    VALID_FORM,
  );

/**
 * Whether a finger reaches the element without scrolling: "reachable" when it lies wholly in
 * the viewport above the footer, nothing is scrolled, and it is what a touch at its centre
 * hits; otherwise what is wrong.
 */
const reachable = (session, id) =>
  session.execute(
    `const el = document.querySelector(arguments[0]);
     if (!el || el.getClientRects().length === 0) return "not shown";
     const r = el.getBoundingClientRect();
     const footer = document.querySelector('[data-testid="footer"]').getBoundingClientRect();
     const main = document.querySelector(".shell-main");
     if (main.scrollTop !== 0 || main.scrollHeight > main.clientHeight) return "the screen scrolls";
     if (r.top < 0 || r.left < 0 || r.right > innerWidth || r.bottom > footer.top)
       return "outside: " + Math.round(r.top) + ".." + Math.round(r.bottom) + ", footer at " + Math.round(footer.top);
     const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
     return el.contains(hit) ? "reachable" : "covered";`,
    testid(id),
  );

/**
 * The portrait step with nobody in front of the camera: the no-face guidance over a live
 * picture, after NO_FACE_HELP_MS the `help` sentence, and no picture taken meanwhile; "Hủy"
 * on screen with the help.
 */
async function noFaceOnPortraitStep(session, u, help) {
  await u.waitVisible("screen-portrait", 15_000);
  await machineWait(
    u,
    "the no-face guidance over a live picture",
    async () =>
      (await u.attr("portrait-guidance", "data-code")) === "no_face" &&
      Number(await u.attr("camera", "data-frames")) >= 3,
    20_000,
  );
  assert.equal(await u.text("portrait-guidance"), NO_FACE);
  await machineWait(
    u,
    "the no-face help",
    () => u.visible("portrait-no-face-help"),
    25_000,
  );
  assert.equal(await u.text("portrait-no-face-help"), help);
  assert.equal(await u.attr("portrait-guidance", "data-code"), "no_face");
  assert.equal(await u.visible("portrait-continue"), false, "no way on");
  assert.equal(await u.visible("portrait-captured"), false, "nothing taken");
  assert.equal(await u.visible("portrait-retake"), false);
  assert.equal(await u.attr("camera", "data-state"), "running");
  assert.equal(
    await reachable(session, "cancel"),
    "reachable",
    "'Hủy', which the help names, on screen with it: no scrolling to reach it",
  );
}

describe(
  `unhappy paths at the counter, real app at ${SIZE}`,
  { skip: SIZE !== "1280x800" },
  () => {
    let app;
    let u;
    let card;
    let office;
    let officeDir;
    let camera;

    /** Stops the back office and starts it again over the database `db`. */
    async function restartOffice(db) {
      await office.stop();
      await office.start(db);
    }

    async function swapCard(extra = []) {
      await removeCard(card);
      card = insertCard(app.dir, "nguyen-van-a", [
        "--portrait",
        CHIP_PORTRAIT,
        ...extra,
      ]);
    }

    before(async () => {
      await pcscd("start");
      officeDir = await mkdtemp(join(tmpdir(), "backoffice-unhappy-"));
      office = new BackOffice(
        officeDir,
        20000 + Math.floor(Math.random() * 10000),
      );
      await office.start("office.sqlite");
      const token = await office.token();
      camera = join(officeDir, "camera");
      await putInFrontOfCamera(camera, "face");
      app = await launch({
        mode: "counter",
        backoffice: office.url,
        idleTimeoutSecs: IDLE_SECS,
        camera,
        prepare: async (config, data) => {
          await addOperator(config, PIN);
          assert.match(
            await kioskCli(config, ["register", "--token", token]),
            /^OK registered/,
          );
          await writeFile(join(data, "residential-groups.txt"), GROUPS, "utf8");
          // Another back office at the same address, which has never heard of this kiosk.
          await restartOffice("stranger.sqlite");
        },
      });
      u = ui(app.session);
      await u.waitVisible("screen-signin", 30_000);
    });

    after(async () => {
      await removeCard(card);
      await app?.session.end();
      await office?.stop();
      await pcscd("stop").catch(() => {});
      if (app) await rm(app.dir, { recursive: true, force: true });
      if (officeDir) await rm(officeDir, { recursive: true, force: true });
    });

    test("a back office that does not know the kiosk: the header says it is refused and what to do", async () => {
      await step(app.session, "unhappy-refused", async () => {
        await waitFor(
          "the refusal in the header",
          async () => (await u.attr("status-sync", "data-state")) === "refused",
          20_000,
        );
        assert.equal(
          await u.text("status-sync-text"),
          "Máy bị từ chối (chưa đăng ký hoặc đã bị thu hồi) — hãy báo quản trị viên đăng ký lại",
        );
        assert.equal(await u.attr("status-sync", "data-level"), "problem");
        await saveScreenshot(app.session, "unhappy-backoffice-refused");
        await restartOffice("office.sqlite");
        await waitFor(
          "the header synced with its own back office",
          async () => (await u.attr("status-sync", "data-state")) === "synced",
          40_000,
        );
        assert.match(
          await u.text("status-sync-detail"),
          /^đồng bộ lần cuối \d\d:\d\d$/,
        );
      });
    });

    test("a card lifted mid-read resumes when placed again; with the back office down the package waits, then it is sent once", async () => {
      await step(app.session, "unhappy-torn", async () => {
        await signIn(u, "cb01", PIN);
        await toCardScreen(u, ID);
        card = insertCard(app.dir, "nguyen-van-a", [
          "--portrait",
          CHIP_PORTRAIT,
          "--tear-after-bytes",
          "9000",
        ]);
        await readCard(u, BIRTH, EXPIRY);
        await machineWait(
          u,
          "the removal sentence",
          () => u.visible("card-error"),
          20_000,
        );
        assert.equal(
          await u.text("card-error"),
          "Thẻ đã bị nhấc khỏi đầu đọc khi đang đọc. Hãy đặt lại thẻ và giữ yên: máy sẽ đọc tiếp từ chỗ dừng.",
        );
        assert.equal(
          await u.text("card-holder-name"),
          "Nguyễn Văn A",
          "names read before the tear stay",
        );
        await saveScreenshot(app.session, "unhappy-card-removed");
        await waitFor(
          "the reader without the card",
          async () => (await u.text("card-reader-state")) === CARD_WAITING,
          10_000,
        );
        card = insertCard(app.dir, "nguyen-van-a", [
          "--portrait",
          CHIP_PORTRAIT,
        ]);
        assert.equal(await verdict(u), "genuine");
        assert.equal(await u.visible("card-error"), false);
        await saveScreenshot(app.session, "unhappy-card-resumed");
        await toForm(u);
        await fillForm(u, PHONE);
        await office.stop();
        await u.click("review-confirm");
        await machineWait(u, "the done screen", () => u.visible("screen-done"));
        const counts = await queueCounts(app.config);
        assert.equal(
          total(counts),
          1,
          `one package: ${JSON.stringify(counts)}`,
        );
        await waitFor(
          "the header: back office down, one package waiting",
          async () =>
            (await u.attr("status-sync", "data-state")) === "unreachable" &&
            (await u.text("status-queue-text")) === "1 hồ sơ đang chờ gửi",
          15_000,
        );
        assert.equal(
          await u.text("status-sync-text"),
          "Mất kết nối — hồ sơ được giữ lại và tự gửi khi có kết nối",
        );
        assert.match(
          await u.text("status-sync-detail"),
          /thử lại lúc \d\d:\d\d/,
        );
        await saveScreenshot(app.session, "unhappy-backoffice-down");
        await office.start("office.sqlite");
        await waitFor(
          "the package acknowledged",
          async () => (await queueCounts(app.config)).acknowledged === 1,
          60_000,
        );
        const after = await queueCounts(app.config);
        assert.equal(
          total(after),
          1,
          `still one package: ${JSON.stringify(after)}`,
        );
        await waitFor(
          "the header: synced, nothing waiting",
          async () =>
            (await u.attr("status-sync", "data-state")) === "synced" &&
            (await u.text("status-queue-text")) === "Không có hồ sơ chờ gửi",
          15_000,
        );
        await saveScreenshot(app.session, "unhappy-backoffice-back");
      });
    });

    test("the next citizen starts with an empty form while the operator is still signed in; the idle timeout mid-form wipes it", async () => {
      await step(app.session, "unhappy-next-citizen", async () => {
        await waitFor(
          "no idle warning",
          async () => !(await u.visible("idle-warning")),
          15_000,
        );
        if (await u.visible("done-finish")) await u.click("done-finish");
        await u.waitVisible("screen-consent", 15_000);
        assert.equal(await u.text("operator-name"), "Cán bộ: cb01");
        await toCardScreen(u, ID);
        assert.equal(await u.value("card-dob"), "", "the dates start empty");
        await readCard(u, BIRTH, EXPIRY);
        assert.equal(await verdict(u), "genuine");
        await toForm(u);
        const typed = await app.session.execute(
          "return [...document.querySelectorAll('[data-testid=screen-form] input')]" +
            ".filter((i) => i.type !== 'radio' && i.type !== 'checkbox').map((i) => i.value);",
        );
        assert.ok(typed.length >= 5, "the form's text fields");
        assert.deepEqual(
          typed.filter((v) => v !== ""),
          [],
          "the second citizen's form is empty",
        );
        assert.equal(
          await u.holds(PHONE),
          false,
          "nothing of the first citizen",
        );
        assert.equal(await u.text("operator-name"), "Cán bộ: cb01");
        await saveScreenshot(app.session, "unhappy-next-citizen-form");
        await u.click("form-phone");
        await u.keys("digits", "0987");
        await waitFor(
          "the idle warning",
          () => u.visible("idle-warning"),
          (IDLE_SECS + 3) * 1000,
        );
        await saveScreenshot(app.session, "unhappy-idle-warning");
        await waitFor(
          "the wipe back to consent",
          async () =>
            (await u.visible("screen-consent")) &&
            !(await u.visible("idle-warning")),
          10_000,
        );
        assert.equal(await u.holds("0987"), false, "the typed phone is gone");
        assert.equal(
          await u.holds("Nguyễn Văn A"),
          false,
          "the chip's names are gone",
        );
        assert.equal(
          await u.text("operator-name"),
          "Cán bộ: cb01",
          "the operator stays",
        );
        assert.equal(
          total(await queueCounts(app.config)),
          1,
          "nothing queued by the wipe",
        );
        await saveScreenshot(app.session, "unhappy-idle-wiped");
      });
    });

    test("a wrong typed key gets the sentence that says what to check; retries are allowed and the right key then opens the chip", async () => {
      await step(app.session, "unhappy-wrong-key", async () => {
        // The chip also opens with the last 6 digits of the ID (PACE with the CAN), so a wrong
        // key is a wrong ID number: the access key fails with every method.
        await toCardScreen(u, "001090012346");
        await readCard(u, BIRTH, EXPIRY);
        await machineWait(
          u,
          "the wrong-key sentence",
          () => u.visible("card-error"),
          30_000,
        );
        assert.equal(
          await u.text("card-error"),
          "Chip không mở được với số định danh, ngày sinh và ngày hết hạn đã nhập. Hãy kiểm tra lại các số in trên thẻ rồi đọc lại.",
        );
        assert.equal(
          await u.visible("card-dob"),
          true,
          "the dates can be fixed",
        );
        assert.equal(await u.visible("card-verdict"), false);
        await saveScreenshot(app.session, "unhappy-wrong-key");
        // Trying again is allowed (the same wrong key gets the same sentence) ...
        await typeDigits(u, "card-expiry", "01012031");
        await u.click("card-read");
        await machineWait(
          u,
          "the wrong-key sentence again",
          async () =>
            (await u.visible("card-error")) &&
            (await u.attr("card-read", "disabled")) === null,
          30_000,
        );
        assert.match(await u.text("card-error"), /^Chip không mở được/);
        // ... and the kiosk never locks the card out: with the right ID the chip opens.
        await u.click("cancel");
        await u.waitVisible("screen-consent");
        await toCardScreen(u, ID);
        await readCard(u, BIRTH, EXPIRY);
        assert.equal(await verdict(u), "genuine");
        assert.equal(await u.visible("card-error"), false);
        await u.click("cancel");
        await u.waitVisible("screen-consent");
      });
    });

    for (const [flags, expected, sentence, action, mayContinue] of [
      [
        ["--clone"],
        "clone_suspected",
        "Nghi chip sao chép: chip không chứng minh được là chip gốc của thẻ.",
        "Cán bộ: không đăng ký bằng thẻ này; giữ thẻ lại và báo cáo theo quy định.",
        false,
      ],
      [
        ["--issuer", "unknown"],
        "issuer_unknown",
        "Chữ ký số hợp lệ, nhưng cơ quan đã ký không có trong danh sách tin cậy của máy.",
        "Cán bộ: kiểm tra thẻ bằng mắt và hỏi cơ quan cấp thẻ trước khi tiếp tục; báo quản trị viên cập nhật danh sách tin cậy.",
        true,
      ],
      [
        ["--corrupt-dg", "13"],
        "invalid",
        "Thẻ không hợp lệ: dữ liệu trong chip không khớp với chữ ký số, hoặc không khớp với thẻ.",
        "Cán bộ: không đăng ký bằng thẻ này; giữ thẻ lại và báo cáo theo quy định.",
        false,
      ],
    ]) {
      test(`a forged card (${flags.join(" ")}) reads as ${expected} and tells the officer what to do`, async () => {
        await step(app.session, `unhappy-${expected}`, async () => {
          await swapCard(flags);
          await toCardScreen(u, ID);
          await readCard(u, BIRTH, EXPIRY);
          assert.equal(await verdict(u), expected);
          assert.equal(await u.text("card-verdict-text"), sentence);
          assert.equal(await u.text("card-action"), action);
          assert.equal(await u.visible("card-continue"), mayContinue);
          await saveScreenshot(app.session, `unhappy-card-${expected}`);
          await u.click("cancel");
          await u.waitVisible("screen-consent");
        });
      });
    }

    test("nobody in front of the camera: the no-face guidance, the officer's help after a while, no picture, nothing can be queued, 'Hủy' goes back", async () => {
      await step(app.session, "unhappy-no-face", async () => {
        await swapCard();
        await putInFrontOfCamera(camera, "empty");
        await toCardScreen(u, ID);
        await readCard(u, BIRTH, EXPIRY);
        assert.equal(await verdict(u), "genuine");
        await u.click("card-continue");
        await noFaceOnPortraitStep(
          app.session,
          u,
          "Đã lâu máy không thấy khuôn mặt. Cán bộ: hướng dẫn công dân đứng thẳng trước camera, bỏ khẩu trang, mũ, kính râm, và kiểm tra camera không bị che.",
        );
        await saveScreenshot(app.session, "unhappy-no-face");
        // Even the review's own submit, sent now, is refused: no package without a portrait.
        assert.equal(
          await submitWithoutPortrait(app.session),
          "enrollment.portrait_unavailable",
        );
        assert.equal(
          total(await queueCounts(app.config)),
          1,
          "nothing queued without a portrait",
        );
        await u.click("cancel");
        await u.waitVisible("screen-consent");
        assert.equal(
          await u.holds("Nguyễn Văn A"),
          false,
          "the names are gone",
        );
        assert.equal(await u.text("operator-name"), "Cán bộ: cb01");
      });
    });

    test("the camera lost mid-portrait: the header and the step say so and what to do; back with 'Thử lại', the picture is taken and the enrollment queued", async () => {
      await step(app.session, "unhappy-camera-lost", async () => {
        await toCardScreen(u, ID);
        await readCard(u, BIRTH, EXPIRY);
        assert.equal(await verdict(u), "genuine");
        await u.click("card-continue");
        await u.waitVisible("screen-portrait", 15_000);
        await machineWait(
          u,
          "the live picture, nobody in front of it yet",
          async () =>
            (await u.attr("portrait-guidance", "data-code")) === "no_face" &&
            (await u.attr("status-camera", "data-state")) === "ready",
          20_000,
        );
        // The camera goes away: its replay folder is gone, as a webcam's device is.
        const unplugged = `${camera}-unplugged`;
        await rename(camera, unplugged);
        await machineWait(
          u,
          "the portrait step's camera failed",
          async () => (await u.attr("camera", "data-state")) === "failed",
          10_000,
        );
        assert.equal(
          await u.text("camera-state"),
          "Camera đã bị rút ra hoặc ngừng gửi hình. Hãy cắm lại cáp camera rồi chạm “Thử lại”.",
        );
        assert.equal(await u.visible("camera-retry"), true);
        assert.equal(await u.text("camera-retry"), "Thử lại");
        assert.equal(await u.visible("portrait-guidance"), false);
        assert.equal(await u.visible("portrait-continue"), false);
        await machineWait(
          u,
          "the header's camera lost",
          async () =>
            (await u.attr("status-camera", "data-state")) === "failed",
          10_000,
        );
        assert.equal(
          await u.text("status-camera-text"),
          "Camera không hoạt động (bị rút ra hoặc đang bận) — hãy kiểm tra cáp của camera",
        );
        assert.equal(await u.attr("status-camera", "data-level"), "problem");
        await saveScreenshot(app.session, "unhappy-camera-lost");
        // Plugged in again, with the citizen now in front of it; the officer taps "Thử lại".
        await rename(unplugged, camera);
        await putInFrontOfCamera(camera, "face");
        await u.click("camera-retry");
        await machineWait(
          u,
          "the portrait taken after the retry",
          () => u.visible("portrait-continue"),
          60_000,
        );
        assert.equal(await u.visible("camera-retry"), false);
        assert.equal(await u.visible("portrait-captured-image"), true);
        await machineWait(
          u,
          "the header's camera ready again",
          async () => (await u.attr("status-camera", "data-state")) === "ready",
          10_000,
        );
        assert.equal(await u.text("status-camera-text"), "Sẵn sàng");
        await saveScreenshot(app.session, "unhappy-camera-back");
        await u.click("portrait-continue");
        await u.waitVisible("form-group-thon-dong", 15_000);
        await fillForm(u, PHONE);
        await u.click("review-confirm");
        await machineWait(u, "the done screen", () => u.visible("screen-done"));
        await waitFor(
          "the second package in the queue",
          async () => total(await queueCounts(app.config)) === 2,
          15_000,
        );
        await u.click("done-finish");
        await u.waitVisible("screen-consent", 15_000);
      });
    });

    test("'Đăng xuất' ends the operator's sign-in; the unhappy paths queued nothing beyond the two enrollments completed", async () => {
      await step(app.session, "unhappy-sign-out", async () => {
        await u.click("operator-sign-out");
        await u.waitVisible("screen-signin");
        assert.equal(await u.visible("operator"), false);
        assert.deepEqual(await queueCounts(app.config).then(total), 2);
      });
    });
  },
);

describe(
  `unhappy paths at a self-service station, real app at ${SIZE}`,
  { skip: SIZE !== "1280x800" },
  () => {
    let app;
    let u;
    let card;
    let camera;

    before(async () => {
      await pcscd("start");
      camera = await mkdtemp(join(tmpdir(), "camera-self-service-"));
      await putInFrontOfCamera(camera, "empty");
      app = await launch({
        mode: "self-service",
        idleTimeoutSecs: 60,
        idleWarningSecs: 20,
        camera,
        prepare: async (config, data) => {
          await addSelfServiceStation(config);
          await writeFile(join(data, "residential-groups.txt"), GROUPS, "utf8");
          await writePackageKey(data);
        },
      });
      u = ui(app.session);
      await u.waitVisible("screen-welcome", 30_000);
    });

    after(async () => {
      await removeCard(card);
      await app?.session.end();
      await pcscd("stop").catch(() => {});
      if (app) await rm(app.dir, { recursive: true, force: true });
      if (camera) await rm(camera, { recursive: true, force: true });
    });

    /** Swaps the card on the reader for another one. */
    async function swapCard(identity, extra) {
      await removeCard(card);
      card = insertCard(app.dir, identity, extra);
    }

    /** From the welcome screen to a started read of the card on the reader. */
    async function startRead(id, birth, expiry) {
      await u.click("welcome-start");
      await u.waitVisible("screen-consent");
      await toCardScreen(u, id);
      await readCard(u, birth, expiry);
    }

    test("a card lifted mid-portrait is named, and the read resumes when it is placed again", async () => {
      await step(app.session, "self-service-card-torn", async () => {
        await swapCard("nguyen-van-a", [
          "--portrait",
          CHIP_PORTRAIT,
          "--tear-after-bytes",
          "9000",
        ]);
        await startRead(ID, BIRTH, EXPIRY);
        await machineWait(
          u,
          "the removal sentence",
          () => u.visible("card-error"),
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
        await saveScreenshot(app.session, "card-removed");
        await waitFor(
          "the reader without the card",
          async () => (await u.text("card-reader-state")) === CARD_WAITING,
          10_000,
        );
        card = insertCard(app.dir, "nguyen-van-a", [
          "--portrait",
          CHIP_PORTRAIT,
        ]);
        assert.equal(await verdict(u, 20_000), "genuine");
        assert.equal(await u.visible("card-error"), false);
        await u.click("cancel");
        await u.waitVisible("screen-welcome");
      });
    });

    test("a wrong birth date is refused with the sentence that says what to check", async () => {
      await step(app.session, "self-service-card-wrong-key", async () => {
        await swapCard("tran-thi-bich-ngoc", []);
        await startRead("079303001234", "16082003", "15082028");
        await machineWait(
          u,
          "the wrong-key sentence",
          () => u.visible("card-error"),
          20_000,
        );
        assert.match(
          await u.text("card-error"),
          /^Chip không mở được với số định danh, ngày sinh và ngày hết hạn đã nhập/,
        );
        assert.equal(
          await u.visible("card-dob"),
          true,
          "the dates can be fixed",
        );
        await saveScreenshot(app.session, "card-wrong-key");
        await u.click("cancel");
        await u.waitVisible("screen-welcome");
      });
    });

    for (const [flag, expected, sentence] of [
      [["--clone"], "clone_suspected", /^Nghi chip sao chép/],
      [["--issuer", "unknown"], "issuer_unknown", /^Chữ ký số hợp lệ, nhưng/],
      [["--corrupt-dg", "13"], "invalid", /^Thẻ không hợp lệ/],
    ]) {
      test(`a card with ${flag.join(" ")} reads as ${expected} and the citizen is sent to the police`, async () => {
        await step(app.session, `self-service-card-${expected}`, async () => {
          await swapCard("nguyen-van-a", flag);
          await startRead(ID, BIRTH, EXPIRY);
          assert.equal(await verdict(u, 20_000), expected);
          assert.match(await u.text("card-verdict-text"), sentence);
          assert.match(
            await u.text("card-action"),
            /^Máy không xác nhận được thẻ này/,
          );
          assert.equal(await u.visible("card-continue"), false);
          await saveScreenshot(app.session, `card-${expected}`);
          await u.click("cancel");
          await u.waitVisible("screen-welcome");
        });
      });
    }

    test("nobody in front of the camera: the no-face guidance, then where to get help; no picture, nothing queued, 'Hủy' back to the start", async () => {
      await step(app.session, "self-service-no-face", async () => {
        await swapCard("nguyen-van-a", ["--portrait", CHIP_PORTRAIT]);
        await startRead(ID, BIRTH, EXPIRY);
        assert.equal(await verdict(u), "genuine");
        assert.equal(await u.text("card-reader-state"), CARD_PRESENT);
        await u.click("card-continue");
        await noFaceOnPortraitStep(
          app.session,
          u,
          "Máy chưa thấy khuôn mặt của bạn. Hãy đứng thẳng trước camera, cách khoảng một sải tay, bỏ khẩu trang, mũ và kính râm. Nếu vẫn không được, hãy nhờ nhân viên hỗ trợ hoặc chạm “Hủy” để làm lại sau.",
        );
        assert.match(
          await u.text("cancel"),
          /^Hủy\b/,
          "the button the help names",
        );
        await saveScreenshot(app.session, "self-service-no-face");
        assert.equal(
          await submitWithoutPortrait(app.session),
          "enrollment.portrait_unavailable",
        );
        assert.equal(
          total(await queueCounts(app.config)),
          0,
          "no package without a portrait",
        );
        await u.click("cancel");
        await u.waitVisible("screen-welcome");
        assert.equal(
          await u.holds("Nguyễn Văn A"),
          false,
          "the names are gone",
        );
        assert.equal(await u.holds(ID), false, "the typed ID is gone");
      });
    });
  },
);
