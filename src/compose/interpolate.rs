//! Compose variable interpolation, as `docker compose` (compose-go's `template` package)
//! performs it on every string value of a Compose file.
//!
//! Supported forms, `NAME` being `[A-Za-z_][A-Za-z0-9_]*`:
//!
//! | form | result |
//! | --- | --- |
//! | `$NAME`, `${NAME}` | the value, or empty when unset |
//! | `${NAME:-default}` | `default` when unset or empty |
//! | `${NAME-default}` | `default` when unset |
//! | `${NAME:?message}` | error when unset or empty |
//! | `${NAME?message}` | error when unset |
//! | `${NAME:+replacement}` | `replacement` when set and non-empty, else empty |
//! | `${NAME+replacement}` | `replacement` when set, else empty |
//! | `$$` | a literal `$` |
//!
//! Details that follow compose-go exactly:
//!
//! - A `$` followed by anything other than `$`, `{` or a name start (`$1`, `$ `, `$}`, a
//!   trailing `$`) is kept literally. `$NAME-x` is `$NAME` followed by the text `-x`.
//! - `${` must be followed by a name and then `}` or one of the modifiers above; anything
//!   else (`${}`, `${1A}`, `${A B}`, `${A:x}`, an unclosed `${A`) is an invalid
//!   interpolation format.
//! - The operand of a modifier (default, message or replacement) is itself interpolated,
//!   so modifiers nest: `${A:-${B:-c}}`. It ends at the `}` that balances the opening
//!   `${`, counting every `{` and `}` in between (so `${A:-{"k":1}}` has the default
//!   `{"k":1}`); compose-go skips the byte right after each `{` while counting, and this
//!   module does the same. When the braces never balance, the operand runs to the last `}`
//!   on the same line. An operand never spans a line break: a `${NAME:-…` whose only `}`
//!   lies on a later line is invalid.
//! - The operand is interpolated even when it is not used, so an error inside it (for
//!   example `${A:-${B:?missing}}` with `A` set and `B` unset) still fails.
//! - The first error in reading order wins; an error inside an operand comes before the
//!   error of the reference that holds it.
//!
//! Nesting is bounded by [`MAX_DEPTH`]; deeper input is reported as invalid instead of
//! exhausting the stack.

use std::fmt;
use std::ops::Range;

/// Deepest nesting of references inside operands: the top level is depth 0, and a
/// reference at depth [`MAX_DEPTH`] may not hold a further reference in its operand.
pub const MAX_DEPTH: usize = 32;

/// The modifier of a braced reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefOp {
    /// `$NAME` or `${NAME}`.
    None,
    /// `${NAME:-default}`: the default when the variable is unset or empty.
    DefaultIfUnsetOrEmpty,
    /// `${NAME-default}`: the default when the variable is unset.
    DefaultIfUnset,
    /// `${NAME:?message}`: an error when the variable is unset or empty.
    RequiredIfUnsetOrEmpty,
    /// `${NAME?message}`: an error when the variable is unset.
    RequiredIfUnset,
    /// `${NAME:+replacement}`: the replacement when the variable is set and non-empty.
    AltIfSetNonEmpty,
    /// `${NAME+replacement}`: the replacement when the variable is set.
    AltIfSet,
}

impl RefOp {
    /// The modifier as written (`":-"`, `"?"`, …; `""` for [`RefOp::None`]).
    pub fn as_str(self) -> &'static str {
        match self {
            RefOp::None => "",
            RefOp::DefaultIfUnsetOrEmpty => ":-",
            RefOp::DefaultIfUnset => "-",
            RefOp::RequiredIfUnsetOrEmpty => ":?",
            RefOp::RequiredIfUnset => "?",
            RefOp::AltIfSetNonEmpty => ":+",
            RefOp::AltIfSet => "+",
        }
    }

    /// Whether the modifier makes the variable mandatory (`:?` or `?`).
    pub fn is_required(self) -> bool {
        matches!(self, RefOp::RequiredIfUnsetOrEmpty | RefOp::RequiredIfUnset)
    }

    /// Whether the modifier supplies a default (`:-` or `-`).
    pub fn is_default(self) -> bool {
        matches!(self, RefOp::DefaultIfUnsetOrEmpty | RefOp::DefaultIfUnset)
    }
}

/// One `$...` reference found in a raw value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef {
    /// The variable name.
    pub name: String,
    /// Byte range of the whole reference (`${A:-x}`, `$A`) in the raw string.
    pub span: Range<usize>,
    /// Byte range of just the name inside the raw string.
    pub name_span: Range<usize>,
    /// The modifier.
    pub op: RefOp,
    /// Raw text of the default / error message / replacement operand, if any, and its byte range.
    pub operand: Option<(String, Range<usize>)>,
    /// Set by [`interpolate`]: the variable's value as found by the lookup (None = unset).
    pub found: Option<String>,
    /// Set by [`interpolate`]: true when the result used the operand (default/replacement)
    /// instead of the variable.
    pub used_operand: bool,
    /// Nesting depth (0 = top level; references inside an operand are reported too, with
    /// depth 1, 2…).
    pub depth: usize,
}

