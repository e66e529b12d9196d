//! Reading an evaluation file in defog's sql-eval format: a CSV with `question`, `query` (gold
//! SQL in the sql-eval notation), `db_name`, and optional `query_category` and `instructions`.
//!
//! Invariant: reads at most the row limit it is given; every returned question has a
//! non-empty question, a datasource and at least one concrete gold query.

/// Category of rows without a `query_category` value.
pub const UNCATEGORIZED: &str = "uncategorized";

/// One row of an evaluation file.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalQuestion {
    /// Line of the row in the file (the header is line 1).
    pub line: usize,
    /// The question in plain English.
    pub question: String,
    /// Datasource to ask (the `db_name` column, or the override).
    pub datasource: String,
    /// The `query_category` value, or [`UNCATEGORIZED`].
    pub category: String,
    /// The `instructions` value, when not empty.
    pub instructions: Option<String>,
    /// Every concrete query the gold cell accepts, in order.
    pub gold_queries: Vec<String>,
}

/// The file cannot be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum QuestionFileError {
    /// The header lacks a column the format requires.
    #[error("the file has no `{0}` column")]
    MissingColumn(&'static str),
    /// The file holds more rows than allowed.
    #[error("the file has more than {0} rows")]
    TooManyRows(usize),
    /// A row is not valid CSV, or a required cell is empty.
    #[error("line {line}: {message}")]
    BadRow {
        /// Line of the row.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The CSV could not be read at all.
    #[error("cannot read the file: {0}")]
    Unreadable(String),
}

/// Every question of the file's bytes, in file order. `datasource_override` replaces the
/// `db_name` column (which may then be absent); more than `max_rows` rows is an error.
pub fn read_question_file(
    file_bytes: &[u8],
    datasource_override: Option<&str>,
    max_rows: usize,
) -> Result<Vec<EvalQuestion>, QuestionFileError> {
    let mut line_counter = LineCounter::new(file_bytes);
    let mut csv_reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(file_bytes);
    let headers = csv_reader
        .headers()
        .map_err(|err| QuestionFileError::Unreadable(err.to_string()))?
        .clone();
    let column = |name: &str| headers.iter().position(|header| header.trim() == name);
    let question_column = column("question").ok_or(QuestionFileError::MissingColumn("question"))?;
    let query_column = column("query").ok_or(QuestionFileError::MissingColumn("query"))?;
    let datasource_column = column("db_name");
    if datasource_override.is_none() && datasource_column.is_none() {
        return Err(QuestionFileError::MissingColumn("db_name"));
    }
    let category_column = column("query_category");
    let instructions_column = column("instructions");

    let mut eval_questions = Vec::new();
    for record in csv_reader.records() {
        if eval_questions.len() == max_rows {
            return Err(QuestionFileError::TooManyRows(max_rows));
        }
        let record = record.map_err(|err| QuestionFileError::BadRow {
            line: err
                .position()
                .map_or(0, |position| line_counter.line_at(position.byte())),
            message: err.to_string(),
        })?;
        let line = record
            .position()
            .map_or(0, |position| line_counter.line_at(position.byte()));
        let cell = |column_idx: Option<usize>| {
            column_idx
                .and_then(|column_idx| record.get(column_idx))
                .unwrap_or_default()
                .trim()
                .to_owned()
        };
        let bad_row = |message: &str| QuestionFileError::BadRow {
            line,
            message: message.to_owned(),
        };
        let question = cell(Some(question_column));
        if question.is_empty() {
            return Err(bad_row("the question is empty"));
        }
        let gold_queries = sql_eval_format::concrete_queries(&cell(Some(query_column)));
        if gold_queries.is_empty() {
            return Err(bad_row("the gold query is empty"));
        }
        let datasource = match datasource_override {
            Some(datasource) => datasource.to_owned(),
            None => cell(datasource_column),
        };
        if datasource.is_empty() {
            return Err(bad_row("the db_name is empty"));
        }
        let category = Some(cell(category_column))
            .filter(|category| !category.is_empty())
            .unwrap_or_else(|| UNCATEGORIZED.to_owned());
        let instructions = Some(cell(instructions_column)).filter(|text| !text.is_empty());
        eval_questions.push(EvalQuestion {
            line,
            question,
            datasource,
            category,
            instructions,
            gold_queries,
        });
    }
    Ok(eval_questions)
}

/// Physical line numbers from byte offsets, for offsets that never decrease. The csv crate's
/// own line numbers drift on CRLF files: it starts a record at the `\n` of the `\r\n` before it.
struct LineCounter<'a> {
    file_bytes: &'a [u8],
    scanned_to: usize,
    n_newlines: usize,
}

