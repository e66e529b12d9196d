//! Renders a planned query as one SQL statement that DuckDB and PostgreSQL both accept,
//! adding the joins its columns need and guarding counts and sums against join fan-out.
//!
//! Invariant: identifiers come only from the schema index and values are always quoted
//! literals; no text of the question reaches the SQL except sampled values and numbers.

use crate::join_path::{JoinStep, connect};
use crate::schema_index::SchemaIndex;
use crate::shape::Aggregate;

/// One output expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SelectItem {
    /// Every column of a table.
    AllColumns(usize),
    /// One column.
    Column((usize, usize)),
    /// `COUNT(*)` of the base table's rows.
    CountRows,
    /// `COUNT(DISTINCT column)`.
    CountDistinct((usize, usize)),
    /// An aggregate of a numeric column.
    Aggregate(Aggregate, (usize, usize)),
}

/// One condition of the `WHERE` clause.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    /// `column = 'value'`.
    Equals((usize, usize), String),
    /// `column <op> number`.
    Compare((usize, usize), &'static str, String),
    /// `EXTRACT(YEAR FROM column) = year`.
    Year((usize, usize), String),
}

/// A planned query over a base table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    /// Table whose rows are counted, measured or listed.
    pub(crate) base: usize,
    /// Output expressions.
    pub(crate) select: Vec<SelectItem>,
    /// Conditions, all combined with `AND`.
    pub(crate) filters: Vec<Filter>,
    /// Grouping columns.
    pub(crate) group_by: Vec<(usize, usize)>,
    /// Expression to order by (an output's alias when it is one), and `true` for descending.
    pub(crate) order_by: Option<(SelectItem, bool)>,
    /// Row limit.
    pub(crate) limit: Option<u64>,
    /// `SELECT DISTINCT`.
    pub(crate) distinct: bool,
}

/// Renders the query; fails when join fan-out would make the numbers wrong.
pub(crate) fn render(query: &Query, index: &SchemaIndex<'_>) -> Result<String, String> {
    let needed = needed_tables(query);
    let joins = connect(index, query.base, &needed)?;
    let fans_out = joins.iter().any(|step| step.fans_out);
    let qualified = !joins.is_empty();
    let column = |at: (usize, usize)| column_sql(index, at, qualified);

    let mut select = Vec::new();
    for item in &query.select {
        select.push(match item {
            SelectItem::AllColumns(table) if qualified => {
                format!("{}.*", quote(&index.tables[*table].schema.name))
            }
            SelectItem::AllColumns(_) => "*".to_owned(),
            SelectItem::Column(at) => column(*at),
            SelectItem::CountRows if fans_out => {
                let key = index.tables[query.base]
                    .key
                    .ok_or("counting would double rows across the join and the table has no key")?;
                format!(
                    "COUNT(DISTINCT {}) AS {}",
                    column((query.base, key)),
                    count_alias(index, query.base)
                )
            }
            SelectItem::CountRows => format!("COUNT(*) AS {}", count_alias(index, query.base)),
            SelectItem::CountDistinct(at) => {
                format!(
                    "COUNT(DISTINCT {}) AS {}",
                    column(*at),
                    quote(&format!(
                        "number_of_{}",
                        index.column(*at).schema.name.to_lowercase()
                    ))
                )
            }
            SelectItem::Aggregate(aggregate, _)
                if fans_out && matches!(aggregate, Aggregate::Sum | Aggregate::Avg) =>
            {
                return Err(
                    "the join would count some rows twice in the total or average".to_owned(),
                );
            }
            SelectItem::Aggregate(aggregate, at) => {
                let (function, prefix) = match aggregate {
                    Aggregate::Sum => ("SUM", "total"),
                    Aggregate::Avg => ("AVG", "average"),
                    Aggregate::Min => ("MIN", "min"),
                    Aggregate::Max => ("MAX", "max"),
                };
                let alias = format!("{prefix}_{}", index.column(*at).schema.name.to_lowercase());
                format!("{function}({}) AS {}", column(*at), quote(&alias))
            }
        });
    }
    let distinct =
        query.distinct || (fans_out && query.group_by.is_empty() && !has_aggregate(query));
    let mut sql = format!(
        "SELECT {}{}",
        if distinct { "DISTINCT " } else { "" },
        select.join(", ")
    );
    sql.push_str(&format!(
        "\nFROM {}",
        quote(&index.tables[query.base].schema.name)
    ));
    for step in &joins {
        sql.push_str(&join_sql(index, step));
    }
    if !query.filters.is_empty() {
        let conditions: Vec<String> = query
            .filters
            .iter()
            .map(|f| filter_sql(f, &column))
            .collect();
        sql.push_str(&format!("\nWHERE {}", conditions.join(" AND ")));
    }
    if !query.group_by.is_empty() {
        let columns: Vec<String> = query.group_by.iter().map(|at| column(*at)).collect();
        sql.push_str(&format!("\nGROUP BY {}", columns.join(", ")));
    }
    if let Some((order_item, descending)) = &query.order_by {
        let expression = match (
            query.select.iter().position(|item| item == order_item),
            order_item,
        ) {
            (Some(select_idx), _) => select[select_idx]
                .rsplit(" AS ")
                .next()
                .unwrap_or_default()
                .to_owned(),
            (None, SelectItem::Column(at)) => column(*at),
            (None, _) => return Err("it can only order by an output column".to_owned()),
        };
        let direction = if *descending { "DESC" } else { "ASC" };
        sql.push_str(&format!("\nORDER BY {expression} {direction} NULLS LAST"));
    }
    if let Some(limit) = query.limit {
        sql.push_str(&format!("\nLIMIT {limit}"));
    }
    Ok(sql)
}

