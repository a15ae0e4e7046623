//! Values read as Docker Compose reads them, with exact places: a short volume or a command
//! string is interpolated before it is split.

use super::*;
use crate::yaml::{Limits, parse};
use std::collections::HashMap;
use std::sync::Arc;

fn model_with(text: &str, dotenv: &str) -> ComposeFile {
    let tree = parse(text, &Limits::default()).unwrap();
    let root = tree.documents[0].root.unwrap();
    let mut env = Env::new(Arc::new(HashMap::new()));
    env.add_file(FileId(1), dotenv).unwrap();
    ComposeFile::from_document(&tree, text, FileId(0), root, &env)
}

fn at(text: &str, o: Origin) -> &str {
    o.span.slice(text)
}

#[test]
fn a_short_volume_is_split_after_interpolation() {
    let text = "services:\n  e:\n    volumes:\n      - ${V:-data:/etcd:ro}\n      - ${M}\n      - ${UNSET}/x:/x\n";
    let dotenv = "M=./m:/m\n";
    let m = model_with(text, dotenv);
    let mounts = &m.services[0].mounts;
    assert_eq!(mounts.len(), 3);
    // The default holds source, target and mode: each part points at the reference.
    assert_eq!(mounts[0].kind, MountKind::Volume);
    assert_eq!(mounts[0].source.as_ref().unwrap().value, "data");
    assert_eq!(mounts[0].target.value, "/etcd");
    assert!(mounts[0].read_only);
    assert_eq!(at(text, mounts[0].target.origin), "${V:-data:/etcd:ro}");
    assert_eq!(mounts[0].target.raw, "${V:-data:/etcd:ro}");
    // From `.env`: the place is the `.env` line, the reference is where it is read.
    let t = &mounts[1].target;
    assert_eq!(mounts[1].kind, MountKind::Bind);
    assert_eq!(mounts[1].source.as_ref().unwrap().value, "./m");
    assert_eq!(t.value, "/m");
    assert_eq!(t.place().file, FileId(1));
    assert_eq!(at(dotenv, t.place()), "./m:/m");
    assert_eq!(at(text, t.vars[0].reference), "${M}");
    // A reference that gives nothing stays with the part it is written in.
    let s = mounts[2].source.as_ref().unwrap();
    assert_eq!(s.value, "/x");
    assert_eq!(at(text, s.origin), "${UNSET}/x");
    assert_eq!(s.vars.len(), 1);
    assert!(mounts[2].target.vars.is_empty());
    assert_eq!(at(text, mounts[2].target.origin), "/x");
}

#[test]
fn a_command_string_is_split_after_interpolation() {
    let text = "services:\n  e:\n    command: etcd ${FLAGS} --name \"${N:-a b}\" --x=1\n";
    let dotenv = "FLAGS=--data-dir /etcd --quota \"8 GiB\"\n";
    let m = model_with(text, dotenv);
    let c = m.services[0].command.as_ref().unwrap();
    let words: Vec<&str> = c.args.iter().map(|a| a.value.as_str()).collect();
    assert_eq!(
        words,
        [
            "etcd",
            "--data-dir",
            "/etcd",
            "--quota",
            "8 GiB",
            "--name",
            "a b",
            "--x=1"
        ]
    );
    // Words a variable gave point at the reference and read it.
    assert_eq!(at(text, c.args[1].origin), "${FLAGS}");
    assert_eq!(c.args[1].vars[0].name, "FLAGS");
    assert!(c.args[1].offsets().is_none());
    // Literal words keep their exact place and byte offsets.
    assert_eq!(at(text, c.args[5].origin), "--name");
    assert!(c.args[5].vars.is_empty());
    assert_eq!(at(text, c.args[7].sub_origin(4..5)), "1");
    assert_eq!(at(text, c.args[6].origin), "\"${N:-a b}\"");
}

#[test]
fn a_malformed_reference_in_a_command_is_reported_once_and_kept() {
    let text = "services:\n  e:\n    command: etcd ${A B} --x\n";
    let m = model_with(text, "");
    let c = m.services[0].command.as_ref().unwrap();
    assert_eq!(c.args.len(), 4);
    assert_eq!(m.problems.len(), 1);
    match &m.problems[0] {
        Problem::InvalidInterpolation { at: o, .. } => assert_eq!(at(text, *o), "${A B}"),
        p => panic!("{p:?}"),
    }
}

#[test]
fn an_environment_entry_without_a_value_takes_it_from_the_project_environment() {
    let text = "services:\n  e:\n    environment:\n      A:\n      B: ~\n      C:\n  l:\n    environment:\n      - A\n      - C\n";
    let dotenv = "# x\nA=one\nB=\n";
    let m = model_with(text, dotenv);
    for s in &m.services {
        let a = s.environment.value("A").unwrap();
        assert_eq!(a.value, "one");
        // The finding goes to the `.env` line, the key is where it is read.
        assert_eq!(a.place().file, FileId(1));
        assert_eq!(at(dotenv, a.place()), "one");
        assert_eq!(at(text, a.vars[0].reference), "A");
        // Unset there: the container does not get it.
        assert!(s.environment.get("C").unwrap().value.is_none());
    }
    // Set to the empty string in `.env`: set, and empty.
    let b = m.services[0].environment.value("B").unwrap();
    assert_eq!(b.value, "");
}

#[test]
fn unquoted_numbers_reach_the_container_as_compose_reads_them() {
    let text = "services:\n  e:\n    environment:\n      H: 0x3E8\n      O: 01000\n      Q: \"0x3E8\"\n      S: !!str 0x3E8\n      B: TRUE\n";
    let m = model_with(text, "");
    let env = &m.services[0].environment;
    let h = env.value("H").unwrap();
    assert_eq!((h.value.as_str(), h.raw.as_str()), ("1000", "0x3E8"));
    assert_eq!(at(text, h.origin), "0x3E8");
    assert_eq!(env.value("O").unwrap().value, "512");
    assert_eq!(env.value("Q").unwrap().value, "0x3E8");
    assert_eq!(env.value("S").unwrap().value, "0x3E8");
    assert_eq!(env.value("B").unwrap().value, "true");
}

#[test]
fn an_unbraced_variable_in_a_volume_source_is_read_there() {
    let text = "services:\n  e:\n    volumes:\n      - $PWD/data:/data\n";
    let m = model_with(text, "");
    let s = m.services[0].mounts[0].source.as_ref().unwrap();
    assert_eq!(s.value, "/data");
    assert_eq!(at(text, s.origin), "$PWD/data");
    assert_eq!(s.vars.len(), 1, "{s:?}");
    assert!(s.vars[0].var.is_none());
}
