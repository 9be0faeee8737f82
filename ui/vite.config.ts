// Builds the kiosk's web UI into ui/dist, which the Tauri app embeds (tauri.conf.json:
// frontendDist "ui/dist"). No dev server URL is used by the app: debug builds embed dist too.
import { defineConfig } from "vite";

export default defineConfig({
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.4x (Debian 12) is the engine of the real app.
    target: ["es2022", "safari16"],
    sourcemap: false,
  },
});
