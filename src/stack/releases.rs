//! What milvet knows of etcd, Milvus and MinIO releases: the faults fixed in later patches,
//! the newest patch of each minor line, and the steps an upgrade must take. The knowledge is
//! data (`rules/data/releases.toml`), compiled in by `build.rs` with its versions parsed.

use super::version::{Numbered, Version};
use crate::diagnostic::Severity;
use std::cmp::Ordering;
use std::sync::OnceLock;

/// The release data as written in the repository.
pub const TEXT: &str = include_str!("../../rules/data/releases.toml");

/// The data built into the binary, as read (for the test that it is the file's).
#[cfg(test)]
pub(crate) fn built_in() -> RawFile {
    generated::raw()
}

/// A known fault of a range of releases.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// The minor line (`(3, 5)`).
    pub line: (u64, u64),
    pub from: Option<Version>,
    pub fixed: Version,
    pub severity: Severity,
    /// Only a one-member etcd has it.
    pub single_member: bool,
    pub what: String,
    pub source: String,
}

/// One product's releases.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Product {
    /// The newest patch of each minor line, ascending.
    pub newest: Vec<Version>,
    /// Faults fixed in a later patch, by line then fixed version.
    pub faults: Vec<Fault>,
    /// Releases with the unauthenticated management API (CVE-2026-26190), by line.
    pub vulnerable: Vec<Fault>,
}

/// Everything the file says.
#[derive(Clone, Debug, PartialEq)]
pub struct Releases {
    /// When the knowledge was last checked against upstream (`2026-12-01`).
    pub checked: String,
    pub etcd: Product,
    pub milvus: Product,
    /// The release Milvus 2.6 needs before going to 2.6.
    pub upgrade_to_2_6_from: Version,
    /// The line that needs the metadata migration when leaving it.
    pub meta_migration_line: (u64, u64),
    /// Releases before this need the MinIO data-format migration.
    pub minio_migration_before: Version,
    /// The oldest MinIO release Woodpecker can store its log on.
    pub woodpecker_minimum: Version,
}

use super::releases_raw::{RawFault, RawFile};

/// The release data as `build.rs` read it from `rules/data/releases.toml`: no TOML is parsed
/// when milvet runs.
#[cfg_attr(not(test), allow(dead_code))]
mod generated {
    use super::super::releases_raw::{RawFault, RawFile, RawMilvus, RawMinio, RawProduct};
    include!(concat!(env!("OUT_DIR"), "/releases_raw.rs"));
}

/// The same, its versions parsed at build time: what [`digest`] makes of it.
mod digested {
    use super::super::version::{Numbered, Version};
    use super::{Fault, Product, Releases};
    use crate::diagnostic::Severity;
    include!(concat!(env!("OUT_DIR"), "/releases.rs"));
}

/// The ordering releases are compared with here: a `-hotfix` build comes after its release,
/// a pre-release before it; `None` for versions that do not compare.
pub fn compare(a: &Version, b: &Version) -> Option<Ordering> {
    match (a, b) {
        (Version::Numbered(x), Version::Numbered(y)) => Some(key(x).cmp(&key(y))),
        _ => a.partial_cmp(b),
    }
}

fn key(n: &Numbered) -> (u64, u64, u64, u8) {
    let rank = if n.pre.is_some() {
        0
    } else if n.build.as_deref().is_some_and(|b| {
        b.split(['-', '.'])
            .any(|w| w.eq_ignore_ascii_case("hotfix"))
    }) {
        2
    } else {
        1
    };
    (
        n.major,
        n.minor.unwrap_or(u64::MAX),
        n.patch.unwrap_or(u64::MAX),
        rank,
    )
}

fn before(a: &Version, b: &Version) -> bool {
    compare(a, b) == Some(Ordering::Less)
}

/// The minor line of a numbered version with a minor.
pub fn line_of(v: &Version) -> Option<(u64, u64)> {
    match v {
        Version::Numbered(n) => Some((n.major, n.minor?)),
        Version::Dated(_) => None,
    }
}

fn parse_line(s: &str) -> Result<(u64, u64), String> {
    let (a, b) = s
        .split_once('.')
        .ok_or_else(|| format!("line {s:?} is not MAJOR.MINOR"))?;
    Ok((
        a.parse()
            .map_err(|_| format!("line {s:?} is not MAJOR.MINOR"))?,
        b.parse()
            .map_err(|_| format!("line {s:?} is not MAJOR.MINOR"))?,
    ))
}

fn version(s: &str) -> Result<Version, String> {
    Version::parse(s).ok_or_else(|| format!("{s:?} is not a version"))
}

