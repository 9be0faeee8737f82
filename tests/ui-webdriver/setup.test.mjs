// First-run set-up through the real app against the reference back office, then the first
// enrollment in the same process: started with a configuration path that does not exist, the
// kiosk shows the administrator's set-up screen with its device key's fingerprint; the camera
// test shows the replayed camera's live picture; the test card read says "no card" with the
// next step, then passes with the software card behind pcscd (the virtual reader's model and
// the chip's eMRTD application, nothing personal); a further operator is added; a wrong
// one-time token is refused with the token field flagged and nothing written; with a token
// from `backoffice create-kiosk-token` the kiosk registers and writes its configuration. With
// no restart, the operator added in the set-up signs in, enrolls the software card, and the
// sync loop (which found the new registration) gets the package acknowledged. A kiosk
// configured by hand and registered with `vneid-kiosk register` while it runs starts syncing
// too, with no restart.
//
// Run by scripts/test.sh like kiosk.test.mjs (VNEID_KIOSK_APP, SCREEN_SIZE, SCREENSHOT_DIR,
// TAURI_DRIVER_URL), inside `flock /tmp/vneid-realstack.lock` when run by hand.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  APP,
  BackOffice,
  DRIVER,
  GROUPS,
  ROOT,
  fillForm,
  insertCard,
  kioskCli,
  launch,
  pcscd,
  queueCounts,
  readCard,
  removeCard,
  saveScreenshot,
  signIn,
  step,
  toCardScreen,
  toForm,
  ui,
  verdict,
} from "./realstack.mjs";
import { Session, testid, waitFor } from "./webdriver.mjs";

const set = (session, field, value) =>
  session.execute(
    "const el = document.querySelector(arguments[0]); el.value = arguments[1];" +
      " el.dispatchEvent(new Event('change'));",
    testid(`setup-${field}`),
    value,
  );

