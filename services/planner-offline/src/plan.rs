//! Turns a question into a `Query`: checks every word is understood, detects the shape, then
//! gives each linked table, column and value a role (entity, measure, filter, group, output).
//!
//! Invariant: declines with a plain reason whenever a word, number or role stays ambiguous;
//! it never fills a gap with a guess.

use ports::schema::SchemaSnapshot;

use crate::join_path::distance;
use crate::linker::{Link, Mention, link};
use crate::schema_index::{SchemaIndex, ValueKind};
use crate::shape::{Shape, ShapeWords, detect};
use crate::sql_builder::{Filter, Query, SelectItem, render};
use crate::tokenizer::{Token, singular, tokenize};
use crate::vocabulary::{PRICE_STEMS, RATING_STEMS, UNSUPPORTED, is_filler};

/// Plans and renders SQL for a question, or explains why it cannot.
pub(crate) fn plan_sql(question: &str, snapshot: &SchemaSnapshot) -> Result<String, String> {
    let tokens = tokenize(question);
    let index = SchemaIndex::build(snapshot);
    let links = link(&tokens, &index);
    check_words(&tokens, &links)?;
    let words = detect(&tokens, &links)?;
    let query = assign_roles(&tokens, &links, &words, &index)?;
    render(&query, &index)
}

fn check_words(tokens: &[Token], links: &[Link]) -> Result<(), String> {
    for (idx, token) in tokens.iter().enumerate() {
        if links.iter().any(|l| l.start <= idx && idx < l.end) || token.number().is_some() {
            continue;
        }
        if let Some((_, reason)) = UNSUPPORTED.iter().find(|(word, _)| *word == token.text) {
            return Err((*reason).to_owned());
        }
        if !is_filler(&token.text) {
            return Err(if token.capitalized && idx > 0 {
                format!("\"{}\" does not match any value in the data", token.text)
            } else {
                format!(
                    "it does not know what \"{}\" refers to in this datasource",
                    token.text
                )
            });
        }
    }
    Ok(())
}

/// The role-assignment state: which links are used, and the chosen entity.
struct Roles<'i, 'a> {
    index: &'i SchemaIndex<'a>,
    used: Vec<bool>,
}

impl Roles<'_, '_> {
    fn choose(
        &self,
        candidates: &[(usize, usize)],
        anchor: Option<usize>,
    ) -> Result<(usize, usize), String> {
        let Some(anchor) = anchor else {
            return match candidates {
                [only] => Ok(*only),
                _ => Err(self.ambiguity(candidates)),
            };
        };
        let scored: Vec<(usize, (usize, usize))> = candidates
            .iter()
            .filter_map(|at| distance(self.index, anchor, at.0).map(|d| (d, *at)))
            .collect();
        let best = scored
            .iter()
            .map(|(d, _)| *d)
            .min()
            .ok_or_else(|| self.ambiguity(candidates))?;
        let winners: Vec<(usize, usize)> = scored
            .iter()
            .filter(|(d, _)| *d == best)
            .map(|(_, at)| *at)
            .collect();
        match winners.as_slice() {
            [only] => Ok(*only),
            _ => Err(self.ambiguity(&winners)),
        }
    }

    fn ambiguity(&self, candidates: &[(usize, usize)]) -> String {
        let names: Vec<String> = candidates
            .iter()
            .map(|at| {
                format!(
                    "{}.{}",
                    self.index.tables[at.0].schema.name,
                    self.index.column(*at).schema.name
                )
            })
            .collect();
        format!(
            "it is not sure which column is meant ({})",
            names.join(", ")
        )
    }

    fn numeric(&self, at: (usize, usize)) -> bool {
        let column = self.index.column(at);
        column.kind == ValueKind::Numeric && !column.is_identifier
    }
}

