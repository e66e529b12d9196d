//! Lays out and draws one chart: title, y grid and labels, x axis, marks, axis titles.
//!
//! Invariant: every piece of text from the spec passes through [`escape_xml`]; no `<style>`,
//! `<script>`, link or external reference is ever written.

use std::f64::consts::FRAC_1_SQRT_2;
use std::fmt::Write;

use crate::chart_spec::{ChartSpec, Mark};
use crate::linear_scale::{LinearScale, format_data_number};
use crate::plot_data::{Category, ContinuousPoint, PlotData};
use crate::svg_text::{coordinate, escape_xml, shorten, text_width};
use crate::time_scale::{TimeScale, is_midnight, tick_label};

const MARK_COLOR: &str = "#4c78a8";
const GRID_COLOR: &str = "#dddddd";
const AXIS_COLOR: &str = "#888888";
const TEXT_COLOR: &str = "#333333";
const FONT_FAMILY: &str = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const TICK_FONT_SIZE: f64 = 11.0;
const TITLE_FONT_SIZE: f64 = 14.0;
const AXIS_TITLE_FONT_SIZE: f64 = 12.0;
/// Longest category label drawn, in characters.
const MAX_LABEL_CHARS: usize = 24;

/// The whole SVG document of `chart_spec`.
pub(crate) fn render(chart_spec: &ChartSpec<'_>, plot_data: &PlotData) -> String {
    let (width, height) = (chart_spec.width, chart_spec.height);
    let title = chart_spec.title.as_deref();
    let top = 16.0 + if title.is_some() { 26.0 } else { 0.0 };

    let (y_min, y_max) = y_extent(plot_data);
    let n_y_ticks = ((height - 120.0) / 45.0).clamp(2.0, 10.0) as usize;
    let y_scale_unplaced = LinearScale::nice(y_min, y_max, (0.0, 1.0), n_y_ticks);
    let y_labels: Vec<(f64, String)> = y_scale_unplaced
        .ticks()
        .into_iter()
        .map(|tick| (tick, y_scale_unplaced.tick_label(tick)))
        .collect();
    let widest_y_label = y_labels
        .iter()
        .map(|(_, label)| text_width(label, TICK_FONT_SIZE))
        .fold(0.0, f64::max);
    let left = 10.0 + AXIS_TITLE_FONT_SIZE + 10.0 + widest_y_label + 8.0;
    let right = 20.0;
    let plot_width = (width - left - right).max(40.0);

    let x_axis = XAxis::lay_out(plot_data, left, plot_width, height);
    let bottom = x_axis.label_height + 8.0 + AXIS_TITLE_FONT_SIZE + 14.0;
    let plot_height = (height - top - bottom).max(40.0);
    let plot_bottom = top + plot_height;
    let y_scale = LinearScale::nice(y_min, y_max, (plot_bottom, top), n_y_ticks);

    let mut svg = String::new();
    let accessible_name = chart_spec
        .title
        .as_deref()
        .or(chart_spec.description.as_deref())
        .unwrap_or("chart");
    writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{name}" font-family="{FONT_FAMILY}">"#,
        w = coordinate(width),
        h = coordinate(height),
        name = escape_xml(accessible_name),
    )
    .expect("writing to a String cannot fail");
    push_line(
        &mut svg,
        format!("<title>{}</title>", escape_xml(accessible_name)),
    );
    if let Some(description) = &chart_spec.description {
        push_line(
            &mut svg,
            format!("<desc>{}</desc>", escape_xml(description)),
        );
    }
    push_line(
        &mut svg,
        format!(
            r##"<rect width="{}" height="{}" fill="#ffffff"/>"##,
            coordinate(width),
            coordinate(height)
        ),
    );
    if let Some(title) = title {
        push_line(
            &mut svg,
            format!(
                r#"<text x="{}" y="{}" text-anchor="middle" font-size="{TITLE_FONT_SIZE}" font-weight="bold" fill="{TEXT_COLOR}">{}</text>"#,
                coordinate(width / 2.0),
                coordinate(12.0 + TITLE_FONT_SIZE),
                escape_xml(&shorten(title, 90)),
            ),
        );
    }

    push_line(&mut svg, r#"<g class="y-axis">"#.to_owned());
    for (tick, label) in &y_labels {
        let y = coordinate(y_scale.position(*tick));
        push_line(
            &mut svg,
            format!(
                r#"<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{GRID_COLOR}"/>"#,
                coordinate(left),
                coordinate(left + plot_width),
            ),
        );
        push_line(
            &mut svg,
            format!(
                r#"<text x="{}" y="{y}" dy="0.32em" text-anchor="end" font-size="{TICK_FONT_SIZE}" fill="{TEXT_COLOR}">{}</text>"#,
                coordinate(left - 6.0),
                escape_xml(label),
            ),
        );
    }
    push_line(
        &mut svg,
        format!(
            r#"<text transform="translate({},{}) rotate(-90)" text-anchor="middle" font-size="{AXIS_TITLE_FONT_SIZE}" font-weight="bold" fill="{TEXT_COLOR}">{}</text>"#,
            coordinate(10.0 + AXIS_TITLE_FONT_SIZE),
            coordinate(top + plot_height / 2.0),
            escape_xml(&shorten(&chart_spec.y.title, 60)),
        ),
    );
    push_line(&mut svg, "</g>".to_owned());

    x_axis.draw(&mut svg, plot_bottom);
    push_line(
        &mut svg,
        format!(
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="{AXIS_TITLE_FONT_SIZE}" font-weight="bold" fill="{TEXT_COLOR}">{}</text>"#,
            coordinate(left + plot_width / 2.0),
            coordinate(height - 10.0),
            escape_xml(&shorten(&chart_spec.x.title, 80)),
        ),
    );

    let mark_context = MarkContext {
        x_title: &chart_spec.x.title,
        y_title: &chart_spec.y.title,
        y_scale: &y_scale,
    };
    push_line(&mut svg, r#"<g class="marks">"#.to_owned());
    match (&x_axis.kind, plot_data) {
        (XAxisKind::Bands { band_width }, PlotData::Discrete(categories)) => {
            draw_discrete_marks(
                &mut svg,
                chart_spec.mark,
                categories,
                left,
                *band_width,
                &mark_context,
            );
        }
        (XAxisKind::Continuous(x_scale), PlotData::Continuous { points, .. }) => {
            draw_continuous_marks(&mut svg, chart_spec.mark, points, x_scale, &mark_context);
        }
        _ => {}
    }
    push_line(&mut svg, "</g>".to_owned());
    if is_empty(plot_data) {
        push_line(
            &mut svg,
            format!(
                r#"<text x="{}" y="{}" text-anchor="middle" font-size="{AXIS_TITLE_FONT_SIZE}" fill="{TEXT_COLOR}">No data to draw</text>"#,
                coordinate(left + plot_width / 2.0),
                coordinate(top + plot_height / 2.0),
            ),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// A continuous x scale: plain numbers or instants.
enum ContinuousScale {
    Linear(LinearScale),
    Time(TimeScale),
}

impl ContinuousScale {
    fn position(&self, x: f64) -> f64 {
        match self {
            ContinuousScale::Linear(scale) => scale.position(x),
            ContinuousScale::Time(scale) => scale.position(x),
        }
    }
}

enum XAxisKind {
    Bands { band_width: f64 },
    Continuous(ContinuousScale),
}

/// The x axis after layout: where its labels go and how much height they need.
struct XAxis {
    kind: XAxisKind,
    /// `(x position, label)` of every labelled tick.
    labels: Vec<(f64, String)>,
    rotated: bool,
    /// Pixels the labels take below the plot.
    label_height: f64,
    left: f64,
    plot_width: f64,
}

impl XAxis {
    fn lay_out(plot_data: &PlotData, left: f64, plot_width: f64, height: f64) -> Self {
        match plot_data {
            PlotData::Discrete(categories) => {
                Self::lay_out_bands(categories, left, plot_width, height)
            }
            PlotData::Continuous { points, temporal } => {
                let max_ticks = (plot_width / 90.0).clamp(2.0, 12.0) as usize;
                let (scale, labels) = if *temporal {
                    let min = points.first().map_or(0, |point| point.x as i64);
                    let max = points.last().map_or(0, |point| point.x as i64);
                    let scale = TimeScale::new(min, max, (left, left + plot_width));
                    let dates_only = points.iter().all(|point| is_midnight(point.x as i64));
                    let labels = scale
                        .ticks(max_ticks, dates_only)
                        .into_iter()
                        .map(|tick| (scale.position(tick as f64), tick_label(tick)))
                        .collect();
                    (ContinuousScale::Time(scale), labels)
                } else {
                    let min = points
                        .iter()
                        .map(|point| point.x)
                        .fold(f64::INFINITY, f64::min);
                    let max = points
                        .iter()
                        .map(|point| point.x)
                        .fold(f64::NEG_INFINITY, f64::max);
                    // Vega-Lite's quantitative scales include zero unless told otherwise.
                    let (min, max) = if min.is_finite() {
                        (min.min(0.0), max.max(0.0))
                    } else {
                        (0.0, 1.0)
                    };
                    let scale = LinearScale::nice(min, max, (left, left + plot_width), max_ticks);
                    let labels = scale
                        .ticks()
                        .into_iter()
                        .map(|tick| (scale.position(tick), scale.tick_label(tick)))
                        .collect();
                    (ContinuousScale::Linear(scale), labels)
                };
                XAxis {
                    kind: XAxisKind::Continuous(scale),
                    labels,
                    rotated: false,
                    label_height: 6.0 + TICK_FONT_SIZE + 4.0,
                    left,
                    plot_width,
                }
            }
        }
    }

    fn lay_out_bands(categories: &[Category], left: f64, plot_width: f64, height: f64) -> Self {
        let band_width = plot_width / categories.len().max(1) as f64;
        let max_rotated_chars = ((0.3 * height / FRAC_1_SQRT_2) / (TICK_FONT_SIZE * 0.6)) as usize;
        let mut labels: Vec<String> = categories
            .iter()
            .map(|category| shorten(&category.label, MAX_LABEL_CHARS))
            .collect();
        let widest = labels
            .iter()
            .map(|label| text_width(label, TICK_FONT_SIZE))
            .fold(0.0, f64::max);
        let rotated = widest > band_width - 6.0;
        if rotated {
            labels = labels
                .iter()
                .map(|label| shorten(label, max_rotated_chars.clamp(4, MAX_LABEL_CHARS)))
                .collect();
        }
        // Rotated labels need a line height of room each; upright ones their own width.
        let room_per_label = if rotated {
            TICK_FONT_SIZE + 3.0
        } else {
            widest + 6.0
        };
        let every = (room_per_label / band_width).ceil().max(1.0) as usize;
        let widest = labels
            .iter()
            .map(|label| text_width(label, TICK_FONT_SIZE))
            .fold(0.0, f64::max);
        let label_height = if rotated {
            8.0 + (widest + TICK_FONT_SIZE) * FRAC_1_SQRT_2
        } else {
            6.0 + TICK_FONT_SIZE + 4.0
        };
        let labels = labels
            .into_iter()
            .enumerate()
            .filter(|(category_idx, _)| category_idx % every == 0)
            .map(|(category_idx, label)| (left + (category_idx as f64 + 0.5) * band_width, label))
            .collect();
        XAxis {
            kind: XAxisKind::Bands { band_width },
            labels,
            rotated,
            label_height,
            left,
            plot_width,
        }
    }

    fn draw(&self, svg: &mut String, plot_bottom: f64) {
        push_line(svg, r#"<g class="x-axis">"#.to_owned());
        let y = coordinate(plot_bottom);
        push_line(
            svg,
            format!(
                r#"<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{AXIS_COLOR}"/>"#,
                coordinate(self.left),
                coordinate(self.left + self.plot_width),
            ),
        );
        for (x, label) in &self.labels {
            let x_text = coordinate(*x);
            push_line(
                svg,
                format!(
                    r#"<line x1="{x_text}" x2="{x_text}" y1="{y}" y2="{}" stroke="{AXIS_COLOR}"/>"#,
                    coordinate(plot_bottom + 5.0),
                ),
            );
            let text = if self.rotated {
                format!(
                    r#"<text transform="translate({x_text},{}) rotate(-45)" text-anchor="end" font-size="{TICK_FONT_SIZE}" fill="{TEXT_COLOR}">{}</text>"#,
                    coordinate(plot_bottom + 10.0),
                    escape_xml(label),
                )
            } else {
                format!(
                    r#"<text x="{x_text}" y="{}" text-anchor="middle" font-size="{TICK_FONT_SIZE}" fill="{TEXT_COLOR}">{}</text>"#,
                    coordinate(plot_bottom + 8.0 + TICK_FONT_SIZE),
                    escape_xml(label),
                )
            };
            push_line(svg, text);
        }
        push_line(svg, "</g>".to_owned());
    }
}

struct MarkContext<'a> {
    x_title: &'a str,
    y_title: &'a str,
    y_scale: &'a LinearScale,
}

impl MarkContext<'_> {
    fn tooltip(&self, x_label: &str, y: f64) -> String {
        escape_xml(&format!(
            "{}: {}, {}: {}",
            self.x_title,
            x_label,
            self.y_title,
            format_data_number(y)
        ))
    }
}

fn draw_discrete_marks(
    svg: &mut String,
    mark: Mark,
    categories: &[Category],
    left: f64,
    band_width: f64,
    mark_context: &MarkContext<'_>,
) {
    let y_scale = mark_context.y_scale;
    let centers = categories
        .iter()
        .enumerate()
        .map(|(category_idx, category)| {
            (left + (category_idx as f64 + 0.5) * band_width, category)
        });
    match mark {
        Mark::Bar => {
            let bar_width = (band_width * 0.9).max(0.5);
            for (center, category) in centers {
                let total = category.total();
                let y_top = y_scale.position(total.max(0.0));
                let y_bottom = y_scale.position(total.min(0.0));
                push_line(
                    svg,
                    format!(
                        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{MARK_COLOR}"><title>{}</title></rect>"#,
                        coordinate(center - bar_width / 2.0),
                        coordinate(y_top),
                        coordinate(bar_width),
                        coordinate(y_bottom - y_top),
                        mark_context.tooltip(&category.label, total),
                    ),
                );
            }
        }
        Mark::Line => {
            let path_points: Vec<(f64, f64)> = centers
                .flat_map(|(center, category)| {
                    category
                        .values
                        .iter()
                        .map(move |y| (center, y_scale.position(*y)))
                })
                .collect();
            draw_line(svg, &path_points, mark_context);
        }
        Mark::Point => {
            for (center, category) in centers {
                for y in &category.values {
                    draw_point(
                        svg,
                        center,
                        y_scale.position(*y),
                        &mark_context.tooltip(&category.label, *y),
                    );
                }
            }
        }
    }
}

fn draw_continuous_marks(
    svg: &mut String,
    mark: Mark,
    points: &[ContinuousPoint],
    x_scale: &ContinuousScale,
    mark_context: &MarkContext<'_>,
) {
    let y_scale = mark_context.y_scale;
    match mark {
        Mark::Line => {
            let path_points: Vec<(f64, f64)> = points
                .iter()
                .map(|point| (x_scale.position(point.x), y_scale.position(point.y)))
                .collect();
            draw_line(svg, &path_points, mark_context);
        }
        Mark::Bar | Mark::Point => {
            for point in points {
                draw_point(
                    svg,
                    x_scale.position(point.x),
                    y_scale.position(point.y),
                    &mark_context.tooltip(&point.x_label, point.y),
                );
            }
        }
    }
}

fn draw_line(svg: &mut String, path_points: &[(f64, f64)], mark_context: &MarkContext<'_>) {
    if path_points.is_empty() {
        return;
    }
    let mut path = String::new();
    for (point_idx, (x, y)) in path_points.iter().enumerate() {
        let command = if point_idx == 0 { 'M' } else { 'L' };
        write!(path, "{command}{},{}", coordinate(*x), coordinate(*y))
            .expect("writing to a String cannot fail");
    }
    push_line(
        svg,
        format!(
            r#"<path d="{path}" fill="none" stroke="{MARK_COLOR}" stroke-width="2" stroke-linejoin="round"><title>{}</title></path>"#,
            escape_xml(&format!(
                "{} by {}",
                mark_context.y_title, mark_context.x_title
            )),
        ),
    );
}

fn draw_point(svg: &mut String, x: f64, y: f64, tooltip: &str) {
    push_line(
        svg,
        format!(
            r#"<circle cx="{}" cy="{}" r="3.5" fill="none" stroke="{MARK_COLOR}" stroke-width="2"><title>{tooltip}</title></circle>"#,
            coordinate(x),
            coordinate(y),
        ),
    );
}

/// Smallest and largest y to show; always includes zero, as Vega-Lite's default scales do.
fn y_extent(plot_data: &PlotData) -> (f64, f64) {
    let values: Vec<f64> = match plot_data {
        PlotData::Discrete(categories) => categories
            .iter()
            .flat_map(|category| {
                let mut extremes = category.values.clone();
                extremes.push(category.total());
                extremes
            })
            .collect(),
        PlotData::Continuous { points, .. } => points.iter().map(|point| point.y).collect(),
    };
    let min = values.iter().copied().fold(0.0, f64::min);
    let max = values.iter().copied().fold(0.0, f64::max);
    (min, max)
}

fn is_empty(plot_data: &PlotData) -> bool {
    match plot_data {
        PlotData::Discrete(categories) => categories.is_empty(),
        PlotData::Continuous { points, .. } => points.is_empty(),
    }
}

fn push_line(svg: &mut String, element: String) {
    svg.push_str(&element);
    svg.push('\n');
}
