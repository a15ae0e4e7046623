use super::*;
use crate::yaml::{Limits, parse};

fn model(text: &str) -> ComposeFile {
    let tree = parse(text, &Limits::default()).unwrap();
    let root = tree.documents[0].root.unwrap();
    ComposeFile::from_document(&tree, text, FileId(0), root, &Env::default())
}

fn svc<'a>(m: &'a ComposeFile, name: &str) -> &'a Service {
    m.services.iter().find(|s| s.name.value == name).unwrap()
}

/// The source text an origin points at.
fn at(text: &str, o: Origin) -> &str {
    o.span.slice(text)
}

#[test]
fn image_references_are_parsed() {
    let text = "services:\n  a:\n    image: \"quay.io/coreos/etcd:v3.5.18\"\n  b:\n    image: milvusdb/milvus@sha256:abc\n  c:\n    image: ${ETCD_IMAGE:-bitnami/etcd:3.5}\n";
    let m = model(text);
    let (r, t) = svc(&m, "a").image.as_ref().unwrap();
    assert_eq!(r.registry.as_deref(), Some("quay.io"));
    assert_eq!(r.repository, "coreos/etcd");
    assert_eq!(r.tag.as_deref(), Some("v3.5.18"));
    assert_eq!(at(text, t.origin), "\"quay.io/coreos/etcd:v3.5.18\"");
    let (r, _) = svc(&m, "b").image.as_ref().unwrap();
    assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
    assert_eq!(r.tag, None);
    // Interpolated with its default.
    let (r, t) = svc(&m, "c").image.as_ref().unwrap();
    assert!(r.is("bitnami/etcd"));
    assert_eq!(t.raw, "${ETCD_IMAGE:-bitnami/etcd:3.5}");
}

#[test]
fn environment_as_a_list() {
    let text = "services:\n  e:\n    environment:\n      - A=1\n      - \"B=two words\"\n      - BARE\n      - C=\n      - D=x=y\n";
    let m = model(text);
    let env = &svc(&m, "e").environment;
    assert_eq!(env.form, EnvForm::List(CollectionStyle::Block));
    assert_eq!(at(text, env.key.unwrap()), "environment");
    let names: Vec<&str> = env.vars.iter().map(|v| v.name.value.as_str()).collect();
    assert_eq!(names, ["A", "B", "BARE", "C", "D"]);
    let a = env.get("A").unwrap();
    assert_eq!(at(text, a.name.origin), "A");
    assert_eq!(at(text, a.value.as_ref().unwrap().origin), "1");
    assert_eq!(at(text, a.entry), "A=1");
    // Inside quotes, spans are exact too.
    let b = env.get("B").unwrap();
    assert_eq!(at(text, b.name.origin), "B");
    assert_eq!(at(text, b.value.as_ref().unwrap().origin), "two words");
    assert_eq!(at(text, b.entry), "\"B=two words\"");
    assert!(env.get("BARE").unwrap().value.is_none());
    let c = env.get("C").unwrap().value.as_ref().unwrap();
    assert_eq!(c.value, "");
    assert_eq!(env.value("D").unwrap().value, "x=y");
}

#[test]
fn environment_as_a_map_with_every_scalar_kind() {
    let text = "services:\n  e:\n    environment:\n      S: text\n      N: 42\n      F: 1.5\n      B: true\n      Z:\n      Q: 'quoted'\n      E: \"\"\n";
    let m = model(text);
    let env = &svc(&m, "e").environment;
    assert_eq!(env.form, EnvForm::Map(CollectionStyle::Block));
    assert_eq!(env.value("S").unwrap().value, "text");
    assert_eq!(env.value("N").unwrap().value, "42");
    assert_eq!(env.value("F").unwrap().value, "1.5");
    assert_eq!(env.value("B").unwrap().value, "true");
    assert!(env.get("Z").unwrap().value.is_none());
    assert_eq!(
        at(text, env.get("Q").unwrap().value.as_ref().unwrap().origin),
        "'quoted'"
    );
    assert_eq!(env.value("E").unwrap().value, "");
    let n = env.get("N").unwrap();
    assert_eq!(at(text, n.name.origin), "N");
    assert_eq!(at(text, n.entry), "N: 42");
}