/// The result of [`interpolate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpolated {
    /// The interpolated value.
    pub value: String,
    /// Every reference, nested ones included, in the order their `$` appears in the raw
    /// string.
    pub refs: Vec<VarRef>,
}

/// Why a value cannot be interpolated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpolationError {
    /// `${VAR:?msg}` / `${VAR?msg}` with the variable missing: `docker compose` refuses to start.
    Required {
        /// The variable name.
        name: String,
        /// The interpolated message (may be empty).
        message: String,
        /// Byte range of the whole reference in the raw string.
        span: Range<usize>,
    },
    /// Malformed reference (unclosed brace, bad name, too deep).
    Invalid {
        /// What is wrong.
        message: String,
        /// Byte range of the malformed reference in the raw string.
        span: Range<usize>,
    },
}

impl InterpolationError {
    /// Byte range of the offending reference in the raw string.
    pub fn span(&self) -> &Range<usize> {
        match self {
            InterpolationError::Required { span, .. }
            | InterpolationError::Invalid { span, .. } => span,
        }
    }
}

impl fmt::Display for InterpolationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterpolationError::Required { name, message, .. } => {
                if message.is_empty() {
                    write!(f, "required variable {name} is missing a value")
                } else {
                    write!(f, "required variable {name} is missing a value: {message}")
                }
            }
            InterpolationError::Invalid { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for InterpolationError {}

/// Interpolate `raw` with `lookup` (None = unset). Must not panic on any input.
pub fn interpolate(
    raw: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Interpolated, InterpolationError> {
    let mut engine = Engine::new(raw, Some(lookup));
    let value = engine.expand(0, raw.len(), 0)?;
    Ok(Interpolated {
        value,
        refs: engine.refs,
    })
}

/// The references in `raw` without resolving them (found = None, used_operand = false);
/// malformed input gives the Invalid error.
pub fn references(raw: &str) -> Result<Vec<VarRef>, InterpolationError> {
    let mut engine = Engine::new(raw, None);
    engine.expand(0, raw.len(), 0)?;
    Ok(engine.refs)
}

/// Whether `raw` contains any interpolation (a `$` that is not part of `$$`).
///
/// A lone `$` that Compose keeps literally (`$1`, a trailing `$`) counts too; use
/// [`references`] for the exact list of variables. `$$` alone is not interpolation, though
/// interpolating still turns it into `$`.
pub fn has_interpolation(raw: &str) -> bool {
    let mut bytes = raw.bytes();
    while let Some(b) = bytes.next() {
        if b == b'$' && bytes.next() != Some(b'$') {
            return true;
        }
    }
    false
}

/// Whether `b` may start a variable name.
fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// Whether `b` may continue a variable name.
fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Where the current line ends and its last `}`, remembered while scanning one window.
#[derive(Clone, Copy)]
struct LineCache {
    /// Index of the `\n` ending the line, or the window end.
    end: usize,
    /// Index of the last `}` between the position the cache was filled from and `end`.
    last_close: Option<usize>,
}

/// A variable lookup: the value, or None when unset.
type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

struct Engine<'a> {
    raw: &'a str,
    bytes: &'a [u8],
    lookup: Option<Lookup<'a>>,
    refs: Vec<VarRef>,
}

impl<'a> Engine<'a> {
    fn new(raw: &'a str, lookup: Option<Lookup<'a>>) -> Self {
        Engine {
            raw,
            bytes: raw.as_bytes(),
            lookup,
            refs: Vec::new(),
        }
    }

    fn text(&self, range: Range<usize>) -> &'a str {
        self.raw.get(range).unwrap_or("")
    }

    fn byte(&self, i: usize, end: usize) -> Option<u8> {
        if i < end {
            self.bytes.get(i).copied()
        } else {
            None
        }
    }

    /// Index of the first `\n` at or after `from`, or `end`.
    fn line_end(&self, from: usize, end: usize) -> usize {
        self.bytes
            .get(from..end)
            .and_then(|s| s.iter().position(|&b| b == b'\n'))
            .map_or(end, |p| from + p)
    }

    /// Interpolate `raw[start..end]`, whose references sit at nesting depth `depth`.
    fn expand(
        &mut self,
        start: usize,
        end: usize,
        depth: usize,
    ) -> Result<String, InterpolationError> {
        let mut out = String::new();
        let mut literal_from = start;
        let mut i = start;
        let mut cache: Option<LineCache> = None;
        while i < end {
            let Some(off) = self
                .bytes
                .get(i..end)
                .and_then(|s| s.iter().position(|&b| b == b'$'))
            else {
                break;
            };
            let dollar = i + off;
            let next = self.byte(dollar + 1, end);
            if depth > MAX_DEPTH && next.is_some_and(|b| b == b'{' || is_name_start(b)) {
                return Err(self.too_deep(dollar, end));
            }
            match next {
                Some(b'$') => {
                    out.push_str(self.text(literal_from..dollar));
                    out.push('$');
                    i = dollar + 2;
                    literal_from = i;
                }
                Some(b) if is_name_start(b) => {
                    out.push_str(self.text(literal_from..dollar));
                    let name_start = dollar + 1;
                    let mut name_end = name_start + 1;
                    while self.byte(name_end, end).is_some_and(is_name_char) {
                        name_end += 1;
                    }
                    let name = self.text(name_start..name_end).to_string();
                    let found = self.lookup.and_then(|lookup| lookup(&name));
                    if let Some(value) = &found {
                        out.push_str(value);
                    }
                    self.refs.push(VarRef {
                        name,
                        span: dollar..name_end,
                        name_span: name_start..name_end,
                        op: RefOp::None,
                        operand: None,
                        found,
                        used_operand: false,
                        depth,
                    });
                    i = name_end;
                    literal_from = i;
                }
                Some(b'{') => {
                    out.push_str(self.text(literal_from..dollar));
                    let (value, next) = self.braced(dollar, end, depth, &mut cache)?;
                    out.push_str(&value);
                    i = next;
                    literal_from = i;
                }
                // Kept literally: `$1`, `$ `, `$}`, a trailing `$`.
                _ => i = dollar + 1,
            }
        }
        out.push_str(self.text(literal_from..end));
        Ok(out)
    }

    /// The `${` reference starting at `dollar`: its value and the index right after it.
    fn braced(
        &mut self,
        dollar: usize,
        end: usize,
        depth: usize,
        cache: &mut Option<LineCache>,
    ) -> Result<(String, usize), InterpolationError> {
        let name_start = dollar + 2;
        let mut name_end = name_start;
        if self.byte(name_start, end).is_some_and(is_name_start) {
            name_end += 1;
            while self.byte(name_end, end).is_some_and(is_name_char) {
                name_end += 1;
            }
        }
        if name_end == name_start {
            return Err(self.invalid(
                dollar,
                end,
                "invalid interpolation format: \"${\" must be followed by a variable name"
                    .to_string(),
            ));
        }
        let name = self.text(name_start..name_end).to_string();
        let (op, op_len) = match (self.byte(name_end, end), self.byte(name_end + 1, end)) {
            (Some(b'}'), _) => (RefOp::None, 0),
            (Some(b':'), Some(b'-')) => (RefOp::DefaultIfUnsetOrEmpty, 2),
            (Some(b':'), Some(b'?')) => (RefOp::RequiredIfUnsetOrEmpty, 2),
            (Some(b':'), Some(b'+')) => (RefOp::AltIfSetNonEmpty, 2),
            (Some(b'-'), _) => (RefOp::DefaultIfUnset, 1),
            (Some(b'?'), _) => (RefOp::RequiredIfUnset, 1),
            (Some(b'+'), _) => (RefOp::AltIfSet, 1),
            (None, _) | (Some(b'\n'), _) => {
                return Err(self.invalid(
                    dollar,
                    end,
                    format!("invalid interpolation format: missing \"}}\" after \"${{{name}\""),
                ));
            }
            (Some(_), _) => {
                let unexpected = self
                    .raw
                    .get(name_end..end)
                    .and_then(|s| s.chars().next())
                    .unwrap_or('?');
                return Err(self.invalid(
                    dollar,
                    end,
                    format!(
                        "invalid interpolation format: unexpected {unexpected:?} after \"${{{name}\" \
                         (expected \"}}\" or one of \":-\", \"-\", \":?\", \"?\", \":+\", \"+\")"
                    ),
                ));
            }
        };

        if op == RefOp::None {
            let found = self.lookup.and_then(|lookup| lookup(&name));
            let value = found.clone().unwrap_or_default();
            self.refs.push(VarRef {
                name,
                span: dollar..name_end + 1,
                name_span: name_start..name_end,
                op,
                operand: None,
                found,
                used_operand: false,
                depth,
            });
            return Ok((value, name_end + 1));
        }

        let operand_start = name_end + op_len;
        let Some(close) = self.closing_brace(dollar, operand_start, end, cache) else {
            return Err(self.invalid(
                dollar,
                end,
                format!(
                    "invalid interpolation format: missing \"}}\" closing \"${{{name}{}\" on the same line",
                    op.as_str()
                ),
            ));
        };
        let index = self.refs.len();
        self.refs.push(VarRef {
            name,
            span: dollar..close + 1,
            name_span: name_start..name_end,
            op,
            operand: Some((
                self.text(operand_start..close).to_string(),
                operand_start..close,
            )),
            found: None,
            used_operand: false,
            depth,
        });
        // compose-go interpolates the operand before it looks at the variable, whether or
        // not the operand ends up being used.
        let operand = self.expand(operand_start, close, depth + 1)?;
        let Some(lookup) = self.lookup else {
            return Ok((String::new(), close + 1));
        };
        let Some(reference) = self.refs.get_mut(index) else {
            return Ok((String::new(), close + 1));
        };
        let found = lookup(&reference.name);
        let set = found.is_some();
        let non_empty = found.as_deref().is_some_and(|v| !v.is_empty());
        let (value, used_operand) = match op {
            RefOp::DefaultIfUnsetOrEmpty if !non_empty => (operand, true),
            RefOp::DefaultIfUnset if !set => (operand, true),
            RefOp::AltIfSetNonEmpty if non_empty => (operand, true),
            RefOp::AltIfSet if set => (operand, true),
            RefOp::AltIfSetNonEmpty | RefOp::AltIfSet => (String::new(), false),
            RefOp::RequiredIfUnsetOrEmpty if !non_empty => {
                return Err(InterpolationError::Required {
                    name: reference.name.clone(),
                    message: operand,
                    span: dollar..close + 1,
                });
            }
            RefOp::RequiredIfUnset if !set => {
                return Err(InterpolationError::Required {
                    name: reference.name.clone(),
                    message: operand,
                    span: dollar..close + 1,
                });
            }
            _ => (found.clone().unwrap_or_default(), false),
        };
        reference.found = found;
        reference.used_operand = used_operand;
        Ok((value, close + 1))
    }

    /// Index of the `}` that ends the reference opened at `dollar`, whose operand starts at
    /// `operand_start`: the last `}` on the line must exist (else None); within that, the
    /// first `}` that balances the braces counted from `${`, as compose-go counts them.
    fn closing_brace(
        &self,
        dollar: usize,
        operand_start: usize,
        end: usize,
        cache: &mut Option<LineCache>,
    ) -> Option<usize> {
        let line = match *cache {
            Some(line) if operand_start <= line.end => line,
            _ => {
                let line_end = self.line_end(operand_start, end);
                let last_close = self
                    .bytes
                    .get(operand_start..line_end)
                    .and_then(|s| s.iter().rposition(|&b| b == b'}'))
                    .map(|p| operand_start + p);
                let line = LineCache {
                    end: line_end,
                    last_close,
                };
                *cache = Some(line);
                line
            }
        };
        let last = line.last_close.filter(|&c| c >= operand_start)?;
        let mut open: usize = 0;
        let mut k = dollar;
        while k <= last {
            match self.bytes.get(k) {
                Some(b'}') => {
                    open = open.saturating_sub(1);
                    if open == 0 {
                        return Some(k);
                    }
                }
                Some(b'{') => {
                    open += 1;
                    // compose-go steps over the byte that follows each `{`.
                    k += 1;
                }
                Some(_) => {}
                None => break,
            }
            k += 1;
        }
        Some(last)
    }

    /// The Invalid error for a reference nested deeper than [`MAX_DEPTH`].
    fn too_deep(&self, dollar: usize, end: usize) -> InterpolationError {
        let message = format!(
            "invalid interpolation format: references nested deeper than {MAX_DEPTH} levels"
        );
        if self.byte(dollar + 1, end) == Some(b'{') {
            return self.invalid(dollar, end, message);
        }
        let mut name_end = dollar + 1;
        while self.byte(name_end, end).is_some_and(is_name_char) {
            name_end += 1;
        }
        InterpolationError::Invalid {
            message,
            span: dollar..name_end,
        }
    }

    /// An Invalid error for the `${` at `dollar`, spanning up to its first `}` on the line
    /// (or the end of the line).
    fn invalid(&self, dollar: usize, end: usize, message: String) -> InterpolationError {
        let line_end = self.line_end(dollar, end);
        let stop = self
            .bytes
            .get(dollar..line_end)
            .and_then(|s| s.iter().position(|&b| b == b'}'))
            .map_or(line_end, |p| dollar + p + 1);
        InterpolationError::Invalid {
            message,
            span: dollar..stop.max(dollar + 1).min(self.bytes.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env() -> HashMap<&'static str, &'static str> {
        HashMap::from([("FOO", "first"), ("BAR", ""), ("JSON", r#"{"json":2}"#)])
    }

    fn run(raw: &str) -> Result<Interpolated, InterpolationError> {
        let vars = env();
        interpolate(raw, &|name| vars.get(name).map(|v| v.to_string()))
    }

    fn value(raw: &str) -> String {
        match run(raw) {
            Ok(done) => done.value,
            Err(err) => panic!("{raw:?} failed: {err}"),
        }
    }

    fn error(raw: &str) -> InterpolationError {
        match run(raw) {
            Ok(done) => panic!("{raw:?} gave {:?}", done.value),
            Err(err) => err,
        }
    }

    fn invalid_span(raw: &str) -> Range<usize> {
        match error(raw) {
            InterpolationError::Invalid { span, .. } => span,
            other => panic!("{raw:?} gave {other:?}"),
        }
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(value("foo"), "foo");
        assert_eq!(value(""), "");
        assert!(run("foo").map(|d| d.refs.is_empty()).unwrap_or(false));
    }

    #[test]
    fn simple_forms_set_empty_unset() {
        assert_eq!(value("This $FOO var"), "This first var");
        assert_eq!(value("This ${FOO} var"), "This first var");
        assert_eq!(value("This ${BAR} var"), "This  var");
        assert_eq!(value("This $BAR var"), "This  var");
        assert_eq!(value("This ${missing} var"), "This  var");
        assert_eq!(value("This $missing var"), "This  var");
    }

    #[test]
    fn named_reference_stops_at_first_non_name_byte() {
        assert_eq!(value("$FOO-bar"), "first-bar");
        assert_eq!(value("$FOO.bar"), "first.bar");
        assert_eq!(value("$FOO_x"), "");
        assert_eq!(value("$FOOé"), "firsté");
    }

    #[test]
    fn default_if_unset_or_empty() {
        assert_eq!(value("ok ${FOO:-def}"), "ok first");
        assert_eq!(value("ok ${BAR:-def}"), "ok def");
        assert_eq!(value("ok ${missing:-def}"), "ok def");
        assert_eq!(
            value("ok ${BAR:-/non:-alphanumeric}"),
            "ok /non:-alphanumeric"
        );
        assert_eq!(value("ok ${missing:-}"), "ok ");
    }

    #[test]
    fn default_if_unset() {
        assert_eq!(value("ok ${FOO-def}"), "ok first");
        assert_eq!(value("ok ${BAR-def}"), "ok ");
        assert_eq!(value("ok ${missing-def}"), "ok def");
        assert_eq!(value("${UNSET_VAR-myerror?msg}"), "myerror?msg");
    }

    #[test]
    fn required_if_unset_or_empty() {
        assert_eq!(value("ok ${FOO:?err}"), "ok first");
        assert_eq!(
            error("not ok ${BAR:?Mandatory Variable Empty}"),
            InterpolationError::Required {
                name: "BAR".into(),
                message: "Mandatory Variable Empty".into(),
                span: 7..39,
            }
        );
        assert_eq!(
            error("not ok ${UNSET_VAR:?}"),
            InterpolationError::Required {
                name: "UNSET_VAR".into(),
                message: String::new(),
                span: 7..21,
            }
        );
        assert_eq!(
            error("not ok ${UNSET_VAR:?}").to_string(),
            "required variable UNSET_VAR is missing a value"
        );
    }

    #[test]
    fn required_if_unset() {
        assert_eq!(value("ok ${FOO?err}"), "ok first");
        assert_eq!(value("ok ${BAR?err}"), "ok ");
        assert_eq!(value("${FOO?bar-baz}"), "first");
        let err = error("${UNSET_VAR?bar-baz}");
        assert_eq!(
            err.to_string(),
            "required variable UNSET_VAR is missing a value: bar-baz"
        );
        assert_eq!(err.span(), &(0..20));
    }

    #[test]
    fn alt_if_set_non_empty() {
        assert_eq!(value("ok ${FOO:+presence_value}"), "ok presence_value");
        assert_eq!(value("ok ${BAR:+presence_value}"), "ok ");
        assert_eq!(value("ok ${UNSET_VAR:+presence_value}"), "ok ");
    }

    #[test]
    fn alt_if_set() {
        assert_eq!(value("ok ${FOO+presence_value}"), "ok presence_value");
        assert_eq!(value("ok ${BAR+presence_value}"), "ok presence_value");
        assert_eq!(value("ok ${UNSET_VAR+presence_value}"), "ok ");
    }

    #[test]
    fn found_and_used_operand_are_reported() {
        let done = run("${FOO:-a}${BAR:-b}${BAR-c}${NOPE-d}${FOO:+e}${BAR+f}${NOPE+g}${FOO?h}")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(done.value, "firstbdeffirst");
        let summary: Vec<(&str, Option<&str>, bool)> = done
            .refs
            .iter()
            .map(|r| (r.name.as_str(), r.found.as_deref(), r.used_operand))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("FOO", Some("first"), false),
                ("BAR", Some(""), true),
                ("BAR", Some(""), false),
                ("NOPE", None, true),
                ("FOO", Some("first"), true),
                ("BAR", Some(""), true),
                ("NOPE", None, false),
                ("FOO", Some("first"), false),
            ]
        );
    }

    #[test]
    fn ops_are_parsed() {
        let refs = references("${A}${A:-x}${A-x}${A:?x}${A?x}${A:+x}${A+x}$A")
            .unwrap_or_else(|e| panic!("{e}"));
        let ops: Vec<RefOp> = refs.iter().map(|r| r.op).collect();
        assert_eq!(
            ops,
            vec![
                RefOp::None,
                RefOp::DefaultIfUnsetOrEmpty,
                RefOp::DefaultIfUnset,
                RefOp::RequiredIfUnsetOrEmpty,
                RefOp::RequiredIfUnset,
                RefOp::AltIfSetNonEmpty,
                RefOp::AltIfSet,
                RefOp::None,
            ]
        );
        let ops: Vec<&str> = refs.iter().map(|r| r.op.as_str()).collect();
        assert_eq!(ops, vec!["", ":-", "-", ":?", "?", ":+", "+", ""]);
        assert!(RefOp::RequiredIfUnset.is_required());
        assert!(RefOp::DefaultIfUnset.is_default());
        assert!(!RefOp::AltIfSet.is_default());
    }

    #[test]
    fn first_modifier_after_the_name_wins() {
        let refs = references("${A?va-lu+e:?e}${A-va:-lu:?e}${A:+va:?lu:-e}${A+va-lu?e}")
            .unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<(RefOp, &str)> = refs
            .iter()
            .map(|r| (r.op, r.operand.as_ref().map_or("", |o| o.0.as_str())))
            .collect();
        assert_eq!(
            got,
            vec![
                (RefOp::RequiredIfUnset, "va-lu+e:?e"),
                (RefOp::DefaultIfUnset, "va:-lu:?e"),
                (RefOp::AltIfSetNonEmpty, "va:?lu:-e"),
                (RefOp::AltIfSet, "va-lu?e"),
            ]
        );
    }

    #[test]
    fn nested_defaults() {
        assert_eq!(value("ok ${UNSET_VAR-$FOO}"), "ok first");
        assert_eq!(value("ok ${UNSET_VAR-${FOO}}"), "ok first");
        assert_eq!(value("ok ${UNSET_VAR-${FOO} ${FOO}}"), "ok first first");
        assert_eq!(value("ok ${BAR:-$FOO}"), "ok first");
        assert_eq!(value("ok ${BAR:-${FOO}}"), "ok first");
        assert_eq!(value("ok ${BAR:-${FOO} ${FOO}}"), "ok first first");
        assert_eq!(value("ok ${BAR+$FOO}"), "ok first");
        assert_eq!(value("ok ${BAR+$FOO ${FOO:+second}}"), "ok first second");
        assert_eq!(value("${A:-${B:-c}}"), "c");
        assert_eq!(value("${A:-${B:-${FOO}}}"), "first");
        assert_eq!(value("+ok ${UNSET:-${BAR-defaultValue}}"), "+ok ");
        assert_eq!(value(":?ok ${BAR:-defaultValue}"), ":?ok defaultValue");
        assert_eq!(value("ok ${SUBDOMAIN:-redis}.${FOO:?}"), "ok redis.first");
    }

    #[test]
    fn nested_references_are_reported_with_depth_and_spans() {
        let raw = "x${A:-${B:-c}}y";
        let refs = references(raw).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].name, "A");
        assert_eq!(refs[0].span, 1..14);
        assert_eq!(refs[0].name_span, 3..4);
        assert_eq!(refs[0].depth, 0);
        assert_eq!(refs[0].operand, Some(("${B:-c}".to_string(), 6..13)));
        assert_eq!(refs[1].name, "B");
        assert_eq!(refs[1].span, 6..13);
        assert_eq!(refs[1].name_span, 8..9);
        assert_eq!(refs[1].depth, 1);
        assert_eq!(refs[1].operand, Some(("c".to_string(), 11..12)));
        assert_eq!(&raw[refs[0].span.clone()], "${A:-${B:-c}}");
        assert_eq!(&raw[refs[1].span.clone()], "${B:-c}");
    }

    #[test]
    fn nested_operand_is_evaluated_even_when_unused() {
        let err = error("${FOO:-${NOPE:?inner}}");
        assert_eq!(
            err,
            InterpolationError::Required {
                name: "NOPE".into(),
                message: "inner".into(),
                span: 7..21,
            }
        );
        assert_eq!(
            error("not ok ${UNSET_VAR:?Mandatory Variable ${FOO}}").to_string(),
            "required variable UNSET_VAR is missing a value: Mandatory Variable first"
        );
    }

    #[test]
    fn braces_inside_defaults() {
        assert_eq!(value(r#"ok ${missing:-{"json":1}}"#), r#"ok {"json":1}"#);
        assert_eq!(value(r#"ok ${missing-{"json":1}}"#), r#"ok {"json":1}"#);
        assert_eq!(value(r#"ok ${JSON:-{"json":1}}"#), r#"ok {"json":2}"#);
        // Unbalanced: the operand runs to the last `}` on the line.
        assert_eq!(value("${missing:-{x}"), "{x");
        assert_eq!(value("${missing:-x}}"), "x}");
        assert_eq!(value("a ${missing:-x} b }"), "a x b }");
    }

    #[test]
    fn brace_counting_skips_the_byte_after_an_opening_brace() {
        // `{}` inside the operand: the `}` right after `{` is stepped over, so the braces
        // never balance and the operand runs to the last `}` of the line. The remaining
        // `${B` then has no closing brace.
        let err = error("${A:-{}} and ${B}");
        assert!(matches!(err, InterpolationError::Invalid { .. }), "{err:?}");
        assert_eq!(value("${A:-{}}"), "{}");
        assert_eq!(value("${A:-x{}y}"), "x{}y");
    }

    #[test]
    fn operand_does_not_cross_lines() {
        assert_eq!(invalid_span("${A:-x\ny}"), 0..6);
        assert_eq!(value("${A:-x}\n}"), "x\n}");
        assert_eq!(value("line1\n${FOO:-x}\n${BAR:-y}"), "line1\nfirst\ny");
    }

    #[test]
    fn escaped_dollar() {
        assert_eq!(value("$${foo}"), "${foo}");
        assert_eq!(value("$$FOO"), "$FOO");
        assert_eq!(value("$$$FOO"), "$first");
        assert_eq!(value("$$$$"), "$$");
        assert!(
            references("$${foo} $$A")
                .map(|r| r.is_empty())
                .unwrap_or(false)
        );
        assert_eq!(value("${FOO:-$$}"), "first");
        assert_eq!(value("${BAR:-$$x}"), "$x");
    }

    #[test]
    fn lone_dollar_is_literal() {
        for raw in [
            "a $ string",
            "^REGEX$",
            "$}",
            "$",
            "$1",
            "$1A",
            "cost: 5$",
            "$-x",
            "$é",
        ] {
            assert_eq!(value(raw), raw);
            assert!(references(raw).map(|r| r.is_empty()).unwrap_or(false));
        }
        assert_eq!(value("$1$FOO$"), "$1first$");
    }

    #[test]
    fn unicode_around_references() {
        let raw = "é${FOO}ü$FOO😀${NOPE:-ß}";
        let done = run(raw).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(done.value, "éfirstüfirst😀ß");
        let spans: Vec<Range<usize>> = done.refs.iter().map(|r| r.span.clone()).collect();
        assert_eq!(spans, vec![2..8, 10..14, 18..29]);
        let names: Vec<Range<usize>> = done.refs.iter().map(|r| r.name_span.clone()).collect();
        assert_eq!(names, vec![4..7, 11..14, 20..24]);
        assert_eq!(&raw[18..29], "${NOPE:-ß}");
        assert_eq!(done.refs[2].operand, Some(("ß".to_string(), 26..28)));
    }

    #[test]
    fn spans_are_exact() {
        let raw = "a$FOO b${FOO} c${X:-def}";
        let refs = references(raw).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(refs[0].span, 1..5);
        assert_eq!(refs[0].name_span, 2..5);
        assert_eq!(refs[1].span, 7..13);
        assert_eq!(refs[1].name_span, 9..12);
        assert_eq!(refs[2].span, 15..24);
        assert_eq!(refs[2].name_span, 17..18);
        assert_eq!(refs[2].operand, Some(("def".to_string(), 20..23)));
        assert!(refs.iter().all(|r| r.found.is_none() && !r.used_operand));
    }

    #[test]
    fn invalid_formats() {
        for raw in [
            "${",
            "${}",
            "${ }",
            "${ foo}",
            "${foo }",
            "${foo!}",
            "${1A}",
            "${A B}",
            "${A",
            "${A:x}",
            "${A:}",
            "${A:-x",
            "${é}",
            "x ${A:-${B}",
        ] {
            let err = error(raw);
            assert!(
                matches!(err, InterpolationError::Invalid { .. }),
                "{raw:?}: {err:?}"
            );
            assert!(err.to_string().starts_with("invalid interpolation format"));
            assert!(matches!(
                references(raw),
                Err(InterpolationError::Invalid { .. })
            ));
        }
    }

    #[test]
    fn invalid_spans_are_exact() {
        assert_eq!(invalid_span("${"), 0..2);
        assert_eq!(invalid_span("ab ${}"), 3..6);
        assert_eq!(invalid_span("ab ${1A} cd"), 3..8);
        assert_eq!(invalid_span("x${A B}y"), 1..7);
        assert_eq!(invalid_span("x ${A"), 2..5);
        assert_eq!(invalid_span("é${A:-x"), 2..8);
        assert_eq!(invalid_span("${A:-x\n}"), 0..6);
    }

    #[test]
    fn first_error_in_reading_order_wins() {
        assert!(matches!(
            error("${NOPE:?first} ${"),
            InterpolationError::Required { .. }
        ));
        assert!(matches!(
            error("${ ${NOPE:?second}"),
            InterpolationError::Invalid { .. }
        ));
        // `references` never resolves, so only the malformed part is reported.
        assert!(matches!(
            references("${NOPE:?first} ${"),
            Err(InterpolationError::Invalid { .. })
        ));
    }

    fn nested(levels: usize) -> String {
        let mut raw = String::new();
        for _ in 0..levels {
            raw.push_str("${A:-");
        }
        raw.push('x');
        for _ in 0..levels {
            raw.push('}');
        }
        raw
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = nested(MAX_DEPTH + 1);
        assert_eq!(value(&ok), "x");
        let refs = references(&ok).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(refs.len(), MAX_DEPTH + 1);
        assert_eq!(refs.last().map(|r| r.depth), Some(MAX_DEPTH));

        let deep = nested(MAX_DEPTH + 2);
        let start = (MAX_DEPTH + 1) * 5;
        assert_eq!(invalid_span(&deep), start..start + 7);
        assert_eq!(&deep[start..start + 7], "${A:-x}");
        let named = format!(
            "{}$A{}",
            "${A:-".repeat(MAX_DEPTH + 1),
            "}".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(invalid_span(&named), start..start + 2);
        let escaped = format!(
            "{}$$x{}",
            "${A:-".repeat(MAX_DEPTH + 1),
            "}".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(value(&escaped), "$x");

        let very_deep = nested(100_000);
        assert!(matches!(
            error(&very_deep),
            InterpolationError::Invalid { .. }
        ));
        assert!(references(&very_deep).is_err());
    }

    #[test]
    fn has_interpolation_cases() {
        assert!(!has_interpolation(""));
        assert!(!has_interpolation("plain"));
        assert!(!has_interpolation("$$"));
        assert!(!has_interpolation("a$$b$$"));
        assert!(has_interpolation("$A"));
        assert!(has_interpolation("${A}"));
        assert!(has_interpolation("$$$A"));
        assert!(has_interpolation("trailing $"));
        assert!(has_interpolation("é$1"));
    }

    #[test]
    fn error_trait_and_display() {
        let err: Box<dyn std::error::Error> = Box::new(error("${"));
        assert!(err.to_string().contains("variable name"));
    }

    /// A tiny deterministic generator (64-bit LCG).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
    }

    fn check_ref(raw: &str, r: &VarRef) {
        assert!(r.span.start <= r.name_span.start && r.name_span.end <= r.span.end);
        assert_eq!(raw.get(r.name_span.clone()), Some(r.name.as_str()));
        assert!(raw.get(r.span.clone()).is_some_and(|s| s.starts_with('$')));
        if let Some((text, range)) = &r.operand {
            assert_eq!(raw.get(range.clone()), Some(text.as_str()));
            assert!(r.span.start < range.start && range.end < r.span.end);
        }
        assert!(r.depth <= MAX_DEPTH);
    }

    #[test]
    fn never_panics_on_generated_input() {
        const ALPHABET: [&str; 14] = [
            "$", "{", "}", ":", "-", "?", "+", "A", "_", "1", "x", "é", "\n", "B",
        ];
        let mut rng = Lcg(0x5eed);
        let lookup = |name: &str| match name {
            "A" => Some("a".to_string()),
            "B" => Some(String::new()),
            _ => None,
        };
        for _ in 0..20_000 {
            let len = (rng.next() % 24) as usize;
            let mut raw = String::new();
            for _ in 0..len {
                raw.push_str(ALPHABET[(rng.next() % ALPHABET.len() as u64) as usize]);
            }
            let interpolated = interpolate(&raw, &lookup);
            let listed = references(&raw);
            let _ = has_interpolation(&raw);
            match (&interpolated, &listed) {
                (Ok(done), Ok(refs)) => {
                    assert_eq!(done.refs.len(), refs.len(), "{raw:?}");
                    for r in &done.refs {
                        check_ref(&raw, r);
                    }
                }
                (Err(InterpolationError::Required { span, .. }), Ok(_)) => {
                    assert!(raw.get(span.clone()).is_some(), "{raw:?}");
                }
                (Err(InterpolationError::Invalid { span, .. }), Err(other)) => {
                    assert!(raw.get(span.clone()).is_some(), "{raw:?}");
                    assert!(!span.is_empty(), "{raw:?}");
                    assert_eq!(other.span(), span, "{raw:?}");
                }
                (Err(InterpolationError::Required { .. }), Err(_)) => {
                    // A required error before a malformed reference later on.
                }
                (a, b) => panic!("{raw:?}: interpolate {a:?} but references {b:?}"),
            }
            if !has_interpolation(&raw) {
                assert!(listed.map(|r| r.is_empty()).unwrap_or(false), "{raw:?}");
            }
        }
    }
}
