// Kiosk mode (`vneid-kiosk --kiosk`) in the real app: a 3 s press on the header's title opens
// the exit dialog; an operator's PIN is refused; an administrator's PIN closes the app, which
// releases its run lock (a clean stop) and leaves `app.kiosk-exit` in the audit log.
//
// Run by scripts/test.sh like kiosk.test.mjs (VNEID_KIOSK_APP, TAURI_DRIVER_URL), inside
// `flock /tmp/vneid-realstack.lock` when run by hand.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP, DRIVER, addOperator, kioskCli, step, ui } from "./realstack.mjs";
import { Session, testid, waitFor } from "./webdriver.mjs";

const set = (session, id, value) =>
  session.execute(
    "document.querySelector(arguments[0]).value = arguments[1];",
    testid(id),
    value,
  );

test("kiosk mode: exit only after a long press and an administrator's PIN", async () => {
  assert.ok(APP, "VNEID_KIOSK_APP must name the built kiosk binary");
  const dir = await mkdtemp(join(tmpdir(), "kiosk-mode-"));
  const data = join(dir, "data");
  const config = join(dir, "kiosk.toml");
  await writeFile(
    config,
    `data_dir = "${data}"\nbackoffice_url = "http://127.0.0.1:9"\n`,
  );
  await addOperator(config, "246810");
  const session = await Session.start(DRIVER, APP, [
    "--config",
    config,
    "--kiosk",
  ]);
  try {
    const u = ui(session);
    await u.waitVisible("header", 30_000);
    assert.match(await readFile(join(data, "kiosk.lock"), "utf8"), /^\d+\n$/);
    await step(session, "kiosk-exit-dialog", async () => {
      await session.execute(
        "document.querySelector('.brand').dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));",
      );
      await u.waitVisible("kiosk-exit", 6_000);
    });
    await step(session, "kiosk-exit-operator-refused", async () => {
      await set(session, "kiosk-exit-id", "cb01");
      await set(session, "kiosk-exit-pin", "246810");
      await u.click("kiosk-exit-submit");
      await waitFor(
        "the refusal",
        async () =>
          /not_permitted/.test((await u.text("kiosk-exit-error")) ?? ""),
        10_000,
      );
    });
    await set(session, "kiosk-exit-id", "admin");
    await set(session, "kiosk-exit-pin", "97531864");
    await u.click("kiosk-exit-submit").catch(() => {});
    await waitFor(
      "the clean stop (the run lock emptied)",
      async () => (await readFile(join(data, "kiosk.lock"), "utf8")) === "",
      15_000,
    );
  } finally {
    await session.end().catch(() => {});
  }
  const audit = await kioskCli(config, ["audit", "list", "--limit", "50"]);
  assert.match(audit, /\tadmin\tapp\.kiosk-exit/);
});