#[test]
fn environment_flow_forms_empty_and_absent() {
    let text = "services:\n  a:\n    environment: [A=1, B=2]\n  b:\n    environment: {A: 1}\n  c:\n    environment:\n  d:\n    image: x\n";
    let m = model(text);
    let a = &svc(&m, "a").environment;
    assert_eq!(a.form, EnvForm::List(CollectionStyle::Flow));
    assert_eq!(
        at(text, a.get("B").unwrap().value.as_ref().unwrap().origin),
        "2"
    );
    assert_eq!(
        svc(&m, "b").environment.form,
        EnvForm::Map(CollectionStyle::Flow)
    );
    assert_eq!(svc(&m, "c").environment.form, EnvForm::Empty);
    assert!(svc(&m, "c").environment.key.is_some());
    assert_eq!(svc(&m, "d").environment.form, EnvForm::Absent);
    assert!(svc(&m, "d").environment.key.is_none());
}

#[test]
fn later_environment_entries_win() {
    let m = model("services:\n  a:\n    environment:\n      - A=1\n      - A=2\n");
    assert_eq!(svc(&m, "a").environment.value("A").unwrap().value, "2");
}

#[test]
fn command_as_a_string_keeps_argument_spans() {
    let text =
        "services:\n  etcd:\n    command: etcd --data-dir=/etcd -name 'my node' \"--x=a b\"\n";
    let m = model(text);
    let c = svc(&m, "etcd").command.as_ref().unwrap();
    assert_eq!(c.form, CommandForm::String);
    let values: Vec<&str> = c.args.iter().map(|a| a.value.as_str()).collect();
    assert_eq!(
        values,
        ["etcd", "--data-dir=/etcd", "-name", "my node", "--x=a b"]
    );
    assert_eq!(at(text, c.args[1].origin), "--data-dir=/etcd");
    assert_eq!(at(text, c.args[1].sub_origin(11..16)), "/etcd");
    assert_eq!(at(text, c.args[3].origin), "'my node'");
    assert_eq!(at(text, c.args[3].sub_origin(0..2)), "my");
    assert_eq!(at(text, c.args[4].sub_origin(4..7)), "a b");
}

#[test]
fn command_in_a_quoted_scalar_maps_through_both_quotings() {
    let text =
        "services:\n  m:\n    command: \"minio server /data --console-address \\\":9001\\\"\"\n";
    let m = model(text);
    let c = svc(&m, "m").command.as_ref().unwrap();
    let values: Vec<&str> = c.args.iter().map(|a| a.value.as_str()).collect();
    assert_eq!(
        values,
        ["minio", "server", "/data", "--console-address", ":9001"]
    );
    assert_eq!(at(text, c.args[2].origin), "/data");
    assert_eq!(at(text, c.args[4].sub_origin(0..5)), ":9001");
}

#[test]
fn command_as_a_list_and_block_scalar() {
    let text = "services:\n  a:\n    command: [\"etcd\", '--data-dir', /etcd]\n  b:\n    entrypoint:\n      - sh\n      - -c\n    command: >-\n      etcd\n      --data-dir /x\n";
    let m = model(text);
    let a = svc(&m, "a").command.as_ref().unwrap();
    assert_eq!(a.form, CommandForm::List);
    assert_eq!(at(text, a.args[0].origin), "\"etcd\"");
    assert_eq!(at(text, a.args[1].origin), "'--data-dir'");
    assert_eq!(at(text, a.args[2].origin), "/etcd");
    assert_eq!(at(text, a.args[0].sub_origin(0..4)), "etcd");
    let b = svc(&m, "b");
    let e = b.entrypoint.as_ref().unwrap();
    assert_eq!(e.args.len(), 2);
    let c = b.command.as_ref().unwrap();
    let values: Vec<&str> = c.args.iter().map(|a| a.value.as_str()).collect();
    assert_eq!(values, ["etcd", "--data-dir", "/x"]);
    assert_eq!(at(text, c.args[2].origin), "/x");
}

