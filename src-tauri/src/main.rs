//! The `vneid-kiosk` binary: the kiosk window, or a support subcommand (`--help` lists them).

fn main() -> std::process::ExitCode {
    vneid_kiosk::main()
}
