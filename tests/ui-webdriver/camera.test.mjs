// The camera in the real app (Tauri + WebKitGTK under Xvfb, tauri-driver), its frames replayed
// from assets/frames/enrollment (the card held up with its QR code, then a citizen who must move
// closer and then holds still): at the counter, the card's QR read by the camera opens the chip
// through the real pcscd and the software card with nothing typed, the portrait step guides and
// takes the picture by itself, and the package is queued; then, with no card reader at all, the
// QR data stand in for the chip once the officer confirms, marked "not chip-verified" up to the
// review, and that package is queued too. Screenshots of each camera step in screenshots/.
// Run by scripts/test.sh like the other real-app suites (inside the real-stack lock).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  copyFile,
  mkdtemp,
  readFile,
  readdir,
  rm,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ROOT,
  SIZE,
  addOperator,
  emptyRoomPng,
  insertCard,
  launch,
  machineWait,
  pcscd,
  queueCounts,
  removeCard,
  saveScreenshot,
  signIn,
  step,
  ui,
  verdict,
  writePackageKey,
} from "./realstack.mjs";
import { waitFor } from "./webdriver.mjs";

const FRAMES = join(ROOT, "assets/frames/enrollment");

/**
 * The replay: a frame of the empty room before assets/frames/enrollment, so each screen's
 * first picture carries no QR code and its preview reaches the window before the QR read
 * closes the camera (read from the very first frame, the card step showed no preview at all).
 */
async function replayFolder() {
  const folder = await mkdtemp(join(tmpdir(), "camera-enrollment-"));
  await writeFile(join(folder, "0-nobody.png"), emptyRoomPng());
  for (const name of await readdir(FRAMES)) {
    if (/\.(jpg|png)$/.test(name)) {
      await copyFile(join(FRAMES, name), join(folder, name));
    }
  }
  return folder;
}
const PIN = "246813";

/** Waits for two animation frames, so a WebKit screenshot shows the current picture. */
const settle = (session) =>
  session.execute(
    "return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));",
  );

