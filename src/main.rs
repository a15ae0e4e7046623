//! The `milvet` command: a thin layer over the library.

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use milvet::check::{self, FixMode, Options};
use milvet::config::{self, Discovery, Layer, Provenance, Resolver};
use milvet::discover::{FileKind, Unit};
use milvet::fix::FixPolicy;
use milvet::inspect;
use milvet::report::human::FixSummary;
use milvet::report::{self, Format, RenderOptions};
use milvet::rules::{self, RuleOptions};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[global_allocator]
static ALLOCATOR: milvet::alloc::Small = milvet::alloc::Small;

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
  milvet check --ignore unset-variable  turn a rule off (also in milvet.toml)
  milvet check --fail-on error          only errors fail the run
  cat x.yml | milvet check --stdin-filename deploy/compose.yaml -
                                        check a text as if it were that file
  milvet config --show                  the configuration in force here, and where it comes from
  milvet inspect                        what each project runs, and where each setting is decided
  milvet inspect --format json          the same, shaped as `docker compose config --format json`
  milvet rules                          list the rules
  milvet rules etcd-compaction-mode     explain one rule

Exit status: 0 no findings at the `fail-on` level (default: warning) or above, 1 findings,
2 a file (or a configuration file) could not be checked. With --diff: 1 when there is a
difference or an error-level finding remains. --exit-zero turns 1 into 0. A run that finds
no file to check says so on stderr and exits 2.";

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
        /// `text` (a table, or the rule's document), or `json` (id, severity, summary, fix,
        /// url and document of each rule).
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Show the configuration that applies to a file or directory.
    Config {
        /// Print the effective configuration, each value with the file and line (or flag) it
        /// comes from.
        #[arg(long, required = true)]
        show: bool,
        /// The file or directory whose configuration to show (default: the current directory).
        path: Option<PathBuf>,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Print a shell completion script (e.g. `milvet completions bash > /etc/bash_completion.d/milvet`).
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff), e.g. `milvet man | man -l -`.
    Man,
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Text,
    Json,
}

/// Where the configuration comes from, and the command line's part of it.
#[derive(clap::Args)]
struct ConfigArgs {
    /// Use this configuration file for every file (instead of the nearest milvet.toml,
    /// .milvet.toml or pyproject.toml with [tool.milvet] above each file).
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Read no configuration file.
    #[arg(long)]
    isolated: bool,
    /// Check only these rules (comma-separated rule ids, or `all`), replacing the
    /// configuration's selection.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Also check these rules.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    extend_select: Option<Vec<String>>,
    /// Do not check these rules.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    ignore: Option<Vec<String>>,
    /// The lowest severity that makes the run fail with exit status 1 (default: warning).
    #[arg(long, value_name = "LEVEL", value_parser = ["error", "warning", "info"])]
    fail_on: Option<String>,
}