/// Quotes an identifier only when it is not a plain lowercase word or is a keyword.
pub(crate) fn quote(identifier: &str) -> String {
    let plain = identifier
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && identifier
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    let keywords = [
        "all",
        "and",
        "as",
        "asc",
        "between",
        "by",
        "case",
        "cast",
        "check",
        "column",
        "date",
        "day",
        "default",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "from",
        "group",
        "having",
        "in",
        "is",
        "join",
        "like",
        "limit",
        "month",
        "not",
        "null",
        "offset",
        "on",
        "or",
        "order",
        "select",
        "table",
        "time",
        "timestamp",
        "to",
        "user",
        "when",
        "where",
        "with",
        "year",
        "count",
        "type",
        "value",
        "name",
        "location",
        "level",
    ];
    if plain && !keywords.contains(&identifier) {
        identifier.to_owned()
    } else {
        format!("\"{}\"", identifier.replace('"', "\"\""))
    }
}

fn needed_tables(query: &Query) -> Vec<usize> {
    let mut tables = Vec::new();
    let mut add = |table: usize| {
        if !tables.contains(&table) {
            tables.push(table);
        }
    };
    for item in &query.select {
        match item {
            SelectItem::AllColumns(table) => add(*table),
            SelectItem::Column(at)
            | SelectItem::CountDistinct(at)
            | SelectItem::Aggregate(_, at) => add(at.0),
            SelectItem::CountRows => {}
        }
    }
    for filter in &query.filters {
        match filter {
            Filter::Equals(at, _) | Filter::Compare(at, _, _) | Filter::Year(at, _) => add(at.0),
        }
    }
    for at in &query.group_by {
        add(at.0);
    }
    tables
}

fn has_aggregate(query: &Query) -> bool {
    query
        .select
        .iter()
        .any(|item| !matches!(item, SelectItem::AllColumns(_) | SelectItem::Column(_)))
}

fn count_alias(index: &SchemaIndex<'_>, table: usize) -> String {
    quote(&format!(
        "number_of_{}",
        index.tables[table].schema.name.to_lowercase()
    ))
}

fn column_sql(index: &SchemaIndex<'_>, at: (usize, usize), qualified: bool) -> String {
    let column = quote(&index.column(at).schema.name);
    if qualified {
        format!("{}.{column}", quote(&index.tables[at.0].schema.name))
    } else {
        column
    }
}

fn join_sql(index: &SchemaIndex<'_>, step: &JoinStep) -> String {
    format!(
        "\nJOIN {} ON {} = {}",
        quote(&index.tables[step.new.0].schema.name),
        column_sql(index, step.new, true),
        column_sql(index, step.existing, true)
    )
}

fn filter_sql(filter: &Filter, column: &dyn Fn((usize, usize)) -> String) -> String {
    match filter {
        Filter::Equals(at, value) => format!("{} = '{}'", column(*at), value.replace('\'', "''")),
        Filter::Compare(at, operator, number) => format!("{} {operator} {number}", column(*at)),
        Filter::Year(at, year) => format!("EXTRACT(YEAR FROM {}) = {year}", column(*at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lowercase_identifiers_stay_unquoted() {
        assert_eq!(quote("food_type"), "food_type");
        assert_eq!(quote("sbCustomer"), "\"sbCustomer\"");
        assert_eq!(quote("year"), "\"year\"");
    }
}
