//! The `milvet` command: a thin layer over the library.

use clap::{Parser, Subcommand, ValueEnum};
use milvet::check::{self, FixMode, Options};
use milvet::discover::{FileKind, Unit};
use milvet::fix::FixPolicy;
use milvet::report;
use milvet::report::human::FixSummary;
use milvet::rules::{self, RuleOptions};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

const EXAMPLES: &str = "\
Examples:
  milvet check                          check the Compose files under the current directory
  milvet check docker-compose.yml       check one file, whatever its name
  milvet check deploy/ --format json    machine-readable findings for CI
  milvet check -f base.yml -f prod.yml  one project of several files, merged in order
  milvet check --env-file prod.env      take the variables from prod.env, not .env
  milvet check --fix                     apply the safe fixes in place
  milvet check --diff --unsafe-fixes    show every fix as a diff, write nothing
  milvet check --min-retention 5000 .   ask for a larger etcd compaction retention
  milvet rules                          list the rules
  milvet rules etcd-compaction-mode     explain one rule

Exit status: 0 no findings at warning or above, 1 findings, 2 a file could not be checked.";

#[derive(Parser)]
#[command(
    name = "milvet",
    version,
    about = "Lint Docker Compose deployments of Milvus for configurations that lose data or block recovery",
    after_help = EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check Compose files (and milvus.yaml files) for configurations that lose data.
    #[command(after_help = EXAMPLES)]
    Check(CheckArgs),
    /// List the rules, or show the documentation of one.
    Rules {
        /// A rule id, e.g. etcd-data-not-persisted.
        id: Option<String>,
    },
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files (checked whatever their name) and directories (walked for compose*.y(a)ml,
    /// docker-compose*.y(a)ml and milvus.yaml; a compose.yaml and its compose.override.yaml
    /// are one project). Default: the current directory.
    #[arg(conflicts_with = "file")]
    paths: Vec<PathBuf>,
    /// The Compose files of one project, in merge order, as `docker compose -f` takes them.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    file: Vec<PathBuf>,
    /// Read the project's variables from this file instead of the `.env` beside the first
    /// Compose file (repeatable; a later file wins).
    #[arg(long, value_name = "PATH")]
    env_file: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Smallest acceptable etcd auto-compaction retention, in revisions.
    #[arg(long, value_name = "N", default_value_t = RuleOptions::DEFAULT_MIN_RETENTION)]
    min_retention: u64,
    /// Apply safe fixes in place (and unsafe ones with --unsafe-fixes). Every fixed file is
    /// re-parsed and re-checked before it is written; nothing else in it changes.
    #[arg(long, conflicts_with = "diff")]
    fix: bool,
    /// Also apply unsafe fixes (they need you to act too: each one says what to do).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print a unified diff of what --fix would change, and write nothing (exit 1 when there
    /// is a difference).
    #[arg(long)]
    diff: bool,
    /// Files checked at once (default: one per CPU).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => {
            let options = Options {
                rules: RuleOptions {
                    min_retention: args.min_retention,
                },
                jobs: args.jobs,
                fix: if args.fix {
                    FixMode::Write
                } else if args.diff {
                    FixMode::Diff
                } else {
                    FixMode::Report
                },
                policy: FixPolicy {
                    unsafe_fixes: args.unsafe_fixes,
                },
                shell: Arc::new(std::env::vars().collect()),
                env_files: args.env_file,
                ..Options::default()
            };
            let reports = if args.file.is_empty() {
                check::check_paths(&args.paths, &options)
            } else {
                check::check_units(
                    &[Unit {
                        files: args.file,
                        kind: FileKind::Compose,
                    }],
                    &options,
                )
            };
            let out = match args.format {
                Format::Json => report::json::render(&reports, options.fix == FixMode::Diff),
                Format::Human => {
                    let color = match args.color {
                        Color::Always => true,
                        Color::Never => false,
                        Color::Auto => {
                            std::io::stdout().is_terminal()
                                && std::env::var_os("NO_COLOR").is_none()
                        }
                    };
                    let summary = match options.fix {
                        FixMode::Report => FixSummary::None,
                        FixMode::Write => FixSummary::Applied,
                        FixMode::Diff => FixSummary::Diff,
                    };
                    report::human::render(&reports, color, summary, args.unsafe_fixes)
                }
            };
            print(&out);
            ExitCode::from(check::exit_code(&reports, options.fix) as u8)
        }
        Command::Rules { id: None } => {
            let mut out = String::new();
            let width = rules::all()
                .iter()
                .map(|r| r.meta().id.len())
                .max()
                .unwrap_or(0);
            for r in rules::all() {
                let m = r.meta();
                out.push_str(&format!(
                    "{:<width$} {:<8} {}\n",
                    m.id, m.severity, m.summary
                ));
            }
            print(&out);
            ExitCode::SUCCESS
        }
        Command::Rules { id: Some(id) } => match rules::by_id(&id) {
            Some(r) => {
                print(r.meta().doc);
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("milvet: no rule `{id}`; `milvet rules` lists them");
                ExitCode::from(2)
            }
        },
    }
}

/// Write to stdout; a closed pipe (`milvet check | head`) is not an error.
fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}