impl ConfigArgs {
    /// The resolver these flags ask for, with the command line's layer.
    fn resolver(&self, min_retention: Option<u64>) -> Result<Resolver, String> {
        let list = |v: &Option<Vec<String>>, flag: &'static str| {
            v.as_ref()
                .map(|ids| {
                    config::rule_ids(ids, flag).map(|ids| (ids, Provenance::CommandLine(flag)))
                })
                .transpose()
        };
        let mut layer = Layer {
            select: list(&self.select, "--select")?,
            extend_select: list(&self.extend_select, "--extend-select")?,
            ignore: list(&self.ignore, "--ignore")?,
            ..Layer::default()
        };
        if let Some(l) = &self.fail_on {
            layer.fail_on = Some((config::level(l)?, Provenance::CommandLine("--fail-on")));
        }
        if let (Some(n), Some(spec)) = (min_retention, config::option("min-retention")) {
            layer
                .options
                .push((spec, n, Provenance::CommandLine("--min-retention")));
        }
        let discovery = match (&self.config, self.isolated) {
            (Some(p), _) => Discovery::Explicit(p.clone()),
            (None, true) => Discovery::Isolated,
            (None, false) => Discovery::Nearest,
        };
        let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
        Ok(Resolver::new(discovery, layer, cwd))
    }
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
    /// Compose file (repeatable; a later file wins). Default: `COMPOSE_ENV_FILES`
    /// (comma-separated), as Docker Compose reads it.
    #[arg(long, value_name = "PATH")]
    env_file: Vec<PathBuf>,
    /// Output format: full (each finding with its snippet; `human` is the same), concise (one
    /// line a finding), json, sarif (2.1.0, for code scanning), github (workflow-command
    /// annotations), junit (XML test report: one test case per file and rule). Default: full,
    /// or the configuration's `format`.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Smallest acceptable etcd auto-compaction retention, in revisions (at least 1; default:
    /// 1000, or the configuration's `min-retention`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    min_retention: Option<u64>,
    /// Apply safe fixes in place (and unsafe ones with --unsafe-fixes). Every fixed file is
    /// re-parsed and re-checked before it is written; nothing else in it changes.
    #[arg(long, conflicts_with = "diff")]
    fix: bool,
    /// Also apply unsafe fixes (they need you to act too: each one says what to do).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print a unified diff of what --fix would change, and write nothing (exit 1 when there
    /// is a difference, or when an error-level finding remains).
    #[arg(long)]
    diff: bool,
    /// Files checked at once (default, or 0: one per CPU).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    #[command(flatten)]
    config: ConfigArgs,
    /// Exit with 0 even when there are findings (2 still means a file could not be checked).
    #[arg(long)]
    exit_zero: bool,
    /// Print how many findings each rule has, instead of the findings.
    #[arg(long)]
    statistics: bool,
    /// After the findings, list the fixes: applied (with --fix or --diff) and available.
    #[arg(long)]
    show_fixes: bool,
    /// Print the findings and nothing else (no summary line).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// With `-` as the path: check standard input as if it were this file (its directory
    /// decides the project: `.env`, the override file, the configuration).
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
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
    /// Compose file (repeatable; a later file wins). Default: `COMPOSE_ENV_FILES`
    /// (comma-separated), as Docker Compose reads it.
    #[arg(long, value_name = "PATH")]
    env_file: Vec<PathBuf>,
    /// Output format: `json` is shaped as `docker compose config --format json`, with an
    /// `origins` object beside each project's services.
    #[arg(long, value_enum, default_value_t = InspectFormat::Human)]
    format: InspectFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum InspectFormat {
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
        Command::Check(args) => check(args),
        Command::Config { path, config, .. } => show_config(path, &config),
        Command::Inspect(args) => {
            let shell = shell_env();
            let options = Options {
                env_files: env_files(args.env_file, &shell),
                shell: Arc::new(shell),
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
                            run_dir: None,
                        }],
                        &options,
                    ),
                    walk_errors: Vec::new(),
                }
            };
            let cwd = std::env::current_dir().unwrap_or_default();
            let out = match args.format {
                InspectFormat::Json => {
                    let home = std::env::var("HOME").ok();
                    let v = inspect::json(&ins, &cwd, home.as_deref());
                    format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
                }
                InspectFormat::Human => inspect::human(&ins, &cwd),
            };
            print(&out);
            if ins.projects.is_empty() && ins.walk_errors.is_empty() {
                return nothing_found(&args.paths);
            }
            ExitCode::from(ins.exit_code() as u8)
        }
        Command::Rules {
            id,
            format: RulesFormat::Json,
        } => rules_json(id),
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "milvet", &mut buf);
            print(&String::from_utf8_lossy(&buf));
            ExitCode::SUCCESS
        }
        Command::Man => {
            let mut buf = Vec::new();
            if clap_mangen::Man::new(Cli::command())
                .render(&mut buf)
                .is_err()
            {
                return ExitCode::from(2);
            }
            print(&String::from_utf8_lossy(&buf));
            ExitCode::SUCCESS
        }
        Command::Rules { id: None, .. } => {
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
        Command::Rules { id: Some(id), .. } => match rules::by_id(&id) {
            Some(r) => {
                match rules::data_table(&id) {
                    Some(table) => print(&format!("{}{table}", r.meta().doc)),
                    None => print(r.meta().doc),
                }
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("milvet: no rule `{id}`; `milvet rules` lists them");
                ExitCode::from(2)
            }
        },
    }
}