fn assign_roles(
    tokens: &[Token],
    links: &[Link],
    words: &ShapeWords,
    index: &SchemaIndex<'_>,
) -> Result<Query, String> {
    let mut roles = Roles {
        index,
        used: vec![false; links.len()],
    };

    // The "which X has the most T" form counts T per X.
    let mut counted_table = None;
    if let Shape::Top { at, .. } = words.shape
        && let Some(next) = links.iter().position(|l| l.start > at)
        && !links[next].tables().is_empty()
        && tokens[at].text != "top"
        && links[next].start <= at + 2
        && links[..next].iter().any(|l| !l.is_value())
    {
        counted_table = links[next].tables().first().copied();
        roles.used[next] = true;
    }

    let mut group_link = words.group_link;
    if counted_table.is_some() && group_link.is_none() {
        group_link = links.iter().position(|l| {
            !l.is_value()
                && l.start
                    < links
                        .iter()
                        .find(|l| !l.tables().is_empty() && l.start > 0)
                        .map_or(0, |l| l.start)
                        + 1
        });
        group_link = group_link.filter(|idx| !roles.used[*idx]);
        if group_link.is_none() {
            return Err("it could not tell what to rank".to_owned());
        }
    }
    if let Some(group_idx) = group_link {
        roles.used[group_idx] = true;
    }

    let entity_link = links
        .iter()
        .enumerate()
        .find(|(idx, l)| !roles.used[*idx] && !l.tables().is_empty())
        .map(|(idx, _)| idx);
    let mut entity =
        counted_table.or_else(|| entity_link.and_then(|idx| links[idx].tables().first().copied()));
    if let Some(idx) = entity_link
        && counted_table.is_none()
    {
        roles.used[idx] = true;
    }

    // Comparisons take the numeric column written next to them.
    let mut comparison_columns = Vec::new();
    for comparison in &words.comparisons {
        let after = links.iter().position(|l| {
            l.start == comparison.number_at + 1 && l.columns().iter().any(|c| roles.numeric(*c))
        });
        let before = links.iter().rposition(|l| {
            l.end <= comparison.start && l.columns().iter().any(|c| roles.numeric(*c))
        });
        let link_idx = after.or(before).filter(|idx| !roles.used[*idx]);
        let column = match link_idx {
            Some(link_idx) => {
                roles.used[link_idx] = true;
                let numeric: Vec<(usize, usize)> = links[link_idx]
                    .columns()
                    .into_iter()
                    .filter(|c| roles.numeric(*c))
                    .collect();
                roles.choose(&numeric, entity)?
            }
            None => single_measure(index, entity, None)
                .ok_or("it could not tell which number the comparison is about")?,
        };
        comparison_columns.push(Filter::Compare(
            column,
            comparison.operator,
            comparison.number.clone(),
        ));
    }

    // Measures: numeric columns, or the adjective of a superlative.
    let mut measures: Vec<usize> = Vec::new();
    let mut outputs: Vec<usize> = Vec::new();
    for (idx, l) in links.iter().enumerate() {
        if roles.used[idx] || l.is_value() {
            continue;
        }
        if !l.tables().is_empty() {
            continue;
        }
        if l.columns().iter().all(|c| roles.numeric(*c))
            && matches!(words.shape, Shape::Aggregate(_) | Shape::Top { .. })
        {
            measures.push(idx);
        } else {
            outputs.push(idx);
        }
    }
    if measures.len() > 1 {
        return Err("it is not sure which measure is meant".to_owned());
    }
    let measure = match measures.first() {
        Some(&idx) => {
            roles.used[idx] = true;
            let numeric: Vec<(usize, usize)> = links[idx]
                .columns()
                .into_iter()
                .filter(|c| roles.numeric(*c))
                .collect();
            Some(roles.choose(&numeric, entity)?)
        }
        None if counted_table.is_some() => None,
        None if matches!(words.shape, Shape::Aggregate(_) | Shape::Top { .. }) => {
            let adjective = adjective_stems(tokens);
            Some(
                single_measure(index, entity, adjective)
                    .ok_or("it is not sure which measure is meant")?,
            )
        }
        None => None,
    };
    if entity.is_none() {
        entity = measure.map(|m| m.0);
    }

    // Values become equality filters, absorbing a column name written next to them.
    let mut filters = comparison_columns;
    for (idx, l) in links.iter().enumerate() {
        if !l.is_value() {
            continue;
        }
        roles.used[idx] = true;
        let mut candidates: Vec<(usize, usize, String)> = l
            .candidates
            .iter()
            .filter_map(|m| {
                if let Mention::Value { column, value } = m {
                    Some((column.0, column.1, value.clone()))
                } else {
                    None
                }
            })
            .collect();
        for neighbour in [idx.checked_sub(1), Some(idx + 1)].into_iter().flatten() {
            let Some(named) = links.get(neighbour) else {
                continue;
            };
            if named.is_value() || roles.used[neighbour] {
                continue;
            }
            let named_columns = named.columns();
            if candidates
                .iter()
                .any(|(t, c, _)| named_columns.contains(&(*t, *c)))
            {
                candidates.retain(|(t, c, _)| named_columns.contains(&(*t, *c)));
                roles.used[neighbour] = true;
                outputs.retain(|o| *o != neighbour);
            }
        }
        let columns: Vec<(usize, usize)> = candidates.iter().map(|(t, c, _)| (*t, *c)).collect();
        let chosen = roles.choose(&columns, entity)?;
        let value = candidates
            .iter()
            .find(|(t, c, _)| (*t, *c) == chosen)
            .map(|(_, _, v)| v.clone())
            .unwrap_or_default();
        if filters
            .iter()
            .any(|f| matches!(f, Filter::Equals(at, _) if *at == chosen))
        {
            return Err("it cannot combine two values of the same column".to_owned());
        }
        if entity.is_none() {
            entity = Some(chosen.0);
        }
        filters.push(Filter::Equals(chosen, value));
    }

    let group = match group_link {
        Some(idx) => Some(group_columns(
            &links[idx],
            entity.or(counted_table),
            &roles,
        )?),
        None => None,
    };

    // Remaining table links must be explained by some role.
    for (idx, l) in links.iter().enumerate() {
        if !roles.used[idx]
            && !l.tables().is_empty()
            && !l.tables().iter().any(|t| Some(*t) == entity)
        {
            let table = l.tables()[0];
            let touched = filters.iter().any(|f| filter_table(f) == table)
                || measure.is_some_and(|m| m.0 == table);
            if !touched {
                return Err(format!(
                    "it is not sure how {} relates to the question",
                    index.tables[table].schema.name
                ));
            }
        }
    }

    let Some(entity) = entity else {
        return Err("it could not tell which table the question is about".to_owned());
    };
    for (_, year) in &words.years {
        filters.push(year_filter(index, measure.map_or(entity, |m| m.0), year)?);
    }
    let output_columns: Vec<(usize, usize)> = outputs
        .iter()
        .map(|idx| roles.choose(&links[*idx].columns(), Some(entity)))
        .collect::<Result<_, _>>()?;

    build_query(
        words,
        entity,
        measure,
        group,
        output_columns,
        filters,
        entity_link.map(|idx| &tokens[links[idx].end - 1]),
    )
}

