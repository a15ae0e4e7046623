//! Writing a run's report as it goes: each unit's reports are rendered when their check ends
//! and can then be dropped, so that memory does not grow with the number of files.
//!
//! What a format prints before something that depends on the whole run waits in a [`Spill`]:
//! JSON's `diagnostics` (after every file's entry), SARIF's notifications and results (after
//! the invocation's exit status), JUnit's suites (after the run's counts), the findings of
//! `--diff` (after every diff), and the lists of `--show-fixes` and `--statistics`. The output
//! is the same, byte for byte, as rendering every report at once.

use super::{FixSummary, Format, Places, RenderOptions, Totals};
use crate::check::{FileReport, FixMode};
use crate::statistics::Row;
use serde::Serialize;
use std::io::{self, Seek, Write};

/// Past this size, text that waits for the end of the run goes to a temporary file.
const IN_MEMORY: usize = 256 * 1024;

/// Text kept for the end of the run: in memory, then in an unnamed temporary file once it
/// grows past [`IN_MEMORY`] (in memory still when no temporary file can be made).
#[derive(Default)]
pub struct Spill {
    memory: Vec<u8>,
    file: Option<io::BufWriter<std::fs::File>>,
}

impl Spill {
    pub fn new() -> Spill {
        Spill::default()
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.memory.is_empty() && self.file.is_none()
    }

    /// Write everything kept to `out`.
    pub fn copy_to(self, out: &mut dyn Write) -> io::Result<()> {
        match self.file {
            None => out.write_all(&self.memory),
            Some(file) => {
                let mut file = file.into_inner().map_err(|e| e.into_error())?;
                file.rewind()?;
                io::copy(&mut file, out).map(drop)
            }
        }
    }
}

impl Write for Spill {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(file) = &mut self.file {
            return file.write_all(buf);
        }
        if self.memory.len() + buf.len() > IN_MEMORY
            && let Ok(file) = tempfile::tempfile()
        {
            let mut file = io::BufWriter::with_capacity(64 * 1024, file);
            file.write_all(&self.memory)?;
            file.write_all(buf)?;
            self.memory = Vec::new();
            self.file = Some(file);
            return Ok(());
        }
        self.memory.extend_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A JSON array written an entry at a time, as serde's pretty printer writes it with the
/// entries `depth` levels deep: each entry is printed alone by [`super::pretty::Pretty`],
/// which indents it as the pretty printer would at that depth, then written at once.
struct Array {
    entries: usize,
    depth: usize,
    /// The entry being written, printed alone.
    buf: Vec<u8>,
}

impl Array {
    fn new(depth: usize) -> Array {
        Array {
            entries: 0,
            depth,
            buf: Vec::new(),
        }
    }

    fn push(&mut self, out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
        self.buf.clear();
        self.buf
            .extend_from_slice(if self.entries == 0 { b"\n" } else { b",\n" });
        indent(&mut self.buf, self.depth)?;
        value
            .serialize(&mut super::pretty::Pretty::at(&mut self.buf, self.depth))
            .map_err(io::Error::other)?;
        self.entries += 1;
        out.write_all(&self.buf)
    }

    /// The closing bracket (after the opening one and the entries).
    fn close(&self) -> String {
        if self.entries == 0 {
            "]".into()
        } else {
            format!("\n{}]", "  ".repeat(self.depth.saturating_sub(1)))
        }
    }
}

/// `depth` levels of serde's pretty indentation (two spaces each).
fn indent(out: &mut impl Write, depth: usize) -> io::Result<()> {
    for _ in 0..depth {
        out.write_all(b"  ")?;
    }
    Ok(())
}

/// What is printed besides the findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extras {
    /// Human output without the summary (its last line).
    pub quiet: bool,
    /// Human output followed by the fixes applied and available (`--show-fixes`).
    pub show_fixes: bool,
    /// How many findings each rule has, instead of the findings (`--statistics`).
    pub statistics: bool,
}

/// A report being written: [`Stream::unit`] for each unit's reports in turn, then
/// [`Stream::finish`].
pub struct Stream<W: Write> {
    out: W,
    format: Format,
    options: RenderOptions,
    extras: Extras,
    totals: Totals,
    human: Option<super::human::Renderer>,
    /// What comes after what is written as it goes (see the module's documentation).
    later: Spill,
    /// SARIF's notifications; `--statistics`' failures but the last, which waits in `held`.
    aside: Spill,
    held: Option<String>,
    /// `--show-fixes`' applied fixes and available fixes.
    applied: Spill,
    available: Spill,
    /// JSON's `files`, SARIF's results.
    first: Array,
    /// JSON's `diagnostics`, SARIF's notifications.
    second: Array,
    sarif: super::sarif::Results,
    junit: super::junit::Counts,
    rows: Vec<Row>,
    /// The first error writing, after which nothing more is written.
    error: Option<io::Error>,
}

