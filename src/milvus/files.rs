//! Which configuration files a Milvus release reads from its configuration directory, and in
//! which order (`rules/data/milvus-config-files.txt`).
//!
//! Milvus 2.0–2.2 read `milvus.yaml` alone; 2.3.0 read `milvus.yaml`, `default.yaml` and
//! `user.yaml`; 2.3.1 to 2.4.0 `milvus.yaml` alone again; 2.4.1 on the three again, and 2.5.0
//! on `milvus.yaml`, `_test.yaml`, `default.yaml`, `user.yaml` (`defaultYaml` in
//! pkg/util/paramtable/base_table.go at each tag). A file of the list that is not there is
//! skipped; a file that is not on the list is never read, whatever it holds.

use super::ConfigKind;
use crate::stack::version::{ImageVersion, Version};
use std::sync::OnceLock;

/// The data file, as the repository holds it.
pub const DATA: &str = include_str!("../../rules/data/milvus-config-files.txt");

/// One row: the files read from `from` up to the next row's version.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The first release of the row, as written (`2.4.1`).
    pub from: &'static str,
    version: Version,
    /// The files, in load order.
    pub files: Vec<ConfigKind>,
}

impl Row {
    /// Whether the release reads `kind`.
    pub fn reads(&self, kind: ConfigKind) -> bool {
        self.files.contains(&kind)
    }

    /// The file names, joined for a message (`milvus.yaml`, `milvus.yaml < user.yaml`).
    pub fn describe(&self) -> String {
        self.files
            .iter()
            .map(|k| k.file_name())
            .collect::<Vec<_>>()
            .join(" < ")
    }
}

/// Read the data file: `VERSION<tab>FILE FILE ...` rows in increasing version, `#` comments.
pub fn parse(text: &'static str) -> Result<Vec<Row>, String> {
    let mut rows: Vec<Row> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (from, files) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("line {}: `VERSION FILE...`", n + 1))?;
        let version = Version::parse(from)
            .filter(|v| matches!(v, Version::Numbered(_)))
            .ok_or_else(|| format!("line {}: `{from}` is no version", n + 1))?;
        let files = files
            .split_whitespace()
            .map(|f| {
                ConfigKind::of_file_name(f)
                    .ok_or_else(|| format!("line {}: `{f}` is no configuration file", n + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if files.first() != Some(&ConfigKind::MilvusYaml) || !files.is_sorted() {
            return Err(format!(
                "line {}: the files start with milvus.yaml, in load order",
                n + 1
            ));
        }
        if let Some(prev) = rows.last()
            && prev.version.partial_cmp(&version) != Some(std::cmp::Ordering::Less)
        {
            return Err(format!("line {}: versions must increase", n + 1));
        }
        rows.push(Row {
            from,
            version,
            files,
        });
    }
    if rows.is_empty() {
        return Err("no rows".into());
    }
    Ok(rows)
}

/// Every row, oldest first.
pub fn rows() -> &'static [Row] {
    static ROWS: OnceLock<Vec<Row>> = OnceLock::new();
    ROWS.get_or_init(|| parse(DATA).expect("rules/data/milvus-config-files.txt reads"))
}

/// The releases that read `kind`, for a message: `from 2.3.0 up to 2.3.1 and from 2.4.1 on`.
pub fn releases_reading(kind: ConfigKind) -> String {
    let rows = rows();
    let mut ranges: Vec<String> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        if !rows[i].reads(kind) {
            i += 1;
            continue;
        }
        let start = rows[i].from;
        while i < rows.len() && rows[i].reads(kind) {
            i += 1;
        }
        ranges.push(match rows.get(i) {
            Some(end) => format!("from {start} up to {}", end.from),
            None => format!("from {start} on"),
        });
    }
    if ranges.is_empty() {
        return "in no release".into();
    }
    ranges.join(" and ")
}

/// The files an image version reads: the row of the newest `from` not after it. A version
/// older than every row takes the first; `latest`, an unknown tag or a date the newest row.
pub fn read_by(version: &ImageVersion) -> &'static Row {
    let rows = rows();
    let newest = &rows[rows.len() - 1];
    let Some(v @ Version::Numbered(_)) = version.version() else {
        return newest;
    };
    rows.iter()
        .rev()
        .find(|r| {
            matches!(
                r.version.partial_cmp(v),
                Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
            )
        })
        .unwrap_or(&rows[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(tag: &str) -> String {
        read_by(&ImageVersion::Tagged(Version::parse(tag).unwrap())).describe()
    }

    #[test]
    fn the_files_of_each_release() {
        assert_eq!(of("v2.2.16"), "milvus.yaml");
        assert_eq!(of("v2.3.0"), "milvus.yaml < default.yaml < user.yaml");
        assert_eq!(of("v2.3.3"), "milvus.yaml");
        assert_eq!(of("v2.4.0"), "milvus.yaml");
        assert_eq!(of("v2.4.1"), "milvus.yaml < default.yaml < user.yaml");
        assert_eq!(of("v2.4"), "milvus.yaml < default.yaml < user.yaml");
        assert_eq!(
            of("v2.5.27"),
            "milvus.yaml < _test.yaml < default.yaml < user.yaml"
        );
        assert_eq!(of("1.1.0"), "milvus.yaml");
        assert_eq!(
            read_by(&ImageVersion::Latest).describe(),
            "milvus.yaml < _test.yaml < default.yaml < user.yaml"
        );
    }

    #[test]
    fn releases_reading_each_file() {
        assert_eq!(
            releases_reading(ConfigKind::UserYaml),
            "from 2.3.0 up to 2.3.1 and from 2.4.1 on"
        );
        assert_eq!(releases_reading(ConfigKind::TestYaml), "from 2.5.0 on");
        assert_eq!(releases_reading(ConfigKind::MilvusYaml), "from 2.0.0 on");
    }

    #[test]
    fn malformed_rows_are_refused() {
        assert!(parse("2.0.0\tuser.yaml milvus.yaml\n").is_err());
        assert!(parse("2.0.0\tmilvus.yaml\n1.0.0\tmilvus.yaml\n").is_err());
        assert!(parse("2.0.0\tmilvus.yaml other.yaml\n").is_err());
        assert!(parse("latest\tmilvus.yaml\n").is_err());
        assert!(parse("# nothing\n").is_err());
    }
}
