//! `compose-schema` tests: exact positions of every finding, and the words that matter.

use super::compile::{self, Compiled};
use super::schema::{self, SCHEMA_TEXT};
use crate::check::{Options, check_text};
use crate::diagnostic::Diagnostic;
use crate::discover::FileKind;
use crate::source::LineIndex;

fn all(text: &str) -> Vec<Diagnostic> {
    check_text(text, FileKind::Compose, &Options::default()).unwrap()
}

fn run(text: &str) -> Vec<Diagnostic> {
    all(text)
        .into_iter()
        .filter(|d| d.rule == "compose-schema")
        .collect()
}

/// `line:col` of every `compose-schema` finding.
fn found(text: &str) -> Vec<String> {
    let lines = LineIndex::new(text);
    run(text)
        .iter()
        .map(|d| lines.position(text, d.origin.span.start).to_string())
        .collect()
}

fn one(text: &str) -> Diagnostic {
    let mut d = run(text);
    assert_eq!(d.len(), 1, "{d:#?}");
    d.remove(0)
}

#[test]
fn the_schema_compiles_with_every_keyword_it_uses() {
    let fresh = compile::compile(SCHEMA_TEXT).expect("the embedded schema compiles");
    assert!(
        fresh.unsupported.is_empty(),
        "unsupported: {:?}",
        fresh.unsupported
    );
    let s = schema::compiled().expect("compiled");
    assert_eq!(s.broken_patterns(), Vec::<&str>::new());
}

/// The tables built into the binary are what `schema/compose-spec.json` compiles to now:
/// editing the JSON is the only way to change them.
#[test]
fn the_built_in_tables_are_the_schema_file() {
    let fresh = compile::compile(SCHEMA_TEXT).expect("the embedded schema compiles");
    let built = schema::compiled().expect("compiled").to_compiled();
    assert_eq!(built.nodes.len(), fresh.nodes.len());
    assert_eq!(
        include_str!(concat!(env!("OUT_DIR"), "/compose_schema.rs")),
        fresh.to_rust()
    );
    assert_eq!(
        built,
        Compiled {
            unsupported: Vec::new(),
            ..fresh
        }
    );
}

/// The compiled tables against the JSON itself, read independently of the compiler: every
/// definition, every property name at every level, and every pattern is there.
#[test]
fn the_tables_hold_every_name_of_the_json() {
    use serde_json::Value;
    let json: Value = serde_json::from_str(SCHEMA_TEXT).expect("JSON");
    let built = schema::compiled().expect("compiled").to_compiled();
    let defs = json["definitions"].as_object().expect("definitions");
    let names: Vec<&str> = built.definitions.iter().map(|(n, _)| n.as_str()).collect();
    let json_names: Vec<&str> = defs.keys().map(String::as_str).collect();
    assert_eq!(names, json_names);
    fn walk<'a>(v: &'a Value, props: &mut Vec<&'a str>, patterns: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match k.as_str() {
                        "properties" => {
                            for (name, sub) in x.as_object().into_iter().flatten() {
                                props.push(name);
                                walk(sub, props, patterns);
                            }
                        }
                        "patternProperties" => {
                            for (p, sub) in x.as_object().into_iter().flatten() {
                                patterns.push(p);
                                walk(sub, props, patterns);
                            }
                        }
                        "pattern" => patterns.extend(x.as_str()),
                        _ => walk(x, props, patterns),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, props, patterns)),
            _ => {}
        }
    }
    let (mut props, mut patterns) = (Vec::new(), Vec::new());
    walk(&json, &mut props, &mut patterns);
    let mut built_props: Vec<&str> = built
        .nodes
        .iter()
        .flat_map(|n| n.properties.iter().map(|(k, _)| k.as_str()))
        .collect();
    props.sort_unstable();
    built_props.sort_unstable();
    assert_eq!(built_props, props);
    let sources: Vec<&str> = built.patterns.iter().map(|p| p.source()).collect();
    for p in &patterns {
        assert!(sources.contains(p), "pattern {p} is missing");
    }
    // Patterns are kept once each; `^x-` is a prefix test, not a regular expression.
    assert!(sources.len() < patterns.len());
    assert!(
        built
            .patterns
            .contains(&compile::Pattern::Prefix("^x-".into(), "x-".into()))
    );
}

