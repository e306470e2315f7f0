//! Spec prose → rustdoc that builds with `-D warnings` and runs no doctests.

use std::cell::RefCell;

use proc_macro2::TokenStream;
use quote::quote;

/// Turns spec text into markdown rustdoc accepts: code fences become `text`; the lines of a
/// paragraph or a list item are joined (so a code span may cross a line break; [`wrap`] breaks
/// them again), which also flattens indented blocks (no accidental code blocks); headings and
/// table rows stay lines of their own; `[`, `]`, `<` and a leading `>` outside code are escaped,
/// and bare URLs get angle brackets.
pub fn sanitize(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut in_fence = false;
    // The logical line being collected: its list marker width (for continuations) and text.
    let mut open: Option<(Option<usize>, String)> = None;
    let flush = |open: &mut Option<(Option<usize>, String)>, out: &mut Vec<String>| {
        if let Some((_, text)) = open.take() {
            out.push(escape_line(&text));
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            flush(&mut open, &mut out);
            out.push(if in_fence { "```" } else { "```text" }.to_string());
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.trim_end().to_string());
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut open, &mut out);
            out.push(String::new());
            continue;
        }
        if trimmed.starts_with('#') || trimmed.starts_with('|') {
            flush(&mut open, &mut out);
            out.push(escape_line(trimmed));
            continue;
        }
        if let Some(width) = list_marker(trimmed) {
            flush(&mut open, &mut out);
            open = Some((Some(width), trimmed.to_string()));
            continue;
        }
        match &mut open {
            Some((_, text)) => {
                text.push(' ');
                text.push_str(trimmed);
            }
            None => open = Some((None, trimmed.to_string())),
        }
    }
    flush(&mut open, &mut out);
    if in_fence {
        out.push("```".to_string());
    }
    // Collapse runs of blank lines.
    let mut result: Vec<String> = Vec::new();
    for l in out {
        if l.is_empty() && result.last().is_some_and(String::is_empty) {
            continue;
        }
        result.push(l);
    }
    result.join("\n").trim().to_string()
}

/// The width of a list marker (`- `, `* `, `+ `, `1. `) at the start of `line`.
fn list_marker(line: &str) -> Option<usize> {
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return Some(2);
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0 && line[digits..].starts_with(". ")).then_some(digits + 2)
}

fn escape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    // Length of the backtick run that opened the current code span (0: not in code).
    let mut fence = 0usize;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            let run = rest.len() - rest.trim_start_matches('`').len();
            if fence == 0 {
                fence = run;
            } else if run == fence {
                fence = 0;
            }
            out.push_str(&rest[..run]);
            rest = &rest[run..];
            continue;
        }
        if fence == 0 && (rest.starts_with("http://") || rest.starts_with("https://")) {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == ')' || c == '>' || c == '"' || c == '`')
                .unwrap_or(rest.len());
            let mut url = &rest[..end];
            while url.ends_with(['.', ',', ';', ':']) {
                url = &url[..url.len() - 1];
            }
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
            continue;
        }
        match c {
            '[' | ']' | '\\' if fence == 0 => {
                out.push('\\');
                out.push(c);
            }
            '<' if fence == 0 => out.push_str("\\<"),
            '>' if fence == 0 && out.trim().is_empty() => out.push_str("\\>"),
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    if fence != 0 {
        // An unbalanced backtick would swallow the rest of the doc: neutralize it instead.
        return escape_line(&line.replace('`', "'"));
    }
    out
}

/// Width prose lines are wrapped to (rustdoc of generated items sits at up to 8 columns).
const WRAP: usize = 92;

/// Wraps the prose lines of `markdown` at [`WRAP`] columns: code fences, tables (`|`) and
/// headings (`#`) stay as they are; list items continue indented under their text.
pub fn wrap(markdown: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            out.push(line.to_string());
            continue;
        }
        if in_fence || trimmed.starts_with('|') || trimmed.starts_with('#') || line.len() <= WRAP {
            out.push(line.to_string());
            continue;
        }
        let indent = line.len() - trimmed.len();
        let hang = indent + list_marker(trimmed).unwrap_or(0);
        let mut current = " ".repeat(indent);
        let mut first_word = true;
        for word in trimmed.split(' ').filter(|w| !w.is_empty()) {
            if !first_word && current.len() + 1 + word.len() > WRAP {
                out.push(std::mem::replace(&mut current, " ".repeat(hang)));
                first_word = true;
            }
            if !first_word {
                current.push(' ');
            }
            current.push_str(word);
            first_word = false;
        }
        out.push(current);
    }
    out.join("\n")
}

