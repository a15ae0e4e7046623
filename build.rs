//! Compiles the Compose specification's JSON schema (`schema/compose-spec.json`) into static
//! tables, so that milvet parses no JSON when it starts.

#[path = "src/rules/compose_schema/compile.rs"]
mod compile;

fn main() {
    const SCHEMA: &str = "schema/compose-spec.json";
    println!("cargo::rerun-if-changed={SCHEMA}");
    println!("cargo::rerun-if-changed=src/rules/compose_schema/compile.rs");
    let text = std::fs::read_to_string(SCHEMA).expect("read schema/compose-spec.json");
    let compiled = compile::compile(&text).expect("schema/compose-spec.json compiles");
    assert!(
        compiled.unsupported.is_empty(),
        "schema/compose-spec.json uses keywords the validator does not implement: {:?}",
        compiled.unsupported
    );
    let out =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("compose_schema.rs");
    std::fs::write(out, compiled.to_rust()).expect("write the schema tables");
}
