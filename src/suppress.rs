//! The stage between the rules and the report: the configuration's rule set, per-file ignores
//! and severities, and the suppression comments written in the files.
//!
//! A suppression is a comment: `# milvet: ignore[rule-id, ...] reason` silences those rules'
//! findings on its own line (after content) or, on a line of its own, on the next line;
//! `# milvet: ignore-file[rule-id, ...] reason` silences them in the whole file. The same
//! comments work in `.env` and `env_file` files. A suppression without a reason is reported
//! (`suppression-without-reason`), and so is a rule id in one that silences nothing, or one
//! that is not a rule (`unused-suppression`, with a safe fix that removes it). A rule turned
//! off for the file by the configuration is not reported as unused: it might have fired.

use crate::compose::{FileId, Origin, dotenv};
use crate::config::{self, Settings};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::project::{Project, Role};
use crate::rules::{self, DiagnosticExt};
use crate::source::{LineIndex, Span};
use std::path::PathBuf;

/// What a suppression covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Its own line when it follows content, else the next line.
    Line,
    /// The whole file.
    File,
}

/// One rule id in a suppression, and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Id {
    pub id: String,
    pub span: Span,
}

/// A `# milvet: ...` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// From `#` to the end of the comment, line break excluded.
    pub span: Span,
    /// 1-based line of the `#`.
    pub line: usize,
    /// Whether nothing but blanks comes before it on its line.
    pub standalone: bool,
    /// `None` when the comment starts with `milvet:` but is not a suppression.
    pub scope: Option<Scope>,
    pub ids: Vec<Id>,
    /// The bytes between the brackets.
    pub list: Span,
    /// The text after `]`, trimmed; `None` when there is none.
    pub reason: Option<String>,
}

impl Directive {
    /// Whether it silences `rule` for a finding that starts on `line`.
    fn covers(&self, rule: &str, line: usize) -> Option<usize> {
        let here = match self.scope? {
            Scope::File => true,
            Scope::Line if self.standalone => self.line + 1 == line,
            Scope::Line => self.line == line,
        };
        if !here {
            return None;
        }
        self.ids.iter().position(|i| i.id == rule)
    }
}

/// Read a comment whose `#` is at `hash` in `text` and that ends at `end`; `None` when it is
/// not a `milvet:` comment.
pub fn directive(text: &str, lines: &LineIndex, hash: usize, end: usize) -> Option<Directive> {
    let body = text.get(hash + 1..end)?;
    let lead = body.len() - body.trim_start().len();
    let rest = body[lead..].strip_prefix("milvet:")?;
    let pos = lines.position(text, hash);
    let line_start = lines.line_start(pos.line).unwrap_or(hash);
    let standalone = text[line_start..hash].trim().is_empty();
    let mut d = Directive {
        span: Span::new(hash, end),
        line: pos.line,
        standalone,
        scope: None,
        ids: Vec::new(),
        list: Span::empty(hash),
        reason: None,
    };
    let after_colon = hash + 1 + lead + "milvet:".len();
    let trimmed = rest.trim_start();
    let word_at = after_colon + (rest.len() - trimmed.len());
    let (scope, tail) = if let Some(t) = trimmed.strip_prefix("ignore-file") {
        (Scope::File, t)
    } else if let Some(t) = trimmed.strip_prefix("ignore") {
        (Scope::Line, t)
    } else {
        return Some(d);
    };
    let open = word_at + (trimmed.len() - tail.len());
    let Some(inner) = tail.strip_prefix('[') else {
        return Some(d);
    };
    let Some(close) = inner.find(']') else {
        return Some(d);
    };
    let list_start = open + 1;
    let mut at = list_start;
    for part in inner[..close].split(',') {
        let id = part.trim();
        let start = at + (part.len() - part.trim_start().len());
        if !id.is_empty() {
            d.ids.push(Id {
                id: id.to_string(),
                span: Span::new(start, start + id.len()),
            });
        }
        at += part.len() + 1;
    }
    if d.ids.is_empty() {
        return Some(d);
    }
    d.scope = Some(scope);
    d.list = Span::new(list_start, list_start + close);
    let reason = inner[close + 1..].trim();
    d.reason = (!reason.is_empty()).then(|| reason.to_string());
    Some(d)
}