impl<W: Write> Stream<W> {
    /// Start a report in `format`; what it can print before any report is written now.
    pub fn new(format: Format, options: &RenderOptions, out: W) -> Stream<W> {
        Stream::with_extras(format, options, Extras::default(), out)
    }

    /// [`Stream::new`], with what else to print.
    pub fn with_extras(
        format: Format,
        options: &RenderOptions,
        extras: Extras,
        out: W,
    ) -> Stream<W> {
        let (first, second) = match format {
            Format::Json => (Array::new(2), Array::new(2)),
            // Results in a run in `runs`; notifications in an invocation in a run.
            _ => (Array::new(4), Array::new(6)),
        };
        let mut s = Stream {
            out,
            format,
            options: options.clone(),
            extras,
            totals: Totals::default(),
            human: (format == Format::Full && !extras.statistics)
                .then(|| super::human::Renderer::new(options)),
            later: Spill::new(),
            aside: Spill::new(),
            held: None,
            applied: Spill::new(),
            available: Spill::new(),
            first,
            second,
            sarif: Default::default(),
            junit: (0, 0, 0),
            rows: Vec::new(),
            error: None,
        };
        if format == Format::Json && !extras.statistics {
            let header = super::json::header();
            if let Err(e) = s.out.write_all(header.as_bytes()) {
                s.error = Some(e);
            }
        }
        s
    }

    /// How many reports were written.
    pub fn files(&self) -> usize {
        self.totals.files
    }

    /// Write the reports of one unit (their file ids index `reports`).
    pub fn unit(&mut self, reports: &[FileReport]) {
        for r in reports {
            self.totals.add(r);
        }
        if self.error.is_some() {
            return;
        }
        let result = self.render(reports);
        if let Err(e) = result {
            self.error = Some(e);
        }
    }