test("first-run set-up: camera picture, test card read, operators, registration, then an enrollment acknowledged without a restart", async (t) => {
  assert.ok(APP, "VNEID_KIOSK_APP must name the built kiosk binary");
  const dir = await mkdtemp(join(tmpdir(), "kiosk-setup-"));
  const camera = join(dir, "camera");
  await mkdir(camera);
  await copyFile(
    join(ROOT, "assets/frames/portrait/0-ok-960x540.jpg"),
    join(camera, "0-ok.jpg"),
  );
  await pcscd("start");
  const office = new BackOffice(dir, 18_000 + (process.pid % 1000));
  await office.start();
  const config = join(dir, "kiosk.toml");
  const data = join(dir, "data");
  let card;
  const session = await Session.start(DRIVER, APP, ["--config", config]);
  try {
    const u = ui(session);
    await step(session, "setup-shown", async () => {
      await u.waitVisible("setup", 30_000);
    });
    const form = {
      deviceId: "xa-setup-01",
      deviceName: "UBND xã thử nghiệm",
      dataDir: data,
      trustStore: join(ROOT, "assets/test-csca"),
      backofficeUrl: office.url,
      camera: `replay:${camera}`,
      groups: GROUPS,
      adminId: "admin",
      adminPin: "135790",
      token: "0123456789abcdef",
    };
    for (const [field, value] of Object.entries(form))
      await set(session, field, value);
    // The device key is made in the chosen data directory; its fingerprint is shown at once.
    const fingerprint = await waitFor(
      "the device key's fingerprint",
      async () => {
        const text = await u.text("setup-fingerprint");
        return /^[0-9a-f]{4}( [0-9a-f]{4}){7}$/.test(text) ? text : null;
      },
      10_000,
    );
    await step(session, "setup-camera", async () => {
      await u.click("setup-camera-test");
      // The camera view counts the frames it shows: a live picture, not one still.
      await waitFor(
        "the camera's live picture",
        async () =>
          Number(
            await session.execute(
              "return document.querySelector(arguments[0])?.dataset.frames ?? 0;",
              testid("camera"),
            ),
          ) >= 5,
        20_000,
      );
      assert.match(
        await u.attr("camera-preview", "src"),
        /^data:image\/jpeg;base64,/,
      );
      assert.equal(await u.attr("camera", "data-state"), "running");
    });
    await step(session, "setup-card-none", async () => {
      await u.click("setup-card-test");
      await waitFor(
        "the test read's refusal",
        async () =>
          (await u.attr("setup-card-result", "data-outcome")) === "failed",
        15_000,
      );
      assert.equal(
        await u.attr("setup-card-result", "data-code"),
        "check.no_card",
      );
      assert.match(
        await u.text("setup-card-result"),
        /place a chip ID card on the reader/,
      );
    });
    card = insertCard(dir, "nguyen-van-a");
    await step(session, "setup-card-passed", async () => {
      // pcscd sees the card within ~400 ms: test again until it does.
      await waitFor(
        "the test read passing",
        async () => {
          if ((await u.attr("setup-card-result", "data-outcome")) === "passed")
            return true;
          if ((await u.attr("setup-card-test", "disabled")) === null)
            await u.click("setup-card-test");
          return false;
        },
        15_000,
        500,
      );
      const said = await u.text("setup-card-result");
      assert.match(said, /Virtual PCD/);
      assert.match(said, /eMRTD/);
      assert.match(said, /no personal data was read/);
      assert.equal(
        await u.holds("Nguyễn Văn A"),
        false,
        "nothing of the holder shown",
      );
    });
    await step(session, "setup-operator", async () => {
      await set(session, "operator-id", "cb01");
      await set(session, "operator-pin", "246813");
      await u.click("setup-operator-add");
      assert.match(
        await u.text("setup-operator-cb01"),
        /^cb01 — Cán bộ \/ Operator/,
      );
      assert.equal(await u.value("setup-operator-pin"), "");
    });
    await saveScreenshot(session, "setup");
    await step(session, "setup-wrong-token", async () => {
      await u.click("setup-submit");
      await waitFor(
        "the refusal",
        async () => (await u.text("setup-error")) !== "",
        30_000,
      );
      assert.match(await u.text("setup-error"), /registration/);
      assert.equal(await u.attr("setup-token", "aria-invalid"), "true");
      assert.equal(existsSync(config), false, "no configuration written");
    });
    await set(session, "token", await office.token());
    await step(session, "setup-registered", async () => {
      await u.click("setup-submit");
      await u.waitVisible("setup-done", 30_000);
      assert.equal(await u.text("setup-done-fingerprint"), fingerprint);
    });
    await saveScreenshot(session, "setup-done");
    const written = await readFile(config, "utf8");
    assert.match(written, /device_id = "xa-setup-01"/);
    assert.match(written, /written by the set-up screen/);
    assert.ok(existsSync(join(data, "backoffice-receipt-ed25519.pub")));
    assert.ok(existsSync(join(data, "backoffice-package-x25519.pub")));
    assert.match(
      await readFile(join(data, "residential-groups.txt"), "utf8"),
      /^to-1 Tổ dân phố 1\nthon-dong Thôn Đông/,
    );
    assert.match(await kioskCli(config, ["check-config"]), /xa-setup-01/);
    assert.equal(
      await kioskCli(config, ["operator", "list"]),
      "admin\tadministrator\ncb01\toperator\n",
    );
    // The same process runs the kiosk now: the operator from the set-up enrolls the card.
    const t0 = Date.now();
    await step(session, "setup-enroll", async () => {
      await u.click("setup-start");
      await u.waitVisible("screen-signin", 15_000);
      await signIn(u, "cb01", "246813");
      await toCardScreen(u, "001090012345");
      await readCard(u, "01011990", "01012030");
      assert.equal(await verdict(u), "genuine");
      await toForm(u);
      await fillForm(u, "0912345678");
      await u.click("review-confirm");
      await u.waitVisible("screen-done", 30_000);
    });
    await step(session, "setup-acknowledged", async () => {
      const counts = await waitFor(
        "the package acknowledged by the back office",
        async () => {
          const now = await queueCounts(config);
          return now.acknowledged === 1 ? now : null;
        },
        60_000,
        500,
      );
      assert.equal(counts.queued ?? 0, 0);
    });
    t.diagnostic(`start screen to acknowledged: ${Date.now() - t0} ms`);
    await saveScreenshot(session, "setup-first-enrollment");
  } finally {
    await removeCard(card);
    await session.end().catch(() => {});
    await office.stop();
    await pcscd("stop").catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});

test("a kiosk registered with `register` while it runs starts syncing without a restart", async (t) => {
  const officeDir = await mkdtemp(join(tmpdir(), "backoffice-"));
  const office = new BackOffice(officeDir, 19_000 + (process.pid % 1000));
  await office.start();
  const { session, dir, config } = await launch({
    mode: "counter",
    backoffice: office.url,
  });
  try {
    const u = ui(session);
    await step(session, "register-running", async () => {
      await waitFor(
        "the header saying the kiosk is not registered",
        async () =>
          (await u.attr("status-sync", "data-state")) === "not_registered",
        30_000,
      );
      assert.match(
        await kioskCli(config, ["register", "--token", await office.token()]),
        /^OK registered/,
      );
      const t0 = Date.now();
      await waitFor(
        "the header synced with the back office",
        async () => (await u.attr("status-sync", "data-state")) === "synced",
        15_000,
        200,
      );
      t.diagnostic(`register to synced: ${Date.now() - t0} ms`);
    });
  } finally {
    await session.end().catch(() => {});
    await office.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(officeDir, { recursive: true, force: true });
  }
});
