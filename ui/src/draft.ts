//! What one citizen's enrollment carries from the form to the review and the done screen. One
//! per session: a wipe drops it with the session, so nothing typed outlives the citizen.

import type { FormInput, Portrait, QrHolder, Receipt, Review } from "./ipc";

export class Draft {
  /** The chip's photo, shown beside the live portrait. */
  chipPortrait: Portrait | null = null;
  /** The card's QR data, when the officer confirmed an enrollment from it alone. */
  qrOnly: QrHolder | null = null;
  form: FormInput | null = null;
  review: Review | null = null;
  receipt: Receipt | null = null;
}
