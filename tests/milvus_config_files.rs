//! Which configuration files each Milvus release reads (`milvus.yaml`, `_test.yaml`,
//! `default.yaml`, `user.yaml`), and embedded etcd's config file followed from whichever of
//! them (or the environment) names it.

mod common;

use common::TempDir;
use milvet::compose::Source;
use milvet::milvus::{self, ConfigKind, Decided};
use milvet::project::{self, Disk, LoadOptions, Project};
use milvet::stack::roles::Stack;
use serde_json::Value;
use std::process::Command;

fn load(dir: &TempDir) -> Project {
    project::load(&[dir.path("compose.yaml")], &LoadOptions::default(), &Disk)
}

fn sources(p: &Project) -> Vec<Source<'_>> {
    p.files
        .iter()
        .map(|f| Source {
            text: &f.text,
            tree: &f.tree,
            path: &f.path,
        })
        .collect()
}

fn check(dir: &TempDir) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .current_dir(dir.path(""))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(["check", "--format", "json"])
        .output()
        .expect("run milvet");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    (out.status.code().unwrap_or(-1), v)
}

fn compose(tag: &str, extra_env: &str) -> String {
    format!(
        "services:
  standalone:
    image: milvusdb/milvus:{tag}
    restart: unless-stopped
    command: [milvus, run, standalone]
    environment:
      COMMON_STORAGETYPE: local{extra_env}
    volumes:
      - ./volumes/milvus:/var/lib/milvus
      - ./configs:/milvus/configs
    healthcheck:
      test: [CMD, curl, -f, http://localhost:9091/healthz]
"
    )
}

/// Four files in the mounted directory, each setting `etcd.rootPath`: the last the release
/// reads decides, and the ones it does not read are listed as ignored.
#[test]
fn each_release_reads_its_own_files_in_order() {
    // (tag, the file that decides etcd.rootPath, the files ignored)
    let table: &[(&str, &str, &[ConfigKind])] = &[
        (
            "v2.6.22",
            "user",
            &[], // milvus.yaml < _test.yaml < default.yaml < user.yaml
        ),
        ("v2.5.0", "user", &[]),
        ("v2.4.24", "user", &[ConfigKind::TestYaml]),
        ("v2.4.1", "user", &[ConfigKind::TestYaml]),
        (
            "v2.4.0",
            "milvus",
            &[
                ConfigKind::TestYaml,
                ConfigKind::DefaultYaml,
                ConfigKind::UserYaml,
            ],
        ),
        (
            "v2.3.3",
            "milvus",
            &[
                ConfigKind::TestYaml,
                ConfigKind::DefaultYaml,
                ConfigKind::UserYaml,
            ],
        ),
        ("v2.3.0", "user", &[ConfigKind::TestYaml]),
        (
            "v2.2.16",
            "milvus",
            &[
                ConfigKind::TestYaml,
                ConfigKind::DefaultYaml,
                ConfigKind::UserYaml,
            ],
        ),
    ];
    for &(tag, decides, ignored) in table {
        let dir = TempDir::new("milvus-files");
        dir.file("compose.yaml", compose(tag, ""))
            .file("configs/milvus.yaml", "etcd:\n  rootPath: milvus\n")
            .file("configs/_test.yaml", "etcd:\n  rootPath: test\n")
            .file("configs/default.yaml", "etcd:\n  rootPath: default\n")
            .file("configs/user.yaml", "etcd:\n  rootPath: user\n");
        let p = load(&dir);
        assert!(p.errors.is_empty(), "{tag}: {:?}", p.errors);
        let model = p.model.as_ref().unwrap();
        let src = sources(&p);
        let stack = Stack::of(model);
        let configs = milvus::configs(model, &src, &stack);
        let root = configs[0].etcd_root_path().unwrap();
        assert_eq!(root.value, decides, "{tag}");
        let got: Vec<ConfigKind> = configs[0].ignored.iter().map(|f| f.kind).collect();
        assert_eq!(got, ignored, "{tag}");
        // What loses, in order, strongest first.
        let shadowed: Vec<ConfigKind> = root
            .shadowed
            .iter()
            .filter_map(|d| match d {
                Decided::File { kind, .. } => Some(*kind),
                _ => None,
            })
            .collect();
        let mut read: Vec<ConfigKind> = configs[0].reads.files.clone();
        read.reverse();
        assert_eq!(shadowed, read[1..], "{tag}");
    }
    // _test.yaml beats milvus.yaml, default.yaml beats _test.yaml.
    let dir = TempDir::new("milvus-files");
    dir.file("compose.yaml", compose("v2.5.27", ""))
        .file("configs/milvus.yaml", "etcd:\n  rootPath: milvus\n")
        .file("configs/_test.yaml", "etcd:\n  rootPath: test\n");
    let p = load(&dir);
    let model = p.model.as_ref().unwrap();
    let src = sources(&p);
    let configs = milvus::configs(model, &src, &Stack::of(model));
    assert_eq!(configs[0].etcd_root_path().unwrap().value, "test");
}

/// A user.yaml that the release does not read is one warning at its start, with the mount as
/// a related place, and its keys are not judged.
#[test]
fn a_file_the_release_does_not_read_is_reported_once() {
    let dir = TempDir::new("milvus-files");
    dir.file("compose.yaml", compose("v2.3.22", ""))
        .file("configs/milvus.yaml", "etcd:\n  rootPath: milvus\n")
        .file("configs/user.yaml", "etcd:\n  rootPth: typo\n");
    let (code, v) = check(&dir);
    assert_eq!(code, 1);
    assert_eq!(
        common::findings(&v),
        ["configs/user.yaml:1:1 milvus-config-unknown-key"]
    );
    let d = &v["diagnostics"][0];
    assert_eq!(
        common::related(d),
        ["compose.yaml:10:9 mounted as user.yaml of `standalone`"]
    );
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("reads only milvus.yaml from /milvus/configs")
            && message.contains("from 2.3.0 up to 2.3.1 and from 2.4.1 on"),
        "{message}"
    );
    // In 2.4.24 the same file is read, and its typo is the finding.
    dir.file("compose.yaml", compose("v2.4.24", ""));
    let (_, v) = check(&dir);
    assert_eq!(
        common::findings(&v),
        ["configs/user.yaml:2:3 milvus-config-unknown-key"]
    );
}

