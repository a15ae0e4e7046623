//! Compiles the Compose specification's JSON schema (`schema/compose-spec.json`) into static
//! tables, the release data (`rules/data/releases.toml`) and the Milvus keys of each minor line
//! (`rules/data/milvus-keys.txt`, `rules/data/milvus-keys-source.txt`) and the no-op variables
//! (`rules/data/milvus-env.toml`) into Rust, so that milvet parses no JSON, TOML or key list
//! when it starts.

#[path = "src/rules/compose_schema/compile.rs"]
mod compile;

#[path = "src/stack/releases_raw.rs"]
mod releases_raw;

#[path = "src/stack/version.rs"]
#[allow(dead_code)]
mod version;

/// The one item of the crate `version.rs` names (its `ImageVersion::of`), as far as it does.
#[allow(dead_code)]
mod compose {
    pub struct ImageRef {
        pub tag: Option<String>,
        pub digest: Option<String>,
    }
}

#[path = "src/stack/milvus_env_raw.rs"]
mod milvus_env_raw;

#[path = "src/milvus/schema_raw.rs"]
#[allow(dead_code)]
mod milvus_keys_raw;

fn main() {
    // A position-dependent executable on Linux: the dynamic loader then applies no relative
    // relocations when milvet starts (some 25,000 of them, one for each address in the
    // constant tables and vtables: 13 % of checking one file, and a copy of every page they
    // are on), where `-pie` would. Only with the C compiler driver of glibc targets, which
    // takes the flag (the examples' baselines are linked the same way).
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu")
    {
        println!("cargo::rustc-link-arg=-no-pie");
    }
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

    const RELEASES: &str = "rules/data/releases.toml";
    println!("cargo::rerun-if-changed={RELEASES}");
    println!("cargo::rerun-if-changed=src/stack/releases_raw.rs");
    let text = std::fs::read_to_string(RELEASES).expect("read rules/data/releases.toml");
    let raw: releases_raw::RawFile = toml::from_str(&text)
        .unwrap_or_else(|e| panic!("rules/data/releases.toml does not read: {e}"));
    let out =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("releases_raw.rs");
    std::fs::write(out, raw.to_rust()).expect("write the release data");
    println!("cargo::rerun-if-changed=src/stack/version.rs");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("releases.rs");
    std::fs::write(out, raw.to_digested_rust()).expect("write the digested release data");

    const MILVUS_ENV: &str = "rules/data/milvus-env.toml";
    println!("cargo::rerun-if-changed={MILVUS_ENV}");
    println!("cargo::rerun-if-changed=src/stack/milvus_env_raw.rs");
    let text = std::fs::read_to_string(MILVUS_ENV).expect("read rules/data/milvus-env.toml");
    let raw: milvus_env_raw::NoopFile = toml::from_str(&text)
        .unwrap_or_else(|e| panic!("rules/data/milvus-env.toml does not read: {e}"));
    let out =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("milvus_env.rs");
    std::fs::write(out, raw.to_rust()).expect("write the no-op variable data");

    const MILVUS_KEYS: &str = "rules/data/milvus-keys.txt";
    println!("cargo::rerun-if-changed={MILVUS_KEYS}");
    println!("cargo::rerun-if-changed=src/milvus/schema_raw.rs");
    let text = std::fs::read_to_string(MILVUS_KEYS).expect("read rules/data/milvus-keys.txt");
    let lines = milvus_keys_raw::parse(&text)
        .unwrap_or_else(|e| panic!("rules/data/milvus-keys.txt does not read: {e}"));
    const MILVUS_SOURCE_KEYS: &str = "rules/data/milvus-keys-source.txt";
    println!("cargo::rerun-if-changed={MILVUS_SOURCE_KEYS}");
    let text = std::fs::read_to_string(MILVUS_SOURCE_KEYS)
        .expect("read rules/data/milvus-keys-source.txt");
    let source = milvus_keys_raw::parse(&text)
        .unwrap_or_else(|e| panic!("rules/data/milvus-keys-source.txt does not read: {e}"));
    let out =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("milvus_keys.rs");
    std::fs::write(out, milvus_keys_raw::to_rust(&lines, &source))
        .expect("write the Milvus key tables");
}
