//! "Báo cáo và theo dõi" at the counter: the progress report for a period (tables as the
//! exports print them, progress per group against target and results per day as charts),
//! the follow-up lists with paging and "Đã liên hệ" notes, and the activation guide. Exports
//! (XLSX, CSV, PDF into the data directory) and printing go through the core, which checks the
//! role and audits; what an operator may not do is refused there with a sentence in both
//! languages. Supervisors and administrators see every tab; operators the lists and the guide.
//! The core answers in one language, so a language switch reloads the tab shown.

import { button, h } from "../dom";
import type { I18n } from "../i18n";
import {
  reportsBackend as api,
  toBackendError,
  type ExportInput,
  type FollowUpPage,
  type ListKind,
  type PrintWhat,
  type ProgressView,
  type ReportInput,
  type ReportsAccess,
  type TableView,
} from "../ipc";
import type { ScreenContext, ScreenFactory } from "../router";
import { dailyChart, progressChart } from "./reports-chart";
import { say, sayError } from "./reports-text";
import "./reports.css";

type Tab = "progress" | "followup" | "guide";
const PAGE_SIZE = 20;
const LISTS: readonly ListKind[] = ["approved-not-activated", "rejected", "not-acknowledged"];

function iso(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function tableOf(t: TableView): HTMLTableElement {
  const cell = (tag: "td" | "th", text: string, col: number): HTMLElement =>
    h(tag, t.numeric[col] === true ? { class: "num" } : {}, text);
  const head = h("thead");
  if (t.bands.length > 0) {
    const band = h("tr");
    let col = 0;
    for (const [label, first, span] of t.bands) {
      if (first > col) band.append(h("th", { colspan: first - col }));
      band.append(h("th", { colspan: span, class: "band" }, label));
      col = first + span;
    }
    if (col < t.headers.length) band.append(h("th", { colspan: t.headers.length - col }));
    head.append(band);
  }
  head.append(h("tr", {}, ...t.headers.map((x) => h("th", { scope: "col" }, x))));
  const body = h(
    "tbody",
    {},
    ...t.rows.map((r) => h("tr", {}, ...r.map((c, i) => cell("td", c, i)))),
  );
  const table = h(
    "table",
    { class: "report-table", testid: `report-table-${t.name}` },
    h("caption", {}, t.title),
    head,
    body,
  );
  if (t.total !== null) {
    table.append(
      h(
        "tfoot",
        {},
        h("tr", { testid: "report-total" }, ...t.total.map((c, i) => cell("td", c, i))),
      ),
    );
  }
  return table;
}

/** Sets `data-print` so the print style sheet shows only `what`, then asks the core to print. */
async function print(what: PrintWhat): Promise<void> {
  document.documentElement.dataset.print = what;
  await api.print(what);
}

class ReportsArea {
  readonly element: HTMLElement;
  readonly #ctx: ScreenContext;
  readonly #i18n: I18n;
  readonly #error: HTMLElement;
  readonly #notice: HTMLElement;
  readonly #body: HTMLElement;
  readonly #tabs = new Map<Tab, HTMLButtonElement>();
  #access: ReportsAccess | null = null;
  #tab: Tab = "followup";
  #report: ReportInput | null = null;
  #list: ListKind = "approved-not-activated";
  #group = "";
  #page = 0;

  constructor(ctx: ScreenContext) {
    this.#ctx = ctx;
    this.#i18n = ctx.i18n;
    this.#error = h("p", {
      class: "inline-error",
      testid: "reports-error",
      role: "alert",
      hidden: true,
    });
    this.#notice = h("p", { class: "reports-notice", testid: "reports-notice", role: "status" });
    this.#body = h("div", { class: "reports-body", testid: "reports-body" });
    const tabs = h("div", { class: "reports-tabs", role: "tablist", testid: "reports-tabs" });
    for (const tab of ["progress", "followup", "guide"] as const) {
      const b = button(
        { class: "tab", role: "tab", testid: `reports-tab-${tab}`, hidden: true },
        () => {
          this.#show(tab);
        },
      );
      say(this.#i18n, b, `tab.${tab}`);
      this.#tabs.set(tab, b);
      tabs.append(b);
    }
    const back = button({ class: "secondary", testid: "reports-back" }, () => {
      ctx.go("consent");
    });
    this.element = h(
      "section",
      { class: "screen-reports", testid: "screen-reports" },
      h(
        "div",
        { class: "reports-top" },
        say(this.#i18n, h("h1"), "title"),
        say(this.#i18n, back, "back"),
      ),
      tabs,
      this.#error,
      this.#notice,
      this.#body,
    );
    const watch = new MutationObserver(() => {
      this.#render();
    });
    watch.observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
    ctx.signal.addEventListener("abort", () => {
      watch.disconnect();
      delete document.documentElement.dataset.print;
    });
    void this.#start();
  }

  get #lang(): string {
    return this.#i18n.lang;
  }

  #fail(cause: unknown): void {
    if (this.#ctx.signal.aborted) return;
    this.#error.hidden = false;
    sayError(this.#i18n, this.#error, toBackendError(cause).code);
  }

  #clear(): void {
    this.#error.hidden = true;
    this.#i18n.clear(this.#notice);
  }

  async #start(): Promise<void> {
    try {
      this.#access = await api.access();
    } catch (cause) {
      this.#fail(cause);
      return;
    }
    const access = this.#access;
    const show = (tab: Tab, yes: boolean): void => {
      const b = this.#tabs.get(tab);
      if (b) b.hidden = !yes;
    };
    show("progress", access.reports);
    show("followup", access.followUp);
    show("guide", true);
    this.#show(access.reports ? "progress" : access.followUp ? "followup" : "guide");
  }

  #show(tab: Tab): void {
    this.#tab = tab;
    for (const [t, b] of this.#tabs) b.setAttribute("aria-selected", String(t === tab));
    this.#render();
  }

  #render(): void {
    if (this.#access === null) return;
    this.#clear();
    if (this.#tab === "progress") this.#progress();
    else if (this.#tab === "followup") void this.#followUp();
    else void this.#guide();
  }

  #loading(): void {
    this.#body.replaceChildren(say(this.#i18n, h("p", { testid: "reports-loading" }), "loading"));
  }

  // --- progress -------------------------------------------------------------------------

  #progress(): void {
    const today = new Date();
    const report = this.#report ?? {
      phase: null,
      from: iso(new Date(today.getFullYear(), today.getMonth(), 1)),
      until: iso(today),
      cumulativeFrom: null,
      lang: this.#lang,
    };
    const i18n = this.#i18n;
    const date = (id: string, value: string | null): HTMLInputElement =>
      h("input", { id, type: "date", class: "field field-date", testid: id, value: value ?? "" });
    const from = date("report-from", report.from);
    const until = date("report-until", report.until);
    const cumulative = date("report-cumulative", report.cumulativeFrom);
    const showReport = button({ class: "primary", testid: "report-show" }, () => {
      this.#report = {
        phase: null,
        from: from.value,
        until: until.value,
        cumulativeFrom: cumulative.value === "" ? null : cumulative.value,
        lang: this.#lang,
      };
      void this.#loadProgress(picker, results);
    });
    const picker = h(
      "div",
      { class: "period-picker", testid: "period-picker" },
      say(i18n, h("h2"), "period.title"),
      h(
        "div",
        { class: "period-fields" },
        h("label", { for: "report-from" }, say(i18n, h("span"), "period.from"), from),
        h("label", { for: "report-until" }, say(i18n, h("span"), "period.until"), until),
        h(
          "label",
          { for: "report-cumulative" },
          say(i18n, h("span"), "period.cumulative"),
          cumulative,
        ),
        say(i18n, showReport, "period.show"),
      ),
    );
    const results = h("div", { class: "report-results", testid: "report-results" });
    this.#body.replaceChildren(picker, results);
    this.#report = report;
    void this.#loadProgress(picker, results);
  }

  async #loadProgress(picker: HTMLElement, results: HTMLElement): Promise<void> {
    if (this.#report === null) return;
    const input = { ...this.#report, lang: this.#lang };
    results.replaceChildren(say(this.#i18n, h("p"), "loading"));
    let view: ProgressView;
    try {
      view = await api.progress(input);
    } catch (cause) {
      results.replaceChildren();
      this.#fail(cause);
      return;
    }
    if (this.#ctx.signal.aborted) return;
    this.#clear();
    this.#phases(picker, results, view);
    const i18n = this.#i18n;
    const progress = progressChart(
      view.groups,
      view.total,
      i18n.lang === "vi" ? "Tỷ lệ kích hoạt so với chỉ tiêu" : "Activations against target",
      i18n.lang === "vi" ? "Chỉ tiêu (100%)" : "Target (100%)",
    );
    const legend =
      i18n.lang === "vi"
        ? { enrolled: "Thu nhận", approved: "Phê duyệt", activated: "Kích hoạt" }
        : { enrolled: "Enrolled", approved: "Approved", activated: "Activated" };
    results.replaceChildren(
      h(
        "div",
        { class: "print-area", "data-print-area": "progress" },
        h("h2", { testid: "report-title" }, view.title),
        h("p", { class: "lead", testid: "report-subtitle" }, view.subtitle),
        h(
          "div",
          { class: "report-charts" },
          h(
            "figure",
            {},
            say(i18n, h("figcaption"), "chart.progress"),
            progress ??
              say(i18n, h("p", { testid: "chart-progress-empty" }), "chart.progress_empty"),
          ),
          h(
            "figure",
            {},
            say(i18n, h("figcaption"), "chart.daily"),
            view.daily.length > 0
              ? dailyChart(
                  view.daily,
                  i18n.lang === "vi" ? "Kết quả theo ngày" : "Results per day",
                  legend,
                )
              : say(i18n, h("p"), "chart.daily_too_long"),
          ),
        ),
        ...view.tables.map(tableOf),
      ),
      this.#exportBar("progress", input, null),
    );
  }

  #phases(picker: HTMLElement, results: HTMLElement, view: ProgressView): void {
    picker.querySelector(".phase-buttons")?.remove();
    if (view.phases.length === 0) return;
    const row = h(
      "div",
      { class: "phase-buttons", role: "group", testid: "report-phases" },
      say(this.#i18n, h("span", { class: "field-label" }), "period.phases"),
    );
    for (const p of view.phases) {
      const b = button({ class: "secondary", testid: `report-phase-${p.index}` }, () => {
        this.#report = {
          phase: p.index,
          from: null,
          until: null,
          cumulativeFrom: null,
          lang: this.#lang,
        };
        void this.#loadProgress(picker, results);
      });
      b.textContent = `${p.name} (${p.from} – ${p.until})`;
      row.append(b);
    }
    picker.append(row);
  }

  /** XLSX / CSV / PDF into the data directory, and print; the core checks role and audits. */
  #exportBar(what: string, report: ReportInput, group: string | null): HTMLElement {
    const i18n = this.#i18n;
    const done = h("p", { class: "export-done", testid: "export-done", role: "status" });
    const run = (format: ExportInput["format"]) => async () => {
      this.#clear();
      say(i18n, done, "export.busy");
      try {
        const saved = await api.exportFile({ format, what, report, group });
        if (this.#ctx.signal.aborted) return;
        say(i18n, done, "export.done", { path: saved.path });
      } catch (cause) {
        i18n.clear(done);
        this.#fail(cause);
      }
    };
    const bar = h("div", { class: "reports-actions", testid: "export-bar" });
    for (const format of ["xlsx", "csv", "pdf"] as const) {
      const b = button(
        { class: "secondary", testid: `export-${format}` },
        () => void run(format)(),
      );
      bar.append(say(i18n, b, `export.${format}`));
    }
    const printButton = button({ class: "secondary", testid: "export-print" }, () => {
      this.#clear();
      print(what as PrintWhat).then(
        () => {
          if (!this.#ctx.signal.aborted) say(i18n, this.#notice, "print.opened");
        },
        (cause: unknown) => {
          this.#fail(cause);
        },
      );
    });
    bar.append(say(i18n, printButton, "export.print"));
    const where = say(i18n, h("p", { class: "note", testid: "export-dir" }), "export.where", {
      dir: this.#access?.exportDir ?? "",
    });
    return h(
      "div",
      { class: "export-block" },
      say(i18n, h("h2"), "export.title"),
      bar,
      where,
      done,
    );
  }

  // --- follow-up ------------------------------------------------------------------------

  async #followUp(): Promise<void> {
    this.#loading();
    const i18n = this.#i18n;
    let page: FollowUpPage;
    let groups: readonly { id: string; name: string }[];
    try {
      [page, groups] = await Promise.all([
        api.followUp({
          kind: this.#list,
          group: this.#group === "" ? null : this.#group,
          page: this.#page,
          pageSize: PAGE_SIZE,
          lang: this.#lang,
        }),
        this.#ctx.backend.residentialGroups(),
      ]);
    } catch (cause) {
      this.#body.replaceChildren();
      this.#fail(cause);
      return;
    }
    if (this.#ctx.signal.aborted) return;
    const kinds = h("div", { class: "list-kinds", role: "group", testid: "list-kinds" });
    for (const kind of LISTS) {
      const b = button(
        { class: "secondary", testid: `list-${kind}`, "aria-pressed": String(kind === this.#list) },
        () => {
          this.#list = kind;
          this.#page = 0;
          void this.#followUp();
        },
      );
      kinds.append(say(i18n, b, `list.${kind}`));
    }
    const select = h("select", { id: "list-group", class: "field", testid: "list-group" });
    select.append(say(i18n, h("option", { value: "" }), "list.all_groups"));
    for (const g of groups) {
      select.append(h("option", { value: g.id, selected: g.id === this.#group }, g.name));
    }
    select.addEventListener("change", () => {
      this.#group = select.value;
      this.#page = 0;
      void this.#followUp();
    });
    const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
    const prev = button(
      { class: "secondary", testid: "list-prev", disabled: this.#page === 0 },
      () => {
        this.#page -= 1;
        void this.#followUp();
      },
    );
    const next = button(
      { class: "secondary", testid: "list-next", disabled: this.#page + 1 >= pages },
      () => {
        this.#page += 1;
        void this.#followUp();
      },
    );
    const pager = h(
      "div",
      { class: "pager" },
      say(i18n, prev, "list.prev"),
      say(i18n, h("span", { testid: "list-page" }), "list.page", {
        page: this.#page + 1,
        pages,
        total: page.total,
      }),
      say(i18n, next, "list.next"),
    );
    this.#body.replaceChildren(
      kinds,
      h(
        "label",
        { for: "list-group", class: "field-label" },
        say(i18n, h("span"), "list.group"),
        select,
      ),
      h("div", { class: "print-area", "data-print-area": this.#list }, this.#listTable(page)),
      pager,
      this.#exportBar(
        this.#list,
        { phase: null, from: null, until: null, cumulativeFrom: null, lang: this.#lang },
        this.#group === "" ? null : this.#group,
      ),
    );
  }

  #listTable(page: FollowUpPage): HTMLElement {
    const i18n = this.#i18n;
    if (page.entries.length === 0) return say(i18n, h("p", { testid: "list-empty" }), "list.empty");
    const heads = [
      "list.name",
      "list.phone",
      "list.id",
      "list.group",
      "list.since",
      "list.days",
      "list.reason",
      "list.contact",
    ] as const;
    const body = h("tbody");
    for (const e of page.entries) {
      const name = h("td", {});
      if (e.details === "known") name.textContent = e.name ?? "";
      else say(i18n, name, e.details === "unreadable" ? "list.unreadable" : "list.not_stored");
      const contacted = button({ class: "secondary", testid: "contact-open" }, () => {
        row.after(this.#contactForm(e.package, page.outcomes));
        contacted.disabled = true;
      });
      const last = e.lastContact;
      const row = h(
        "tr",
        { testid: "list-row" },
        name,
        h("td", {}, e.phone ?? ""),
        h("td", {}, e.idMasked ?? ""),
        h("td", {}, e.group),
        h("td", {}, e.since),
        h("td", { class: "num" }, String(e.daysWaiting)),
        h("td", {}, e.reason ?? ""),
        h(
          "td",
          { testid: "list-last-contact" },
          last === null
            ? ""
            : `${last.outcome} (${last.day}, ${last.operator})${last.note === "" ? "" : `: ${last.note}`}`,
        ),
        h("td", { class: "no-print" }, say(i18n, contacted, "contact.open")),
      );
      body.append(row);
    }
    return h(
      "table",
      { class: "report-table list-table", testid: "list-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...heads.map((k) => say(i18n, h("th", { scope: "col" }), k)),
          h("th", { class: "no-print" }),
        ),
      ),
      body,
    );
  }

  #contactForm(pkg: string, outcomes: FollowUpPage["outcomes"]): HTMLElement {
    const i18n = this.#i18n;
    const outcome = h("select", {
      id: "contact-outcome",
      class: "field",
      testid: "contact-outcome",
    });
    for (const [code, label] of outcomes) outcome.append(h("option", { value: code }, label));
    const note = h("textarea", {
      id: "contact-note",
      class: "field contact-note",
      testid: "contact-note",
      maxlength: 500,
      rows: 2,
    });
    const save = button({ class: "primary", testid: "contact-save" }, () => {
      save.disabled = true;
      api.contact(pkg, outcome.value, note.value).then(
        () => {
          if (this.#ctx.signal.aborted) return;
          void this.#followUp().then(() => {
            say(i18n, this.#notice, "contact.saved");
          });
        },
        (cause: unknown) => {
          save.disabled = false;
          this.#fail(cause);
        },
      );
    });
    const cancel = button({ class: "secondary", testid: "contact-cancel" }, () => {
      void this.#followUp();
    });
    return h(
      "tr",
      { class: "contact-row no-print", testid: "contact-form" },
      h(
        "td",
        { colspan: 9 },
        h(
          "div",
          { class: "contact-fields" },
          h("label", { for: "contact-outcome" }, say(i18n, h("span"), "contact.outcome"), outcome),
          h("label", { for: "contact-note" }, say(i18n, h("span"), "contact.note"), note),
          say(i18n, save, "contact.save"),
          say(i18n, cancel, "contact.cancel"),
        ),
      ),
    );
  }

  // --- guide ----------------------------------------------------------------------------

  async #guide(): Promise<void> {
    this.#loading();
    try {
      const [title, steps] = await api.guide(this.#lang);
      if (this.#ctx.signal.aborted) return;
      const printButton = button({ class: "secondary", testid: "guide-print" }, () => {
        this.#clear();
        print("guide").then(
          () => {
            say(this.#i18n, this.#notice, "print.opened");
          },
          (cause: unknown) => {
            this.#fail(cause);
          },
        );
      });
      this.#body.replaceChildren(
        h(
          "div",
          { class: "print-area guide", "data-print-area": "guide", testid: "guide" },
          h("h2", {}, title),
          h(
            "ol",
            { class: "guide-steps" },
            ...steps.map((s) =>
              h("li", {}, h("strong", {}, s.title), h("span", {}, ` ${s.detail}`)),
            ),
          ),
        ),
        h("div", { class: "reports-actions" }, say(this.#i18n, printButton, "guide.print")),
      );
    } catch (cause) {
      this.#body.replaceChildren();
      this.#fail(cause);
    }
  }
}

export const reports: ScreenFactory = (ctx) => new ReportsArea(ctx).element;

export { print as printView };
