//! Inputs the fuzz targets (`fuzz/`) found, minimised, each with what must hold for it; and
//! where the minimised input hides a realistic file with the same problem, that file too.
//!
//! Fixing must be idempotent: `milvet check --fix --unsafe-fixes` run twice leaves the file as
//! the first run did, and a fix milvet offers can be applied.

use milvet::check::Options;
use milvet::fix::FixPolicy;

/// Fix `text` as `milvet check --fix --unsafe-fixes` does: the fixed text, or why not.
fn fix(text: &str) -> Result<String, String> {
    milvet::check::fix_text(text, &Options::default(), FixPolicy { unsafe_fixes: true })
        .map(|fixed| fixed.texts.into_iter().next().unwrap_or_default())
        .map_err(|e| e.to_string())
}

/// Fix `text`, then fix the result: both must succeed and the second must change nothing.
fn assert_fixes_idempotently(text: &str) {
    let once = fix(text).unwrap_or_else(|e| panic!("fixing fails: {e}\n{text}"));
    let twice = fix(&once).unwrap_or_else(|e| panic!("fixing the fixed text fails: {e}\n{once}"));
    assert_eq!(twice, once, "fixing twice changes the text");
}

/// Found by the `fix` target: five MinIO data paths, so five fixes that each add a mount at the
/// same byte. A pass takes one of them; after the last of the four passes one is left, and the
/// next `--fix` run applies it (the first run's summary also says "1 more fix with
/// --unsafe-fixes", though that flag was given).
#[test]

fn five_minio_data_paths() {
    assert_fixes_idempotently(
        "services:\n d:\n        image: minio/minio\n        command: server a sa r d /",
    );
}

/// Found by the `fix` target, then written as a real file would be: a five-member etcd cluster
/// in a file that uses named volumes. Each fix declares its volume under the top-level
/// `volumes:`, at the same byte; the first `--fix` run applies four, the second the fifth.
#[test]

fn five_etcd_services_with_named_volumes() {
    let mut text = String::from("services:\n");
    for i in 1..=5 {
        text.push_str(&format!(
            "  etcd{i}:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment:\n      - \
             ETCD_AUTO_COMPACTION_MODE=revision\n      - ETCD_AUTO_COMPACTION_RETENTION=1000\n"
        ));
    }
    text.push_str("volumes:\n  minio-data:\n");
    assert_fixes_idempotently(&text);
}

/// Found by the `fix` target (`command: minio server /m \` !- s ""`, minimised further by
/// hand): the empty word `""` is taken for a MinIO data path, reported as not persisted, and
/// given a fix that mounts a volume at the empty path, which cannot remove the finding, so
/// fixing the file is refused.
#[test]

fn empty_minio_data_path() {
    assert_fixes_idempotently(
        "services:\n  minio:\n    image: minio/minio\n    command: minio server \"\"\n",
    );
    assert_fixes_idempotently("services:\n o:\n   command: minio server /m ` !- s \"\"");
}

