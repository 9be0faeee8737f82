// The counter's "Báo cáo và theo dõi" area in headless Chromium with the core mocked: the
// supervisor's progress report (tables, the seeds' percentages, the hand-drawn charts, the
// period picker), exports and printing reaching the core, the operator who sees the lists but
// is refused exports with a sentence in both languages, paging, "Đã liên hệ" with a note, the
// guide, 56 px targets and no axe violation. The core's own checks (role, audit) are proved in
// src-tauri/src/reports_screen.rs and crates/reports; printing itself opens a GTK dialog that a
// headless test cannot click, so these tests stop at the `print_view` command.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AXE, byId, calls, kioskSuite, passPortrait } from "./harness.mjs";

const { open } = kioskSuite();

/** The report the mock core answers with, in the asked language (as the real core formats). */
function progressView(lang) {
  const vi = lang === "vi";
  const pct = (s) => (vi ? s.replace(".", ",") : s);
  return {
    title: vi ? "BÁO CÁO TIẾN ĐỘ" : "PROGRESS REPORT",
    subtitle: vi ? "Kỳ báo cáo: 01/12/2025 – 10/12/2025" : "Period: 01/12/2025 – 10/12/2025",
    from: "2025-12-01",
    until: "2025-12-10",
    tables: [
      {
        name: vi ? "Tiến độ" : "Progress",
        title: vi ? "Tiến độ theo đơn vị" : "Progress by group",
        bands: [
          [vi ? "Trong kỳ" : "In the period", 3, 2],
          [vi ? "Lũy kế" : "Cumulative", 5, 2],
        ],
        headers: ["STT", vi ? "Tên đơn vị" : "Group", "Target", "E", "A", "Act", "%"],
        numeric: [true, false, true, true, true, true, true],
        rows: [
          ["1", "Thôn 1", "1.273", "40", "12", "1.068", pct("83.89%")],
          ["2", "Thôn 2", "0", "5", "1", "3", ""],
        ],
        total: ["", vi ? "Tổng" : "Total", "1.273", "45", "13", "1.071", pct("84.13%")],
      },
    ],
    groups: [
      { name: "Thôn 1", target: 1273, activated: 1068, hundredths: 8389, progress: pct("83.89%") },
      { name: "Thôn 2", target: 0, activated: 3, hundredths: null, progress: null },
    ],
    total: {
      name: "Tổng",
      target: 1273,
      activated: 1071,
      hundredths: 8413,
      progress: pct("84.13%"),
    },
    daily: [
      { day: "01/12", enrolled: 5, approved: 0, activated: 0 },
      { day: "02/12", enrolled: 7, approved: 3, activated: 1 },
      { day: "03/12", enrolled: 0, approved: 4, activated: 2 },
    ],
    phases: [{ index: 0, name: "Giai đoạn 1", from: "2025-12-04", until: "2025-12-10" }],
  };
}

function entry(n) {
  return {
    package: `01900000-0000-7000-8000-${String(n).padStart(12, "0")}`,
    name: `Trần Thị Thử ${n}`,
    phone: `09${String(n).padStart(8, "0")}`,
    idMasked: "*********042",
    details: "known",
    group: "Thôn Đông",
    since: "02/12/2025",
    enrolled: "01/12/2025",
    daysWaiting: 14,
    reason: null,
    attempts: 1,
    lastContact: null,
  };
}

