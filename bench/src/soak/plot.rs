//! The soak's plot: an SVG written by hand (panels sharing the time axis: RSS, rates, file
//! descriptors, lag; the faults as dashed lines). SVG rather than PNG: `plotters` with
//! only its bitmap backend and no font features cannot draw text, and a plot without axis
//! labels or a legend is no use; SVG needs no crate at all and opens in any browser. A PNG
//! is rendered from it too where Chromium is installed (the UI tests' browser).

use std::fmt::Write as _;

/// One line of a panel: its name, colour and (time s, value) points.
pub struct Series {
    pub name: String,
    pub colour: &'static str,
    pub points: Vec<(f64, f64)>,
}

pub struct Panel {
    pub title: String,
    pub unit: String,
    pub series: Vec<Series>,
}

const W: f64 = 1000.0;
const PANEL_H: f64 = 220.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 190.0;
const TOP: f64 = 40.0;
const GAP: f64 = 50.0;

/// The size in pixels of the SVG [`svg`] draws for `panels` panels.
pub fn size(panels: usize) -> (u32, u32) {
    (W as u32, (TOP + panels as f64 * (PANEL_H + GAP)) as u32)
}

/// Renders the SVG at `svg` as a PNG at `png` with a headless Chromium if one is installed
/// (Debian's `chromium`, which the UI tests use); false if there is none or it failed. A
/// PNG for places that show images but not SVG; the SVG stays the plot of record.
pub fn png(svg: &std::path::Path, png: &std::path::Path, size: (u32, u32)) -> bool {
    let Ok(svg) = svg.canonicalize() else {
        return false;
    };
    std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={},{}", size.0, size.1))
        .arg(format!("file://{}", svg.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
        && png.exists()
}

/// The SVG of `panels` over `0..=secs`, with `faults` (time s, label) marked on each.
pub fn svg(title: &str, secs: f64, panels: &[Panel], faults: &[(f64, String)]) -> String {
    let height = TOP + panels.len() as f64 * (PANEL_H + GAP);
    let plot_w = W - LEFT - RIGHT;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="20" font-size="14">{}</text>"#,
        escape(title)
    );
    let secs = secs.max(1.0);
    let x = |t: f64| LEFT + t / secs * plot_w;
    for (i, panel) in panels.iter().enumerate() {
        let top = TOP + i as f64 * (PANEL_H + GAP) + 15.0;
        let bottom = top + PANEL_H - 30.0;
        let max = panel
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .fold(0.0f64, f64::max);
        let max = nice_ceiling(max);
        let y = |v: f64| bottom - v / max * (bottom - top);
        let _ = writeln!(
            s,
            r#"<text x="{LEFT}" y="{}" font-size="12">{} ({})</text>"#,
            top - 5.0,
            escape(&panel.title),
            escape(&panel.unit)
        );
        let _ = writeln!(
            s,
            r##"<rect x="{LEFT}" y="{top}" width="{plot_w}" height="{}" fill="none" stroke="#888"/>"##,
            bottom - top
        );
        for k in 0..=4 {
            let v = max * k as f64 / 4.0;
            let _ = writeln!(
                s,
                r##"<line x1="{LEFT}" x2="{}" y1="{yy}" y2="{yy}" stroke="#eee"/><text x="{}" y="{}" text-anchor="end">{}</text>"##,
                LEFT + plot_w,
                LEFT - 4.0,
                y(v) + 4.0,
                short(v),
                yy = y(v)
            );
        }
        for k in 0..=6 {
            let t = secs * k as f64 / 6.0;
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
                x(t),
                bottom + 14.0,
                clock(t)
            );
        }
        for (f, (t, label)) in faults.iter().enumerate() {
            let _ = writeln!(
                s,
                r##"<line x1="{xx}" x2="{xx}" y1="{top}" y2="{bottom}" stroke="#c00" stroke-dasharray="4,3"/>"##,
                xx = x(*t)
            );
            if i == 0 {
                let _ = writeln!(
                    s,
                    r##"<text x="{}" y="{}" fill="#c00" font-size="10">{}</text>"##,
                    x(*t) + 2.0,
                    top + 10.0 + (f % 2) as f64 * 12.0,
                    escape(label)
                );
            }
        }
        for (j, series) in panel.series.iter().enumerate() {
            let mut d = String::new();
            for (k, (t, v)) in series.points.iter().enumerate() {
                let _ = write!(
                    d,
                    "{}{:.1},{:.1} ",
                    if k == 0 { "M" } else { "L" },
                    x(*t),
                    y(*v)
                );
            }
            let _ = writeln!(
                s,
                r#"<path d="{d}" fill="none" stroke="{}" stroke-width="1.5"/>"#,
                series.colour
            );
            let ly = top + 12.0 + j as f64 * 16.0;
            let lx = LEFT + plot_w + 10.0;
            let _ = writeln!(
                s,
                r#"<line x1="{lx}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="3"/><text x="{}" y="{ly}">{}</text>"#,
                lx + 18.0,
                ly - 4.0,
                ly - 4.0,
                series.colour,
                lx + 24.0,
                escape(&series.name)
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

/// The smallest of 1, 2, 2.5 or 5 times a power of ten at or above `v`.
fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * p)
}

fn short(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if v >= 10.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn clock(t: f64) -> String {
    let t = t.round() as u64;
    format!("{}:{:02}", t / 60, t % 60)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The PNG is Chromium's rendering of the SVG (Chromium is installed wherever the UI
    /// tests run, so this does not skip).
    #[test]
    fn the_plot_renders_as_a_png() {
        let dir = std::env::temp_dir().join(format!("dkc-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let panels = [Panel {
            title: "RSS".into(),
            unit: "MiB".into(),
            series: vec![Series {
                name: "worker".into(),
                colour: "#1f77b4",
                points: vec![(0.0, 10.0), (30.0, 12.0), (60.0, 11.0)],
            }],
        }];
        let svg_path = dir.join("plot.svg");
        std::fs::write(
            &svg_path,
            svg("test", 60.0, &panels, &[(30.0, "fault".into())]),
        )
        .unwrap();
        let png_path = dir.join("plot.png");
        assert!(
            png(&svg_path, &png_path, size(panels.len())),
            "chromium did not render it"
        );
        let bytes = std::fs::read(&png_path).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