/// The `milvet:` comments of a loaded file: from the YAML tree's comments, or for an env file
/// from a scan that knows its quoting (a `#` inside a value is not a comment).
pub fn directives(project: &Project, file: usize) -> Vec<Directive> {
    let f = &project.files[file];
    let text: &str = &f.text;
    if !text.contains("milvet:") {
        return Vec::new();
    }
    let lines = LineIndex::new(text);
    match f.role {
        Role::Entry | Role::Referenced | Role::Mounted => f
            .tree
            .comments
            .iter()
            .filter_map(|c| directive(text, &lines, c.span.start, c.span.end))
            .collect(),
        Role::DotEnv | Role::EnvFile => env_comments(text)
            .into_iter()
            .filter_map(|(hash, end)| directive(text, &lines, hash, end))
            .collect(),
    }
}

/// The comments of an env file, as (`#`, end of line) byte offsets: a `#` outside every key
/// and value the dotenv reader sees. When the file does not parse, only lines that start with
/// `#` (after blanks) are taken.
pub fn env_comments(text: &str) -> Vec<(usize, usize)> {
    let spans: Option<Vec<std::ops::Range<usize>>> =
        dotenv::parse(text, &|_| None).ok().map(|entries| {
            entries
                .iter()
                .flat_map(|e| [e.key_span.clone(), e.value_span.clone()])
                .collect()
        });
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let end = start + content.len();
        let hash = match &spans {
            Some(spans) => content
                .match_indices('#')
                .map(|(i, _)| start + i)
                .find(|&p| !spans.iter().any(|s| s.start <= p && p < s.end)),
            None => {
                let lead = content.len() - content.trim_start().len();
                content[lead..].starts_with('#').then_some(start + lead)
            }
        };
        if let Some(h) = hash {
            out.push((h, end));
        }
        start += line.len();
    }
    out
}

/// Apply the configuration and the files' suppressions to a project's findings.
pub fn apply(project: &Project, settings: &Settings, diagnostics: &mut Vec<Diagnostic>) {
    let paths: Vec<PathBuf> = project
        .files
        .iter()
        .map(|f| settings.absolute(&f.path))
        .collect();
    let on = |rule: &str, file: FileId| {
        paths
            .get(file.0 as usize)
            .is_none_or(|p| settings.enabled(rule, p))
    };
    diagnostics.retain(|d| on(d.rule, d.origin.file));
    let mut found: Vec<(usize, Vec<Directive>, Vec<Vec<bool>>)> = Vec::new();
    for i in 0..project.files.len() {
        let ds = directives(project, i);
        if !ds.is_empty() {
            let used = ds.iter().map(|d| vec![false; d.ids.len()]).collect();
            found.push((i, ds, used));
        }
    }
    if !found.is_empty() {
        let mut index: Vec<Option<LineIndex>> = vec![None; project.files.len()];
        diagnostics.retain(|d| {
            let file = d.origin.file.0 as usize;
            let Some((_, ds, used)) = found.iter_mut().find(|(i, _, _)| *i == file) else {
                return true;
            };
            let text = &project.files[file].text;
            let lines = index[file].get_or_insert_with(|| LineIndex::new(text));
            let line = lines.position(text, d.origin.span.start).line;
            let mut silenced = false;
            for (k, dir) in ds.iter().enumerate() {
                if let Some(j) = dir.covers(d.rule, line) {
                    used[k][j] = true;
                    silenced = true;
                }
            }
            !silenced
        });
        for (file, ds, used) in &found {
            let id = FileId(*file as u32);
            let text = &project.files[*file].text;
            for (dir, used) in ds.iter().zip(used) {
                report(dir, used, id, text, &on, diagnostics);
            }
        }
    }
    for d in diagnostics.iter_mut() {
        d.severity = settings.severity(d.rule, d.severity);
    }
    crate::rules::sort_findings(diagnostics);
}