fn fault(r: RawFault) -> Result<Fault, String> {
    let severity = match r.severity.as_str() {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        s => return Err(format!("severity {s:?} is not error, warning or info")),
    };
    let line = parse_line(&r.line)?;
    let fixed = version(&r.fixed)?;
    let from = r.from.as_deref().map(version).transpose()?;
    for v in [Some(&fixed), from.as_ref()].into_iter().flatten() {
        if line_of(v) != Some(line) {
            return Err(format!("{v} is not in the line {}", r.line));
        }
    }
    if let Some(f) = &from
        && !before(f, &fixed)
    {
        return Err(format!("from {f} is not before fixed {fixed}"));
    }
    if r.what.trim().is_empty() || r.source.trim().is_empty() {
        return Err(format!(
            "the fault fixed in {fixed} needs `what` and `source`"
        ));
    }
    Ok(Fault {
        line,
        from,
        fixed,
        severity,
        single_member: r.single_member,
        what: r.what,
        source: r.source,
    })
}

fn faults(raw: Vec<RawFault>) -> Result<Vec<Fault>, String> {
    let faults: Vec<Fault> = raw.into_iter().map(fault).collect::<Result<_, _>>()?;
    for w in faults.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if (a.line, key_of(&a.fixed)) > (b.line, key_of(&b.fixed)) {
            return Err(format!(
                "faults out of order: the one fixed in {} comes after the one fixed in {}",
                b.fixed, a.fixed
            ));
        }
    }
    Ok(faults)
}

fn key_of(v: &Version) -> (u64, u64, u64, u8) {
    match v {
        Version::Numbered(n) => key(n),
        Version::Dated(_) => (0, 0, 0, 0),
    }
}

fn newest(raw: &[String]) -> Result<Vec<Version>, String> {
    let vs: Vec<Version> = raw.iter().map(|s| version(s)).collect::<Result<_, _>>()?;
    for v in &vs {
        match v {
            Version::Numbered(n) if n.patch.is_some() && n.pre.is_none() && n.build.is_none() => {}
            _ => return Err(format!("newest {v} is not a MAJOR.MINOR.PATCH release")),
        }
    }
    for w in vs.windows(2) {
        if line_of(&w[0]) >= line_of(&w[1]) {
            return Err(format!("newest {} and {} out of order", w[0], w[1]));
        }
    }
    Ok(vs)
}

/// Parse and check the release data.
pub fn parse(text: &str) -> Result<Releases, String> {
    digest(toml::from_str(text).map_err(|e| e.to_string())?)
}

/// Check the release data as read, and turn it into versions.
fn digest(raw: RawFile) -> Result<Releases, String> {
    let checked = raw.checked;
    let date_shape = checked.len() == 10
        && checked.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !date_shape {
        return Err(format!("checked {checked:?} is not YYYY-MM-DD"));
    }
    let etcd = Product {
        newest: newest(&raw.etcd.newest)?,
        faults: faults(raw.etcd.fault)?,
        vulnerable: Vec::new(),
    };
    let milvus = Product {
        newest: newest(&raw.milvus.newest)?,
        faults: faults(raw.milvus.fault)?,
        vulnerable: faults(raw.milvus.vulnerable)?,
    };
    for p in [&etcd, &milvus] {
        for f in p.faults.iter().chain(&p.vulnerable) {
            // A fix must exist: it is at most the newest patch milvet knows of its line.
            if let Some(n) = p.newest.iter().find(|n| line_of(n) == Some(f.line))
                && before(n, &f.fixed)
                && compare(n, &f.fixed).is_some()
                && !(line_of(n) == line_of(&f.fixed) && key_of(n).2 == key_of(&f.fixed).2)
            {
                return Err(format!(
                    "the fault fixed in {} is newer than the newest patch {n}",
                    f.fixed
                ));
            }
        }
    }
    let woodpecker_minimum = version(&raw.minio.woodpecker_minimum)?;
    if !matches!(woodpecker_minimum, Version::Dated(_)) {
        return Err("minio.woodpecker_minimum is not a RELEASE.<date> tag".into());
    }
    Ok(Releases {
        checked,
        etcd,
        milvus,
        upgrade_to_2_6_from: version(&raw.milvus.upgrade_to_2_6_from)?,
        meta_migration_line: parse_line(&raw.milvus.meta_migration_line)?,
        minio_migration_before: version(&raw.milvus.minio_migration_before)?,
        woodpecker_minimum,
    })
}

/// The release data, built from the compiled-in values the first time it is needed.
pub fn get() -> &'static Releases {
    static RELEASES: OnceLock<Releases> = OnceLock::new();
    RELEASES.get_or_init(digested::digested)
}

impl Fault {
    /// Whether the release `v` has this fault.
    pub fn affects(&self, v: &Version) -> bool {
        line_of(v) == Some(self.line)
            && self.from.as_ref().is_none_or(|f| !before(v, f))
            && before(v, &self.fixed)
    }
}

