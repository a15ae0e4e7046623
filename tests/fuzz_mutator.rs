//! The structure-aware mutator of the `check` and `fix` fuzz targets (`fuzz/mutator`): it is
//! deterministic per seed, every kind of mutation applies to its seeds (the files of
//! `testdata/` and the Compose blocks of the rule documents, as `fuzz/seed.sh` gathers them), most
//! mutants are still YAML and many still have something to fix, it keeps to libFuzzer's size
//! limit, and it never panics, even on its own output mutated again and again.

#[path = "../fuzz/mutator/mod.rs"]
mod mutator;

use milvet::check::{Options, check_text};
use milvet::discover::FileKind;
use milvet::yaml::{self, Limits};
use mutator::{Rng, mutate, mutate_text};
use std::collections::BTreeMap;
use std::path::Path;

fn compose_files(dir: &Path, out: &mut Vec<String>) {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            compose_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yml" || e == "yaml")
            && let Ok(t) = std::fs::read_to_string(&p)
            && t.contains("services")
        {
            out.push(t);
        }
    }
}

/// The bodies of the fenced ```yaml (or ```yml) blocks of a document that are Compose files.
fn yaml_blocks(doc: &str, out: &mut Vec<String>) {
    let mut block: Option<String> = None;
    for line in doc.lines() {
        match block.as_mut() {
            None if matches!(line.trim_end(), "```yaml" | "```yml") => block = Some(String::new()),
            None => {}
            Some(_) if line.starts_with("```") => {
                let body = block.take().unwrap_or_default();
                if body.contains("services") {
                    out.push(body);
                }
            }
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
        }
    }
}

/// The fuzz targets' seeds, as `fuzz/seed.sh` gathers them: the Compose files of `testdata/`
/// and the Compose files in the `yaml` blocks of the rule documents and the README.
fn inputs() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    compose_files(&root.join("testdata"), &mut out);
    let mut docs: Vec<_> = std::fs::read_dir(root.join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    docs.push(root.join("README.md"));
    for d in docs {
        yaml_blocks(&std::fs::read_to_string(&d).unwrap(), &mut out);
    }
    assert!(out.len() > 20, "only {} files", out.len());
    out
}

/// A stand-in for libFuzzer's byte mutator: flips one byte.
fn flip(data: &mut [u8], size: usize, _max: usize) -> usize {
    if size > 0 {
        data[size / 2] ^= 0x20;
    }
    size
}

#[test]
fn the_same_seed_gives_the_same_mutant() {
    let inputs = inputs();
    for seed in 0..300u32 {
        let text = &inputs[seed as usize % inputs.len()];
        let run = || {
            let mut buf = text.as_bytes().to_vec();
            buf.resize(text.len() * 2 + 4096, 0);
            let n = mutate(&mut buf, text.len(), text.len() * 2 + 4096, seed, flip);
            buf.truncate(n);
            buf
        };
        assert_eq!(run(), run(), "seed {seed}");
    }
}