/// The findings about one suppression: without a reason, not a suppression, unused ids.
fn report(
    dir: &Directive,
    used: &[bool],
    file: FileId,
    text: &str,
    on: &dyn Fn(&str, FileId) -> bool,
    out: &mut Vec<Diagnostic>,
) {
    let at = |span: Span| Origin { file, span };
    let unused_rule = rules::unused_suppression::ID;
    if dir.scope.is_none() {
        if on(unused_rule, file) {
            out.push(rules::unused_suppression::not_a_suppression(at(dir.span)));
        }
        return;
    }
    if dir.reason.is_none() && on(rules::suppression_without_reason::ID, file) {
        out.push(rules::suppression_without_reason::finding(at(dir.span)));
    }
    if !on(unused_rule, file) {
        return;
    }
    // Ids that silence nothing: not rules, or rules on for this file that found nothing.
    let mut unused = Vec::new();
    let mut kept = Vec::new();
    for (i, id) in dir.ids.iter().enumerate() {
        let known = rules::by_id(&id.id).is_some() && !rules::is_suppression_rule(&id.id);
        if used[i] || (known && !on(&id.id, file)) {
            kept.push(id.id.as_str());
        } else {
            unused.push(id);
        }
    }
    let Some(first) = unused.first() else { return };
    let edit = if kept.is_empty() {
        Edit {
            file,
            span: removal(text, dir),
            text: String::new(),
        }
    } else {
        Edit {
            file,
            span: dir.list,
            text: kept.join(", "),
        }
    };
    let names: Vec<String> = unused.iter().map(|i| format!("`{}`", i.id)).collect();
    let mut d = rules::unused_suppression::finding(
        at(first.span),
        &names,
        kept.is_empty(),
        dir.scope == Some(Scope::File),
    );
    for id in &unused {
        if rules::by_id(&id.id).is_none() {
            let all: Vec<&str> = rules::all().iter().map(|r| r.meta().id).collect();
            let hint = config::did_you_mean(&id.id, &all)
                .map(|m| format!("; did you mean `{m}`?"))
                .unwrap_or_default();
            d.message
                .push_str(&format!(" (`{}` is not a rule id{hint})", id.id));
        }
    }
    out.push(d.fix(Fix::safe(
        if kept.is_empty() {
            "remove the suppression comment".to_string()
        } else {
            format!("remove {} from the suppression", names.join(", "))
        },
        vec![edit],
    )));
}

/// The bytes to delete to remove a suppression comment: its whole line (line break included)
/// when it stands alone, else the comment and the blanks before it.
fn removal(text: &str, dir: &Directive) -> Span {
    let bytes = text.as_bytes();
    let mut start = dir.span.start;
    while start > 0 && matches!(bytes[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    if !dir.standalone {
        return Span::new(start, dir.span.end);
    }
    let mut end = dir.span.end;
    if bytes.get(end) == Some(&b'\r') {
        end += 1;
    }
    if bytes.get(end) == Some(&b'\n') {
        end += 1;
    }
    Span::new(start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Directive {
        let lines = LineIndex::new(text);
        let hash = text.find('#').unwrap();
        let end = text[hash..].find('\n').map_or(text.len(), |i| hash + i);
        directive(text, &lines, hash, end).expect("a milvet comment")
    }

    #[test]
    fn directives_are_read_with_ids_reason_and_spans() {
        let text = "a: 1  # milvet: ignore[x-y,  z] because\n";
        let d = read(text);
        assert_eq!(d.scope, Some(Scope::Line));
        assert!(!d.standalone);
        assert_eq!(d.line, 1);
        let ids: Vec<(&str, &str)> = d
            .ids
            .iter()
            .map(|i| (i.id.as_str(), i.span.slice(text)))
            .collect();
        assert_eq!(ids, [("x-y", "x-y"), ("z", "z")]);
        assert_eq!(d.list.slice(text), "x-y,  z");
        assert_eq!(d.reason.as_deref(), Some("because"));

        let d = read("  #milvet:ignore-file[x]\n");
        assert_eq!(d.scope, Some(Scope::File));
        assert!(d.standalone);
        assert_eq!(d.reason, None);

        for bad in [
            "# milvet: ignroe[x] r",
            "# milvet: ignore x",
            "# milvet: ignore[] r",
        ] {
            assert_eq!(read(bad).scope, None, "{bad}");
        }
        let lines = LineIndex::new("# a milvet: comment");
        assert!(directive("# a milvet: comment", &lines, 0, 19).is_none());
    }

    #[test]
    fn env_comments_skip_hashes_inside_values() {
        let text = "A=1 # one\nB='x # y' # two\nC=a#b\n# three\nD=\"q\n# not\"\nE= # value\n";
        let found: Vec<&str> = env_comments(text)
            .into_iter()
            .map(|(h, e)| &text[h..e])
            .collect();
        assert_eq!(found, ["# one", "# two", "# three"]);
    }

    #[test]
    fn removal_takes_the_line_or_the_trailing_comment() {
        let text = "a: 1\n  # milvet: ignore[x] r\r\nb: 2 # milvet: ignore[x] r\n";
        let lines = LineIndex::new(text);
        let h = text.find('#').unwrap();
        let d = directive(text, &lines, h, h + 21).unwrap();
        let s = removal(text, &d);
        assert_eq!(&text[..s.start], "a: 1\n");
        assert_eq!(&text[s.end..s.end + 4], "b: 2");
        let h2 = text.rfind('#').unwrap();
        let d = directive(text, &lines, h2, text.len() - 1).unwrap();
        let s = removal(text, &d);
        assert_eq!(
            format!("{}{}", &text[..s.start], &text[s.end..])
                .lines()
                .last(),
            Some("b: 2")
        );
    }
}
