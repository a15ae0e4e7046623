use super::etcd::{Etcd, Flavor, Source};
use super::minio::Minio;
use super::*;
use crate::compose::{ComposeFile, Env, FileId};
use crate::yaml::{Limits, parse};

fn model(text: &str) -> ComposeFile {
    let tree = parse(text, &Limits::default()).unwrap();
    let root = tree.documents[0].root.unwrap();
    ComposeFile::from_document(&tree, text, FileId(0), root, &Env::default())
}

fn service(text: &str) -> (ComposeFile, usize) {
    (model(text), 0)
}

#[test]
fn invocations_of_plain_and_shell_commands() {
    let text = "services:\n  a:\n    command: /usr/local/bin/etcd --data-dir /x\n  b:\n    entrypoint: [\"/bin/sh\", \"-c\"]\n    command: [\"mkdir -p /x && exec etcd --data-dir=/x\"]\n  c:\n    image: x\n";
    let m = model(text);
    let a = invocations(&m.services[0]);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].program(), Some("etcd"));
    assert!(!a[0].in_script);
    let b = invocations(&m.services[1]);
    assert_eq!(b.len(), 2);
    assert_eq!(b[1].program(), Some("etcd"));
    assert!(b[1].in_script);
    // `exec` is dropped, and the words keep their place in the file.
    let arg = &b[1].args[1];
    assert_eq!(arg.value, "--data-dir=/x");
    assert_eq!(arg.origin.span.slice(text), "--data-dir=/x");
    assert_eq!(arg.sub_origin(11..13).span.slice(text), "/x");
    assert!(invocations(&m.services[2]).is_empty());
}

#[test]
fn a_command_string_after_sh_c_is_split_first_as_docker_does() {
    // `sh -c` gets only the first word of a command string as its script.
    let text = "services:\n  b:\n    entrypoint: [\"/bin/sh\", \"-c\"]\n    command: mkdir -p /x && etcd\n";
    let m = model(text);
    let b = invocations(&m.services[0]);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].program(), Some("mkdir"));
}

#[test]
fn go_flags_in_every_form() {
    let text = "services:\n  a:\n    command: etcd -name n1 --data-dir=/a -enable-v2 --listen-client-urls http://x --data-dir /b\n";
    let m = model(text);
    let inv = &invocations(&m.services[0])[0];
    let args = &inv.args[1..];
    // The last occurrence wins.
    let dd = go_flag(args, "data-dir", &["enable-v2"]).unwrap();
    assert_eq!(dd.value, "/b");
    assert_eq!(dd.origin.span.slice(text), "/b");
    assert_eq!(dd.flag.span.slice(text), "--data-dir /b");
    let name = go_flag(args, "name", &[]).unwrap();
    assert_eq!(name.value, "n1");
    let urls = go_flag(args, "listen-client-urls", &[]).unwrap();
    assert_eq!(urls.value, "http://x");
    assert!(go_flag(args, "enable-v2", &[]).is_some());
    assert!(go_flag(args, "missing", &[]).is_none());
}

#[test]
fn go_flag_equals_form_points_at_the_value() {
    let text = "services:\n  a:\n    command: [\"etcd\", \"--auto-compaction-mode=revision\"]\n";
    let m = model(text);
    let inv = &invocations(&m.services[0])[0];
    let f = go_flag(&inv.args[1..], "auto-compaction-mode", &[]).unwrap();
    assert_eq!(f.value, "revision");
    assert_eq!(f.origin.span.slice(text), "revision");
    assert_eq!(
        f.flag.span.slice(text),
        "\"--auto-compaction-mode=revision\""
    );
}

#[test]
fn go_flags_stop_at_the_first_argument() {
    let text = "services:\n  a:\n    command: etcd positional --data-dir /x\n";
    let m = model(text);
    let inv = &invocations(&m.services[0])[0];
    assert!(go_flag(&inv.args[1..], "data-dir", &[]).is_none());
}

