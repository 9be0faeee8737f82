//! Tauri's build step: embeds `tauri.conf.json`, the capabilities and `ui/dist`.

fn main() {
    let attributes =
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    tauri_build::try_build(attributes).expect("tauri build step failed");
}
