//! The enrollment form: mobile phone, optional e-mail, the documents to integrate and the
//! residential group. The core checks every field with the enrollment domain's rules and each
//! refusal shows under its field, in the current language.

import { button, h } from "../dom";
import type { FieldError, FormInput, Group } from "../ipc";
import { toBackendError } from "../ipc";
import type { PlainKey } from "../i18n";
import { keypadField } from "../keypad";
import type { ScreenFactory } from "../router";

interface TextField {
  readonly name: "phone" | "email" | "healthInsurance" | "drivingLicence" | "taxCode";
  readonly label: PlainKey;
  readonly mode: "digits" | "text";
}

const TEXT_FIELDS: readonly TextField[] = [
  { name: "phone", label: "form.phone", mode: "digits" },
  { name: "email", label: "form.email", mode: "text" },
  { name: "healthInsurance", label: "form.health_insurance", mode: "text" },
  { name: "drivingLicence", label: "form.driving_licence", mode: "digits" },
  { name: "taxCode", label: "form.tax_code", mode: "text" },
];

export const form: ScreenFactory = ({ i18n, keypad, backend, draft, go, home, signal }) => {
  const errors = new Map<string, HTMLElement>();
  const inputs = new Map<string, HTMLInputElement>();
  const previous = draft.form;

  function errorSlot(name: string): HTMLElement {
    const el = h("p", {
      id: `form-error-${name}`,
      class: "inline-error",
      testid: `form-error-${name}`,
      role: "alert",
      hidden: true,
    });
    errors.set(name, el);
    return el;
  }

  function field(name: string, label: PlainKey, mode: "digits" | "text", value: string) {
    const input = keypadField(
      h("input", {
        id: `form-${name}`,
        type: "text",
        class: mode === "digits" ? "field field-digits" : "field",
        testid: `form-${name}`,
        maxlength: 64,
        "aria-describedby": `form-error-${name}`,
      }),
      mode,
    );
    input.value = value;
    inputs.set(name, input);
    return h(
      "div",
      { class: "form-field" },
      i18n.text(h("label", { for: `form-${name}`, class: "field-label" }), label),
      input,
      errorSlot(name),
    );
  }

  const fields = TEXT_FIELDS.map((f) => field(f.name, f.label, f.mode, previous?.[f.name] ?? ""));
  fields.splice(
    4,
    0,
    field("vehiclePlates", "form.vehicle_plate", "text", previous?.vehiclePlates.join(", ") ?? ""),
  );
  const phone = inputs.get("phone");
  if (phone) phone.autofocus = true;

  const groupList = h("div", {
    class: "group-list",
    role: "radiogroup",
    testid: "form-groups",
    "aria-labelledby": "form-group-label",
  });
  let chosen = previous?.group ?? "";
  const groupError = errorSlot("group");

  function showGroups(groups: readonly Group[]): void {
    if (groups.length === 0) {
      groupError.hidden = false;
      i18n.text(groupError, "form.groups.none");
      return;
    }
    groupList.replaceChildren(
      ...groups.map((g) => {
        const choice = button(
          {
            class: "group-choice",
            role: "radio",
            testid: `form-group-${g.id}`,
            "aria-checked": g.id === chosen ? "true" : "false",
          },
          () => {
            chosen = g.id;
            for (const other of groupList.querySelectorAll("[role=radio]")) {
              other.setAttribute("aria-checked", other === choice ? "true" : "false");
            }
          },
        );
        choice.textContent = g.name;
        return choice;
      }),
    );
  }

  void backend.residentialGroups().then(
    (groups) => {
      if (!signal.aborted) showGroups(groups);
    },
    (cause: unknown) => {
      if (signal.aborted) return;
      groupError.hidden = false;
      i18n.error(groupError, toBackendError(cause).code);
    },
  );

  const general = h("p", {
    class: "inline-error",
    testid: "form-error",
    role: "alert",
    hidden: true,
  });

  function collect(): FormInput {
    const value = (name: string): string => inputs.get(name)?.value ?? "";
    return {
      phone: value("phone"),
      email: value("email"),
      healthInsurance: value("healthInsurance"),
      drivingLicence: value("drivingLicence"),
      vehiclePlates: value("vehiclePlates")
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== ""),
      taxCode: value("taxCode"),
      group: chosen,
    };
  }

  function showErrors(list: readonly FieldError[]): void {
    for (const [name, el] of errors) {
      const mine = list.filter((e) => e.field === name);
      el.hidden = mine.length === 0;
      inputs.get(name)?.setAttribute("aria-invalid", mine.length === 0 ? "false" : "true");
      const first = mine[0];
      if (first) i18n.pair(el, first);
    }
    const firstField = list[0]?.field;
    if (firstField !== undefined) inputs.get(firstField)?.focus();
  }

  const next = button({ class: "primary", testid: "form-continue" }, () => {
    const input = collect();
    next.disabled = true;
    general.hidden = true;
    backend
      .checkForm(input)
      .then(
        (check) => {
          if (signal.aborted) return;
          if (check.outcome === "invalid") {
            showErrors(check.errors);
            return;
          }
          draft.form = input;
          draft.review = check.review;
          go("review");
        },
        (cause: unknown) => {
          if (signal.aborted) return;
          general.hidden = false;
          i18n.error(general, toBackendError(cause).code);
        },
      )
      .finally(() => {
        next.disabled = false;
      });
  });
  const cancel = button({ class: "secondary", testid: "form-cancel" }, home);

  keypad.setMode("digits");
  keypad.element.hidden = false;
  return h(
    "section",
    { class: "screen-with-keypad screen-form", testid: "screen-form" },
    h(
      "div",
      { class: "form-column" },
      i18n.text(h("h1"), "form.title"),
      i18n.text(h("p", { class: "note" }), "form.lead"),
      h("div", { class: "form-grid" }, ...fields),
      i18n.text(h("p", { id: "form-group-label", class: "field-label" }), "form.group"),
      groupList,
      groupError,
      general,
    ),
    h(
      "div",
      { class: "form-side" },
      keypad.element,
      h(
        "div",
        { class: "actions form-actions" },
        i18n.text(next, "form.continue"),
        i18n.text(cancel, "form.cancel"),
      ),
    ),
  );
};