// Installed after the page loads: the reports commands of the mock core, in front of the
// harness's own (which keeps answering the shell's commands and recording every call).
function installReportsCore(role) {
  const inner = window.__TAURI_INTERNALS__.invoke;
  const supervisor = role !== "operator";
  window.__reports = { contacts: [] };
  window.__TAURI_INTERNALS__.invoke = async (cmd, args) => {
    if (
      !cmd.startsWith("reports_") &&
      cmd !== "print_view" &&
      cmd !== "operator_sign_in" // the harness answers this one
    ) {
      return inner(cmd, args);
    }
    if (cmd === "operator_sign_in") return inner(cmd, args);
    window.__mock.calls.push({ cmd, args: args ?? null, at: Date.now() });
    const refuse = (code) => {
      throw { code };
    };
    switch (cmd) {
      case "reports_access":
        return {
          role,
          reports: supervisor,
          exports: supervisor,
          followUp: true,
          exportDir: "/var/lib/vneid-kiosk/exports",
        };
      case "reports_progress":
        if (!supervisor) refuse("reports.report_not_permitted");
        return window.__progress(args.input.lang);
      case "reports_followup": {
        const total = 45;
        const { page, pageSize } = args.input;
        const first = page * pageSize;
        const entries = [];
        for (let i = first; i < Math.min(total, first + pageSize); i++)
          entries.push(window.__entry(i + 1));
        for (const c of window.__reports.contacts) {
          const e = entries.find((x) => x.package === c.package);
          if (e)
            e.lastContact = {
              outcome: "Đã liên hệ được",
              day: "16/12/2025",
              operator: role,
              note: c.note,
            };
        }
        return {
          total,
          page,
          pageSize,
          entries,
          outcomes: [
            ["reached", "Đã liên hệ được"],
            ["no-answer", "Không nghe máy"],
          ],
        };
      }
      case "reports_contact":
        window.__reports.contacts.push(args);
        return null;
      case "reports_guide":
        return [
          "Hướng dẫn kích hoạt",
          [
            { number: 1, title: "Mở ứng dụng VNeID", detail: "Mở ứng dụng." },
            { number: 2, title: "Nhập mã OTP", detail: "Nhập mã." },
          ],
        ];
      case "reports_export":
        if (!supervisor) refuse("reports.export_not_permitted");
        return { path: `/var/lib/vneid-kiosk/exports/progress.${args.input.format}`, bytes: 12000 };
      case "print_view":
        if (!supervisor && args.what !== "guide" && args.what !== "receipt") {
          refuse("reports.export_not_permitted");
        }
        return null;
      default:
        return inner(cmd, args);
    }
  };
}

async function openReports(role, options = {}) {
  const kiosk = await open({
    shell: { mode: "counter", ...options.shell },
    signInCode: null,
    ...options,
  });
  const { page } = kiosk;
  await page.evaluate(
    ([p, e]) => {
      window.__progress = new Function(`return (${p})`)();
      window.__entry = new Function(`return (${e})`)();
    },
    [progressView.toString(), entry.toString()],
  );
  await page.evaluate(installReportsCore, role);
  await byId(page, "signin-operator").fill(role === "operator" ? "cb-thu-nhan" : "cb-giam-sat");
  await byId(page, "signin-pin").fill("246813");
  await byId(page, "signin-submit").click();
  await byId(page, "reports-open").click();
  await byId(page, "screen-reports").waitFor();
  return kiosk;
}

async function text(page, id) {
  return (await byId(page, id).first().textContent())?.trim();
}