impl<'a> LineCounter<'a> {
    fn new(file_bytes: &'a [u8]) -> Self {
        LineCounter {
            file_bytes,
            scanned_to: 0,
            n_newlines: 0,
        }
    }

    /// The 1-based line of the first byte at or after `byte_offset` that ends no line.
    fn line_at(&mut self, byte_offset: u64) -> usize {
        let mut offset = usize::try_from(byte_offset)
            .unwrap_or(usize::MAX)
            .min(self.file_bytes.len());
        while matches!(self.file_bytes.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        if offset > self.scanned_to {
            self.n_newlines += self.file_bytes[self.scanned_to..offset]
                .iter()
                .filter(|&&byte| byte == b'\n')
                .count();
            self.scanned_to = offset;
        }
        self.n_newlines + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "question,query,db_name,query_category,instructions
How many restaurants?,SELECT COUNT(*) FROM restaurant;,restaurants,basic,
\"Which cities,
with restaurants?\",\"SELECT {city_name, id} FROM location GROUP BY {};\",restaurants,,Use exact names
";

    #[test]
    fn rows_are_read_with_lines_categories_and_expanded_gold_queries() {
        let eval_questions = read_question_file(FILE.as_bytes(), None, 10).unwrap();

        assert_eq!(eval_questions.len(), 2);
        assert_eq!(eval_questions[0].line, 2);
        assert_eq!(eval_questions[0].category, "basic");
        assert_eq!(
            eval_questions[0].gold_queries,
            ["SELECT COUNT(*) FROM restaurant"]
        );
        assert_eq!(eval_questions[0].instructions, None);
        assert_eq!(eval_questions[1].line, 3);
        assert_eq!(eval_questions[1].category, UNCATEGORIZED);
        assert_eq!(eval_questions[1].gold_queries.len(), 2);
        assert_eq!(
            eval_questions[1].instructions.as_deref(),
            Some("Use exact names")
        );
    }

    #[test]
    fn lines_are_physical_lines_after_multi_line_cells_and_crlf() {
        let file = "question,query,db_name\r\n\"two\r\nlines\",SELECT 1,x\r\nnext,SELECT 2,x\r\n";

        let eval_questions = read_question_file(file.as_bytes(), None, 10).unwrap();

        assert_eq!(eval_questions[0].line, 2);
        assert_eq!(eval_questions[1].line, 4);
    }

    #[test]
    fn the_datasource_override_replaces_db_name() {
        let eval_questions = read_question_file(FILE.as_bytes(), Some("shop"), 10).unwrap();

        assert!(
            eval_questions
                .iter()
                .all(|eval_question| eval_question.datasource == "shop")
        );
    }

    #[test]
    fn too_many_rows_and_missing_columns_are_errors() {
        let too_many = read_question_file(FILE.as_bytes(), None, 1);
        let no_query = read_question_file("question,db_name\nhi,x\n".as_bytes(), None, 10);
        let no_db_name = read_question_file("question,query\nhi,SELECT 1\n".as_bytes(), None, 10);

        assert!(matches!(too_many, Err(QuestionFileError::TooManyRows(1))));
        assert!(matches!(
            no_query,
            Err(QuestionFileError::MissingColumn("query"))
        ));
        assert!(matches!(
            no_db_name,
            Err(QuestionFileError::MissingColumn("db_name"))
        ));
    }

    #[test]
    fn a_row_without_gold_sql_names_its_line() {
        let result = read_question_file("question,query,db_name\nhi,,x\n".as_bytes(), None, 10);

        assert!(matches!(
            result,
            Err(QuestionFileError::BadRow { line: 2, .. })
        ));
    }
}
