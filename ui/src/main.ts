//! Entry point: asks the core for the shell state, then starts the kiosk. Until the core
//! answers it says so, in both languages (the configured one is not known yet), and retries.

import "./styles.css";
import { h } from "./dom";
import { translate } from "./i18n";
import { setupStatus, tauriBackend, toBackendError } from "./ipc";
import { Kiosk } from "./kiosk";
import { installKioskExit } from "./kiosk-exit";
import { showSetup } from "./screens/setup";

const RETRY_MS = 2000;

function bootMessage(root: HTMLElement, code: string | null): void {
  const lines = (["vi", "en"] as const).map((lang) =>
    h(
      "p",
      { lang },
      code === null ? translate(lang, "boot.loading") : translate(lang, "boot.failed", { code }),
    ),
  );
  root.replaceChildren(
    h(
      "div",
      { class: "boot", testid: code === null ? "boot-loading" : "boot-error", role: "status" },
      ...lines,
    ),
  );
}

async function boot(root: HTMLElement): Promise<void> {
  try {
    // A core without the set-up command (or the mocked one of the UI tests) means no set-up.
    const setup = await setupStatus().catch(() => null);
    if (setup?.needed) {
      showSetup(root, setup, tauriBackend);
      return;
    }
    const shell = await tauriBackend.shellState();
    new Kiosk(root, tauriBackend, shell);
    void installKioskExit();
  } catch (cause) {
    bootMessage(root, toBackendError(cause).code);
    setTimeout(() => void boot(root), RETRY_MS);
  }
}

const root = document.getElementById("app");
if (root !== null) {
  bootMessage(root, null);
  void boot(root);
}
