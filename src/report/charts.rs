//! SVG charts of a simulation for the HTML report, drawn with plotters:
//! labelled axes with units and nice ticks, one colour per destination, the
//! scenario's events as vertical markers and SLO thresholds as dashed lines.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::sim::SimResult;

const WIDTH: u32 = 820;
const HEIGHT: u32 = 320;
/// Colour-blind-safe palette (Paul Tol's bright scheme).
const PALETTE: [RGBColor; 7] = [
    RGBColor(0x44, 0x77, 0xaa),
    RGBColor(0xee, 0x66, 0x77),
    RGBColor(0x22, 0x88, 0x33),
    RGBColor(0xcc, 0xbb, 0x44),
    RGBColor(0x66, 0xcc, 0xee),
    RGBColor(0xaa, 0x33, 0x77),
    RGBColor(0x66, 0x66, 0x66),
];
const EVENT: RGBColor = RGBColor(0x88, 0x88, 0x88);
const THRESHOLD: RGBColor = RGBColor(0xcc, 0x33, 0x11);

/// One line of a chart: a name and its points; `None` leaves a gap.
pub struct Line {
    pub name: String,
    pub points: Vec<(f64, Option<f64>)>,
}

/// A horizontal or vertical reference line and its label.
pub struct Mark {
    pub at: f64,
    pub label: String,
}

/// What a chart shows.
pub struct Chart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub lines: Vec<Line>,
    /// Vertical markers (x values), such as scenario events.
    pub events: Vec<Mark>,
    /// Horizontal dashed lines (y values), such as SLO thresholds.
    pub thresholds: Vec<Mark>,
    /// Vertical dashed lines (x values), such as latency SLO thresholds.
    pub x_thresholds: Vec<Mark>,
    pub log_x: bool,
    /// The y axis is a percentage: it ends at 100 at most.
    pub percent: bool,
}

/// A tick label: as few decimals as the value needs.
fn tick(v: &f64) -> String {
    let text = format!("{v:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The contiguous runs of defined points.
fn segments(points: &[(f64, Option<f64>)]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (x, y) in points {
        match y {
            Some(y) => out.last_mut().expect("one segment").push((*x, *y)),
            None if out.last().is_some_and(|s| !s.is_empty()) => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The range of `values` with some room, never empty.
fn range(values: impl Iterator<Item = f64>, floor_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if floor_zero {
        lo = lo.min(0.0);
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    (lo, hi + (hi - lo) * 0.08)
}

/// Renders `chart` as an SVG document.
pub fn svg(chart: &Chart) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        // Drawing into a string cannot fail for I/O reasons; a chart that
        // cannot be laid out is left blank rather than failing the report.
        let _ = draw(&root, chart);
        let _ = root.present();
    }
    out
}

fn draw<'a>(
    root: &DrawingArea<SVGBackend<'a>, Shift>,
    chart: &Chart,
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    root.fill(&WHITE)?;
    let xs = chart
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|(x, _)| *x))
        .chain(chart.x_thresholds.iter().map(|m| m.at));
    let ys = chart
        .lines
        .iter()
        .flat_map(|l| l.points.iter().filter_map(|(_, y)| *y))
        .chain(chart.thresholds.iter().map(|m| m.at));
    let (mut x0, x1) = range(xs, !chart.log_x);
    let (y0, mut y1) = range(ys, true);
    if chart.percent {
        y1 = y1.min(100.0);
    }
    let mut builder = ChartBuilder::on(root);
    builder
        .caption(chart.title, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64);
    if chart.log_x {
        x0 = x0.max(1e-3);
        let mut ctx = builder.build_cartesian_2d((x0..x1).log_scale(), y0..y1)?;
        axes_and_lines(&mut ctx, chart, (y0, y1))?;
    } else {
        let mut ctx = builder.build_cartesian_2d(x0..x1, y0..y1)?;
        axes_and_lines(&mut ctx, chart, (y0, y1))?;
    }
    Ok(())
}

/// The labelled axes, then the chart's marks and lines.
fn axes_and_lines<'a, X>(
    ctx: &mut ChartContext<
        'a,
        SVGBackend<'a>,
        Cartesian2d<X, plotters::coord::types::RangedCoordf64>,
    >,
    chart: &Chart,
    y: (f64, f64),
) -> Result<(), Box<dyn std::error::Error + 'a>>
where
    X: Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
{
    ctx.configure_mesh()
        .x_desc(chart.x_label)
        .y_desc(chart.y_label)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    plot(ctx, chart, y)
}