#[test]
fn etcd_detection() {
    let text = "services:
  official:
    image: quay.io/coreos/etcd:v3.5.18
  gcr:
    image: gcr.io/etcd-development/etcd:v3.5.18
  bitnami:
    image: docker.io/bitnami/etcd:3.5
  milvusdb:
    image: milvusdb/etcd:3.5.5-r2
  custom:
    image: my/etcd-build
    command: [\"etcd\", \"--data-dir\", \"/d\"]
  ctl:
    image: quay.io/coreos/etcd:v3.5.18
    command: etcdctl get /
  other:
    image: redis
";
    let m = model(text);
    let flavor = |i: usize| Etcd::detect(&m.services[i]).map(|e| e.flavor);
    assert_eq!(flavor(0), Some(Flavor::Official));
    assert_eq!(flavor(1), Some(Flavor::Official));
    assert_eq!(flavor(2), Some(Flavor::Bitnami));
    assert_eq!(flavor(3), Some(Flavor::Bitnami));
    assert_eq!(flavor(4), Some(Flavor::Other));
    assert_eq!(flavor(5), None);
    assert_eq!(flavor(6), None);
}

#[test]
fn etcd_data_dir_resolution() {
    let text = "services:
  flag:
    image: quay.io/coreos/etcd:v3.5.18
    environment: [ETCD_DATA_DIR=/env]
    command: etcd --data-dir /flag
  env:
    image: quay.io/coreos/etcd:v3.5.18
    environment: [ETCD_DATA_DIR=/env]
  empty_env:
    image: quay.io/coreos/etcd:v3.5.18
    environment: [ETCD_DATA_DIR=]
  named:
    image: quay.io/coreos/etcd:v3.5.18
    command: etcd --name node1
  workdir:
    image: quay.io/coreos/etcd:v3.5.18
    working_dir: /srv
    command: etcd --data-dir data
  bitnami:
    image: bitnami/etcd
    environment: [ETCD_DATA_DIR=/ignored]
  bitnami_cmd:
    image: bitnami/etcd
    command: etcd --data-dir /mine
  bitnami_entrypoint:
    image: bitnami/etcd
    entrypoint: etcd --data-dir /mine
  old:
    image: quay.io/coreos/etcd:v3.5.5
  old_with_flag:
    image: quay.io/coreos/etcd:v3.5.6
    command: etcd --data-dir data
  digest:
    image: quay.io/coreos/etcd@sha256:0123
";
    let m = model(text);
    let dir = |i: usize| Etcd::detect(&m.services[i]).unwrap().data_dir();
    let d = dir(0);
    assert_eq!(d.path.as_deref(), Some("/flag"));
    assert!(matches!(d.setting.source, Source::Flag(_)));
    let d = dir(1);
    assert_eq!(d.path.as_deref(), Some("/env"));
    assert!(matches!(d.setting.source, Source::Env(_)));
    assert_eq!(d.setting.origin().unwrap().span.slice(text), "/env");
    assert_eq!(dir(2).path.as_deref(), Some("/var/lib/etcd/default.etcd"));
    assert_eq!(dir(3).path.as_deref(), Some("/var/lib/etcd/node1.etcd"));
    assert_eq!(dir(4).path.as_deref(), Some("/srv/data"));
    let d = dir(5);
    assert_eq!(d.path.as_deref(), Some("/bitnami/etcd/data"));
    assert!(matches!(d.setting.source, Source::Image));
    // The bitnami entrypoint exports ETCD_DATA_DIR before any command: a `--data-dir` flag
    // makes etcd exit, so the data dir is bitnami's.
    let d = dir(6);
    assert_eq!(d.path.as_deref(), Some("/bitnami/etcd/data"));
    assert!(matches!(d.setting.source, Source::Image));
    assert_eq!(dir(7).path.as_deref(), Some("/mine"));
    // Images before v3.5.7 set no working directory.
    assert_eq!(dir(8).path.as_deref(), Some("/default.etcd"));
    assert_eq!(dir(9).path.as_deref(), Some("/data"));
    // A digest says nothing of the version, so nothing of the working directory.
    assert_eq!(dir(10).path, None);
}

#[test]
fn etcd_flag_wins_over_env_and_shadowing_is_seen() {
    let text = "services:
  e:
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      ETCD_AUTO_COMPACTION_MODE: revision
      ETCD_AUTO_COMPACTION_RETENTION: ''
    command: etcd --auto-compaction-mode periodic
";
    let (m, i) = service(text);
    let e = Etcd::detect(&m.services[i]).unwrap();
    let mode = e.compaction_mode();
    assert_eq!(mode.value, "periodic");
    assert!(matches!(mode.source, Source::Flag(_)));
    let shadow = e.shadowed_env("auto-compaction-mode").unwrap();
    assert_eq!(
        shadow.entry.span.slice(text),
        "ETCD_AUTO_COMPACTION_MODE: revision"
    );
    // An empty variable is ignored: the default applies.
    let r = e.compaction_retention();
    assert_eq!(r.value, "0");
    assert!(r.is_default());
    assert!(e.shadowed_env("auto-compaction-retention").is_none());
}

#[test]
fn etcd_config_file() {
    let m = model(
        "services:\n  e:\n    image: quay.io/coreos/etcd:v3.5.18\n    command: etcd --config-file /etc/etcd.yaml\n",
    );
    assert!(
        Etcd::detect(&m.services[0])
            .unwrap()
            .config_file()
            .is_some()
    );
}

#[test]
fn minio_detection_and_paths() {
    let text = "services:
  a:
    image: minio/minio
    command: minio server /data1 /data2 --console-address \":9001\" --quiet /data3
  b:
    image: quay.io/minio/minio
    command: server --address :9000 http://minio{1...2}/export{1...2}
  c:
    image: bitnami/minio:2024
  d:
    image: bitnami/minio:2024
    environment:
      MINIO_DATA_DIR: /custom
  e:
    image: minio/minio
  f:
    image: alpine
    entrypoint: sh
    command: -c \"mkdir -p /d && minio server /d\"
  g:
    image: minio/minio
    environment:
      MINIO_VOLUMES: /v1 /v2
    command: minio server
  h:
    image: minio/mc
    command: mc mirror a b
";
    let m = model(text);
    let paths = |i: usize| -> Vec<String> {
        Minio::detect(&m.services[i])
            .unwrap()
            .data_paths()
            .into_iter()
            .map(|p| p.path)
            .collect()
    };
    assert_eq!(paths(0), ["/data1", "/data2", "/data3"]);
    assert_eq!(paths(1), ["/export1", "/export2", "/export1", "/export2"]);
    assert_eq!(paths(2), ["/bitnami/minio/data"]);
    assert_eq!(paths(3), ["/custom"]);
    assert!(Minio::detect(&m.services[4]).is_none());
    assert_eq!(paths(5), ["/d"]);
    assert_eq!(paths(6), ["/v1", "/v2"]);
    assert!(Minio::detect(&m.services[7]).is_none());
    let p = &Minio::detect(&m.services[0]).unwrap().data_paths()[2];
    assert_eq!(p.origin.unwrap().span.slice(text), "/data3");
}
