//! Prints the README's configuration reference tables, generated from the connectors' key
//! definitions: `cargo run -p connectors --example config-reference`.

fn main() {
    print!("{}", connectors::definitions::reference_markdown());
}
