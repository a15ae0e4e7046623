//! The `milvet` command: a thin layer over the library.

use clap::{Parser, Subcommand, ValueEnum};
use milvet::check::{self, FixMode, Options};
use milvet::discover::{FileKind, Unit};
use milvet::fix::FixPolicy;
use milvet::inspect;
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
  milvet inspect                        what each project runs, and where each setting is decided
  milvet inspect --format json          the same, shaped as `docker compose config --format json`
  milvet rules                          list the rules
  milvet rules etcd-compaction-mode     explain one rule

Exit status: 0 no findings at warning or above, 1 findings, 2 a file could not be checked.
A run that finds no file to check says so on stderr and exits 2.";

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
    /// Show what milvet believes each project will run: per service, its effective settings
    /// and where each was decided.
    Inspect(InspectArgs),
    /// List the rules, or show the documentation of one.
    Rules {
        /// A rule id, e.g. etcd-data-not-persisted.
        id: Option<String>,
    },
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files (checked whatever their name) and directories (walked for *compose*.y(a)ml and
    /// milvus.yaml, `.devcontainer/` included); a compose.yaml and its compose.override.yaml
    /// are one project, whether named or found. Default: the current directory.
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

#[derive(clap::Args)]
struct InspectArgs {
    /// Files and directories, found and grouped into projects as `check` does. Default: the
    /// current directory.
    #[arg(conflicts_with = "file")]
    paths: Vec<PathBuf>,
    /// The Compose files of one project, in merge order, as `docker compose -f` takes them.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    file: Vec<PathBuf>,
    /// Read the project's variables from this file instead of the `.env` beside the first
    /// Compose file (repeatable; a later file wins).
    #[arg(long, value_name = "PATH")]
    env_file: Vec<PathBuf>,
    /// Output format: `json` is shaped as `docker compose config --format json`, with an
    /// `origins` object beside each project's services.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
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
                shell: Arc::new(shell_env()),
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
            if reports.is_empty() {
                return nothing_found(&args.paths);
            }
            ExitCode::from(check::exit_code(&reports, options.fix) as u8)
        }
        Command::Inspect(args) => {
            let options = Options {
                shell: Arc::new(shell_env()),
                env_files: args.env_file,
                ..Options::default()
            };
            let ins = if args.file.is_empty() {
                inspect::inspect_paths(&args.paths, &options)
            } else {
                inspect::Inspection {
                    projects: inspect::inspect_units(
                        &[Unit {
                            files: args.file,
                            kind: FileKind::Compose,
                        }],
                        &options,
                    ),
                    walk_errors: Vec::new(),
                }
            };
            let cwd = std::env::current_dir().unwrap_or_default();
            let out = match args.format {
                Format::Json => {
                    let home = std::env::var("HOME").ok();
                    let v = inspect::json(&ins, &cwd, home.as_deref());
                    format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
                }
                Format::Human => inspect::human(&ins, &cwd),
            };
            print(&out);
            if ins.projects.is_empty() && ins.walk_errors.is_empty() {
                return nothing_found(&args.paths);
            }
            ExitCode::from(ins.exit_code() as u8)
        }
        Command::Rules { id: None } => {
            let mut out = String::new();
            for r in rules::all() {
                let m = r.meta();
                out.push_str(&format!("{:<28} {:<8} {}\n", m.id, m.severity, m.summary));
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

/// A run that found nothing to check fails (exit 2, as a file that cannot be checked): a CI
/// job whose path is mistyped or whose files were renamed must not pass by checking nothing.
/// `docker compose` too fails when it finds no Compose file.
fn nothing_found(paths: &[PathBuf]) -> ExitCode {
    let where_ = if paths.is_empty() {
        "the current directory".to_string()
    } else {
        paths
            .iter()
            .map(|p| format!("`{}`", p.display()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    eprintln!(
        "milvet: no file to check in {where_}: directories are searched for \
         *compose*.y(a)ml and milvus.yaml files (name a file to check it whatever its name)"
    );
    ExitCode::from(2)
}

/// The shell's variables, as Docker Compose sees them: the process environment, with `PWD`
/// set to the current directory when the environment does not set it.
fn shell_env() -> std::collections::HashMap<String, String> {
    let mut vars: std::collections::HashMap<String, String> = std::env::vars().collect();
    if !vars.contains_key("PWD")
        && let Ok(cwd) = std::env::current_dir()
    {
        vars.insert("PWD".into(), cwd.display().to_string());
    }
    vars
}

/// Write to stdout; a closed pipe (`milvet check | head`) is not an error.
fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}
