//! What one citizen's enrollment carries from the form to the review and the done screen. One
//! per session: a wipe drops it with the session, so nothing typed outlives the citizen.

import type { FormInput, Receipt, Review } from "./ipc";

export class Draft {
  form: FormInput | null = null;
  review: Review | null = null;
  receipt: Receipt | null = null;
}
