//! `etcd-quota-backend-bytes`: in a Milvus stack, etcd's backend quota is left at its 2 GiB
//! default, or set above the 8 GiB etcd warns about.

use super::{Context, DiagnosticExt, Rule, RuleMeta, service_anchor};
use crate::diagnostic::{Diagnostic, Severity};

pub struct EtcdQuotaBackendBytes;

static META: RuleMeta = RuleMeta {
    id: "etcd-quota-backend-bytes",
    severity: Severity::Info,
    summary: "etcd's backend quota is the 2 GiB default (Milvus uses 4 GiB), or above 8 GiB",
    doc: include_str!("../../rules/etcd-quota-backend-bytes.md"),
};

const GIB: i128 = 1 << 30;

/// An integer as Go's `strconv.ParseInt(s, 0, 64)` reads it (etcd's flag is an int64):
/// decimal, `0x` hex, `0o`/`0` octal, `0b` binary, `_` between digits.
fn parse_go_int(s: &str) -> Option<i128> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (radix, digits) = if let Some(r) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        (2, r)
    } else if let Some(r) = s.strip_prefix("0o").or_else(|| s.strip_prefix("0O")) {
        (8, r)
    } else if s.len() > 1 && s.starts_with('0') {
        (8, &s[1..])
    } else {
        (10, s)
    };
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    let v = i128::from_str_radix(&clean, radix).ok()?;
    (v <= i64::MAX as i128).then_some(if neg { -v } else { v })
}

impl Rule for EtcdQuotaBackendBytes {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.milvus {
            return;
        }
        for etcd in &cx.etcd {
            if etcd.config_file().is_some() {
                continue;
            }
            let s = etcd.service;
            let setting = etcd.setting("quota-backend-bytes");
            if super::unknowable(cx, setting.as_ref().and_then(|x| x.origin())) {
                continue;
            }
            let help = "set `ETCD_QUOTA_BACKEND_BYTES=4294967296` (4 GiB) as the official Milvus \
                        compose file and Helm chart do, keep auto-compaction on, and watch the \
                        database size";
            let value = setting.as_ref().map(|x| x.value.trim().to_string());
            let parsed = value.as_deref().map(parse_go_int);
            let (origin, message, severity) = match (&setting, parsed) {
                (None, _) | (Some(_), Some(Some(0))) => (
                    setting
                        .as_ref()
                        .and_then(|x| x.origin())
                        .or(s.environment.key)
                        .unwrap_or_else(|| service_anchor(s)),
                    format!(
                        "etcd's backend quota for service `{}` is {}: etcd's default of 2 GiB, \
                         half of what Milvus's own deployments give it (4 GiB). When the \
                         database reaches the quota etcd raises a NOSPACE alarm and refuses \
                         every write (\"mvcc: database space exceeded\", milvus-io/milvus \
                         #14195): Milvus can no longer record anything",
                        s.name.value,
                        if setting.is_none() { "not set" } else { "0" }
                    ),
                    Severity::Info,
                ),
                (Some(x), Some(Some(v))) if v > 8 * GIB => (
                    x.origin().unwrap_or_else(|| service_anchor(s)),
                    format!(
                        "etcd's backend quota for service `{}` is {v} bytes, above 8 GiB: etcd \
                         only warns (\"exceeded recommended quota\"), and a database that large \
                         makes start-up, defragmentation and snapshots slow, so recovery after a \
                         power cut takes much longer",
                        s.name.value
                    ),
                    Severity::Warning,
                ),
                _ => continue,
            };
            let mut d = META.diagnostic(origin, message);
            d.severity = severity;
            out.push(d.service(s).label("backend quota").help(help));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_go_int;

    #[test]
    fn go_integers() {
        assert_eq!(parse_go_int("4294967296"), Some(4294967296));
        assert_eq!(parse_go_int("0x100000000"), Some(4294967296));
        assert_eq!(parse_go_int("0"), Some(0));
        assert_eq!(parse_go_int("010"), Some(8));
        assert_eq!(parse_go_int("8_589_934_592"), Some(8589934592));
        assert_eq!(parse_go_int("4G"), None);
        assert_eq!(parse_go_int(""), None);
    }
}