impl Product {
    /// The faults `v` has that a later patch of its line fixes.
    pub fn faults_of(&self, v: &Version) -> Vec<&Fault> {
        self.faults.iter().filter(|f| f.affects(v)).collect()
    }

    /// The newest patch milvet knows of `v`'s minor line.
    pub fn newest_of(&self, v: &Version) -> Option<&Version> {
        let line = line_of(v)?;
        self.newest.iter().find(|n| line_of(n) == Some(line))
    }
}

impl Releases {
    /// Whether the Milvus release `v` has the unauthenticated management API: a release of a
    /// listed line before its fix, or of a line older than every listed one.
    pub fn milvus_vulnerable(&self, v: &Version) -> Option<bool> {
        let line = line_of(v)?;
        let first = self.milvus.vulnerable.first()?.line;
        if line < first {
            return Some(true);
        }
        Some(self.milvus.vulnerable.iter().any(|f| f.affects(v)))
    }

    /// The upgrade path of a Milvus release, as sentences in order.
    pub fn milvus_upgrade_path(&self, v: &Version) -> Vec<String> {
        let Some(line) = line_of(v) else {
            return Vec::new();
        };
        let Version::Numbered(n) = v else {
            return Vec::new();
        };
        if n.pre.is_some() {
            return vec![format!(
                "{v} is a pre-release, and the Milvus documentation says release candidates \
                 cannot be upgraded in place (2.6.0-rc1): deploy a release in a new stack and \
                 move the data to it (for example with milvus-backup) rather than changing the tag"
            )];
        }
        let show = |x: &Version| format!("v{x}");
        let mut steps = Vec::new();
        if let Some(newest) = self.milvus.newest_of(v)
            && before(v, newest)
        {
            steps.push(format!(
                "first {} (the newest {}.{} patch)",
                show(newest),
                line.0,
                line.1
            ));
        }
        let later: Vec<&Version> = self
            .milvus
            .newest
            .iter()
            .filter(|x| line_of(x) > Some(line))
            .collect();
        if !later.is_empty() {
            let mut hops = Vec::new();
            for x in later {
                let mut hop = show(x);
                let l = line_of(x);
                if line == self.meta_migration_line
                    && l == Some((self.meta_migration_line.0, self.meta_migration_line.1 + 1))
                {
                    hop.push_str(
                        " (leaving 2.1 needs the metadata migration with \
                         milvusdb/meta-migration:v2.2.0)",
                    );
                }
                if before(v, &self.minio_migration_before)
                    && !before(x, &self.minio_migration_before)
                    && line_of(x) == line_of(&self.minio_migration_before)
                {
                    hop.push_str(&format!(
                        " (from a release before {}, MinIO's data format must first be \
                         migrated to RELEASE.2023-03-20T20-16-18Z)",
                        show(&self.minio_migration_before)
                    ));
                }
                if line_of(x) == line_of(&self.upgrade_to_2_6_from).map(|(a, b)| (a, b + 1)) {
                    hop.push_str(&format!(
                        " (2.6 only from {} or later, keeping the same message queue)",
                        show(&self.upgrade_to_2_6_from)
                    ));
                }
                hops.push(hop);
            }
            steps.push(format!(
                "then, to move on, one minor line at a time, each at its newest patch: {}",
                hops.join(", then ")
            ));
        }
        steps
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn render_faults(out: &mut String, faults: &[Fault]) {
    out.push_str("line  affected                  severity  what (source)\n");
    for f in faults {
        let from = f
            .from
            .as_ref()
            .map_or_else(|| format!("{}.{}.0", f.line.0, f.line.1), |v| v.to_string());
        let range = format!("{from} .. before {}", f.fixed);
        let member = if f.single_member {
            " [one-member etcd only]"
        } else {
            ""
        };
        out.push_str(&format!(
            "{:<5} {:<25} {:<9} {}{member} ({})\n",
            format!("{}.{}", f.line.0, f.line.1),
            range,
            severity_word(f.severity),
            f.what,
            f.source
        ));
    }
}

impl Releases {
    /// The part of the release data a rule reads, as `milvet rules <id>` prints it.
    pub fn table_for(&self, rule: &str) -> Option<String> {
        let newest = |p: &Product| {
            p.newest
                .iter()
                .map(|v| format!("v{v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = format!(
            "\n## Release data (rules/data/releases.toml, checked {})\n\n",
            self.checked
        );
        match rule {
            "etcd-version-data-loss" => {
                out.push_str(&format!(
                    "newest patch per line: {}\n\n",
                    newest(&self.etcd)
                ));
                render_faults(&mut out, &self.etcd.faults);
            }
            "milvus-version-data-loss" => {
                out.push_str(&format!(
                    "newest patch per line: {}\nto reach 2.6: v{} or later first, same message \
                     queue; leaving {}.{}: metadata migration; before v{}: MinIO data-format \
                     migration\n\n",
                    newest(&self.milvus),
                    self.upgrade_to_2_6_from,
                    self.meta_migration_line.0,
                    self.meta_migration_line.1,
                    self.minio_migration_before
                ));
                render_faults(&mut out, &self.milvus.faults);
            }
            "milvus-management-port-exposed" => {
                out.push_str("lines older than the first listed one are all vulnerable\n\n");
                render_faults(&mut out, &self.milvus.vulnerable);
            }
            "woodpecker-minio-too-old" => {
                out.push_str(&format!(
                    "oldest MinIO release Woodpecker can store its log on: {}\n",
                    self.woodpecker_minimum
                ));
            }
            _ => return None,
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_release_data_is_well_formed_and_ordered() {
        let r = parse(TEXT).unwrap();
        assert_eq!(r.checked, "2026-12-01");
        assert_eq!(r.etcd.newest, vec![Version::known("v3.5.25")]);
        assert_eq!(r.milvus.newest.len(), 7);
        assert!(!r.milvus.faults.is_empty() && !r.etcd.faults.is_empty());
    }

    /// The data built into the binary is what `rules/data/releases.toml` says now: editing the
    /// file is the only way to change it.
    #[test]
    fn the_built_in_data_is_the_file() {
        let read: RawFile = toml::from_str(TEXT).unwrap();
        assert_eq!(built_in(), read);
        assert_eq!(
            read.to_rust(),
            include_str!(concat!(env!("OUT_DIR"), "/releases_raw.rs"))
        );
        assert!(!read.milvus.fault.is_empty());
        // What milvet uses is what the checks of `digest` make of the file, parsed at build
        // time.
        assert_eq!(*get(), parse(TEXT).unwrap());
        assert_eq!(
            read.to_digested_rust(),
            include_str!(concat!(env!("OUT_DIR"), "/releases.rs"))
        );
        let from_build = get();
        let from_text = parse(TEXT).unwrap();
        assert_eq!(from_build.checked, from_text.checked);
        assert_eq!(from_build.milvus.newest, from_text.milvus.newest);
        assert_eq!(
            from_build.milvus.faults.len(),
            from_text.milvus.faults.len()
        );
    }

    #[test]
    fn malformed_data_is_refused() {
        let swap = TEXT.replacen("fixed = \"v2.3.4\"", "fixed = \"v2.3.99\"", 1);
        assert!(parse(&swap).unwrap_err().contains("out of order"));
        let bad_line = TEXT.replacen("fixed = \"v2.3.4\"", "fixed = \"v2.4.4\"", 1);
        assert!(parse(&bad_line).unwrap_err().contains("not in the line"));
        let sev = TEXT.replacen("severity = \"info\"", "severity = \"fatal\"", 1);
        assert!(parse(&sev).unwrap_err().contains("severity"));
        let newer = TEXT.replacen("\"v2.3.22\"", "\"v2.3.10\"", 1);
        assert!(parse(&newer).unwrap_err().contains("newest patch"));
        let unknown = TEXT.replacen("checked =", "chekced =", 1);
        assert!(parse(&unknown).is_err());
    }

    #[test]
    fn hotfix_comes_after_its_release() {
        let v = Version::known;
        let r = get();
        let has = |tag: &str| {
            r.milvus
                .faults_of(&v(tag))
                .iter()
                .any(|f| f.fixed == v("v2.4.13-hotfix"))
        };
        assert!(has("v2.4.13"));
        assert!(!has("v2.4.13-hotfix"));
        assert!(!has("v2.4.12"));
        assert!(!has("v2.4.14"));
    }

    #[test]
    fn upgrade_paths() {
        let r = get();
        let path = |tag: &str| r.milvus_upgrade_path(&Version::known(tag)).join("; ");
        assert_eq!(
            path("v2.3.3"),
            "first v2.3.22 (the newest 2.3 patch); then, to move on, one minor line at a time, \
             each at its newest patch: v2.4.24, then v2.5.27, then v2.6.22 (2.6 only from \
             v2.5.16 or later, keeping the same message queue)"
        );
        assert!(path("v2.1.2").contains("v2.2.16 (leaving 2.1 needs the metadata migration"));
        assert!(path("v2.1.2").contains("MinIO's data format must first be migrated"));
        assert!(!path("v2.2.5").contains("MinIO's data format"));
        assert!(path("v2.6.0-rc1").contains("release candidates cannot be upgraded"));
        assert_eq!(path("v2.6.22"), "");
    }
}
