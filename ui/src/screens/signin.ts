//! Counter start: the operator signs in with their code and PIN (keypad or keyboard) and stays
//! signed in across citizens until "Đăng xuất" or the desk's lock. Errors from the core show
//! inline as the dictionary's sentence for their code.

import { h } from "../dom";
import { toBackendError } from "../ipc";
import { keypadField } from "../keypad";
import type { ScreenFactory } from "../router";

export const signin: ScreenFactory = ({ i18n, keypad, backend, go, signal, signedIn }) => {
  const operator = keypadField(
    h("input", {
      id: "operator-id",
      type: "text",
      class: "field",
      testid: "signin-operator",
      maxlength: 32,
      autofocus: true,
      "aria-describedby": "signin-error",
    }),
    "text",
  );
  const pin = keypadField(
    h("input", {
      id: "operator-pin",
      type: "password",
      class: "field field-digits",
      testid: "signin-pin",
      maxlength: 12,
      "aria-describedby": "signin-error",
    }),
    "digits",
  );
  const error = h("p", {
    id: "signin-error",
    class: "inline-error",
    testid: "signin-error",
    role: "alert",
    hidden: true,
  });
  const submit = h("button", { type: "submit", class: "primary", testid: "signin-submit" });
  i18n.text(submit, "signin.submit");

  function fail(show: (el: HTMLElement) => void, field: HTMLInputElement | null): void {
    error.hidden = false;
    show(error);
    field?.focus();
  }

  async function signIn(): Promise<void> {
    if (operator.value.trim() === "") {
      fail((el) => i18n.text(el, "signin.error.operator_missing"), operator);
      return;
    }
    if (pin.value === "") {
      fail((el) => i18n.text(el, "signin.error.pin_missing"), pin);
      return;
    }
    error.hidden = true;
    submit.disabled = true;
    i18n.text(submit, "signin.busy");
    try {
      const id = operator.value.trim();
      await backend.operatorSignIn(id, pin.value);
      if (signal.aborted) return;
      signedIn(id);
      go("consent");
    } catch (cause) {
      if (signal.aborted) return;
      pin.value = "";
      fail((el) => i18n.error(el, toBackendError(cause).code), null);
    } finally {
      submit.disabled = false;
      i18n.text(submit, "signin.submit");
    }
  }

  const form = h(
    "form",
    { class: "form-column", testid: "signin-form", novalidate: true },
    i18n.text(h("h1"), "signin.title"),
    i18n.text(h("p", { class: "lead" }), "signin.body"),
    i18n.text(h("label", { for: "operator-id", class: "field-label" }), "signin.operator"),
    operator,
    i18n.text(h("label", { for: "operator-pin", class: "field-label" }), "signin.pin"),
    pin,
    error,
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void signIn();
  });
  keypad.setMode("text");

  return h(
    "section",
    { class: "screen-with-keypad", testid: "screen-signin" },
    form,
    keypad.element,
  );
};