/// A directory mounted without `default.yaml` or `_test.yaml` leaves nothing uncertain:
/// Milvus skips a file that is not there. A mounted file whose host file is missing does.
#[test]
fn files_absent_from_a_mounted_directory_are_known_absent() {
    let dir = TempDir::new("milvus-files");
    dir.file("compose.yaml", compose("v2.5.27", ""))
        .file("configs/milvus.yaml", "etcd:\n  use:\n    embed: true\n");
    let (_, v) = check(&dir);
    // The default data dir is judged: nothing unknown decides it.
    let f = common::findings(&v);
    assert!(
        f.contains(&"configs/milvus.yaml:3:12 milvus-embedded-etcd-not-persisted".to_string()),
        "{f:?}"
    );
    let p = load(&dir);
    let states: Vec<(String, String)> = p
        .model
        .as_ref()
        .unwrap()
        .mounted
        .iter()
        .map(|m| (m.container_path.clone(), format!("{:?}", m.state)))
        .collect();
    assert_eq!(
        states,
        [
            (
                "/milvus/configs/milvus.yaml".into(),
                "File(FileId(1))".into()
            ),
            ("/milvus/configs/_test.yaml".into(), "Absent".into()),
            ("/milvus/configs/default.yaml".into(), "Absent".into()),
            ("/milvus/configs/user.yaml".into(), "Absent".into()),
        ]
    );
}

/// `etcd.config.path` set in a mounted file is followed: the file it names is read as a file of
/// the project, only through a bind mount of the service, and only with embedded etcd on.
#[test]
fn the_etcd_config_path_of_a_mounted_file_is_followed() {
    let dir = TempDir::new("milvus-files");
    dir.file("compose.yaml", compose("v2.5.27", ""))
        .file(
            "configs/milvus.yaml",
            "etcd:\n  use:\n    embed: true\n  data:\n    dir: /var/lib/milvus/etcd\n  \
             config:\n    path: configs/etcd.yaml\n",
        )
        .file(
            "configs/user.yaml",
            "etcd:\n  config:\n    path: /milvus/configs/embed.yaml\n",
        )
        .file("configs/etcd.yaml", "auto-compaction-mode: periodic\n")
        .file(
            "configs/embed.yaml",
            "data-dir: /somewhere\nauto-compaction-mode: revision\nauto-compaction-retention: \
             \"1000\"\nquota-backend-bytes: 4294967296\n",
        );
    let (code, v) = check(&dir);
    // user.yaml's file decides, and it compacts: no finding.
    assert_eq!((code, common::findings(&v)), (0, Vec::<String>::new()));
    let p = load(&dir);
    let read: Vec<String> = p
        .files
        .iter()
        .filter(|f| f.role == project::Role::Mounted)
        .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(read, ["milvus.yaml", "user.yaml", "embed.yaml"]);

    // Without user.yaml, milvus.yaml's relative path (under /milvus) decides.
    std::fs::remove_file(dir.path("configs/user.yaml")).unwrap();
    let (_, v) = check(&dir);
    assert_eq!(
        common::findings(&v),
        [
            "configs/etcd.yaml:1:1 milvus-embedded-etcd-compaction",
            "configs/etcd.yaml:1:23 milvus-embedded-etcd-compaction"
        ]
    );

    // Embedded etcd off: the file is not read at all.
    dir.file(
        "configs/milvus.yaml",
        "etcd:\n  use:\n    embed: false\n  config:\n    path: configs/etcd.yaml\n",
    );
    let p = load(&dir);
    assert!(
        !p.files.iter().any(|f| f.path.ends_with("etcd.yaml")),
        "{:?}",
        p.files.iter().map(|f| &f.path).collect::<Vec<_>>()
    );

    // A path no bind mount of the service covers is not read, even when the project has the
    // file: the container has the image's file (or none) there.
    dir.file(
        "configs/milvus.yaml",
        "etcd:\n  use:\n    embed: true\n  config:\n    path: /etc/etcd/etcd.yaml\n",
    )
    .file("etc/etcd/etcd.yaml", "auto-compaction-mode: periodic\n");
    let p = load(&dir);
    assert_eq!(
        p.files
            .iter()
            .filter(|f| f.role == project::Role::Mounted)
            .count(),
        1,
        "only milvus.yaml"
    );
}

