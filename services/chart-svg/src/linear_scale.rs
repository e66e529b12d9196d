//! A linear scale over a "nice" domain, its ticks and their labels.
//!
//! Invariant: every tick lies inside the domain and the domain is never empty.

/// Maps numbers in `domain` to pixels in `range`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LinearScale {
    domain: (f64, f64),
    range: (f64, f64),
    step: f64,
}

impl LinearScale {
    /// A scale covering `min..=max`, widened to round tick values (about `n_ticks` of them).
    pub(crate) fn nice(min: f64, max: f64, range: (f64, f64), n_ticks: usize) -> Self {
        let (mut start, mut stop) = if min == max {
            if min == 0.0 {
                (0.0, 1.0)
            } else {
                (min.min(0.0), max.max(0.0))
            }
        } else {
            (min, max)
        };
        let n_ticks = n_ticks.max(2) as f64;
        let mut step = tick_step(start, stop, n_ticks);
        // Widening can change the step once more; two rounds settle it, as in d3's `nice`.
        for _ in 0..2 {
            start = (start / step).floor() * step;
            stop = (stop / step).ceil() * step;
            step = tick_step(start, stop, n_ticks);
        }
        LinearScale {
            domain: (start, stop),
            range,
            step,
        }
    }

    /// Pixel position of `value`.
    pub(crate) fn position(&self, value: f64) -> f64 {
        let (start, stop) = self.domain;
        let fraction = (value - start) / (stop - start);
        self.range.0 + fraction * (self.range.1 - self.range.0)
    }

    /// Tick values from the start of the domain to its end.
    pub(crate) fn ticks(&self) -> Vec<f64> {
        let (start, stop) = self.domain;
        let first_idx = (start / self.step).round() as i64;
        let last_idx = (stop / self.step).round() as i64;
        (first_idx..=last_idx)
            .map(|tick_idx| tick_idx as f64 * self.step)
            .collect()
    }

    /// The label of a tick value, with as many decimals as the step needs.
    pub(crate) fn tick_label(&self, value: f64) -> String {
        let decimals = (-self.step.log10().floor()).max(0.0) as usize;
        format_number(value, decimals)
    }
}

/// `value` with `decimals` decimals and commas between thousands (`12,345.5`).
pub(crate) fn format_number(value: f64, decimals: usize) -> String {
    let formatted = format!("{:.*}", decimals, value.abs());
    let (integer_part, fraction_part) = match formatted.split_once('.') {
        Some((integer_part, fraction_part)) => (integer_part, Some(fraction_part)),
        None => (formatted.as_str(), None),
    };
    let mut grouped = String::new();
    for (digit_idx, digit) in integer_part.chars().enumerate() {
        if digit_idx > 0 && (integer_part.len() - digit_idx) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if let Some(fraction_part) = fraction_part {
        grouped.push('.');
        grouped.push_str(fraction_part);
    }
    let is_zero = grouped
        .chars()
        .all(|character| matches!(character, '0' | '.' | ','));
    if value < 0.0 && !is_zero {
        grouped.insert(0, '−');
    }
    grouped
}

/// A number as a data label: integers without decimals, others with up to four.
pub(crate) fn format_data_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format_number(value, 0);
    }
    let formatted = format_number(value, 4);
    formatted
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_owned()
}

/// The round step (1, 2 or 5 times a power of ten) giving about `n_ticks` ticks over the span.
fn tick_step(start: f64, stop: f64, n_ticks: f64) -> f64 {
    let raw_step = ((stop - start).abs() / n_ticks).max(f64::MIN_POSITIVE);
    let power = 10f64.powf(raw_step.log10().floor());
    let error = raw_step / power;
    let factor = if error >= 50f64.sqrt() {
        10.0
    } else if error >= 10f64.sqrt() {
        5.0
    } else if error >= 2f64.sqrt() {
        2.0
    } else {
        1.0
    };
    factor * power
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domain_is_widened_to_round_ticks() {
        let scale = LinearScale::nice(0.0, 3.2, (300.0, 0.0), 5);

        assert_eq!(scale.ticks(), vec![0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]);
        assert_eq!(scale.position(0.0), 300.0);
        assert_eq!(scale.position(3.5), 0.0);
    }

    #[test]
    fn a_single_value_still_gets_a_domain_from_zero() {
        let scale = LinearScale::nice(7.0, 7.0, (100.0, 0.0), 5);

        assert_eq!(scale.ticks().first(), Some(&0.0));
        assert_eq!(scale.ticks().last(), Some(&7.0));
    }

    #[test]
    fn tick_labels_have_the_decimals_the_step_needs() {
        let scale = LinearScale::nice(0.0, 0.9, (100.0, 0.0), 5);

        assert_eq!(scale.tick_label(0.2), "0.2");
        assert_eq!(
            LinearScale::nice(0.0, 24_000.0, (100.0, 0.0), 5).tick_label(5_000.0),
            "5,000"
        );
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(format_number(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(format_number(-1_500.0, 0), "−1,500");
        assert_eq!(format_number(-0.0001, 2), "0.00");
        assert_eq!(format_data_number(2.50), "2.5");
        assert_eq!(format_data_number(3.0), "3");
    }
}
