//! Every screen the router knows, by name, and which one a mode starts on. A later screen is a
//! new module here plus one line in `screens`.

import type { Mode } from "../ipc";
import type { ScreenFactory } from "../router";
import { card } from "./card";
import { consent } from "./consent";
import { done } from "./done";
import { form } from "./form";
import { idEntry } from "./id-entry";
import { portrait } from "./portrait";
import { reports } from "./reports";
import { review } from "./review";
import { signin } from "./signin";
import { welcome } from "./welcome";

export const screens = {
  signin,
  welcome,
  consent,
  "id-entry": idEntry,
  card,
  portrait,
  form,
  review,
  done,
  reports,
} satisfies Record<string, ScreenFactory>;

export type ScreenName = keyof typeof screens;

export function startScreen(mode: Mode): ScreenName {
  return mode === "counter" ? "signin" : "welcome";
}