thread_local! {
    /// The docs deferred on this thread (see [`defer`]), by marker index.
    static DEFERRED: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Defers docs until [`expand`]: while the guard lives, [`attrs`] on this thread records each
/// doc and emits one marker attribute instead of one attribute per line. Docs are most of the
/// tokens of a generated file and have no effect on its layout, so they skip syn and
/// prettyplease and are put back into the formatted text.
pub fn defer() -> Deferred {
    DEFERRED.with(|d| *d.borrow_mut() = Some(Vec::new()));
    Deferred(())
}

/// Ends [`defer`] when dropped.
pub struct Deferred(());

impl Drop for Deferred {
    fn drop(&mut self) {
        DEFERRED.with(|d| *d.borrow_mut() = None);
    }
}

/// The marker of deferred doc `i` as prettyplease prints it (after `///`).
fn marker(i: usize) -> String {
    format!("@@doc:{i}@@")
}

/// Replaces the markers in formatted `text` with the deferred docs, as `///` lines at the
/// marker's indentation.
pub fn expand(text: &str) -> String {
    DEFERRED.with(|d| {
        let d = d.borrow();
        let Some(docs) = d.as_ref() else {
            return text.to_string();
        };
        let mut out = String::with_capacity(text.len() * 2);
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let found = trimmed
                .strip_prefix("///@@doc:")
                .and_then(|r| r.trim_end().strip_suffix("@@"))
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| docs.get(i));
            match found {
                Some(doc) => {
                    let indent = &line[..line.len() - trimmed.len()];
                    for l in doc.lines() {
                        out.push_str(indent);
                        out.push_str("///");
                        if !l.is_empty() {
                            out.push(' ');
                            out.push_str(l);
                        }
                        out.push('\n');
                    }
                }
                None => out.push_str(line),
            }
        }
        out
    })
}

/// `#[doc = "..."]` attributes, one per line, for already-sanitized markdown (prose wrapped);
/// while docs are deferred ([`defer`]), one marker attribute.
pub fn attrs(markdown: &str) -> TokenStream {
    let wrapped = wrap(markdown);
    let deferred = DEFERRED.with(|d| {
        d.borrow_mut().as_mut().map(|docs| {
            docs.push(wrapped.clone());
            marker(docs.len() - 1)
        })
    });
    if let Some(m) = deferred {
        return quote!(#[doc = #m]);
    }
    let lines = wrapped.lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_prose_but_not_code_or_tables() {
        let long = "word ".repeat(40);
        let wrapped = wrap(&format!("{long}\n```\n{long}\n```\n| {long} |\n- {long}"));
        let lines: Vec<&str> = wrapped.lines().collect();
        assert!(lines[0].len() <= WRAP && lines[1].starts_with("word"));
        let fence = lines.iter().position(|l| *l == "```").unwrap_or(0);
        assert_eq!(lines[fence + 1].trim_end(), long.trim_end());
        assert!(lines.iter().any(|l| l.starts_with("| word")));
        let item = lines
            .iter()
            .position(|l| l.starts_with("- word"))
            .unwrap_or(0);
        assert!(lines[item + 1].starts_with("  word"));
    }

    #[test]
    fn escapes_markdown_hazards() {
        assert_eq!(
            sanitize("see [x] <b> http://a.b/c -> d."),
            "see \\[x\\] \\<b> <http://a.b/c> -> d."
        );
        assert_eq!(sanitize("> quoted? no"), "\\> quoted? no");
        // A code span across a line break stays a code span.
        assert_eq!(sanitize("use `a\nb` here"), "use `a b` here");
        assert_eq!(sanitize("`[x]` a_b ``c_d``"), "`[x]` a_b ``c_d``");
        assert_eq!(sanitize("```\nfn x() {}\n```"), "```text\nfn x() {}\n```");
        assert_eq!(sanitize("    indented"), "indented");
        assert_eq!(
            sanitize("para\n  more\n\n\n# Head\n| a | b |"),
            "para more\n\n# Head\n| a | b |"
        );
        assert_eq!(sanitize("odd ` tick"), "odd ' tick");
        // List continuations join their item; other indentation is flattened.
        assert_eq!(
            sanitize("* one\n  more\n* two\n      deep\n\n    not code"),
            "* one more\n* two deep\n\nnot code"
        );
        assert_eq!(sanitize("12. x\n   y"), "12. x y");
    }
}
