//! Sniffing a CSV file's delimiter (`,` `;` tab `|`) and quote character (`"` or `'`) from
//! its first lines.
//!
//! Invariant: sniffing only looks at the sample it is given; it never reads further.

/// Delimiters tried, in order of preference on a tie.
const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Lines of the sample that are compared.
const MAX_SAMPLE_LINES: usize = 50;

/// How one file's fields are separated and quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CsvDialect {
    /// Field separator.
    pub(crate) delimiter: u8,
    /// Quote character; a doubled quote inside a quoted field is one quote.
    pub(crate) quote: u8,
}

/// The dialect of a file whose first bytes are `sample`: the quote character is `'` only when
/// fields start with `'` and no `"` occurs; the delimiter is the candidate whose count per line
/// (outside quotes) is non-zero and the same on the most lines. A file where no candidate occurs
/// has one column.
pub(crate) fn sniff_dialect(sample: &[u8]) -> CsvDialect {
    let quote = sniff_quote(sample);
    let lines = split_lines(sample, quote);
    let mut best = (b',', 0usize, 0usize);
    for delimiter in CANDIDATE_DELIMITERS {
        let counts: Vec<usize> = lines
            .iter()
            .map(|line| count_outside_quotes(line, delimiter, quote))
            .collect();
        let Some(&first_count) = counts.first() else {
            continue;
        };
        if first_count == 0 {
            continue;
        }
        let n_agreeing = counts.iter().filter(|&&count| count == first_count).count();
        if (n_agreeing, first_count) > (best.1, best.2) {
            best = (delimiter, n_agreeing, first_count);
        }
    }
    CsvDialect {
        delimiter: best.0,
        quote,
    }
}

fn sniff_quote(sample: &[u8]) -> u8 {
    if sample.contains(&b'"') {
        return b'"';
    }
    let single_quoted_field = sample.windows(2).any(|pair| {
        pair[1] == b'\''
            && (CANDIDATE_DELIMITERS.contains(&pair[0]) || pair[0] == b'\n' || pair[0] == b'\r')
    }) || sample.first() == Some(&b'\'');
    if single_quoted_field { b'\'' } else { b'"' }
}

/// Complete lines of the sample (a line break inside quotes does not end a line); the last,
/// possibly cut, line is dropped unless it is the only one.
fn split_lines(sample: &[u8], quote: u8) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut in_quotes = false;
    let mut line_start = 0;
    for (byte_idx, &byte) in sample.iter().enumerate() {
        if byte == quote {
            in_quotes = !in_quotes;
        } else if (byte == b'\n' || byte == b'\r') && !in_quotes {
            if byte_idx > line_start {
                lines.push(&sample[line_start..byte_idx]);
            }
            line_start = byte_idx + 1;
            if lines.len() == MAX_SAMPLE_LINES {
                return lines;
            }
        }
    }
    if lines.is_empty() && line_start < sample.len() {
        lines.push(&sample[line_start..]);
    }
    lines
}

fn count_outside_quotes(line: &[u8], delimiter: u8, quote: u8) -> usize {
    let mut in_quotes = false;
    let mut count = 0;
    for &byte in line {
        if byte == quote {
            in_quotes = !in_quotes;
        } else if byte == delimiter && !in_quotes {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_candidate_delimiter_is_recognised() {
        for delimiter in CANDIDATE_DELIMITERS {
            let d = delimiter as char;
            let sample = format!("a{d}b{d}c\n1{d}2{d}3\n4{d}5{d}6\n");

            assert_eq!(sniff_dialect(sample.as_bytes()).delimiter, delimiter);
        }
    }

    #[test]
    fn commas_inside_quotes_do_not_win_over_the_real_delimiter() {
        let sample = b"name;note\n\"Smith, J\";\"a, b, c\"\n\"Doe, A\";x\n";

        let dialect = sniff_dialect(sample);

        assert_eq!(dialect.delimiter, b';');
        assert_eq!(dialect.quote, b'"');
    }

    #[test]
    fn single_quotes_are_the_quote_when_fields_start_with_them() {
        let sample = b"'name'|'city'\n'a|b'|'x'\n";

        let dialect = sniff_dialect(sample);

        assert_eq!(
            dialect,
            CsvDialect {
                delimiter: b'|',
                quote: b'\''
            }
        );
    }

    #[test]
    fn a_single_column_file_keeps_the_comma() {
        assert_eq!(sniff_dialect(b"name\nalice\nbob\n").delimiter, b',');
    }
}
