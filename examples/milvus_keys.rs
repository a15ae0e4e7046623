//! Print `rules/data/milvus-keys.txt` from a directory of official `configs/milvus.yaml` files
//! (`milvus-<tag>.yaml`, listed in its `SOURCES.tsv`):
//!
//! ```sh
//! cargo run --example milvus_keys -- ../shared/corpus/milvus-yaml-official > rules/data/milvus-keys.txt
//! ```

fn main() {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: milvus_keys DIR (the official milvus.yaml files and their SOURCES.tsv)");
        std::process::exit(2);
    };
    match milvet::milvus::schema::generate(std::path::Path::new(&dir)) {
        Ok(text) => print!("{text}"),
        Err(e) => {
            eprintln!("milvus_keys: {e}");
            std::process::exit(2);
        }
    }
}
