//! One self-contained HTML page: inline CSS, an inline SVG chart of the status per phase,
//! the controls with their evidence. No script, no external resource, so it opens offline
//! and makes no network request.

use std::fmt::Write as _;

use crate::{Phase, Report, Status};

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn colour(s: Status) -> &'static str {
    match s {
        Status::Pass => "#2e7d32",
        Status::Fail => "#c62828",
        Status::Partial => "#ef6c00",
        Status::Unknown => "#9e9e9e",
        Status::NotApplicable => "#cfd8dc",
        Status::Manual => "#0277bd",
    }
}

/// A stacked horizontal bar per phase.
fn chart(report: &Report) -> String {
    let width = 640.0_f64;
    let row = 28;
    let label = 140.0;
    let mut svg = String::new();
    let height = row * Phase::ALL.len() + 40;
    let _ = write!(
        svg,
        r#"<svg id="status-chart" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{height}" role="img" aria-label="Control status per phase">"#,
        w = width + label + 20.0
    );
    for (i, phase) in Phase::ALL.iter().enumerate() {
        let y = i * row + 4;
        let counts = report.counts(Some(*phase));
        let total: usize = counts.iter().map(|(_, n)| n).sum();
        let _ = write!(
            svg,
            r#"<text x="0" y="{ty}" font-size="13">{}</text>"#,
            esc(phase.title()),
            ty = y + 16
        );
        let mut x = label;
        for (status, n) in counts {
            if n == 0 || total == 0 {
                continue;
            }
            let w = width * n as f64 / total as f64;
            let _ = write!(
                svg,
                r#"<rect class="bar {s}" x="{x:.1}" y="{y}" width="{w:.1}" height="20" fill="{c}"><title>{p}: {n} {s}</title></rect>"#,
                s = status.as_str(),
                c = colour(status),
                p = esc(phase.title())
            );
            x += w;
        }
    }
    let mut x = label;
    let ly = Phase::ALL.len() * row + 16;
    for s in Status::ALL {
        let _ = write!(
            svg,
            r#"<rect x="{x:.0}" y="{ly}" width="12" height="12" fill="{}"/><text x="{tx:.0}" y="{ty}" font-size="12">{}</text>"#,
            colour(s),
            s.as_str(),
            tx = x + 16.0,
            ty = ly + 11
        );
        x += 125.0;
    }
    svg.push_str("</svg>");
    svg
}

/// The report as one self-contained HTML page.
pub fn render_html(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Supply chain audit: {repo}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2em;color:#212121}}
table{{border-collapse:collapse;width:100%;margin-bottom:2em}}
th,td{{border:1px solid #e0e0e0;padding:.4em;text-align:left;vertical-align:top}}
.status{{font-weight:bold;color:#fff;padding:.1em .4em;border-radius:3px}}
code{{background:#f5f5f5;padding:0 .2em}}
</style></head><body>
<h1>Supply chain audit: {repo}</h1>
<p>{tool} {version}, report schema {schema}</p>
"#,
        repo = esc(&report.repository),
        tool = esc(&report.tool.name),
        version = esc(&report.tool.version),
        schema = esc(&report.schema_version)
    );
    out.push_str(&chart(report));
    for (phase, controls) in report.by_phase() {
        let _ = write!(
            out,
            "<h2>{}</h2>\n<table><tr><th>status</th><th>control</th><th>evidence</th><th>remediation</th></tr>\n",
            esc(phase.title())
        );
        for c in controls {
            let evidence: Vec<String> = c
                .evidence
                .iter()
                .map(|e| {
                    let place = e
                        .location
                        .as_ref()
                        .and_then(|l| l.path.as_ref().map(|p| (p, l.line)))
                        .map(|(p, line)| match line {
                            Some(n) => format!("<code>{}:{n}</code> ", esc(p)),
                            None => format!("<code>{}</code> ", esc(p)),
                        })
                        .unwrap_or_default();
                    format!("{place}{}", esc(&e.message))
                })
                .collect();
            let _ = writeln!(
                out,
                r#"<tr id="{id}"><td><span class="status" style="background:{bg}">{st}</span></td><td><b>{title}</b><br><code>{id}</code></td><td>{ev}</td><td><code>{rem}</code></td></tr>"#,
                id = esc(&c.id),
                bg = colour(c.status),
                st = c.status.as_str(),
                title = esc(&c.title),
                ev = evidence.join("<br>"),
                rem = esc(&c.remediation)
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</body></html>\n");
    out
}