#[test]
fn short_volume_forms() {
    let text = "services:\n  s:\n    volumes:\n      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd:/etcd\n      - data:/data:ro\n      - /anon\n      - C:\\data:/win\n      - \"${DATA}/x:/y\"\n      - ~/home:/h:rw,z\n";
    let m = model(text);
    let mounts = &svc(&m, "s").mounts;
    assert_eq!(mounts.len(), 6);
    let b = &mounts[0];
    assert_eq!(b.kind, MountKind::Bind);
    assert_eq!(b.target.value, "/etcd");
    assert_eq!(at(text, b.target.origin), "/etcd");
    let src = b.source.as_ref().unwrap();
    assert_eq!(src.raw, "${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd");
    assert_eq!(src.value, "./volumes/etcd");
    assert_eq!(
        at(text, src.origin),
        "${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd"
    );
    assert_eq!(
        at(text, b.origin),
        "${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd:/etcd"
    );
    assert_eq!(mounts[1].kind, MountKind::Volume);
    assert!(mounts[1].read_only);
    assert_eq!(mounts[2].kind, MountKind::Anonymous);
    assert!(mounts[2].source.is_none());
    assert_eq!(mounts[2].target.value, "/anon");
    assert_eq!(mounts[3].kind, MountKind::Bind);
    assert_eq!(mounts[3].source.as_ref().unwrap().value, "C:\\data");
    assert_eq!(mounts[3].target.value, "/win");
    // `${DATA}` unset: the source is a path under a variable directory.
    assert_eq!(mounts[4].kind, MountKind::Bind);
    assert_eq!(at(text, mounts[4].target.origin), "/y");
    assert_eq!(mounts[5].kind, MountKind::Bind);
    assert!(!mounts[5].read_only);
}

#[test]
fn long_volume_forms_and_tmpfs() {
    let text = "services:\n  s:\n    volumes:\n      - type: bind\n        source: ./etcd\n        target: /etcd\n        read_only: true\n      - type: volume\n        source: data\n        target: /data\n      - type: volume\n        target: /anon\n      - type: tmpfs\n        target: /t\n      - {type: npipe, source: x, target: /p}\n    tmpfs:\n      - /run:size=64m\n      - /cache\n  t:\n    tmpfs: /single\n";
    let m = model(text);
    let mounts = &svc(&m, "s").mounts;
    let kinds: Vec<MountKind> = mounts.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        [
            MountKind::Bind,
            MountKind::Volume,
            MountKind::Anonymous,
            MountKind::Tmpfs,
            MountKind::Other,
            MountKind::Tmpfs,
            MountKind::Tmpfs
        ]
    );
    assert!(mounts[0].read_only);
    assert_eq!(at(text, mounts[0].target.origin), "/etcd");
    assert_eq!(mounts[5].target.value, "/run");
    assert_eq!(at(text, mounts[5].target.origin), "/run");
    assert!(mounts[5].from_tmpfs_key);
    let t = &svc(&m, "t").mounts;
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].target.value, "/single");
}

#[test]
fn top_level_volumes_and_persistence() {
    let text = "services:\n  s:\n    volumes:\n      - data:/data\n      - mem:/mem\n      - ext:/ext\nvolumes:\n  data:\n  mem:\n    driver_opts:\n      type: tmpfs\n      device: tmpfs\n  ext:\n    external: true\n";
    let m = model(text);
    assert_eq!(m.volumes.len(), 3);
    assert!(m.volume("mem").unwrap().is_memory());
    assert!(m.volume("ext").unwrap().external);
    let s = svc(&m, "s");
    assert!(m.mount_persists(&s.mounts[0]));
    assert!(!m.mount_persists(&s.mounts[1]));
    assert!(m.mount_persists(&s.mounts[2]));
}

#[test]
fn mounts_cover_subdirectories_only_on_path_boundaries() {
    let m = model(
        "services:\n  s:\n    volumes:\n      - ./a:/var/lib\n      - ./b:/var/lib/etcd/member\n      - ./c:/data\n",
    );
    let s = svc(&m, "s");
    let cover = |p: &str| s.mount_covering(p).map(|m| m.target.value.as_str());
    assert_eq!(cover("/var/lib/etcd"), Some("/var/lib"));
    assert_eq!(
        cover("/var/lib/etcd/member/wal"),
        Some("/var/lib/etcd/member")
    );
    assert_eq!(cover("/data"), Some("/data"));
    assert_eq!(cover("/data/"), Some("/data"));
    assert_eq!(cover("/database"), None);
    assert_eq!(cover("/"), None);
}