    fn render(&mut self, reports: &[FileReport]) -> io::Result<()> {
        let human = self.format == Format::Full;
        if human && self.extras.show_fixes {
            let mut s = String::new();
            crate::statistics::applied_lines(reports, &mut s);
            self.applied.write_all(s.as_bytes())?;
            s.clear();
            crate::statistics::available_lines(reports, &mut s);
            self.available.write_all(s.as_bytes())?;
        }
        if self.extras.statistics {
            crate::statistics::count(&mut self.rows, reports);
            if human {
                let mut s = String::new();
                crate::statistics::failures(reports, &mut s);
                // The last line waits: `--quiet` leaves it out.
                for line in s.split_inclusive('\n') {
                    if let Some(before) = self.held.replace(line.to_string()) {
                        self.aside.write_all(before.as_bytes())?;
                    }
                }
            }
            return Ok(());
        }
        let with_diff = self.options.fixes == FixSummary::Diff;
        match self.format {
            Format::Full => {
                let human = self.human.as_ref().expect("a human renderer");
                // Room for what the findings take, up to what is written at once, so that the
                // text is not copied as it grows.
                let findings: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
                let room = (256 + 2048 * findings).min(super::human::SPILL_AT + 16 * 1024);
                let mut s = String::with_capacity(room);
                human.diffs(reports, &mut s);
                self.out.write_all(s.as_bytes())?;
                s.clear();
                let to: &mut dyn Write = if with_diff {
                    &mut self.later
                } else {
                    &mut self.out
                };
                let mut failed = None;
                human.body_spilling(reports, &mut s, &mut |s| {
                    if failed.is_none() {
                        failed = to.write_all(s.as_bytes()).err();
                    }
                    s.clear();
                });
                if let Some(e) = failed {
                    return Err(e);
                }
                to.write_all(s.as_bytes())?;
            }
            Format::Concise => {
                let mut s = String::new();
                super::concise::body(reports, &mut s);
                self.out.write_all(s.as_bytes())?;
            }
            Format::Github => {
                let mut s = String::new();
                super::github::body(reports, &mut s);
                self.out.write_all(s.as_bytes())?;
            }
            Format::Junit => {
                let mut s = String::new();
                let (t, f, e) = super::junit::suites_of(reports, &mut s);
                self.junit.0 += t;
                self.junit.1 += f;
                self.junit.2 += e;
                self.later.write_all(s.as_bytes())?;
            }
            Format::Json => {
                let places = Places::new(reports);
                for (i, r) in reports.iter().enumerate() {
                    self.first
                        .push(&mut self.out, &super::json::file(r, with_diff))?;
                    for d in super::json::diagnostics(r, places.path(i), &places) {
                        self.second.push(&mut self.later, &d)?;
                    }
                }
            }
            Format::Sarif => {
                let places = Places::new(reports);
                for r in reports {
                    if let Some(n) = super::sarif::notification(r) {
                        self.second.push(&mut self.aside, &n)?;
                    }
                    for result in self.sarif.of(r, &places) {
                        self.first.push(&mut self.later, &result)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Write what ends the report, with the run's exit status (SARIF records it), and give
    /// back the output, flushed.
    pub fn finish(mut self, exit_code: i32) -> W {
        if self.error.is_none()
            && let Err(e) = self.end(exit_code)
        {
            self.error = Some(e);
        }
        let _ = self.out.flush();
        self.out
    }

    fn end(&mut self, exit_code: i32) -> io::Result<()> {
        let later = std::mem::take(&mut self.later);
        let aside = std::mem::take(&mut self.aside);
        let human = self.format == Format::Full;
        let out: &mut dyn Write = &mut self.out;
        if self.extras.statistics {
            crate::statistics::sort(&mut self.rows);
            let table = crate::statistics::table(&self.rows, self.totals.files, !human);
            match (&self.held, human && self.extras.quiet) {
                (None, true) => {
                    // Every line but the last, the total.
                    let body = table.trim_end_matches('\n');
                    let keep = body.rfind('\n').map_or(0, |i| i + 1);
                    out.write_all(&table.as_bytes()[..keep])?;
                }
                (held, quiet) => {
                    out.write_all(table.as_bytes())?;
                    aside.copy_to(out)?;
                    if let (Some(line), false) = (held, quiet) {
                        out.write_all(line.as_bytes())?;
                    }
                }
            }
        } else {
            match self.format {
                Format::Full => {
                    let human = self.human.as_ref().expect("a human renderer");
                    later.copy_to(out)?;
                    let summary = human.summary(&self.totals, self.options.unsafe_fixes);
                    if self.extras.quiet {
                        // Every line of the summary but its last.
                        if let Some(i) = summary.rfind('\n') {
                            out.write_all(&summary.as_bytes()[..=i])?;
                        }
                    } else {
                        out.write_all(summary.as_bytes())?;
                        out.write_all(b"\n")?;
                    }
                }
                Format::Concise => {
                    let summary = super::human::summary(
                        &self.totals,
                        self.options.fixes,
                        self.options.unsafe_fixes,
                    );
                    writeln!(out, "{summary}")?;
                }
                Format::Github => {}
                Format::Junit => {
                    out.write_all(super::junit::header(self.junit).as_bytes())?;
                    later.copy_to(out)?;
                    out.write_all(super::junit::TRAILER.as_bytes())?;
                }
                Format::Json => {
                    out.write_all(self.first.close().as_bytes())?;
                    out.write_all(b",\n  \"diagnostics\": [")?;
                    later.copy_to(out)?;
                    out.write_all(self.second.close().as_bytes())?;
                    out.write_all(super::json::trailer(&self.totals).as_bytes())?;
                }
                Format::Sarif => {
                    let log = super::sarif::skeleton(exit_code);
                    let notes_at = super::sarif::NOTIFICATIONS_AT;
                    let results_at = super::sarif::RESULTS_AT;
                    let (Some(n), Some(r)) = (log.rfind(notes_at), log.rfind(results_at)) else {
                        return out.write_all(log.as_bytes());
                    };
                    // Up to each empty array's `]`, then its entries and the closing bracket.
                    let (n, r) = (n + notes_at.len() - 1, r + results_at.len() - 1);
                    out.write_all(&log.as_bytes()[..n])?;
                    aside.copy_to(out)?;
                    out.write_all(self.second.close().as_bytes())?;
                    out.write_all(&log.as_bytes()[n + 1..r])?;
                    later.copy_to(out)?;
                    out.write_all(self.first.close().as_bytes())?;
                    out.write_all(&log.as_bytes()[r + 1..])?;
                }
            }
        }
        if human && self.extras.show_fixes {
            let mode = match self.options.fixes {
                FixSummary::None => FixMode::Report,
                FixSummary::Applied => FixMode::Write,
                FixSummary::Diff => FixMode::Diff,
            };
            let applied = std::mem::take(&mut self.applied);
            let available = std::mem::take(&mut self.available);
            let (none_applied, none_available) = (applied.is_empty(), available.is_empty());
            out.write_all(crate::statistics::fixes_head(mode).as_bytes())?;
            applied.copy_to(out)?;
            let middle = crate::statistics::fixes_middle(mode, none_applied, none_available);
            out.write_all(middle.as_bytes())?;
            available.copy_to(out)?;
        }
        Ok(())
    }
}