#[test]
fn every_mutation_applies_and_most_mutants_are_still_yaml() {
    let inputs = inputs();
    let options = Options::default();
    let mut applied: BTreeMap<&str, usize> = BTreeMap::new();
    let mut yaml_ok: BTreeMap<&str, usize> = BTreeMap::new();
    let has_fix = |text: &str| {
        check_text(text, FileKind::Compose, &options).is_ok_and(|d| {
            d.iter()
                .any(|d| d.fix.as_ref().is_some_and(|f| !f.edits.is_empty()))
        })
    };
    // Whether a mutant keeps something to fix is asked of the mutants of the seeds that have
    // one as written: the share is the mutator's, not the mix of seeds'.
    let seeds_with_fix: Vec<bool> = inputs.iter().map(|t| has_fix(t)).collect();
    let (mut mutants, mut parse, mut sampled, mut fixable) = (0, 0, 0, 0);
    for seed in 0..6000u64 {
        // Every other mutant is of a mutant (as in a run, where a mutant that finds something
        // new is mutated again): anchors and aliases made by one mutation are there for the
        // next.
        let mut rng = Rng::new(seed);
        let mut text = inputs[seed as usize % inputs.len()].clone();
        if seed % 2 == 1
            && let Some((t, _)) = mutate_text(&text, &mut rng)
        {
            text = t;
        }
        let Some((out, name)) = mutate_text(&text, &mut rng) else {
            continue;
        };
        mutants += 1;
        *applied.entry(name).or_default() += 1;
        if yaml::parse(&out, &Limits::default()).is_ok() {
            parse += 1;
            *yaml_ok.entry(name).or_default() += 1;
        }
        if seed % 5 == 0 && seeds_with_fix[seed as usize % inputs.len()] {
            sampled += 1;
            if has_fix(&out) {
                fixable += 1;
            }
        }
    }
    println!(
        "{mutants} mutants, {parse} parse, {fixable} of {sampled} sampled mutants of seeds with a fix have one; {applied:?}; still YAML {yaml_ok:?}"
    );
    for name in [
        "share through an anchor",
        "rename an anchor",
        "move an anchor",
        "retarget an alias",
        "merge",
        "tag",
        "tag an environment",
        "indent a node",
        "indent the file",
        "indent a line",
        "block to flow",
        "flow to block",
        "complex key",
        "explicit key",
        "quoting",
        "duplicate a service",
        "environment list and mapping",
        "insert an entry",
        "delete an entry",
        "line endings",
        "byte order mark",
        "document markers",
    ] {
        assert!(
            applied.get(name).copied().unwrap_or(0) >= 10,
            "`{name}` applied {} times: {applied:?}",
            applied.get(name).copied().unwrap_or(0)
        );
    }
    // Mutations that keep the text YAML when done right.
    for name in [
        "share through an anchor",
        "merge",
        "block to flow",
        "flow to block",
        "complex key",
        "explicit key",
        "quoting",
        "duplicate a service",
        "environment list and mapping",
        "insert an entry",
        "delete an entry",
        "byte order mark",
        "indent the file",
    ] {
        let (ok, all) = (yaml_ok.get(name).copied().unwrap_or(0), applied[name]);
        assert!(ok * 10 >= all * 8, "`{name}`: {ok} of {all} mutants parse");
    }
    // A quarter of the renames leave the anchor's aliases behind on purpose (an alias to no
    // anchor), so at most three in four of the renames of an aliased anchor parse.
    let (ok, all) = (
        yaml_ok.get("rename an anchor").copied().unwrap_or(0),
        applied["rename an anchor"],
    );
    assert!(
        ok * 10 >= all * 7,
        "`rename an anchor`: {ok} of {all} mutants parse"
    );
    assert!(parse * 10 >= mutants * 7, "{parse} of {mutants} parse");
    assert!(
        fixable * 100 >= sampled * 80,
        "{fixable} of {sampled} mutants of seeds with a fix have one"
    );
}

#[test]
fn mutants_of_mutants_never_panic_and_keep_to_the_size_limit() {
    let inputs = inputs();
    let mut garbage: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"\xff\xfe".to_vec(),
        b"a: &x [*x]".to_vec(),
        "\u{feff}services:\r\n  é:\r  image: x".as_bytes().to_vec(),
        b"services: {a: {environment: !!null }}".to_vec(),
        b"? [a]\n: b\n<<: *c".to_vec(),
    ];
    garbage.extend(inputs.iter().take(10).map(|t| t.as_bytes().to_vec()));
    for (i, start) in garbage.iter().enumerate() {
        let max = start.len() + 2000;
        let mut buf = start.clone();
        buf.resize(max, 0);
        let mut size = start.len();
        for step in 0..150u32 {
            size = mutate(&mut buf, size, max, step * 7919 + i as u32, flip);
            assert!(size <= max, "input {i}, step {step}: {size} > {max}");
        }
    }
    // A limit below the input's size: the mutant is cut or left to the byte mutator.
    let text = &inputs[0];
    let mut buf = text.as_bytes().to_vec();
    let n = mutate(&mut buf, text.len(), text.len() / 2, 3, |_, _, max| max);
    assert!(n <= text.len() / 2);
}

#[test]
fn a_cross_over_grafts_a_service_of_the_other_input() {
    let inputs = inputs();
    let services = |t: &str| {
        yaml::parse(t, &Limits::default()).ok().and_then(|tree| {
            let root = tree.documents.first()?.root?;
            let s = tree.get(root, "services")?;
            Some(tree.entries(s)?.len())
        })
    };
    let (mut grafted, mut calls) = (0, 0);
    for seed in 0..600u32 {
        let a = &inputs[seed as usize % inputs.len()];
        let b = &inputs[(seed as usize * 7 + 3) % inputs.len()];
        let mut out = vec![0u8; a.len() + b.len() + 100];
        let n = mutator::crossover(a.as_bytes(), b.as_bytes(), &mut out, seed, flip);
        assert!(n <= out.len());
        let again = {
            let mut o = vec![0u8; out.len()];
            let m = mutator::crossover(a.as_bytes(), b.as_bytes(), &mut o, seed, flip);
            o.truncate(m);
            o
        };
        assert_eq!(&out[..n], &again[..], "seed {seed}");
        calls += 1;
        if let (Ok(t), Some(before)) = (std::str::from_utf8(&out[..n]), services(a))
            && services(t) == Some(before + 1)
        {
            grafted += 1;
        }
        // A small output buffer is never overrun.
        let mut small = vec![0u8; 16];
        assert!(mutator::crossover(a.as_bytes(), b.as_bytes(), &mut small, seed, flip) <= 16);
    }
    println!("{grafted} of {calls} cross-overs grafted a service");
    assert!(
        grafted * 10 >= calls,
        "{grafted} of {calls} grafted a service"
    );
}