/// Found by the `fix` target with the structure-aware mutator (an anchor on a whole etcd
/// service, merged by a service added after it; minimised by hand): etcd's tmpfs at its data
/// directory reaches `other` through `<<: *base`, and the fix for `other` removed the `tmpfs:`
/// entry where it is written, in etcd's mapping, so etcd lost its mount. A mount written
/// outside the service is not removed there: the fix is unavailable, with why. (etcd's own fix
/// is unavailable too: its mapping, with a `<<` inside, cannot be copied for `other`.)
#[test]
fn a_tmpfs_merged_from_another_service_is_not_removed_from_it() {
    let text = "services:\n  etcd: &base\n    <<: {image: merged}\n    image: quay.io/coreos/etcd:v3.5.18\n    command: etcd --data-dir /etcd\n    tmpfs: /etcd\n  other:\n    <<: *base\n    image: busybox\n";
    let fixed = fix(text).unwrap();
    assert_eq!(
        fixed,
        "services:\n  etcd: &base\n    <<: {image: merged}\n    image: quay.io/coreos/etcd:v3.5.18\n    command: etcd --data-dir /etcd\n    tmpfs: /etcd\n  other:\n    <<: *base\n    image: busybox\n    environment:\n      - ETCD_AUTO_COMPACTION_MODE=revision\n      - ETCD_AUTO_COMPACTION_RETENTION=1000\n"
    );
    assert_fixes_idempotently(text);
    let diagnostics = milvet::check::check_text(
        text,
        milvet::discover::FileKind::Compose,
        &Options::default(),
    )
    .unwrap();
    let why: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.rule == "etcd-data-not-persisted" && d.service.as_deref() == Some("other"))
        .filter_map(|d| d.fix.as_ref().map(|f| f.description.as_str()))
        .collect();
    assert_eq!(
        why,
        [
            "the tmpfs mount at `/etcd` is written outside this service, in a mapping it merges or \
          extends, where removing it would change every service that uses that mapping: give the \
          service a `tmpfs` of its own without it, and mount \
          `${DOCKER_VOLUME_DIRECTORY:-.}/volumes/other:/etcd`, by hand"
        ]
    );
}

/// Seen while minimising the case above: a `type: tmpfs` item of etcd's `volumes`, anchored
/// and aliased by another service, was rewritten in place, so the other service mounted etcd's
/// data directory too. The alias now gets a copy of the list as it was.
#[test]
fn a_shared_volumes_list_with_a_tmpfs_item_is_split_before_the_item_is_replaced() {
    let text = "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment:\n      - ETCD_AUTO_COMPACTION_MODE=revision\n      - ETCD_AUTO_COMPACTION_RETENTION=1000\n    command: etcd --data-dir /etcd\n    volumes: &v\n      - type: tmpfs\n        target: /etcd\n  other:\n    image: busybox\n    volumes: *v\n";
    assert_eq!(
        fix(text).unwrap(),
        "services:\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    environment:\n      - ETCD_AUTO_COMPACTION_MODE=revision\n      - ETCD_AUTO_COMPACTION_RETENTION=1000\n    command: etcd --data-dir /etcd\n    volumes: &v\n      - ${DOCKER_VOLUME_DIRECTORY:-.}/volumes/etcd:/etcd\n  other:\n    image: busybox\n    volumes: [{type: tmpfs, target: /etcd}]\n"
    );
    assert_fixes_idempotently(text);
}

/// Found by the `fix` target with the structure-aware mutator (MinIO's `healthcheck` anchored,
/// merged into etcd's with `<<`; minimised by hand): etcd's curl test, which etcd's image
/// cannot run, was replaced where it is written, in MinIO's healthcheck, so MinIO's test became
/// `etcdctl`. A test written outside the service is not rewritten: the fix is unavailable.
#[test]
fn a_healthcheck_test_merged_from_another_service_is_not_rewritten_there() {
    let text = "services:\n  minio:\n    image: minio/minio:RELEASE.2023-03-20T20-16-18Z\n    command: minio server /minio_data\n    healthcheck: &x3\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:9000/minio/health/live\"]\n      interval: 30s\n    volumes:\n      - minio-data:/minio_data\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    healthcheck:\n      <<: *x3\n      retries: 3\nvolumes:\n  minio-data:\n";
    assert_eq!(
        fix(text).unwrap(),
        "services:\n  minio:\n    image: minio/minio:RELEASE.2023-03-20T20-16-18Z\n    command: minio server /minio_data\n    healthcheck: &x3\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:9000/minio/health/live\"]\n      interval: 30s\n    volumes:\n      - minio-data:/minio_data\n  etcd:\n    image: quay.io/coreos/etcd:v3.5.18\n    healthcheck:\n      <<: *x3\n      retries: 3\n    environment:\n      - ETCD_AUTO_COMPACTION_MODE=revision\n      - ETCD_AUTO_COMPACTION_RETENTION=1000\n    volumes:\n      - etcd-data:/var/lib/etcd\nvolumes:\n  minio-data:\n  etcd-data:\n"
    );
    assert_fixes_idempotently(text);
}