describe(`the camera at the counter: the card's QR, the portrait, the QR fallback, real app at ${SIZE}`, () => {
  let session;
  let dir;
  let config;
  let u;
  let card;
  let frames;

  before(async () => {
    await pcscd("start");
    frames = await replayFolder();
    ({ session, dir, config } = await launch({
      mode: "counter",
      camera: frames,
      idleTimeoutSecs: 120,
      idleWarningSecs: 20,
      async prepare(configPath, data) {
        // dlib's face models, where scripts/setup.sh puts them.
        await writeFile(
          configPath,
          `camera_fps = 10\nface_models = "${join(ROOT, ".cache/face-models")}"\n`,
          { flag: "a" },
        );
        await addOperator(configPath, PIN);
        await writeFile(
          join(data, "residential-groups.txt"),
          "thon-dong Thôn Đông\n",
        );
        await writePackageKey(data);
      },
    }));
    u = ui(session);
    await u.waitVisible("screen-signin", 30_000);
    await signIn(u, "cb01", PIN);
  });

  after(async () => {
    await removeCard(card);
    await session?.end();
    await pcscd("stop").catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
    if (frames) await rm(frames, { recursive: true, force: true });
  });

  /**
   * Presses `button`, which opens the portrait step, and waits until the picture is taken;
   * resolves to the guidance codes the step showed. The page records them as they change (a
   * poll through WebDriver can miss the 0.4 s the replay shows a citizen too far away).
   */
  async function portraitTaken(prefix, button) {
    await session.execute(
      "const seen = (window.__guidanceSeen = []);" +
        " new MutationObserver((records) => { for (const r of records) {" +
        " const code = r.target.getAttribute('data-code');" +
        " if (r.target.getAttribute('data-testid') === 'portrait-guidance' && code) seen.push(code);" +
        " } }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-code'] });",
    );
    await u.click(button);
    await u.waitVisible("screen-portrait", 15_000);
    let shot = false;
    await machineWait(
      u,
      "the portrait taken by itself",
      async () => {
        if (
          !shot &&
          (await u.attr("portrait-guidance", "data-code")) === "move_closer"
        ) {
          shot = true;
          await settle(session);
          await saveScreenshot(session, `${prefix}-portrait-guidance`);
        }
        return u.visible("portrait-continue");
      },
      120_000,
    );
    return new Set(await session.execute("return window.__guidanceSeen;"));
  }

  test("the camera reads the card's QR code, the chip opens with its keys (nothing typed), the portrait is taken by itself", async (t) => {
    await step(session, "camera-qr-enroll", async () => {
      await u.click("consent-agree");
      await u.waitVisible("screen-id-entry");
      await u.click("id-scan-qr");
      await u.waitVisible("screen-card");
      const t0 = Date.now();
      await waitFor(
        "the QR code read by the camera",
        async () => (await u.text("card-qr-name")) === "Nguyễn Văn A",
        20_000,
      );
      t.diagnostic(`card screen to QR read: ${Date.now() - t0} ms`);
      assert.ok(
        Number(await u.attr("camera", "data-frames")) >= 1,
        "the live preview showed the card",
      );
      assert.equal(await u.text("card-qr-id"), "001090012345");
      assert.equal(await u.value("card-dob"), "", "no date was typed");
      await saveScreenshot(session, "camera-card-qr-read");
      card = insertCard(dir, "nguyen-van-a");
      assert.equal(await verdict(u), "genuine");
      assert.equal(
        await u.visible("camera"),
        false,
        "the camera closed once the QR was read",
      );
      const t1 = Date.now();
      const seen = await portraitTaken("camera", "card-continue");
      t.diagnostic(`portrait step to picture taken: ${Date.now() - t1} ms`);
      assert.ok(seen.has("move_closer"), `guidance seen: ${[...seen]}`);
      const sizes = await session.execute(
        "const [a, b] = [arguments[0], arguments[1]].map((s) => document.querySelector(s));" +
          " return Promise.all([a.decode(), b.decode()]).then(() =>" +
          " [a.naturalWidth, a.naturalHeight, b.naturalWidth]);",
        '[data-testid="portrait-captured-image"]',
        '[data-testid="portrait-chip-image"]',
      );
      const [width, height, chipWidth] = sizes;
      assert.ok(
        Math.abs(width / height - 35 / 45) < 0.02,
        `ICAO 35:45 crop: ${width}x${height}`,
      );
      assert.ok(chipWidth > 0, "the chip photo beside it");
      // The software card's DG2 is the same public-domain face as the replayed frames.
      assert.equal(await u.attr("portrait-compare", "data-verdict"), "same");
      assert.match(
        await u.text("portrait-compare"),
        /^So khớp khuôn mặt: điểm 0\.\d\d \(ngưỡng 0\.\d\d\) — ảnh vừa chụp giống ảnh trong chip\.$/,
      );
      await settle(session);
      await saveScreenshot(session, "camera-portrait-captured");
      await u.click("portrait-continue");
      await u.waitVisible("form-group-thon-dong", 15_000);
      await u.click("form-phone");
      await u.keys("digits", "0912345678");
      await u.click("form-group-thon-dong");
      await u.click("form-continue");
      await u.waitVisible("screen-review", 15_000);
      assert.equal(await u.visible("review-not-chip-verified"), false);
      await u.click("review-confirm");
      await u.waitVisible("screen-done", 30_000);
      assert.equal((await queueCounts(config)).queued, 1);
      await u.click("done-finish");
      await u.waitVisible("screen-consent", 15_000);
    });
  });

  test("with no card reader, the officer confirms the QR data: not chip-verified up to the review, and queued", async () => {
    await step(session, "camera-qr-fallback", async () => {
      await removeCard(card);
      card = undefined;
      await pcscd("stop");
      await u.click("consent-agree");
      await u.waitVisible("screen-id-entry");
      await u.click("id-scan-qr");
      await u.waitVisible("screen-card");
      await waitFor(
        "the PC/SC service seen down",
        async () =>
          (await u.attr("card-reader-state", "data-state")) === "service_down",
        15_000,
      );
      await waitFor(
        "the QR code read by the camera",
        async () => (await u.text("card-qr-name")) === "Nguyễn Văn A",
        20_000,
      );
      await u.waitVisible("card-fallback-confirm", 10_000);
      assert.equal(
        await u.text("card-fallback-badge"),
        "Chưa xác thực bằng chip",
      );
      await settle(session);
      await saveScreenshot(session, "camera-qr-fallback");
      await portraitTaken("camera-fallback", "card-fallback-confirm");
      assert.equal(
        await u.text("portrait-chip-missing"),
        "Không có ảnh trong chip để đối chiếu: hồ sơ lập từ mã QR.",
      );
      await u.click("portrait-continue");
      await u.waitVisible("form-group-thon-dong", 15_000);
      await u.click("form-phone");
      await u.keys("digits", "0387654321");
      await u.click("form-group-thon-dong");
      await u.click("form-continue");
      await u.waitVisible("screen-review", 15_000);
      assert.equal(await u.text("review-full-name"), "Nguyễn Văn A");
      assert.match(
        await u.text("review-not-chip-verified"),
        /^Chưa xác thực bằng chip/,
      );
      await saveScreenshot(session, "camera-qr-fallback-review");
      await u.click("review-confirm");
      await u.waitVisible("screen-done", 30_000);
      assert.equal((await queueCounts(config)).queued, 2);
    });
  });

  test("the log tells the camera's story without the QR payload or the holder", async () => {
    const logDir = join(dir, "data", "logs");
    const files = await readdir(logDir);
    const text = (
      await Promise.all(files.map((f) => readFile(join(logDir, f), "utf8")))
    ).join("");
    for (const line of [
      "card QR read by the camera",
      "portrait captured",
      "portrait compared with the chip photo",
      "officer confirmed a QR-only enrollment",
      "camera stopped",
    ]) {
      assert.ok(text.includes(line), `log line: ${line}`);
    }
    for (const secret of ["001090012345", "Nguyễn", "NGUYEN", "0387654321"]) {
      assert.equal(text.includes(secret), false, `${secret} in the log`);
    }
  });
});