fn rules_json(id: Option<String>) -> ExitCode {
    let list: Vec<_> = rules::all()
        .iter()
        .map(|r| r.meta())
        .filter(|m| id.as_deref().is_none_or(|i| i == m.id))
        .map(|m| {
            serde_json::json!({
                "id": m.id,
                "severity": m.severity,
                "summary": m.summary,
                "url": report::rule_url(m.id),
                "doc": m.doc,
            })
        })
        .collect();
    if let Some(i) = &id
        && list.is_empty()
    {
        eprintln!("milvet: no rule `{i}`; `milvet rules` lists them");
        return ExitCode::from(2);
    }
    let v = serde_json::json!({ "schema": 1, "rules": list });
    print(&format!(
        "{}\n",
        serde_json::to_string_pretty(&v).unwrap_or_default()
    ));
    ExitCode::SUCCESS
}

fn check(args: CheckArgs) -> ExitCode {
    if args.unsafe_fixes && !args.fix && !args.diff {
        eprintln!(
            "milvet: --unsafe-fixes does nothing without --fix or --diff; nothing is changed"
        );
    }
    let resolver = match args.config.resolver(args.min_retention) {
        Ok(r) => Arc::new(r),
        Err(m) => return fail(&m),
    };
    // The run's own settings (format, fail-on) are those of the current directory; a broken
    // file there is reported with the files it covers.
    let run = resolver.for_run().unwrap_or_default();
    let format = match (args.format, &run.format) {
        (Some(f), _) => f,
        (None, Some((name, from))) => match Format::from_str(name, false) {
            Ok(f) => f,
            Err(_) => {
                let names: Vec<String> = Format::value_variants()
                    .iter()
                    .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
                    .collect();
                return fail(&format!(
                    "{from}: `format` is `{name}`, not one of {}",
                    names.join(", ")
                ));
            }
        },
        (None, None) => Format::Full,
    };
    let stdin = args.paths.len() == 1 && args.paths[0] == Path::new("-");
    if !stdin && args.stdin_filename.is_some() {
        return fail("--stdin-filename names the file that `-` stands for: give `-` as the path");
    }
    if stdin && args.fix {
        return fail("--fix cannot write standard input back: use --diff");
    }
    let shell = shell_env();
    let mut options = Options {
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
        env_files: env_files(args.env_file, &shell),
        shell: Arc::new(shell),
        config: resolver,
        ..Options::default()
    };
    let human = matches!(format, Format::Full);
    let tty = std::io::stdout().is_terminal();
    let env = |k: &str| std::env::var(k).ok();
    let style = report::human::style(
        match args.color {
            Color::Always => Some(true),
            Color::Never => Some(false),
            Color::Auto => None,
        },
        tty,
        env,
    );
    let tty_width = tty
        .then(|| terminal_size::terminal_size_of(std::io::stdout()))
        .flatten()
        .map(|(w, _)| w.0 as usize);
    let render = RenderOptions {
        color: style.color,
        unicode: style.unicode,
        width: report::human::width(tty_width, env),
        fixes: match options.fix {
            FixMode::Report => FixSummary::None,
            FixMode::Write => FixSummary::Applied,
            FixMode::Diff => FixSummary::Diff,
        },
        unsafe_fixes: args.unsafe_fixes,
        exit_code: 0,
    };
    let extras = report::Extras {
        quiet: human && args.quiet,
        show_fixes: human && args.show_fixes,
        statistics: args.statistics,
    };
    // Each unit's reports are written (and dropped) as soon as they are checked; a closed
    // pipe (`milvet check | head`) is not an error.
    let out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut stream = report::Stream::with_extras(format, &render, extras, out);
    let mut outcome = check::Outcome::default();
    let mut emit = |reports: Vec<milvet::check::FileReport>| {
        outcome.add(&reports);
        stream.unit(&reports);
    };
    if stdin {
        let mut text = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut text) {
            return fail(&format!("cannot read standard input: {e}"));
        }
        let path = args.stdin_filename.unwrap_or_else(|| PathBuf::from("-"));
        options.stdin = Some((path.clone(), Arc::from(text)));
        check::check_units_each(&[stdin_unit(&path)], &options, &mut emit);
    } else if args.file.is_empty() {
        check::check_paths_each(&args.paths, &options, &mut emit);
    } else {
        check::check_units_each(
            &[Unit {
                files: args.file,
                kind: FileKind::Compose,
                run_dir: None,
            }],
            &options,
            &mut emit,
        );
    }
    let code = outcome.exit_code(options.fix, run.fail_on.0);
    let code = if code == 1 && args.exit_zero { 0 } else { code };
    let files = stream.files();
    drop(stream.finish(code));
    // Nothing found fails; everything found but excluded by the configuration does not.
    if files == 0 && !stdin && milvet::discover::units(&args.paths).0.is_empty() {
        return nothing_found(&args.paths);
    }
    ExitCode::from(code as u8)
}