describe("progress report (supervisor)", () => {
  test("tables print the seeds' percentages and the charts draw one bar per target", async () => {
    const { page, errors } = await openReports("supervisor");
    await byId(page, "report-title").waitFor();
    assert.equal(await byId(page, "reports-tab-progress").getAttribute("aria-selected"), "true");
    const row = await page
      .locator('[data-testid="report-table-Tiến độ"] tbody tr')
      .first()
      .textContent();
    assert.match(row, /83,89%/);
    assert.match(await text(page, "report-total"), /84,13%/);
    // Two bars (Thôn 1 and the total): the group without a target has no percentage.
    const bars = await page.$$eval('[data-testid="chart-progress-bar"]', (els) =>
      els.map((el) => [
        Number(el.getAttribute("data-hundredths")),
        Number(el.getAttribute("width")),
      ]),
    );
    assert.deepEqual(
      bars.map(([h]) => h),
      [8389, 8413],
    );
    assert.ok(bars[0][1] > 0 && bars[0][1] < bars[1][1], "bar length follows the percentage");
    assert.match(
      await page.locator('[data-testid="chart-progress"]').textContent(),
      /83,89% \(1068\/1273\)/,
    );
    const daily = await page.$$eval('[data-testid="chart-daily-enrolled"]', (els) =>
      els.map((el) => Number(el.getAttribute("data-value"))),
    );
    assert.deepEqual(daily, [5, 7, 0]);
    // The period picker asks for the chosen days; a phase asks by index.
    await byId(page, "report-from").fill("2025-12-02");
    await byId(page, "report-until").fill("2025-12-09");
    await byId(page, "report-cumulative").fill("2025-11-01");
    await byId(page, "report-show").click();
    await byId(page, "report-phase-0").click();
    await page.waitForFunction(
      () => window.__mock.calls.filter((c) => c.cmd === "reports_progress").length >= 3,
    );
    const asked = (await calls(page, "reports_progress")).map((c) => c.args.input);
    assert.deepEqual(
      [asked[1].from, asked[1].until, asked[1].cumulativeFrom, asked[1].phase],
      ["2025-12-02", "2025-12-09", "2025-11-01", null],
    );
    assert.equal(asked[2].phase, 0);
    // English: the core is asked again in English and the percentage reads 83.89%.
    await byId(page, "lang-en").click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="report-total"]')?.textContent.includes("84.13%"),
    );
    assert.equal((await calls(page, "reports_progress")).at(-1).args.input.lang, "en");
    assert.deepEqual(errors, []);
  });

  test("exports reach the core and show the saved path; print opens the system dialog", async () => {
    const { page } = await openReports("supervisor");
    await byId(page, "report-title").waitFor();
    assert.match(await text(page, "export-dir"), /\/var\/lib\/vneid-kiosk\/exports/);
    for (const format of ["xlsx", "csv", "pdf"]) {
      await byId(page, `export-${format}`).click();
      await page.waitForFunction(
        (f) => document.querySelector('[data-testid="export-done"]')?.textContent.endsWith(`.${f}`),
        format,
      );
    }
    assert.equal(
      await text(page, "export-done"),
      "Đã lưu tệp: /var/lib/vneid-kiosk/exports/progress.pdf",
    );
    assert.deepEqual(
      (await calls(page, "reports_export")).map((c) => [c.args.input.format, c.args.input.what]),
      [
        ["xlsx", "progress"],
        ["csv", "progress"],
        ["pdf", "progress"],
      ],
    );
    await byId(page, "export-print").click();
    await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === "print_view"));
    assert.deepEqual(
      (await calls(page, "print_view")).map((c) => c.args.what),
      ["progress"],
    );
    assert.equal(await page.evaluate(() => document.documentElement.dataset.print), "progress");
    assert.equal(await text(page, "reports-notice"), "Đã mở hộp thoại in của hệ thống.");
    // The print style sheet keeps the report and drops the controls.
    await page.emulateMedia({ media: "print" });
    const shown = await page.evaluate(() => ({
      header: getComputedStyle(document.querySelector('[data-testid="header"]')).display,
      buttons: getComputedStyle(document.querySelector('[data-testid="export-print"]')).display,
      table: getComputedStyle(document.querySelector('[data-testid="report-table-Tiến độ"]'))
        .display,
    }));
    assert.deepEqual(shown, { header: "none", buttons: "none", table: "table" });
  });
});

