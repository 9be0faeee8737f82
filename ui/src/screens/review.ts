//! Review and confirm ("Xác nhận thông tin đăng ký"): what will be sent, as the core checked it.
//! Confirming seals, signs and queues the package; the core then wipes its session.

import { button, h } from "../dom";
import { toBackendError } from "../ipc";
import type { PlainKey } from "../i18n";
import type { ScreenFactory } from "../router";

export const review: ScreenFactory = ({ i18n, backend, draft, go, home, signal }) => {
  const data = draft.review;
  const form = draft.form;
  const rows: [PlainKey, string, string][] = data
    ? [
        ["review.full_name", data.fullName, "full-name"],
        ["review.id_number", data.idNumber, "id-number"],
        ["review.date_of_birth", data.dateOfBirth, "date-of-birth"],
        ["review.phone", data.phone, "phone"],
        ["review.email", data.email ?? "—", "email"],
        ["review.health_insurance", data.healthInsurance ?? "—", "health-insurance"],
        ["review.driving_licence", data.drivingLicence ?? "—", "driving-licence"],
        ["review.vehicle_plates", data.vehiclePlates.join(", ") || "—", "vehicle-plates"],
        ["review.tax_code", data.taxCode ?? "—", "tax-code"],
        ["review.group", data.group, "group"],
      ]
    : [];
  const list = h(
    "dl",
    { class: "review-list", testid: "review-list" },
    ...rows.flatMap(([label, value, id]) => [
      i18n.text(h("dt"), label),
      h("dd", { testid: `review-${id}` }, value),
    ]),
  );
  const notVerified = i18n.text(
    h("p", {
      class: "notice verdict-problem",
      testid: "review-not-chip-verified",
      hidden: data === null || data.chipVerified,
    }),
    "review.not_chip_verified",
  );
  const error = h("p", {
    class: "inline-error",
    testid: "review-error",
    role: "alert",
    hidden: true,
  });
  const confirm = button({ class: "primary", testid: "review-confirm" }, () => {
    if (form === null) return;
    confirm.disabled = true;
    i18n.text(confirm, "review.busy");
    error.hidden = true;
    backend.submitEnrollment(form).then(
      (receipt) => {
        if (signal.aborted) return;
        draft.form = null;
        draft.review = null;
        draft.receipt = receipt;
        go("done");
      },
      (cause: unknown) => {
        if (signal.aborted) return;
        confirm.disabled = false;
        i18n.text(confirm, "review.confirm");
        error.hidden = false;
        i18n.error(error, toBackendError(cause).code);
      },
    );
  });
  const edit = button({ class: "secondary", testid: "review-edit" }, () => {
    go("form");
  });
  const cancel = button({ class: "secondary", testid: "review-cancel" }, home);
  return h(
    "section",
    { class: "screen-review", testid: "screen-review" },
    i18n.text(h("h1"), "review.title"),
    i18n.text(h("p", { class: "lead" }), "review.lead"),
    notVerified,
    list,
    error,
    h(
      "div",
      { class: "actions" },
      i18n.text(confirm, "review.confirm"),
      i18n.text(edit, "review.edit"),
      i18n.text(cancel, "review.cancel"),
    ),
  );
};