/// The data dir a followed etcd config file writes is named as unused in the finding about the
/// embedded etcd's data dir.
#[test]
fn a_data_dir_in_the_followed_file_is_named_as_unused() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/projects/milvus-etcd-config-path-in-user-yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .current_dir(&root)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(["check", "--format", "json"])
        .output()
        .expect("run milvet");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "milvus-embedded-etcd-not-persisted")
        .expect("the data dir finding");
    assert_eq!(
        common::related(d),
        [
            "embed-etcd.yaml:1:11 not used: Milvus gives its embedded etcd `/milvus/default.etcd`, \
             whatever `data-dir` its config file `/milvus/configs/embed-etcd.yaml` says"
        ]
    );
}

/// With `MILVET_MILVUS_SOURCE` naming a git clone of Milvus with its tags, the data file says
/// what `defaultYaml` (pkg/util/paramtable/base_table.go) says at every v2 release tag.
#[test]
fn the_data_file_is_what_the_milvus_source_says() {
    let Some(checkout) = std::env::var_os("MILVET_MILVUS_SOURCE") else {
        println!(
            "SKIPPED: MILVET_MILVUS_SOURCE names no Milvus checkout; \
             rules/data/milvus-config-files.txt is not checked against it"
        );
        return;
    };
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(&checkout)
            .args(args)
            .output()
            .expect("git");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let mut checked = 0;
    for tag in git(&["tag", "--list", "v2.*"]).lines() {
        let Some(rest) = tag.strip_prefix('v') else {
            continue;
        };
        if !rest
            .split('.')
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
        {
            continue; // pre-releases
        }
        let mut text = git(&["show", &format!("{tag}:pkg/util/paramtable/base_table.go")]);
        if text.is_empty() {
            text = git(&[
                "show",
                &format!("{tag}:internal/util/paramtable/base_table.go"),
            ]);
        }
        // `var defaultYaml = []string{"milvus.yaml", ...}`, or before 2.3 one name.
        let files: Vec<String> = match text.lines().find(|l| l.starts_with("var defaultYaml")) {
            Some(l) if l.contains("[]string") => l
                .split('"')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect(),
            _ => vec!["milvus.yaml".to_string()],
        };
        let version = milvet::stack::version::Version::parse(tag).unwrap();
        let row = milvus::files::read_by(&milvet::stack::version::ImageVersion::Tagged(version));
        let ours: Vec<String> = row
            .files
            .iter()
            .map(|k| k.file_name().to_string())
            .collect();
        assert_eq!(ours, files, "{tag}");
        checked += 1;
    }
    assert!(checked > 100, "{checked} tags");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Every fixture project that mounts files (milvus.yaml, user.yaml, etcd config files),
/// fixed with every fix, safe and unsafe: the mounted files keep every byte (no fix is about
/// them), and the result checks again without an error of loading.
#[test]
fn fixing_a_fixture_project_never_rewrites_its_mounted_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/projects");
    let mut projects = 0;
    let mut fixed = 0;
    let mut mounted_files = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("milvus-") && !name.starts_with("woodpecker-") {
            continue;
        }
        let entry = ["compose.yaml", "docker-compose.yml", "compose.yml"]
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file());
        let Some(entry) = entry else { continue };
        let p = project::load(std::slice::from_ref(&entry), &LoadOptions::default(), &Disk);
        let mounted: Vec<(std::path::PathBuf, Vec<u8>)> = p
            .files
            .iter()
            .filter(|f| f.role == project::Role::Mounted)
            .map(|f| {
                let rel = f.path.strip_prefix(&dir).unwrap().to_path_buf();
                (rel, std::fs::read(&f.path).unwrap())
            })
            .collect();
        if mounted.is_empty() {
            continue;
        }
        let t = TempDir::new("fix-mounted");
        copy_dir(&dir, &t.path(""));
        let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
            .current_dir(t.path(""))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .args(["check", "--fix", "--unsafe-fixes", "--format", "json"])
            .output()
            .expect("run milvet");
        assert_ne!(out.status.code(), Some(2), "{name}: {out:?}");
        for (rel, bytes) in &mounted {
            assert_eq!(
                &std::fs::read(t.path("").join(rel)).unwrap(),
                bytes,
                "{name}: {} was rewritten",
                rel.display()
            );
            mounted_files += 1;
        }
        let (code, _) = check(&t);
        assert_ne!(code, 2, "{name}: the fixed project does not load");
        let rel = entry.strip_prefix(&dir).unwrap();
        if std::fs::read(t.path("").join(rel)).unwrap() != std::fs::read(&entry).unwrap() {
            fixed += 1;
        }
        projects += 1;
    }
    assert!(projects >= 8, "{projects} projects");
    assert!(
        fixed >= 3,
        "only {fixed} Compose files were fixed: the test proves little"
    );
    println!(
        "{projects} projects ({fixed} Compose files fixed), {mounted_files} mounted files kept"
    );
}