describe("follow-up (operator)", () => {
  test("an operator sees the lists and the guide but no report, and is refused exports in both languages", async () => {
    const { page, errors } = await openReports("operator");
    await byId(page, "list-table").waitFor();
    assert.equal(await byId(page, "reports-tab-progress").isHidden(), true);
    assert.equal(await byId(page, "reports-tab-followup").getAttribute("aria-selected"), "true");
    assert.equal(await calls(page, "reports_progress").then((c) => c.length), 0);
    await byId(page, "export-xlsx").click();
    await byId(page, "reports-error").waitFor();
    assert.equal(
      await text(page, "reports-error"),
      "Tài khoản cán bộ thu nhận không được xuất hoặc in báo cáo, danh sách. Hãy nhờ cán bộ phụ trách (giám sát) đăng nhập.",
    );
    await byId(page, "lang-en").click();
    await page.waitForFunction(
      () => window.__mock.calls.filter((c) => c.cmd === "reports_followup").length >= 2,
    );
    await byId(page, "export-csv").click();
    await page.waitForFunction(() =>
      document
        .querySelector('[data-testid="reports-error"]')
        ?.textContent.startsWith("An operator"),
    );
    assert.equal(
      await text(page, "reports-error"),
      "An operator account may not export or print reports and lists. Ask a supervisor to sign in.",
    );
    assert.deepEqual(errors, []);
  });

  test("pages through 45 people 20 at a time and records a contact with its note", async () => {
    const { page } = await openReports("operator");
    await byId(page, "list-table").waitFor();
    assert.equal(await text(page, "list-page"), "Trang 1/3 · 45 người");
    assert.equal(await page.locator('[data-testid="list-row"]').count(), 20);
    assert.equal(await byId(page, "list-prev").isDisabled(), true);
    await byId(page, "list-next").click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="list-page"]')?.textContent.startsWith("Trang 2/3"),
    );
    await byId(page, "list-next").click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="list-page"]')?.textContent.startsWith("Trang 3/3"),
    );
    assert.equal(await page.locator('[data-testid="list-row"]').count(), 5);
    assert.equal(await byId(page, "list-next").isDisabled(), true);
    assert.deepEqual(
      (await calls(page, "reports_followup")).map((c) => [
        c.args.input.kind,
        c.args.input.page,
        c.args.input.pageSize,
      ]),
      [
        ["approved-not-activated", 0, 20],
        ["approved-not-activated", 1, 20],
        ["approved-not-activated", 2, 20],
      ],
    );
    await byId(page, "contact-open").first().click();
    await byId(page, "contact-outcome").selectOption("reached");
    await byId(page, "contact-note").fill("Đã đổi SIM, hẹn thứ Hai đến bộ phận một cửa");
    await byId(page, "contact-save").click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="reports-notice"]')?.textContent !== "",
    );
    assert.equal(await text(page, "reports-notice"), "Đã ghi nhận liên hệ.");
    const saved = await page.evaluate(() => window.__reports.contacts);
    assert.deepEqual(saved, [
      {
        package: "01900000-0000-7000-8000-000000000041",
        outcome: "reached",
        note: "Đã đổi SIM, hẹn thứ Hai đến bộ phận một cửa",
      },
    ]);
    assert.match(await text(page, "list-last-contact"), /Đã đổi SIM/);
    // Another list starts on its first page.
    await byId(page, "list-rejected").click();
    await page.waitForFunction(
      () =>
        window.__mock.calls.filter((c) => c.cmd === "reports_followup").at(-1).args.input.kind ===
        "rejected",
    );
    assert.equal((await calls(page, "reports_followup")).at(-1).args.input.page, 0);
  });

  test("the activation guide shows the steps and prints through the core", async () => {
    const { page } = await openReports("operator");
    await byId(page, "reports-tab-guide").click();
    await byId(page, "guide").waitFor();
    assert.match(await text(page, "guide"), /Nhập mã OTP/);
    await byId(page, "guide-print").click();
    await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === "print_view"));
    assert.deepEqual(
      (await calls(page, "print_view")).map((c) => c.args.what),
      ["guide"],
    );
  });
});

