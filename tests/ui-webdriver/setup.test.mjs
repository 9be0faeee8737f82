// First-run set-up through the real app against the reference back office: started with a
// configuration path that does not exist, the kiosk shows the administrator's set-up screen
// with its device key's fingerprint; a wrong one-time token is refused with the token field
// flagged and nothing written; with a token from `backoffice create-kiosk-token` the kiosk
// registers (the back office's keys land in its data directory), writes its residential groups,
// its first administrator and then its configuration file, which the CLI then loads.
//
// Run by scripts/test.sh like kiosk.test.mjs (VNEID_KIOSK_APP, SCREEN_SIZE, SCREENSHOT_DIR,
// TAURI_DRIVER_URL), inside `flock /tmp/vneid-realstack.lock` when run by hand.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  APP,
  BackOffice,
  DRIVER,
  ROOT,
  kioskCli,
  saveScreenshot,
  step,
  ui,
} from "./realstack.mjs";
import { Session, testid, waitFor } from "./webdriver.mjs";

const set = (session, field, value) =>
  session.execute(
    "const el = document.querySelector(arguments[0]); el.value = arguments[1];" +
      " el.dispatchEvent(new Event('change'));",
    testid(`setup-${field}`),
    value,
  );

test("first-run set-up registers the kiosk with the back office and writes its configuration", async () => {
  assert.ok(APP, "VNEID_KIOSK_APP must name the built kiosk binary");
  const dir = await mkdtemp(join(tmpdir(), "kiosk-setup-"));
  const office = new BackOffice(dir, 18_000 + (process.pid % 1000));
  await office.start();
  const config = join(dir, "kiosk.toml");
  const data = join(dir, "data");
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
      groups: "TDP01 Tổ dân phố số 1\nTDP02 Tổ dân phố số 2\n",
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
    await saveScreenshot(session, "setup");
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
      /^TDP01 Tổ dân phố số 1\nTDP02/,
    );
    assert.match(await kioskCli(config, ["check-config"]), /xa-setup-01/);
    assert.equal(
      await kioskCli(config, ["operator", "list"]),
      "admin\tadministrator\n",
    );
  } finally {
    await session.end().catch(() => {});
    await office.stop();
  }
});
