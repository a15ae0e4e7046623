//! The Milvus key lists: `rules/data/milvus-keys.txt` is what the generator makes of the
//! official `configs/milvus.yaml` files in `../shared/corpus/milvus-yaml-official`, and the
//! tables compiled into milvet are that file.

mod common;

use milvet::milvus::{schema, schema_raw};
use std::path::PathBuf;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/data/milvus-keys.txt");
const SOURCE_DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/rules/data/milvus-keys-source.txt"
);
const OFFICIAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/milvus-yaml-official"
);

#[test]
fn data_file_is_what_the_official_files_give() {
    let dir = PathBuf::from(OFFICIAL);
    if !dir.is_dir() {
        assert!(
            !common::tools_required(),
            "{OFFICIAL} is absent: the key list cannot be checked"
        );
        println!("SKIPPED: {OFFICIAL} is absent; the key list is not regenerated");
        return;
    }
    let generated = schema::generate(&dir).expect("the official files read");
    let on_disk = std::fs::read_to_string(DATA).expect("read the key list");
    if generated != on_disk {
        let diff = similar::TextDiff::from_lines(&on_disk, &generated);
        let changes: Vec<String> = diff
            .iter_all_changes()
            .filter(|c| c.tag() != similar::ChangeTag::Equal)
            .take(20)
            .map(|c| format!("{}{}", c.tag(), c.value().trim_end()))
            .collect();
        panic!(
            "rules/data/milvus-keys.txt is not what the official files give; regenerate it with \
             `cargo run --example milvus_keys -- ../shared/corpus/milvus-yaml-official > \
             rules/data/milvus-keys.txt`. First differences:\n{}",
            changes.join("\n")
        );
    }
}

/// With `MILVET_MILVUS_SOURCE` naming a git clone of Milvus with its tags, the source key list
/// is what the generator makes of it.
#[test]
fn source_key_list_is_what_the_milvus_source_gives() {
    let Some(checkout) = std::env::var_os("MILVET_MILVUS_SOURCE") else {
        println!(
            "SKIPPED: MILVET_MILVUS_SOURCE names no Milvus checkout; \
             rules/data/milvus-keys-source.txt is not regenerated"
        );
        return;
    };
    let text = std::fs::read_to_string(DATA).expect("read the key list");
    let raw = schema_raw::parse(&text).expect("the key list reads");
    let generated = schema::generate_source(std::path::Path::new(&checkout), &raw)
        .expect("the Milvus source reads");
    let on_disk = std::fs::read_to_string(SOURCE_DATA).expect("read the source key list");
    assert!(
        generated == on_disk,
        "rules/data/milvus-keys-source.txt is not what the Milvus source gives; regenerate it \
         with `cargo run --example milvus_keys -- --source CHECKOUT`"
    );
}

#[test]
fn compiled_tables_are_the_data_file() {
    let text = std::fs::read_to_string(DATA).expect("read the key list");
    let raw = schema_raw::parse(&text).expect("the key list reads");
    let text = std::fs::read_to_string(SOURCE_DATA).expect("read the source key list");
    let source = schema_raw::parse(&text).expect("the source key list reads");
    let compiled = schema::compiled_as_raw();
    assert_eq!(raw.len(), compiled.len(), "one table a line");
    for (r, c) in raw.iter().zip(&compiled) {
        assert_eq!((&r.name, &r.tag), (&c.name, &c.tag));
        let s = source.iter().find(|s| s.name == r.name);
        assert_eq!(
            s.map(|s| &s.tag),
            Some(&r.tag),
            "the same tags in both files"
        );
        assert_eq!(schema_raw::merged(r, s), c.keys, "line {}", c.name);
        // Every key of the official file, with its default, is in the table.
        for (k, d) in &r.keys {
            let key = schema::lines()
                .iter()
                .find(|l| l.name == r.name)
                .and_then(|l| l.get(k))
                .unwrap_or_else(|| panic!("{k} of {} is not compiled", r.name));
            assert_eq!(key.default.map(str::to_string), *d, "{k}");
        }
    }
}

#[test]
fn lines_and_defaults() {
    let names: Vec<&str> = schema::lines().iter().map(|l| l.name).collect();
    assert_eq!(
        names,
        ["2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "3.0"]
    );
    assert_eq!(schema::newest_release().name, "2.6");
    let l25 = schema::lines().iter().find(|l| l.name == "2.5").unwrap();
    assert_eq!(l25.tag, "v2.5.27");
    // As the facts file lists them.
    let default = |l: &schema::Line, k: &str| l.get(k).and_then(|k| k.default);
    assert_eq!(default(l25, "etcd.endpoints"), Some("localhost:2379"));
    assert_eq!(default(l25, "etcd.rootPath"), Some("by-dev"));
    assert_eq!(default(l25, "minio.address"), Some("localhost"));
    assert_eq!(default(l25, "common.storageType"), Some("remote"));
    assert_eq!(
        default(l25, "rocksmq.path"),
        Some("/var/lib/milvus/rdb_data")
    );
    let l26 = schema::newest_release();
    assert_eq!(default(l26, "minio.address"), Some("localhost:9000"));
    assert_eq!(default(l26, "woodpecker.storage.type"), Some("minio"));
    // A key the official file does not write, read all the same, with no default.
    let config_path = l25.get("etcd.config.path").unwrap();
    assert!(!config_path.written && config_path.default.is_none());
    assert!(l25.get("etcd.endpoints").unwrap().written);
    let l20 = &schema::lines()[0];
    assert!(l20.get("woodpecker.storage.type").is_none());
    // Keys compare as Milvus compares them; sections are keys too.
    assert_eq!(
        l25.get("ETCD.ROOT_PATH").map(|k| k.path),
        Some("etcd.rootPath")
    );
    assert!(l25.get("etcd").is_some_and(|k| k.default.is_none()));
    assert_eq!(l25.closest("etcd.rootPth"), Some("etcd.rootPath"));
    assert_eq!(l25.closest("storageType"), Some("common.storageType"));
}