/// The folded paths the flattening builds as it goes are `fold` of each whole path, on every
/// official file and on keys with `_`, `/`, upper case, `knowhere.` and non-ASCII.
#[test]
fn folded_paths_are_fold_of_the_path() {
    let mut texts: Vec<String> = vec![
        "Etcd:\n  Root_Path: x\n  a/b.c: y\nknowhere:\n  Some_Key: 1\n  deep:\n    K_2: 2\n\
         dàta:\n  Ünder: 3\n"
            .into(),
    ];
    let official = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/milvus-yaml-official");
    if let Ok(dir) = std::fs::read_dir(&official) {
        for e in dir.flatten() {
            if e.file_name().to_string_lossy().starts_with("milvus-") {
                texts.push(std::fs::read_to_string(e.path()).unwrap());
            }
        }
    }
    let mut keys = 0;
    for text in &texts {
        let tree = milvet::yaml::parse(text, &milvet::yaml::Limits::default()).unwrap();
        for doc in &tree.documents {
            let Some(root) = doc.root else { continue };
            for k in milvus::schema::flatten_folded(&tree, root) {
                assert_eq!(k.folded, milvus::schema::fold(&k.path), "{}", k.path);
                keys += 1;
            }
        }
    }
    assert!(keys > 8, "{keys}");
}

/// A user.yaml beside the Compose file that nothing mounts is reported for a release that
/// reads user.yaml, and not for one that would not read it mounted either.
#[test]
fn an_unmounted_user_yaml_counts_only_where_the_release_reads_one() {
    let compose = |tag: &str| {
        format!(
            "services:
  standalone:
    image: milvusdb/milvus:{tag}
    restart: unless-stopped
    command: [milvus, run, standalone]
    environment:
      COMMON_STORAGETYPE: local
    volumes:
      - ./volumes/milvus:/var/lib/milvus
    healthcheck:
      test: [CMD, curl, -f, http://localhost:9091/healthz]
"
        )
    };
    let dir = TempDir::new("milvus-files");
    dir.file("compose.yaml", compose("v2.5.27"))
        .file("user.yaml", "proxy:\n  maxNameLength: 255\n");
    let (_, v) = check(&dir);
    assert_eq!(
        common::findings(&v),
        ["compose.yaml:2:3 milvus-config-not-persisted"]
    );
    dir.file("compose.yaml", compose("v2.3.22"));
    let (_, v) = check(&dir);
    assert_eq!(common::findings(&v), Vec::<String>::new());
}

/// `inspect` names a mounted file its release does not read, and the files it reads.
#[test]
fn inspect_names_the_files_a_release_does_not_read() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/projects/milvus-user-yaml-not-read");
    let out = Command::new(env!("CARGO_BIN_EXE_milvet"))
        .current_dir(&root)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(["inspect", "--format", "json"])
        .output()
        .expect("run milvet");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let text = v.to_string();
    assert!(text.contains(r#""reads":["milvus.yaml"]"#), "{text}");
    assert!(
        text.contains(
            r#""ignored":[{"kind":"user.yaml","mount":"docker-compose.yml:11:9","path":"user.yaml"}]"#
        ),
        "{text}"
    );
}
