//! The health page's charts, drawn on the server by plotters' SVG backend. plotters writes
//! presentation attributes (`fill`, `stroke`, `font-size`), never `style` attributes or
//! scripts, so the drawing goes inline into the page within its Content-Security-Policy;
//! the page wraps it in an `<svg>` with a title, a description and the numbers in a table.

use plotters::prelude::*;

/// Drawing size in SVG units; the page scales it to the column's width.
const WIDTH: u32 = 720;
const HEIGHT: u32 = 280;
const BAR: RGBColor = RGBColor(0x5a, 0x8a, 0x1a);
const INK: RGBColor = RGBColor(0x1d, 0x2a, 0x2f);

/// One chart ready for the page: its inner SVG drawing and its size.
pub struct Chart {
    /// The elements plotters drew, without its outer `<svg>` element.
    pub drawing: String,
    pub width: u32,
    pub height: u32,
}

/// A bar chart of `bars` (label, value), labels along the bottom; `every` says how
/// often a label is written (1: each bar).
pub fn bar_chart(bars: &[(String, i64)], x_desc: &str, y_desc: &str, every: usize) -> Chart {
    let mut svg = String::new();
    let drawn = draw(&mut svg, bars, x_desc, y_desc, every.max(1));
    if let Err(e) = drawn {
        // The numbers stay in the table beside it; only the picture is lost.
        tracing::warn!(error = %e, "could not draw a chart");
        svg.clear();
    }
    Chart {
        drawing: inner(&svg).to_owned(),
        width: WIDTH,
        height: HEIGHT,
    }
}

fn draw(
    svg: &mut String,
    bars: &[(String, i64)],
    x_desc: &str,
    y_desc: &str,
    every: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(svg, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let top = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let n = bars.len().max(1);
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(48)
        .build_cartesian_2d((0..n).into_segmented(), 0..top + top / 10 + 1)?;
    let label = |x: &SegmentValue<usize>| match x {
        SegmentValue::CenterOf(i) if i % every == 0 => {
            bars.get(*i).map(|(l, _)| l.clone()).unwrap_or_default()
        }
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(0xdf, 0xe5, 0xe7))
        .axis_style(INK)
        .x_labels(n)
        .x_label_formatter(&label)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(("sans-serif", 15).into_font().color(&INK))
        .axis_desc_style(("sans-serif", 15).into_font().color(&INK))
        .draw()?;
    chart.draw_series(
        Histogram::vertical(&chart)
            .style(BAR.filled())
            .margin(3)
            .data(bars.iter().enumerate().map(|(i, (_, v))| (i, *v))),
    )?;
    root.present()?;
    Ok(())
}

/// What lies between plotters' opening `<svg …>` tag and its closing `</svg>`.
fn inner(svg: &str) -> &str {
    let start = svg
        .find("<svg")
        .and_then(|i| svg[i..].find('>').map(|j| i + j + 1));
    let end = svg.rfind("</svg>");
    match (start, end) {
        (Some(s), Some(e)) if s <= e => svg[s..e].trim(),
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_bars_without_style_attributes_or_scripts() {
        let bars = vec![("active".to_string(), 12), ("revoked".to_string(), 3)];
        let chart = bar_chart(&bars, "State", "Grants", 1);
        assert!(chart.drawing.contains("<rect"), "{}", chart.drawing);
        assert!(chart.drawing.contains("\nactive\n"), "labels are drawn");
        assert!(
            !chart.drawing.contains("<svg"),
            "the outer element is the page's"
        );
        for blocked in ["style=", "<script", "<style", "href="] {
            assert!(!chart.drawing.contains(blocked), "{blocked} in the drawing");
        }
    }

    #[test]
    fn an_empty_chart_still_draws() {
        let chart = bar_chart(&[], "Week", "Connections", 1);
        assert!(chart.drawing.contains("<line") || chart.drawing.contains("<polyline"));
    }
}
