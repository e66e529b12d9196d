//! Assembles a `Query` once roles are known: the select list and ordering of each shape,
//! grouping columns, the fallback measure of an entity and year filters.
//!
//! Invariant: only combines columns the planner already resolved or that the entity table
//! unambiguously offers; it declines instead of picking among several.

use crate::linker::Link;
use crate::plan::Roles;
use crate::schema_index::{SchemaIndex, ValueKind};
use crate::shape::{Shape, ShapeWords};
use crate::sql_builder::{Filter, Query, SelectItem};
use crate::tokenizer::{Token, singular};
use crate::vocabulary::{PRICE_STEMS, RATING_STEMS};

pub(crate) fn build_query(
    words: &ShapeWords,
    entity: usize,
    measure: Option<(usize, usize)>,
    group: Option<Vec<(usize, usize)>>,
    outputs: Vec<(usize, usize)>,
    filters: Vec<Filter>,
    entity_word: Option<&Token>,
) -> Result<Query, String> {
    let mut query = Query {
        base: entity,
        select: Vec::new(),
        filters,
        group_by: Vec::new(),
        order_by: None,
        limit: None,
        distinct: false,
    };
    let group_label = group.as_ref().and_then(|g| g.last().copied());
    if let Some(group) = &group {
        query.group_by = group.clone();
        query.select.extend(
            group
                .iter()
                .skip(group.len().saturating_sub(1))
                .map(|at| SelectItem::Column(*at)),
        );
    }
    match words.shape {
        Shape::Count => match (outputs.as_slice(), entity_word) {
            ([only], None) => query.select.push(SelectItem::CountDistinct(*only)),
            ([], _) => query.select.push(SelectItem::CountRows),
            _ => return Err("it cannot tell what exactly to count".to_owned()),
        },
        Shape::Aggregate(aggregate) => {
            let measure = measure.ok_or("it is not sure which measure is meant")?;
            query.base = measure.0;
            query.select.push(SelectItem::Aggregate(aggregate, measure));
        }
        Shape::Top { descending, .. } => {
            let singular_entity = entity_word.is_none_or(|t| singular(&t.text) == t.text);
            query.limit = match (words.limit, singular_entity) {
                (Some(limit), _) => Some(limit),
                (None, true) => Some(1),
                (None, false) => return Err("it is not sure how many rows to rank".to_owned()),
            };
            if group_label.is_some() {
                if measure.is_some() {
                    return Err("it can rank groups only by how many rows they have".to_owned());
                }
                query.select.push(SelectItem::CountRows);
                query.order_by = Some((SelectItem::CountRows, descending));
            } else {
                let measure = measure.ok_or("it is not sure which measure is meant")?;
                query.select.push(SelectItem::AllColumns(entity));
                if measure.0 != entity {
                    query.select.push(SelectItem::Column(measure));
                }
                query.order_by = Some((SelectItem::Column(measure), descending));
            }
        }
        Shape::List => {
            if group.is_some() {
                return Err("it cannot list rows grouped by something".to_owned());
            }
            if outputs.is_empty() {
                query.select.push(SelectItem::AllColumns(entity));
            } else {
                query
                    .select
                    .extend(outputs.iter().map(|at| SelectItem::Column(*at)));
                query.distinct = words.distinct;
            }
            query.limit = words.limit;
        }
    }
    Ok(query)
}

pub(crate) fn group_columns(
    group: &Link,
    anchor: Option<usize>,
    roles: &Roles<'_, '_>,
) -> Result<Vec<(usize, usize)>, String> {
    if let Some(&table) = group.tables().first() {
        let indexed = &roles.index.tables[table];
        let label = indexed
            .columns
            .iter()
            .position(|c| c.name_stems == ["nam"])
            .or_else(|| {
                indexed
                    .columns
                    .iter()
                    .position(|c| c.kind == ValueKind::Text && !c.is_identifier)
            })
            .ok_or("the grouping table has no name column")?;
        let mut columns = Vec::new();
        if let Some(key) = indexed.key
            && key != label
        {
            columns.push((table, key));
        }
        columns.push((table, label));
        return Ok(columns);
    }
    Ok(vec![roles.choose(&group.columns(), anchor)?])
}

pub(crate) fn filter_table(filter: &Filter) -> usize {
    match filter {
        Filter::Equals(at, _) | Filter::Compare(at, _, _) | Filter::Year(at, _) => at.0,
    }
}

pub(crate) fn adjective_stems(tokens: &[Token]) -> Option<&'static [&'static str]> {
    tokens.iter().find_map(|t| match t.text.as_str() {
        "expensive" | "cheapest" | "priciest" | "cheap" => Some(PRICE_STEMS),
        "rated" | "best" | "worst" => Some(RATING_STEMS),
        _ => None,
    })
}

/// The one numeric, non-identifier column of the entity, optionally restricted by stems.
pub(crate) fn single_measure(
    index: &SchemaIndex<'_>,
    entity: Option<usize>,
    stems: Option<&[&str]>,
) -> Option<(usize, usize)> {
    let table = entity?;
    let found: Vec<(usize, usize)> = index.tables[table]
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.kind == ValueKind::Numeric
                && !c.is_identifier
                && !c.name_stems.iter().any(|s| s == "year")
        })
        .filter(|(_, c)| {
            stems.is_none_or(|wanted| c.name_stems.iter().any(|s| wanted.contains(&s.as_str())))
        })
        .map(|(idx, _)| (table, idx))
        .collect();
    match found.as_slice() {
        [only] => Some(*only),
        _ => None,
    }
}

pub(crate) fn year_filter(
    index: &SchemaIndex<'_>,
    table: usize,
    year: &str,
) -> Result<Filter, String> {
    let columns = &index.tables[table].columns;
    if let Some(column) = columns.iter().position(|c| c.name_stems == ["year"]) {
        return Ok(Filter::Compare((table, column), "=", year.to_owned()));
    }
    let dates: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.kind == ValueKind::Temporal
                && !c.name_stems.iter().any(|s| s == "crtd" || s == "creat")
        })
        .map(|(idx, _)| idx)
        .collect();
    match dates.as_slice() {
        [only] => Ok(Filter::Year((table, *only), year.to_owned())),
        _ => Err(format!(
            "it is not sure which date the year {year} applies to"
        )),
    }
}