fn plot<'a, X>(
    ctx: &mut ChartContext<
        'a,
        SVGBackend<'a>,
        Cartesian2d<X, plotters::coord::types::RangedCoordf64>,
    >,
    chart: &Chart,
    (y0, y1): (f64, f64),
) -> Result<(), Box<dyn std::error::Error + 'a>>
where
    X: Ranged<ValueType = f64>,
{
    let x_range = ctx.x_range();
    for event in &chart.events {
        ctx.draw_series(LineSeries::new(
            [(event.at, y0), (event.at, y1)],
            EVENT.stroke_width(1),
        ))?;
        ctx.draw_series(std::iter::once(Text::new(
            event.label.clone(),
            (event.at, y1),
            ("sans-serif", 11).into_font().color(&EVENT),
        )))?;
    }
    for mark in &chart.thresholds {
        ctx.draw_series(DashedLineSeries::new(
            [(x_range.start, mark.at), (x_range.end, mark.at)],
            6,
            4,
            THRESHOLD.stroke_width(1),
        ))?;
        ctx.draw_series(std::iter::once(Text::new(
            mark.label.clone(),
            (x_range.start, mark.at),
            ("sans-serif", 11).into_font().color(&THRESHOLD),
        )))?;
    }
    for mark in &chart.x_thresholds {
        ctx.draw_series(DashedLineSeries::new(
            [(mark.at, y0), (mark.at, y1)],
            6,
            4,
            THRESHOLD.stroke_width(1),
        ))?;
        ctx.draw_series(std::iter::once(Text::new(
            mark.label.clone(),
            (mark.at, y0 + (y1 - y0) * 0.5),
            ("sans-serif", 11).into_font().color(&THRESHOLD),
        )))?;
    }
    for (i, line) in chart.lines.iter().enumerate() {
        for segment in segments(&line.points) {
            ctx.draw_series(LineSeries::new(segment, colour(i).stroke_width(2)))?;
        }
    }
    Ok(())
}

/// An HTML legend for the lines of a chart, in the charts' colours.
pub fn legend(names: &[String]) -> String {
    let items: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let RGBColor(r, g, b) = colour(i);
            format!(
                "<span style=\"color:#{r:02x}{g:02x}{b:02x}\">&#9632;</span> {}",
                name.replace('&', "&amp;").replace('<', "&lt;")
            )
        })
        .collect();
    format!("<p class=\"legend\">{}</p>\n", items.join(" &nbsp; "))
}

/// The latency CDF of each destination: the share of its requests answered
/// within x ms.
pub fn latency_cdf(r: &SimResult, x_thresholds: Vec<Mark>) -> String {
    let lines = r
        .destinations
        .iter()
        .filter(|d| !d.latency.is_empty())
        .map(|d| Line {
            name: d.label(),
            points: d
                .latency
                .iter_quantiles(4)
                .map(|v| {
                    (
                        v.value_iterated_to().max(1) as f64 / 1000.0,
                        Some(100.0 * v.quantile_iterated_to()),
                    )
                })
                .collect(),
        })
        .collect();
    svg(&Chart {
        title: "Latency per destination (CDF)",
        x_label: "latency (ms, log scale)",
        y_label: "requests answered within (%)",
        lines,
        events: Vec::new(),
        thresholds: Vec::new(),
        x_thresholds,
        log_x: true,
        percent: true,
    })
}
