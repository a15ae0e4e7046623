//! The report is written a unit at a time as the run goes: the same bytes as rendering every
//! report at once, in the same order whatever the number of threads, and a project pulled in by
//! another is reported with that project only, even when it comes first.

mod common;

use common::{ETCD_NOT_PERSISTED, TempDir};
use milvet::check::{self, FileReport, FixMode, Options};
use milvet::report::{self, Extras, Format, RenderOptions, Stream};
use std::path::{Path, PathBuf};

const FORMATS: [Format; 6] = [
    Format::Full,
    Format::Concise,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Junit,
];

fn streamed(
    paths: &[PathBuf],
    options: &Options,
    format: Format,
    render: &RenderOptions,
) -> String {
    let mut stream = Stream::with_extras(format, render, Extras::default(), Vec::new());
    let mut units = 0;
    check::check_paths_each(paths, options, &mut |reports: Vec<FileReport>| {
        units += 1;
        stream.unit(&reports);
    });
    assert!(units > 0);
    String::from_utf8(stream.finish(render.exit_code)).unwrap()
}

fn at_once(paths: &[PathBuf], options: &Options, format: Format, render: &RenderOptions) -> String {
    report::render(format, &check::check_paths(paths, options), render)
}

/// A run on `jobs` threads that reports the fixes as `fixes` says (`--diff` for a diff), and
/// its rendering.
fn run_options(jobs: usize, fixes: report::FixSummary) -> (Options, RenderOptions) {
    let options = Options {
        jobs: Some(jobs),
        fix: if fixes == report::FixSummary::Diff {
            FixMode::Diff
        } else {
            FixMode::Report
        },
        ..Options::default()
    };
    let render = RenderOptions {
        fixes,
        exit_code: 1,
        ..RenderOptions::default()
    };
    (options, render)
}

#[test]
fn streaming_writes_what_rendering_every_report_at_once_writes() {
    // The fixture projects: includes, extends, env files, files that cannot be read or parsed,
    // related places in other files; SARIF and JUnit of these are past the size kept in
    // memory, so their waiting parts go through a temporary file.
    let projects = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/projects")];
    for format in FORMATS {
        for fixes in [report::FixSummary::None, report::FixSummary::Diff] {
            let (options, render) = run_options(2, fixes);
            let a = at_once(&projects, &options, format, &render);
            let b = streamed(&projects, &options, format, &render);
            assert!(a == b, "{format:?} {fixes:?}: streamed output differs");
        }
    }
}

#[test]
fn a_file_whose_findings_are_drawn_in_pieces_reads_the_same() {
    // One file with more drawn findings than the human report holds before it writes them.
    let t = TempDir::new("stream-pieces");
    let mut text = String::from("services:\n");
    for i in 0..300 {
        text.push_str(&format!(
            "  etcd{i}:\n    image: quay.io/coreos/etcd:v3.5.0\n    command: etcd\n"
        ));
    }
    t.write("compose.yaml", text);
    let paths = vec![t.root.clone()];
    for fixes in [report::FixSummary::None, report::FixSummary::Diff] {
        let (options, render) = run_options(1, fixes);
        // Drawn whole, by the renderer alone.
        let a = report::human::render_with(&check::check_paths(&paths, &options), &render);
        assert!(
            a.len() > 4 * report::human::SPILL_AT,
            "{fixes:?}: only {} bytes",
            a.len()
        );
        let b = streamed(&paths, &options, Format::Full, &render);
        assert!(a == b, "{fixes:?}: streamed output differs");
    }
}

#[test]
fn the_order_is_the_same_on_any_number_of_threads() {
    let t = TempDir::new("stream-order");
    for i in 0..40 {
        // Some projects take longer than others (more services), so that threads finish out
        // of order.
        let mut text = String::from(ETCD_NOT_PERSISTED);
        for k in 0..(i % 7) * 20 {
            text.push_str(&format!("  s{k}:\n    image: nginx:1.27\n"));
        }
        t.write(&format!("p{i:02}/compose.yaml"), text);
    }
    let paths = vec![t.root.clone()];
    let render = RenderOptions::default();
    let one = streamed(
        &paths,
        &Options {
            jobs: Some(1),
            ..Options::default()
        },
        Format::Concise,
        &render,
    );
    assert_eq!(one.lines().count(), 41, "{one}");
    for jobs in [2, 3, 8] {
        let options = Options {
            jobs: Some(jobs),
            ..Options::default()
        };
        assert_eq!(streamed(&paths, &options, Format::Concise, &render), one);
    }
    // In the order of the directories: each finding's `path:line:col`.
    let places: Vec<&str> = one
        .lines()
        .take(40)
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    let expected: Vec<String> = (0..40)
        .map(|i| {
            format!(
                "{}:7:30",
                t.path(&format!("p{i:02}/compose.yaml")).display()
            )
        })
        .collect();
    assert_eq!(places, expected);
}

/// The files of the reports of a run over `root`.
fn reported(root: &Path, jobs: usize) -> Vec<String> {
    let options = Options {
        jobs: Some(jobs),
        ..Options::default()
    };
    check::check_paths(&[root.to_path_buf()], &options)
        .iter()
        .map(|r| {
            r.path
                .strip_prefix(root)
                .unwrap_or(&r.path)
                .display()
                .to_string()
        })
        .collect()
}

#[test]
fn a_project_included_by_a_later_one_is_reported_with_it_only() {
    let t = TempDir::new("stream-covered");
    // `a-base` is found first; `b-main` includes it (and `c-other` extends a service of
    // `d-shared` with a key spelled by an escape), so neither is checked on its own.
    t.write("a-base/compose.yaml", ETCD_NOT_PERSISTED);
    t.write(
        "b-main/compose.yaml",
        "include:\n  - ../a-base/compose.yaml\nservices:\n  web:\n    image: nginx:1.27\n",
    );
    t.write(
        "c-other/compose.yaml",
        "services:\n  web:\n    \"\\x65xtends\":\n      file: ../d-shared/compose.yaml\n      service: base\n",
    );
    t.write(
        "d-shared/compose.yaml",
        "services:\n  base:\n    image: nginx:1.27\n",
    );
    t.write("e-alone/compose.yaml", ETCD_NOT_PERSISTED);
    for jobs in [1, 2] {
        assert_eq!(
            reported(&t.root, jobs),
            [
                "b-main/compose.yaml",
                "a-base/compose.yaml",
                "c-other/compose.yaml",
                "e-alone/compose.yaml"
            ],
            "jobs {jobs}"
        );
    }
}
