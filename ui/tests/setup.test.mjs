// The first-run set-up screen's device checks and operator accounts in headless Chromium with
// the core mocked: the camera test shows the frames the core sends for the camera the form
// names; the test card read says what to do for each failure and, when it passes, what the
// reader's model can do; further operators are added, checked, removed and sent with the form;
// the whole screen, with its results shown, has no WCAG 2.2 A/AA violation (axe-core).

import { test } from "node:test";
import assert from "node:assert/strict";
import { AXE, byId, calls, kioskSuite, PORTRAIT_JPEG } from "./harness.mjs";

const SETUP = {
  status: {
    needed: true,
    configPath: "/etc/vneid-kiosk/kiosk.toml",
    deviceId: "kiosk-demo-01",
    deviceName: "Điểm tiếp nhận thử nghiệm",
    dataDir: "/var/lib/vneid-kiosk",
    backofficeUrl: "http://127.0.0.1:8787",
    trustStore: "/usr/share/vneid-kiosk/trust",
    camera: "auto",
  },
  cardCheck: { code: "check.no_card", field: null, message: null },
  done: {
    configPath: "/etc/vneid-kiosk/kiosk.toml",
    deviceKeyFingerprint: "ab12 " + "0000 ".repeat(6) + "cd34",
    groups: 2,
  },
};

const PASSED = {
  reader: "ACS ACR1252 1S CL Reader PICC 00 00",
  atr: "3B8F8001804F0CA0000003060300030000000068",
  atrKind: "contactless-iso14443-4",
  model: {
    name: "ACS ACR1252U",
    extendedApdu: "vendor_claim",
    maxKbps: 848,
    testedOnHardware: false,
  },
  driverExtendedApdu: null,
};

const { open } = kioskSuite();

async function openSetup() {
  return open({ setup: structuredClone(SETUP) });
}

test("the camera test shows the live picture of the camera the form names", async () => {
  const { page, context, errors } = await openSetup();
  assert.equal(await byId(page, "setup-camera-view").locator("img").count(), 0, "no picture yet");
  assert.equal(await byId(page, "setup-camera").inputValue(), "auto", "the configured default");
  await byId(page, "setup-camera").fill("replay:/srv/frames");
  await byId(page, "setup-camera-test").click();
  await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === "setup_camera_start"));
  assert.deepEqual((await calls(page, "setup_camera_start"))[0].args, {
    setting: "replay:/srv/frames",
  });
  assert.equal((await calls(page, "camera_start")).length, 0, "not the enrollment's camera");
  const jpeg = `data:image/jpeg;base64,${PORTRAIT_JPEG.toString("base64")}`;
  await page.evaluate((u) => {
    for (let i = 0; i < 3; i++)
      window.__mock.emit("camera-frame", {
        run: window.__mock.cameraRun,
        jpeg: u,
        width: 480,
        height: 270,
      });
  }, jpeg);
  const view = page.locator('[data-testid="camera"][data-purpose="preview"]');
  await page.waitForFunction(
    () => document.querySelector('[data-testid="camera"]')?.dataset.frames === "3",
  );
  assert.equal(await view.getAttribute("data-state"), "running");
  assert.equal(await byId(page, "camera-preview").getAttribute("src"), jpeg);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the test card read says what to do when it fails and what the reader can do when it passes", async () => {
  const { page, context } = await openSetup();
  await byId(page, "setup-card-test").click();
  const result = byId(page, "setup-card-result");
  await page.waitForFunction(
    () => document.querySelector('[data-testid="setup-card-result"]')?.dataset.outcome === "failed",
  );
  assert.equal(await result.getAttribute("data-code"), "check.no_card");
  const failed = await result.textContent();
  assert.match(failed, /hãy đặt một thẻ căn cước gắn chip lên đầu đọc/);
  assert.match(failed, /place a chip ID card on the reader, then test again/);
  for (const code of ["check.no_reader", "check.not_id_card"]) {
    await page.evaluate((c) => (window.__mock.setup.cardCheck = { code: c }), code);
    await byId(page, "setup-card-test").click();
    await page.waitForFunction(
      (c) => document.querySelector('[data-testid="setup-card-result"]')?.dataset.code === c,
      code,
    );
    assert.doesNotMatch(await result.textContent(), /check\./, `${code} has a sentence`);
  }
  await page.evaluate((p) => (window.__mock.setup.cardCheck = p), PASSED);
  await byId(page, "setup-card-test").click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="setup-card-result"]')?.dataset.outcome === "passed",
  );
  const passed = await result.textContent();
  assert.match(passed, /Test read passed — ACS ACR1252 1S CL Reader PICC 00 00/);
  assert.match(passed, /ACS ACR1252U: APDU mở rộng \/ extended APDU có \(theo hãng, chưa thử\)/);
  assert.match(passed, /848 kbit\/s/);
  assert.match(passed, /not tested on hardware/);
  assert.match(passed, /no personal data was read/);
  await context.close();
});

test("further operators are checked, listed, removable and sent with the form; the screen passes axe", async () => {
  const { page, context, errors } = await openSetup();
  await byId(page, "setup-operator-id").fill("cb01");
  await byId(page, "setup-operator-pin").fill("12");
  await byId(page, "setup-operator-add").click();
  assert.match(await byId(page, "setup-operator-error").textContent(), /6–12/);
  await byId(page, "setup-operator-pin").fill("246813");
  await byId(page, "setup-operator-add").click();
  await byId(page, "setup-operator-id").fill("gs01");
  await byId(page, "setup-operator-role").selectOption("supervisor");
  await byId(page, "setup-operator-pin").fill("97531864");
  await byId(page, "setup-operator-add").click();
  await byId(page, "setup-operator-id").fill("admin");
  await byId(page, "setup-operator-pin").fill("11223344");
  await byId(page, "setup-operator-add").click();
  assert.match(await byId(page, "setup-operator-error").textContent(), /not the administrator's/);
  assert.equal(await byId(page, "setup-operator-pin").inputValue(), "11223344", "kept to correct");
  assert.match(
    await byId(page, "setup-operator-gs01").textContent(),
    /gs01 — Giám sát \/ Supervisor/,
  );
  // Touch targets of the new parts: at least 56 px high.
  for (const id of [
    "setup-operator-add",
    "setup-card-test",
    "setup-camera-test",
    "setup-operator-remove-cb01",
  ]) {
    const box = await byId(page, id).boundingBox();
    assert.ok(box && box.height >= 56, `${id} is ${box?.height} px high`);
  }
  await page.evaluate((p) => (window.__mock.setup.cardCheck = p), PASSED);
  await byId(page, "setup-card-test").click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="setup-card-result"]')?.dataset.outcome === "passed",
  );
  await byId(page, "setup-camera-test").click();
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    });
    return result.violations.map(
      (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
  });
  assert.deepEqual(violations, []);
  await byId(page, "setup-operator-remove-cb01").click();
  await byId(page, "setup-submit").click();
  await byId(page, "setup-done").waitFor();
  const sent = (await calls(page, "setup_apply"))[0].args.input;
  assert.deepEqual(sent.operators, [{ id: "gs01", role: "supervisor", pin: "97531864" }]);
  assert.equal(sent.camera, "auto");
  assert.equal(await byId(page, "setup-start").isVisible(), true);
  assert.deepEqual(errors, []);
  await context.close();
});