/// The unit of a file read from standard input: the project its path would be part of (a
/// default Compose file with its override file, or the file alone).
fn stdin_unit(path: &Path) -> Unit {
    const FAMILIES: [(&[&str], &[&str]); 2] = [
        (
            &["compose.yaml", "compose.yml"],
            &["compose.override.yaml", "compose.override.yml"],
        ),
        (
            &["docker-compose.yml", "docker-compose.yaml"],
            &[
                "docker-compose.override.yml",
                "docker-compose.override.yaml",
            ],
        ),
    ];
    let kind = milvet::discover::kind_of_explicit(path);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let dir = path.parent().unwrap_or(Path::new(""));
    let on_disk = |names: &[&str]| names.iter().map(|n| dir.join(n)).find(|p| p.is_file());
    let mut files = vec![path.to_path_buf()];
    if kind == FileKind::Compose {
        for (mains, overrides) in FAMILIES {
            if mains.contains(&name) {
                files.extend(on_disk(overrides));
            } else if overrides.contains(&name) {
                files.splice(0..0, on_disk(mains));
            }
        }
    }
    Unit {
        files,
        kind,
        run_dir: None,
    }
}

fn show_config(path: Option<PathBuf>, args: &ConfigArgs) -> ExitCode {
    let resolver = match args.resolver(None) {
        Ok(r) => r,
        Err(m) => return fail(&m),
    };
    let path = path.unwrap_or_else(|| PathBuf::from("."));
    let settings = if path.is_dir() {
        resolver.for_dir(&path)
    } else {
        resolver.for_file(&path)
    };
    match settings {
        Ok(s) => {
            print(&s.show(&RuleOptions::default()));
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
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

/// The `--env-file`s given, else those `COMPOSE_ENV_FILES` names in the shell (separated by
/// commas, empty names dropped), as Docker Compose v2.40.3 takes them
/// (`defaultStringArrayVar`).
fn env_files(
    given: Vec<PathBuf>,
    shell: &std::collections::HashMap<String, String>,
) -> Vec<PathBuf> {
    if !given.is_empty() {
        return given;
    }
    shell
        .get("COMPOSE_ENV_FILES")
        .map(|v| {
            v.split(',')
                .filter(|f| !f.is_empty())
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Say what is wrong on stderr, exit 2.
fn fail(message: &str) -> ExitCode {
    eprintln!("milvet: {message}");
    ExitCode::from(2)
}

/// Write to stdout; a closed pipe (`milvet check | head`) is not an error.
fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}