#[test]
fn the_embedded_schema_is_the_pinned_specification() {
    assert!(SCHEMA_TEXT.contains("\"$id\": \"compose_spec.json\""));
    assert!(SCHEMA_TEXT.contains("\"title\": \"Compose Specification\""));
}

#[test]
fn official_style_milvus_file_is_valid() {
    let text = "version: '3.5'

services:
  etcd:
    container_name: milvus-etcd
    image: quay.io/coreos/etcd:v3.5.18
    environment:
      - ETCD_AUTO_COMPACTION_MODE=revision
      - ETCD_AUTO_COMPACTION_RETENTION=1000
      - ETCD_QUOTA_BACKEND_BYTES=4294967296
      - ETCD_SNAPSHOT_COUNT=50000
    volumes:
      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd:/etcd
    command: etcd -advertise-client-urls=http://etcd:2379 -listen-client-urls http://0.0.0.0:2379 --data-dir /etcd
    healthcheck:
      test: [\"CMD\", \"etcdctl\", \"endpoint\", \"health\"]
      interval: 30s
      timeout: 20s
      retries: 3

  minio:
    container_name: milvus-minio
    image: minio/minio:RELEASE.2023-03-20T20-16-18Z
    environment:
      MINIO_ACCESS_KEY: minioadmin
      MINIO_SECRET_KEY: minioadmin
    ports:
      - \"9001:9001\"
      - \"9000:9000\"
    volumes:
      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/minio:/minio_data
    command: minio server /minio_data --console-address \":9001\"
    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:9000/minio/health/live\"]
      interval: 30s
      timeout: 20s
      retries: 3

  standalone:
    container_name: milvus-standalone
    image: milvusdb/milvus:v2.5.4
    command: [\"milvus\", \"run\", \"standalone\"]
    security_opt:
    - seccomp:unconfined
    environment:
      ETCD_ENDPOINTS: etcd:2379
      MINIO_ADDRESS: minio:9000
    volumes:
      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/milvus:/var/lib/milvus
    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:9091/healthz\"]
      interval: 30s
      start_period: 90s
      timeout: 20s
      retries: 3
    ports:
      - \"19530:19530\"
      - \"9091:9091\"
    depends_on:
      - \"etcd\"
      - \"minio\"

networks:
  default:
    name: milvus
";
    // The stack rules have their say on this file (no restart policy, ...); the schema none.
    assert_eq!(run(text), []);
}

#[test]
fn misspelt_key_is_pointed_at_with_the_setting_it_resembles() {
    let text = "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    enviroment:\n      - ETCD_AUTO_COMPACTION_MODE=revision\n";
    let d = one(text);
    assert_eq!(found(text), ["4:5"]);
    assert_eq!(d.origin.span.slice(text), "enviroment");
    assert_eq!(d.service.as_deref(), Some("etcd"));
    assert!(d.message.contains("`services.etcd`"), "{}", d.message);
    assert!(
        d.message.contains("did you mean `environment`?"),
        "{}",
        d.message
    );
    assert!(
        d.message
            .contains("additional properties 'enviroment' not allowed"),
        "{}",
        d.message
    );
    assert_eq!(d.help.as_deref(), Some("rename it to `environment`"));
}

#[test]
fn unknown_key_without_a_close_match_suggests_an_extension() {
    let text = "services:\n  a:\n    image: x\n    milvus_mode: cluster\n";
    let d = one(text);
    assert_eq!(found(text), ["4:5"]);
    assert!(!d.message.contains("did you mean"), "{}", d.message);
    assert!(
        d.help.as_deref().unwrap().contains("`x-milvus_mode`"),
        "{:?}",
        d.help
    );
}

#[test]
fn key_at_the_wrong_level_says_where_it_belongs() {
    let text = "services:\n  a:\n    image: x\nimage: y\n";
    let d = one(text);
    assert_eq!(found(text), ["4:1"]);
    assert!(
        d.message.contains("at the top level of the file"),
        "{}",
        d.message
    );
    assert_eq!(
        d.help.as_deref(),
        Some("`image` is a setting of a service (`services.<name>`): check its indentation")
    );
}

#[test]
fn unknown_top_level_key() {
    let text = "servces:\n  a:\n    image: x\n";
    let d = one(text);
    assert_eq!(found(text), ["1:1"]);
    assert!(
        d.message.contains("did you mean `services`?"),
        "{}",
        d.message
    );
}

#[test]
fn scalar_where_a_list_is_required() {
    let text = "services:\n  a:\n    image: x\n    ports: 8080\n";
    let d = one(text);
    assert_eq!(found(text), ["4:12"]);
    assert_eq!(d.origin.span.slice(text), "8080");
    assert!(
        d.message
            .contains("`services.a.ports` is an integer `8080`, but Compose requires a list"),
        "{}",
        d.message
    );
    assert!(
        d.help.as_deref().unwrap().contains("`- 8080`"),
        "{:?}",
        d.help
    );
}

#[test]
fn number_where_a_string_is_required_and_quoted_numbers_are_strings() {
    let text = "services:\n  a:\n    image: x\n    restart: 5\n";
    let d = one(text);
    assert_eq!(found(text), ["4:14"]);
    assert!(d.message.contains("requires a string"), "{}", d.message);
    assert_eq!(
        d.help.as_deref(),
        Some("quote it, so that YAML reads it as text: `\"5\"`")
    );
    assert_eq!(
        found("services:\n  a:\n    image: x\n    restart: \"5\"\n"),
        Vec::<String>::new()
    );
    // An unquoted version number is a number.
    assert_eq!(found("version: 3.8\nservices: {}\n"), ["1:10"]);
    assert_eq!(
        found("version: '3.8'\nservices: {}\n"),
        Vec::<String>::new()
    );
}

#[test]
fn yaml_1_1_words_are_strings() {
    // `yes` is text for yaml.v3: fine where a string is accepted, wrong where only a boolean is.
    let text =
        "services:\n  a:\n    image: x\n    tty: yes\n    restart: no\n    use_api_socket: on\n";
    let d = one(text);
    assert_eq!(found(text), ["6:21"]);
    assert!(d.message.contains("is a string `on`"), "{}", d.message);
    assert!(d.message.contains("requires a boolean"), "{}", d.message);
}

#[test]
fn empty_value_where_a_list_is_required_points_at_the_key() {
    let text = "services:\n  a:\n    image: x\n    volumes:\n    # - ./data:/data\n";
    let d = one(text);
    assert_eq!(found(text), ["4:5"]);
    assert_eq!(d.origin.span.slice(text), "volumes");
    assert!(d.message.contains("is empty (null)"), "{}", d.message);
    // Top-level volumes and networks may be empty.
    assert_eq!(
        found("services:\n  a:\n    image: x\nvolumes:\n  data:\nnetworks:\n  default:\n"),
        Vec::<String>::new()
    );
}

#[test]
fn invalid_depends_on_condition() {
    let text = "services:\n  milvus:\n    image: milvusdb/milvus\n    depends_on:\n      etcd:\n        condition: service_ready\n  etcd:\n    image: x\n";
    let d = one(text);
    assert_eq!(found(text), ["6:20"]);
    assert!(
        d.message.contains(
            "is `service_ready`, which Compose does not accept: it must be `service_started`, \
             `service_healthy` or `service_completed_successfully`"
        ),
        "{}",
        d.message
    );
    assert_eq!(d.service.as_deref(), Some("milvus"));
}

#[test]
fn depends_on_entry_without_condition_is_missing_a_required_setting() {
    let text = "services:\n  milvus:\n    image: x\n    depends_on:\n      etcd:\n        required: true\n";
    let d = one(text);
    assert_eq!(found(text), ["5:7"]);
    assert!(d.message.contains("has no `condition`"), "{}", d.message);
}

#[test]
fn every_violation_of_a_service_is_reported() {
    let text = "services:\n  a:\n    image: x\n    enviroment: {}\n    ports: 80\n    healthcheck:\n      interval: 30\n      retrys: 3\n";
    assert_eq!(found(text), ["4:5", "5:12", "7:17", "8:7"]);
}

#[test]
fn wrong_type_among_alternatives_lists_the_accepted_forms() {
    let text = "services:\n  a:\n    image: x\n    command: {run: standalone}\n";
    let d = one(text);
    assert_eq!(found(text), ["4:14"]);
    assert!(
        d.message
            .contains("is a mapping, but Compose requires null, a string or a list of strings"),
        "{}",
        d.message
    );
}

#[test]
fn alternative_of_the_right_type_gives_its_own_errors() {
    // `depends_on` as a mapping: the error is inside it, not "must be a list or a mapping".
    let text = "services:\n  a:\n    image: x\n    depends_on:\n      b:\n        condition: healthy\n    build:\n      context: .\n      dockerfil: Dockerfile\n";
    assert_eq!(found(text), ["6:20", "9:7"]);
    let d = &run(text)[1];
    assert!(
        d.message.contains("did you mean `dockerfile`?"),
        "{}",
        d.message
    );
}

#[test]
fn minimum_of_a_value_compose_casts() {
    assert_eq!(
        found("services:\n  a:\n    image: x\n    cpu_count: -1\n"),
        ["4:16"]
    );
    // compose-go casts the string before it validates.
    assert_eq!(
        found("services:\n  a:\n    image: x\n    cpu_count: \"-1\"\n"),
        ["4:16"]
    );
    assert_eq!(
        found("services:\n  a:\n    image: x\n    oom_score_adj: 1001\n"),
        ["4:20"]
    );
    assert_eq!(
        found("services:\n  a:\n    image: x\n    cpu_count: 2\n    oom_score_adj: -500\n"),
        Vec::<String>::new()
    );
}

#[test]
fn extensions_are_accepted_wherever_the_schema_allows_them() {
    let text = "x-milvus: &common\n  anything: [1, {deep: true}]\nservices:\n  a:\n    image: x\n    x-note: {free: form}\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      x-why: because\nnetworks:\n  n:\n    x-owner: me\n";
    assert_eq!(found(text), Vec::<String>::new());
}

#[test]
fn merged_mappings_are_validated_as_expanded() {
    let text = "x-common: &common\n  restart: 5\n  enviroment: {A: 1}\nservices:\n  a:\n    <<: *common\n    image: x\n";
    let d = run(text);
    assert_eq!(found(text), ["2:12", "3:3"]);
    // The key comes from the anchor; the related location is the merge that brought it in.
    assert_eq!(d[1].origin.span.slice(text), "enviroment");
    assert_eq!(d[1].related.len(), 1);
    assert_eq!(d[1].related[0].origin.span.slice(text), "*common");
    assert_eq!(d[1].service.as_deref(), Some("a"));
}

#[test]
fn a_key_of_the_service_wins_over_a_merged_one() {
    let text = "x-common: &common\n  restart: 5\nservices:\n  a:\n    <<: *common\n    image: x\n    restart: always\n";
    assert_eq!(found(text), Vec::<String>::new());
}

#[test]
fn aliases_are_validated_where_they_are_used() {
    let text = "x-port: &port 8080\nx-env: &env\n  - A=1\nservices:\n  a:\n    image: x\n    ports: *port\n    environment: *env\n";
    let d = one(text);
    assert_eq!(found(text), ["7:12"]);
    assert_eq!(d.origin.span.slice(text), "*port");
}

#[test]
fn an_anchored_value_used_twice_is_reported_once() {
    let text = "services:\n  a:\n    image: x\n    healthcheck: &hc\n      interval: 30\n  b:\n    image: y\n    healthcheck: *hc\n";
    assert_eq!(found(text), ["5:17"]);
}

#[test]
fn reset_values_are_removed_and_override_values_kept() {
    let text = "services:\n  a:\n    image: x\n    restart: !reset 5\n    ports: !override\n      - \"8080:80\"\n    volumes:\n      - !reset 5\n      - ./d:/d\n    cpus: !override 0.5\n    command: !reset null\n";
    assert_eq!(found(text), Vec::<String>::new());
    // `!override` keeps the value, and a scalar under a custom tag is text.
    assert_eq!(
        found("services:\n  a:\n    image: x\n    ports: !override 8080\n"),
        ["4:22"]
    );
}

#[test]
fn interpolated_values_are_not_judged_on_their_unknown_text() {
    // (`privileged` gets a default: unset, it would be an empty string, which the cast after
    // interpolation refuses.)
    let text = "services:\n  a:\n    image: ${IMAGE}\n    cpus: ${CPUS:-2}\n    privileged: ${PRIV:-false}\n    depends_on:\n      b:\n        condition: ${COND:-service_healthy}\n    pull_policy: $POLICY\n  b:\n    image: y\n";
    assert_eq!(found(text), Vec::<String>::new());
    // Interpolation makes a string: where only a boolean is accepted, it stays wrong.
    assert_eq!(
        found("services:\n  a:\n    image: x\n    use_api_socket: ${SOCKET}\n"),
        ["4:21"]
    );
}

#[test]
fn repeated_items_are_reported_where_compose_does_not_remove_them() {
    let text = "services:\n  a:\n    image: x\n    depends_on: [b, b]\n    environment:\n      - A=1\n      - A=1\n  b:\n    image: y\n";
    let d = one(text);
    assert_eq!(found(text), ["4:21"]);
    assert_eq!(d.related[0].origin.span.slice(text), "b");
    assert!(d.message.contains("lists `b` twice"), "{}", d.message);
}

#[test]
fn invalid_service_name() {
    let text = "services:\n  my app:\n    image: x\n";
    let d = one(text);
    assert_eq!(found(text), ["2:3"]);
    assert!(
        d.message.contains("`my app` is not a name Compose accepts"),
        "{}",
        d.message
    );
}

#[test]
fn non_string_keys_are_refused() {
    let text = "services:\n  a:\n    image: x\n    labels:\n      8080: web\n      \"8081\": api\n";
    let d = one(text);
    assert_eq!(found(text), ["5:7"]);
    assert!(
        d.message.contains("YAML reads as an integer"),
        "{}",
        d.message
    );
    assert_eq!(d.help.as_deref(), Some("quote it: `\"8080\"`"));
}

#[test]
fn long_volume_syntax_needs_a_type() {
    let text =
        "services:\n  a:\n    image: x\n    volumes:\n      - source: ./d\n        target: /d\n";
    let d = one(text);
    assert_eq!(found(text), ["5:9"]);
    assert!(
        d.message.contains("`services.a.volumes[0]` has no `type`"),
        "{}",
        d.message
    );
}

#[test]
fn each_document_is_validated_and_duplicates_are_reported_once() {
    let text = "services:\n  a:\n    image: x\n    image: y\n---\nservices:\n  b:\n    image: x\n    restart: 5\n---\nservices:\n  c:\n    image: z\n";
    let lines = LineIndex::new(text);
    let got: Vec<String> = all(text)
        .iter()
        .map(|d| format!("{} {}", lines.position(text, d.origin.span.start), d.rule))
        .collect();
    assert_eq!(got, ["4:5 yaml-duplicate-key", "9:14 compose-schema"]);
}

#[test]
fn empty_and_comment_only_documents_are_not_validated() {
    assert_eq!(found("# nothing yet\n"), Vec::<String>::new());
    assert_eq!(found("---\n---\nservices: {}\n"), Vec::<String>::new());
}

#[test]
fn alias_bomb_gives_one_finding_quickly() {
    let mut text = String::from("x-a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 10].join(", ");
        text.push_str(&format!("x-{}: &{} [{refs}]\n", w[1], w[1]));
    }
    text.push_str("services:\n  a:\n    image: x\n");
    let start = std::time::Instant::now();
    let d = one(&text);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
    assert_eq!(found(&text), ["1:1"]);
    assert!(
        d.message.contains("more than 1,000,000 values"),
        "{}",
        d.message
    );
    assert!(d.message.contains("excessive aliasing"), "{}", d.message);
}

#[test]
fn alias_chain_deeper_than_the_limit_gives_one_finding() {
    let mut text = String::from("x-0: &a0 [x]\n");
    for i in 1..300 {
        text.push_str(&format!("x-{i}: &a{i} [*a{}]\n", i - 1));
    }
    text.push_str("services: {}\n");
    let d = one(&text);
    assert!(
        d.message.contains("nests deeper than 256 levels"),
        "{}",
        d.message
    );
}

#[test]
fn unusual_scalars_do_not_panic_and_are_typed() {
    let text = "services:\n  a:\n    image: x\n    labels:\n      a: 0x1F\n      b: .inf\n      c: -.inf\n      d: .nan\n      e: 1e999\n      f: 0o17\n      g: 1_000\n      h: ~\n      i: 2001-12-14\n      j: !!str 5\n      k: !!int \"5\"\n      l: [1]\n";
    let d = one(text);
    assert_eq!(found(text), ["16:10"]);
    assert!(
        d.message.contains("`services.a.labels.l` is a list"),
        "{}",
        d.message
    );
}

#[test]
fn merging_something_else_than_a_mapping_is_refused() {
    // A template whose shared environment is filled in by a script: as it stands, the anchor is
    // null.
    let text = "x-shared-env: &shared-env\nservices:\n  api:\n    image: x\n    environment:\n      <<: *shared-env\n      MODE: api\n";
    let d = one(text);
    assert_eq!(found(text), ["6:11"]);
    assert_eq!(d.origin.span.slice(text), "*shared-env");
    assert!(
        d.message
            .contains("`<<` in `services.api.environment` merges `*shared-env`, which is null"),
        "{}",
        d.message
    );
    assert!(
        d.message
            .contains("map merge requires map or sequence of maps")
    );
    assert_eq!(d.related[0].origin.span.slice(text), "&shared-env");
    // A list of mappings, directly or through an alias, is a merge Compose accepts.
    let text = "x-a: &a {image: x}\nx-b: &b {user: y}\nx-l: &l [*a, *b]\nservices:\n  s:\n    <<: *l\n  t:\n    <<: [*a, *b]\n";
    assert_eq!(found(text), Vec::<String>::new());
    assert_eq!(
        found("services:\n  s:\n    <<: [1]\n    image: x\n"),
        ["3:9"]
    );
}

#[test]
fn alias_inside_its_own_anchor_is_one_finding_at_the_alias() {
    let text = "x-loop: &loop\n  again: *loop\nservices: {}\n";
    let d = one(text);
    assert_eq!(found(text), ["2:10"]);
    assert!(
        d.message.contains("anchor 'loop' value contains itself"),
        "{}",
        d.message
    );
}

#[test]
fn a_setting_written_where_a_name_belongs_says_so() {
    // The service's name line was lost: its settings became service names.
    let text = "services:\n  container_name: milvus-etcd\n  image: quay.io/coreos/etcd:v3.5.18\n";
    let d = run(text);
    assert_eq!(found(text), ["2:19", "3:10"]);
    assert_eq!(
        d[0].help.as_deref(),
        Some(
            "`container_name` is a setting of a service (`services.<name>`), not a name: check its indentation"
        )
    );
}

/// The class patterns are matched as the regex crate matches them: every pattern of the schema
/// read as classes, and more of the same shapes, over strings made of the characters that tell
/// them apart.
#[test]
fn class_patterns_match_as_the_regex_does() {
    let mut patterns: Vec<String> = schema::compiled()
        .expect("compiled")
        .to_compiled()
        .patterns
        .iter()
        .filter(|p| matches!(p, compile::Pattern::Classes(..)))
        .map(|p| p.source().to_string())
        .collect();
    assert!(patterns.len() >= 4, "{patterns:?}");
    for extra in [
        "a",
        "^a$",
        "[a-c]+x",
        "^[0-9]+[a-z]$",
        "x.+y",
        "^.$",
        "[-a]+",
        "[a-]",
    ] {
        patterns.push(extra.to_string());
    }
    let alphabet = ['a', 'Z', '0', '_', '.', '-', ' ', '\n', 'é', 'x', 'y', '9'];
    let mut texts = vec![String::new()];
    for len in 1..=4 {
        let mut n = 0usize;
        let total = alphabet.len().pow(len);
        let step = (total / 400).max(1);
        while n < total {
            let mut k = n;
            let mut s = String::new();
            for _ in 0..len {
                s.push(alphabet[k % alphabet.len()]);
                k /= alphabet.len();
            }
            texts.push(s);
            n += step;
        }
    }
    for p in &patterns {
        let compile::Pattern::Classes(_, c) = compile::Pattern::new_for_test(p) else {
            panic!("{p} is not read as classes");
        };
        let re = regex::Regex::new(p).expect("regex");
        for t in &texts {
            assert_eq!(
                compile::classes_match(c.start, c.end, &c.atoms, t),
                re.is_match(t),
                "{p} on {t:?}"
            );
        }
    }
    // What is not classes stays a regex.
    for p in ["a|b", "a*", "[^a]", "a{2}", "\\d"] {
        assert!(matches!(
            compile::Pattern::new_for_test(p),
            compile::Pattern::Regex(_)
        ));
    }
}

#[test]
fn a_cast_value_read_from_a_variable_is_validated_once_read() {
    // The defaults decide: 200 is above `cpu_percent`'s maximum, -1 below `cpu_count`'s
    // minimum, 50.5 not an integer; in range, nothing.
    let text = "services:\n  a:\n    image: x\n    cpu_percent: ${P:-200}\n    cpu_count: ${C:--1}\n  b:\n    image: y\n    cpu_percent: ${P2:-50.5}\n    oom_score_adj: ${O:-1000}\n";
    assert_eq!(found(text), ["4:18", "5:16", "8:18"]);
    let d = run(text);
    assert!(
        d[0].message
            .contains("above the largest value Compose accepts, 100")
    );
    assert!(
        d[1].message
            .contains("below the smallest value Compose accepts, 0")
    );
    assert!(
        d[2].message.contains("which is not an integer"),
        "{}",
        d[2].message
    );
    assert_eq!(d[2].service.as_deref(), Some("b"));
}

#[test]
fn a_32_bit_float_that_is_not_finite_is_reported_once() {
    let text = "services:\n  a:\n    image: x\n    cpus: ${CPUS:-inf}\n    deploy:\n      update_config:\n        max_failure_ratio: .nan\n      resources:\n        limits:\n          cpus: 1e39\n  b:\n    image: y\n    cpu_percent: inf\n    cpus: 1e38\n";
    assert_eq!(found(text), ["4:11", "7:28", "10:17", "13:18"]);
    let d = run(text);
    assert!(d[0].message.contains("json: unsupported value: +Inf"));
    assert!(d[1].message.contains("json: unsupported value: NaN"));
    // `cpu_percent` takes only integers: the schema's finding, not a second one.
    assert!(
        d[3].message.contains("requires a string or an integer"),
        "{}",
        d[3].message
    );
}

#[test]
fn a_secret_or_config_mode_must_decode() {
    let text = "services:\n  a:\n    image: x\n    secrets:\n      - source: s\n        mode: \"0o440\"\n      - source: s\n        mode: 0o440\n      - source: s\n        mode: \"0440\"\n    configs:\n      - source: c\n        mode: 1e3\n      - source: c\n        mode: ${M:-abc}\nsecrets:\n  s:\n    file: ./s\nconfigs:\n  c:\n    file: ./c\n";
    assert_eq!(found(text), ["6:15", "13:15", "15:15"]);
    let d = run(text);
    assert!(
        d[1].message
            .contains("unexpected value type float64 for mode")
    );
}

#[test]
fn a_tmpfs_mode_is_a_number_of_zero_or_more() {
    let text = "services:\n  a:\n    image: x\n    volumes:\n      - type: tmpfs\n        target: /t\n        tmpfs:\n          mode: \"1777\"\n      - type: tmpfs\n        target: /u\n        tmpfs:\n          mode: -1\n      - type: tmpfs\n        target: /v\n        tmpfs:\n          mode: 0o1777\n";
    assert_eq!(found(text), ["8:17", "12:17"]);
}

#[test]
fn unsigned_settings_take_no_number_below_zero() {
    let text = "services:\n  a.b:\n    image: x\n    healthcheck:\n      retries: ${R:--1}\n    ports:\n      - target: -1\n      - target: 80\n    deploy:\n      update_config:\n        parallelism: \"-2\"\n    blkio_config:\n      weight: \"5\"\n      weight_device:\n        - path: /dev/sda\n          weight: 5\n";
    assert_eq!(found(text), ["5:16", "7:17", "11:22", "13:15"]);
    let d = run(text);
    assert!(
        d[0].message.contains("'uint64': -1 overflows uint"),
        "{}",
        d[0].message
    );
    assert_eq!(d[0].service.as_deref(), Some("a.b"));
    assert!(d[3].message.contains("got unconvertible type 'string'"));
    assert_eq!(
        super::unsigned_at("services.a.b.ports.0.target"),
        Some("uint32")
    );
    assert_eq!(super::unsigned_at("services.ports.0.target"), None);
    assert_eq!(super::unsigned_at("services.a.ports.x.target"), None);
}

#[test]
fn every_place_compose_casts_to_a_boolean_takes_a_boolean() {
    // The cast check validates only the numbers it reads from variables: this is why.
    let text = "services:\n  a:\n    image: x\n    privileged: true\n    read_only: true\n    stdin_open: true\n    tty: true\n    init: true\n    oom_kill_disable: true\n    healthcheck:\n      disable: true\n    volumes:\n      - type: volume\n        source: v\n        target: /v\n        read_only: true\n        volume:\n          nocopy: true\nvolumes:\n  v:\n    external: true\nnetworks:\n  n:\n    external: true\n    internal: true\n    attachable: true\n    enable_ipv4: true\n    enable_ipv6: true\nsecrets:\n  s:\n    external: true\nconfigs:\n  c:\n    external: true\n";
    assert_eq!(found(text), Vec::<String>::new());
}

#[test]
fn a_name_ends_with_a_space_as_compose_go_reads_its_last_byte() {
    use super::ends_with_go_space;
    for name in ["A ", "A\t", "VOILà", "A\u{a0}", "A\u{85}"] {
        assert!(ends_with_go_space(name), "{name:?}");
    }
    for name in ["A", " A", "A\u{3000}", "", "é"] {
        assert!(!ends_with_go_space(name), "{name:?}");
    }
}
