//! Every subcommand's --help teaches: what it does, examples, and it exits 0.

use std::process::Command;

const SUBCOMMANDS: [&str; 5] = [
    "standalone",
    "worker",
    "distributed",
    "demo",
    "diffusion-server",
];

#[test]
fn every_subcommand_has_help_with_examples() {
    for sub in SUBCOMMANDS {
        let out = Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
            .args([sub, "--help"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{sub} --help failed");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Examples:"),
            "{sub} --help has no examples:\n{text}"
        );
        assert!(
            text.contains(&format!("diffusion-kafka-connect {sub}")),
            "{sub}:\n{text}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for sub in SUBCOMMANDS {
        assert!(text.contains(sub), "{sub} missing from --help:\n{text}");
    }
}