describe("reports layout", () => {
  test("every target is at least 56 px, and axe finds nothing, in both languages", async () => {
    const { page } = await openReports("supervisor");
    await byId(page, "report-title").waitFor();
    if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
    for (const tab of ["progress", "followup", "guide"]) {
      await byId(page, `reports-tab-${tab}`).click();
      await page.waitForFunction(() => !document.querySelector('[data-testid="reports-loading"]'));
      await page.waitForTimeout(50);
      for (const lang of ["vi", "en"]) {
        await byId(page, `lang-${lang}`).click();
        await page.waitForFunction(
          () => !document.querySelector('[data-testid="reports-loading"]'),
        );
        const small = await page.evaluate(() =>
          [
            ...document.querySelectorAll(
              ".screen-reports button, .screen-reports input, .screen-reports select",
            ),
          ]
            .filter((el) => el.getClientRects().length > 0)
            .map((el) => ({ id: el.getAttribute("data-testid"), r: el.getBoundingClientRect() }))
            .filter(({ r }) => r.width < 56 || r.height < 56)
            .map(({ id, r }) => `${id} ${Math.round(r.width)}x${Math.round(r.height)}`),
        );
        assert.deepEqual(small, [], `${tab} (${lang})`);
        const violations = await page.evaluate(async () => {
          const result = await window.axe.run(document, {
            runOnly: {
              type: "tag",
              values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
            },
          });
          return result.violations.map(
            (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
          );
        });
        assert.deepEqual(violations, [], `${tab} (${lang})`);
      }
    }
  });

  test("self-service has no way into the reports", async () => {
    const kiosk = await open({ shell: { mode: "self-service" } });
    await byId(kiosk.page, "welcome-start").click();
    await byId(kiosk.page, "screen-consent").waitFor();
    assert.equal(await byId(kiosk.page, "reports-open").count(), 0);
  });
});

describe("receipt", () => {
  const digits = async (page, d) => {
    for (const c of d) await byId(page, `digits-key-${c}`).click();
  };

  test("at the counter the done screen prints the citizen's receipt through the core", async () => {
    const kiosk = await open({
      shell: { mode: "counter" },
      signInCode: null,
    });
    const { page } = kiosk;
    await page.evaluate(installReportsCore, "operator");
    await byId(page, "signin-operator").fill("cb01");
    await byId(page, "signin-pin").fill("246813");
    await byId(page, "signin-submit").click();
    await byId(page, "consent-agree").click();
    await digits(page, "001090012345");
    await byId(page, "id-continue").click();
    await byId(page, "screen-card").waitFor();
    await byId(page, "card-dob").click();
    await digits(page, "01011990");
    await byId(page, "card-expiry").click();
    await digits(page, "01012030");
    await byId(page, "card-read").click();
    await page.waitForFunction(() => window.__mock.lastReadId > 0);
    await page.evaluate(() =>
      window.__mock.emit("card-result", {
        readId: window.__mock.lastReadId,
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
          dateOfExpiry: null,
        },
        portrait: null,
        expired: false,
      }),
    );
    await byId(page, "card-continue").click();
    await passPortrait(page);
    await byId(page, "form-phone").click();
    await digits(page, "0912345678");
    await byId(page, "form-group-thon-dong").click();
    await byId(page, "form-continue").click();
    await byId(page, "review-confirm").click();
    await byId(page, "screen-done").waitFor();
    await byId(page, "done-print").click();
    await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === "print_view"));
    assert.deepEqual(
      (await calls(page, "print_view")).map((c) => c.args.what),
      ["receipt"],
    );
    assert.equal(await page.evaluate(() => document.documentElement.dataset.print), "receipt");
    await page.emulateMedia({ media: "print" });
    const shown = await page.evaluate(() => ({
      number: getComputedStyle(document.querySelector('[data-testid="done-number"]')).display,
      finish: getComputedStyle(document.querySelector('[data-testid="done-finish"]')).display,
    }));
    assert.deepEqual(shown, { number: "block", finish: "none" });
  });
});