#[test]
fn healthcheck_restart_depends_on_profiles() {
    let text = "services:\n  a:\n    restart: unless-stopped\n    healthcheck:\n      test: [\"CMD\", \"etcdctl\", \"endpoint\", \"health\"]\n      interval: 30s\n      retries: 3\n    depends_on: [b, c]\n    profiles: [debug]\n  b:\n    healthcheck:\n      test: curl -f http://localhost\n      disable: true\n    depends_on:\n      a:\n        condition: service_healthy\n      c:\n        condition: service_started\n        required: false\n";
    let m = model(text);
    let a = svc(&m, "a");
    assert_eq!(a.restart.as_ref().unwrap().value, "unless-stopped");
    let h = a.healthcheck.as_ref().unwrap();
    assert_eq!(h.test.len(), 4);
    assert_eq!(h.interval.as_ref().unwrap().value, "30s");
    assert_eq!(h.retries.as_ref().unwrap().value, "3");
    let deps: Vec<&str> = a
        .depends_on
        .iter()
        .map(|d| d.service.value.as_str())
        .collect();
    assert_eq!(deps, ["b", "c"]);
    assert!(a.depends_on[0].condition.is_none());
    assert_eq!(a.profiles[0].value, "debug");
    let b = svc(&m, "b");
    assert!(b.healthcheck.as_ref().unwrap().disable);
    assert_eq!(b.healthcheck.as_ref().unwrap().test.len(), 1);
    assert_eq!(
        b.depends_on[0].condition.as_ref().unwrap().value,
        "service_healthy"
    );
    assert!(b.depends_on[0].required);
    assert!(!b.depends_on[1].required);
    assert!(b.restart.is_none());
}

#[test]
fn anchors_and_merges_feed_services() {
    let text = "x-etcd: &etcd\n  image: quay.io/coreos/etcd:v3.5.18\n  environment: &env\n    ETCD_AUTO_COMPACTION_MODE: revision\nservices:\n  one:\n    <<: *etcd\n    command: etcd\n  two:\n    image: bitnami/etcd\n    environment: *env\n";
    let m = model(text);
    let one = svc(&m, "one");
    assert!(one.image_ref().unwrap().is("quay.io/coreos/etcd"));
    assert_eq!(
        one.environment
            .value("ETCD_AUTO_COMPACTION_MODE")
            .unwrap()
            .value,
        "revision"
    );
    let two = svc(&m, "two");
    let v = two.environment.value("ETCD_AUTO_COMPACTION_MODE").unwrap();
    // The value is written in the anchor's definition.
    assert_eq!(at(text, v.origin), "revision");
    assert_eq!(v.origin.span.start, text.find("revision").unwrap());
}

#[test]
fn service_origin_spans_its_definition() {
    let text = "services:\n  a:\n    image: x\n    restart: always\n  b: {image: y}\n";
    let m = model(text);
    assert_eq!(
        at(text, svc(&m, "a").origin),
        "a:\n    image: x\n    restart: always"
    );
    assert_eq!(at(text, svc(&m, "a").name.origin), "a");
    assert_eq!(at(text, svc(&m, "b").origin), "b: {image: y}");
}

#[test]
fn non_mapping_services_are_skipped() {
    let m = model("services:\n  a: just a string\n  b:\n    image: x\n");
    assert_eq!(m.services.len(), 1);
}

#[test]
fn interpolation_with_defaults_only() {
    assert_eq!(interp_defaults("${A:-x}/y"), "x/y");
    assert_eq!(interp_defaults("${A-x}"), "x");
    assert_eq!(interp_defaults("$A/b"), "/b");
    assert_eq!(interp_defaults("$$A"), "$A");
    assert_eq!(interp_defaults("${A:?boom}"), "${A:?boom}");
    assert_eq!(interp_defaults("${A:-${B:-deep}}"), "deep");
    assert_eq!(interp_defaults("plain"), "plain");
}

#[test]
fn path_normalisation() {
    assert_eq!(normalize_path("/etcd/"), "/etcd");
    assert_eq!(normalize_path("/var/lib/etcd/./x/../y"), "/var/lib/etcd/y");
    assert_eq!(normalize_path("//a"), "/a");
    assert!(path_is_under("/a/b", "/a"));
    assert!(!path_is_under("/ab", "/a"));
    assert!(path_is_under("/anything", "/"));
}

#[test]
fn deploy_restart_platform_container_name_volumes_from() {
    let text = "services:
  a:
    image: x
    platform: linux/arm64
    container_name: milvus-a
    volumes_from: [b, 'container:c:ro']
    deploy:
      restart_policy:
        condition: on-failure
        max_attempts: 3
  b:
    image: y
";
    let m = model(text);
    let a = svc(&m, "a");
    assert_eq!(a.platform.as_ref().unwrap().value, "linux/arm64");
    assert_eq!(a.container_name.as_ref().unwrap().value, "milvus-a");
    let from: Vec<_> = a.volumes_from.iter().map(|t| t.value.as_str()).collect();
    assert_eq!(from, ["b", "container:c:ro"]);
    let d = a.deploy_restart.as_ref().unwrap();
    assert_eq!(d.condition.as_ref().unwrap().value, "on-failure");
    assert_eq!(d.max_attempts.as_ref().unwrap().value, "3");
    assert!(svc(&m, "b").deploy_restart.is_none());
}
