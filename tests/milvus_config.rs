//! The Milvus configuration model: what a Milvus service runs with, from the files it mounts
//! and its environment, and where each value was decided.

mod common;

use common::TempDir;
use milvet::compose::{Origin, Source};
use milvet::milvus::{self, ConfigKind, Decided};
use milvet::project::{self, Disk, LoadOptions, Project};
use milvet::source::LineIndex;
use milvet::stack::roles::Stack;

fn load(dir: &TempDir) -> Project {
    project::load(
        &[dir.path("docker-compose.yml")],
        &LoadOptions::default(),
        &Disk,
    )
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

/// `file:line:col` of an origin, the file as its name alone.
fn at(p: &Project, o: Origin) -> String {
    let f = &p.files[o.file.0 as usize];
    let pos = LineIndex::new(&f.text).position(&f.text, o.span.start);
    format!(
        "{}:{}:{}",
        f.path.file_name().unwrap().to_string_lossy(),
        pos.line,
        pos.column
    )
}

const COMPOSE: &str = "services:
  standalone:
    image: milvusdb/milvus:v2.5.27
    command: [milvus, run, standalone]
    environment:
      ETCD_ENDPOINTS: etcd-a:2379
    volumes:
      - ./milvus.yaml:/milvus/configs/milvus.yaml
      - ./user.yaml:/milvus/configs/user.yaml:ro
";

const MILVUS_YAML: &str = "etcd:
  endpoints:
    - etcd-yaml:2379
  rootPath: from-milvus-yaml
minio:
  address: minio-yaml
  bucketName: bucket-yaml
";

const USER_YAML: &str = "etcd:
  endpoints: [etcd-user:2379]
  rootPath: from-user-yaml
";

#[test]
fn environment_over_user_yaml_over_milvus_yaml_over_default() {
    let dir = TempDir::new("milvus-config");
    dir.file("docker-compose.yml", COMPOSE)
        .file("milvus.yaml", MILVUS_YAML)
        .file("user.yaml", USER_YAML);
    let p = load(&dir);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let model = p.model.as_ref().unwrap();
    let src = sources(&p);
    let stack = Stack::of(model);
    let configs = milvus::configs(model, &src, &stack);
    assert_eq!(configs.len(), 1);
    let c = &configs[0];
    assert_eq!(c.service_name(), Some("standalone"));
    assert_eq!(c.line().name, "2.5");
    assert!(c.choice.assumed.is_none());
    let kinds: Vec<ConfigKind> = c.files.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [ConfigKind::MilvusYaml, ConfigKind::UserYaml]);

    // Set in all three: the environment decides, user.yaml and milvus.yaml are overridden.
    let e = c.etcd_endpoints().unwrap();
    assert_eq!(e.value, "etcd-a:2379");
    assert_eq!(e.as_list(), ["etcd-a:2379"]);
    assert!(matches!(
        e.decided,
        Decided::Env {
            prefixed: false,
            ..
        }
    ));
    assert_eq!(
        at(&p, e.decided.origin().unwrap()),
        "docker-compose.yml:6:23"
    );
    let shadowed: Vec<String> = e
        .shadowed
        .iter()
        .map(|d| at(&p, d.origin().unwrap()))
        .collect();
    assert_eq!(shadowed, ["user.yaml:2:14", "milvus.yaml:3:5"]);
    assert_eq!(e.describe(), "`ETCD_ENDPOINTS` in the environment");

    // In both files: user.yaml decides.
    let r = c.etcd_root_path().unwrap();
    assert_eq!(r.value, "from-user-yaml");
    assert_eq!(at(&p, r.decided.origin().unwrap()), "user.yaml:3:13");
    assert_eq!(r.describe(), "`etcd.rootPath` in user.yaml");

    // Only milvus.yaml.
    let b = c.minio_bucket_name().unwrap();
    assert_eq!(
        (b.value.as_str(), at(&p, b.decided.origin().unwrap())),
        ("bucket-yaml", "milvus.yaml:7:15".into())
    );

    // Nothing: the line's default.
    let s = c.storage_type().unwrap();
    assert_eq!(s.value, "remote");
    assert_eq!(s.decided, Decided::Default { line: "2.5" });
    assert_eq!(c.etcd_use_embed().unwrap().as_bool(), Some(false));
    assert!(c.etcd_config_path().is_none());
    // Any key, in any spelling Milvus accepts.
    assert_eq!(c.value("ETCD.ROOT_PATH").unwrap().value, "from-user-yaml");
    assert!(
        c.data_coord_gc()
            .iter()
            .any(|s| s.key == "dataCoord.gc.interval")
    );
}
