// The header's health line in headless Chromium with the core mocked: OK, a problem with what
// to do (its number and time filled in), a notice, an unknown state named, both languages,
// updated by the 2 s poll, and no accessibility violation at either level.

import { test } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, byId, kioskSuite } from "./harness.mjs";

const { open } = kioskSuite();

const text = async (page, id) => (await byId(page, id).textContent())?.trim();

const violations = (page) => axeViolations(page, '[data-testid="header"]');

test("the header's health line says OK, then the first problem and what to do, in both languages", async () => {
  const { page, errors } = await open({ shell: { mode: "counter" } });
  const line = byId(page, "health-line");
  assert.equal(await line.getAttribute("data-level"), "ok");
  assert.equal(await text(page, "health-line"), "Tình trạng máy Mọi thứ bình thường");
  assert.deepEqual(await violations(page), [], "ok (vi)");

  const since = await page.evaluate(() => new Date().setHours(8, 5, 0, 0));
  await page.evaluate((at) => {
    window.__mock.state.health = {
      state: "backoffice_unreachable",
      level: "problem",
      number: 4,
      at,
    };
  }, since);
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="health-line"]')?.getAttribute("data-level") ===
      "problem",
    null,
    { timeout: 3000 },
  );
  assert.equal(
    await text(page, "health-line-text"),
    "Mất kết nối, 4 hồ sơ chờ từ 08:05 — kiểm tra mạng",
  );
  assert.equal(await line.getAttribute("data-state"), "backoffice_unreachable");
  assert.deepEqual(await violations(page), [], "problem (vi)");
  await byId(page, "lang-en").click();
  assert.equal(
    await text(page, "health-line-text"),
    "Back office unreachable, 4 waiting since 08:05 — check the network",
  );
  assert.deepEqual(await violations(page), [], "problem (en)");
  assert.deepEqual(errors, []);
});

test("a restart after a crash is a notice, and a state the UI does not know is named", async () => {
  const at = Date.now();
  const { page } = await open({
    shell: { health: { state: "recovered_from_crash", level: "notice", number: null, at } },
  });
  assert.equal(await byId(page, "health-line").getAttribute("data-level"), "notice");
  assert.match(
    await text(page, "health-line-text"),
    /^Máy tự khởi động lại lúc \d\d:\d\d sau sự cố; hồ sơ vẫn còn$/,
  );
  assert.deepEqual(await violations(page), [], "notice (vi)");
  await page.evaluate(() => {
    window.__mock.state.health = { state: "fan_failed", level: "problem", number: null, at: null };
  });
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="health-line"]')?.getAttribute("data-state") ===
      "fan_failed",
    null,
    { timeout: 3000 },
  );
  assert.equal(
    await text(page, "health-line-text"),
    "Trạng thái không rõ (fan_failed) — hãy báo quản trị viên",
  );
});

test("a frozen queue is a problem on the health line that says to connect or call the district technician", async () => {
  const { page } = await open({
    shell: {
      health: { state: "queue_frozen_too_many", level: "problem", number: 500, at: null },
    },
  });
  assert.equal(await byId(page, "health-line").getAttribute("data-level"), "problem");
  assert.equal(
    await text(page, "health-line-text"),
    "Ngừng nhận hồ sơ mới: 500 hồ sơ chưa gửi — kết nối máy chủ hoặc gọi kỹ thuật viên huyện",
  );
  const since = await page.evaluate(() => new Date(2026, 10, 20, 9, 30).getTime());
  await page.evaluate((at) => {
    window.__mock.state.health = { state: "queue_frozen_too_old", level: "problem", number: 1, at };
  }, since);
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="health-line"]')?.getAttribute("data-state") ===
      "queue_frozen_too_old",
    null,
    { timeout: 3000 },
  );
  await byId(page, "lang-en").click();
  assert.match(
    await text(page, "health-line-text"),
    /^New enrollments stopped: a package waiting since .*09:30.* — connect to the back office or call the district technician$/,
  );
  assert.deepEqual(await violations(page), [], "frozen (en)");
});