fn build_query(
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

fn group_columns(
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

fn filter_table(filter: &Filter) -> usize {
    match filter {
        Filter::Equals(at, _) | Filter::Compare(at, _, _) | Filter::Year(at, _) => at.0,
    }
}

fn adjective_stems(tokens: &[Token]) -> Option<&'static [&'static str]> {
    tokens.iter().find_map(|t| match t.text.as_str() {
        "expensive" | "cheapest" | "priciest" | "cheap" => Some(PRICE_STEMS),
        "rated" | "best" | "worst" => Some(RATING_STEMS),
        _ => None,
    })
}

/// The one numeric, non-identifier column of the entity, optionally restricted by stems.
fn single_measure(
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

fn year_filter(index: &SchemaIndex<'_>, table: usize, year: &str) -> Result<Filter, String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_schemas::{broker_like, restaurants};

    fn sql(question: &str) -> String {
        plan_sql(question, &restaurants()).unwrap_or_else(|reason| panic!("{question}: {reason}"))
    }

    #[test]
    fn how_many_restaurants_counts_the_restaurant_table() {
        assert_eq!(
            sql("How many restaurants are there?"),
            "SELECT COUNT(*) AS number_of_restaurant\nFROM restaurant"
        );
    }

    #[test]
    fn values_become_filters_on_the_entity_table() {
        assert_eq!(
            sql("How many Italian restaurants are in New York?"),
            "SELECT COUNT(*) AS number_of_restaurant\nFROM restaurant\nWHERE food_type = 'Italian' AND city_name = 'New York'"
        );
    }

    #[test]
    fn averages_group_by_a_partially_named_column() {
        assert_eq!(
            sql("average rating per food type"),
            "SELECT food_type, AVG(rating) AS average_rating\nFROM restaurant\nGROUP BY food_type"
        );
    }

    #[test]
    fn top_n_orders_by_the_measure_with_nulls_last() {
        assert_eq!(
            sql("top 3 restaurants by rating"),
            "SELECT *\nFROM restaurant\nORDER BY rating DESC NULLS LAST\nLIMIT 3"
        );
    }

    #[test]
    fn a_filter_in_another_table_adds_a_join() {
        let query = sql("how many restaurants are in California");

        assert!(
            query.contains("JOIN geographic ON geographic.city_name = restaurant.city_name"),
            "{query}"
        );
        assert!(
            query.contains("geographic.region = 'California'"),
            "{query}"
        );
    }

    #[test]
    fn numeric_comparisons_use_the_named_column() {
        assert_eq!(
            sql("list restaurants with a rating above 4.5"),
            "SELECT *\nFROM restaurant\nWHERE rating > 4.5"
        );
    }

    #[test]
    fn which_city_has_the_most_restaurants_counts_per_city() {
        assert_eq!(
            sql("Which city has the most restaurants?"),
            "SELECT city_name, COUNT(*) AS number_of_restaurant\nFROM restaurant\nGROUP BY city_name\nORDER BY number_of_restaurant DESC NULLS LAST\nLIMIT 1"
        );
    }

    #[test]
    fn unknown_places_weather_and_why_questions_are_declined() {
        for question in [
            "how many restaurants are in Boston",
            "what is the weather",
            "why is the rating low",
        ] {
            assert!(plan_sql(question, &restaurants()).is_err(), "{question}");
        }
    }

    #[test]
    fn broker_filters_join_through_abbreviated_identifiers() {
        let query = plan_sql(
            "total amount of transactions by customers in CA",
            &broker_like(),
        )
        .unwrap();

        assert!(query.contains("JOIN \"sbCustomer\" ON \"sbCustomer\".\"sbCustId\" = \"sbTransaction\".\"sbTxCustId\""), "{query}");
        assert!(
            query.contains("SUM(\"sbTransaction\".\"sbTxAmount\")"),
            "{query}"
        );
    }
}
