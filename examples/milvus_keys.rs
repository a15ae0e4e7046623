//! Print `rules/data/milvus-keys.txt` from a directory of official `configs/milvus.yaml` files
//! (`milvus-<tag>.yaml`, listed in its `SOURCES.tsv`), or with `--source CHECKOUT`
//! `rules/data/milvus-keys-source.txt` from a git clone of Milvus with its tags:
//!
//! ```sh
//! cargo run --example milvus_keys -- ../shared/corpus/milvus-yaml-official > rules/data/milvus-keys.txt
//! cargo run --example milvus_keys -- --source ../milvus > rules/data/milvus-keys-source.txt
//! ```

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let result = match args.as_slice() {
        [flag, checkout] if flag == "--source" => {
            let data = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/data/milvus-keys.txt");
            std::fs::read_to_string(data)
                .map_err(|e| format!("{data}: {e}"))
                .and_then(|t| milvet::milvus::schema_raw::parse(&t))
                .and_then(|lines| {
                    milvet::milvus::schema::generate_source(std::path::Path::new(checkout), &lines)
                })
        }
        [dir] => milvet::milvus::schema::generate(std::path::Path::new(dir)),
        _ => Err("usage: milvus_keys DIR | milvus_keys --source CHECKOUT".into()),
    };
    match result {
        Ok(text) => print!("{text}"),
        Err(e) => {
            eprintln!("milvus_keys: {e}");
            std::process::exit(2);
        }
    }
}
