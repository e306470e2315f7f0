//! Spec prose → rustdoc that builds with `-D warnings` and runs no doctests.

use proc_macro2::TokenStream;
use quote::quote;

/// Turns spec text into markdown rustdoc accepts: code fences become `text`, indented blocks
/// are flattened, `[`/`]`/`<`/`>` outside code are escaped, and bare URLs get angle brackets.
pub fn sanitize(text: &str) -> String {
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            if in_fence {
                out.push("```".to_string());
            } else {
                out.push("```text".to_string());
            }
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.to_string());
        } else {
            out.push(escape_line(trimmed.trim_end()));
        }
    }
    if in_fence {
        out.push("```".to_string());
    }
    out.join("\n").trim().to_string()
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
            '<' if fence == 0 => out.push_str("&lt;"),
            '>' if fence == 0 => out.push_str("&gt;"),
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

/// `#[doc = "..."]` attributes, one per line, for already-sanitized markdown.
pub fn attrs(markdown: &str) -> TokenStream {
    let lines = markdown.lines().map(|l| {
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
    fn escapes_markdown_hazards() {
        assert_eq!(
            sanitize("see [x] <b> http://a.b/c."),
            "see \\[x\\] &lt;b&gt; <http://a.b/c>."
        );
        assert_eq!(sanitize("`[x]` a_b ``c_d``"), "`[x]` a_b ``c_d``");
        assert_eq!(sanitize("```\nfn x() {}\n```"), "```text\nfn x() {}\n```");
        assert_eq!(sanitize("    indented"), "indented");
        assert_eq!(sanitize("odd ` tick"), "odd ' tick");
    }
}
