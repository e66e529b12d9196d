//! Turns a question into a `Query`: checks every word is understood, detects the shape, then
//! gives each linked table, column and value a role (entity, measure, filter, group, output).
//!
//! Invariant: declines with a plain reason whenever a word, number or role stays ambiguous;
//! it never fills a gap with a guess.

use ports::schema::SchemaSnapshot;

use crate::join_path::distance;
use crate::linker::{Link, Mention, link};
use crate::query_assembly::{
    adjective_stems, build_query, filter_table, group_columns, single_measure, year_filter,
};
use crate::schema_index::{SchemaIndex, ValueKind};
use crate::shape::{Shape, ShapeWords, detect};
use crate::sql_builder::{Filter, Query, render};
use crate::tokenizer::{Token, tokenize};
use crate::vocabulary::{UNSUPPORTED, is_filler};

/// Plans and renders SQL for a question, or explains why it cannot.
pub(crate) fn plan_sql(question: &str, snapshot: &SchemaSnapshot) -> Result<String, String> {
    let tokens = tokenize(question);
    let index = SchemaIndex::build(snapshot);
    let links = link(&tokens, &index);
    check_words(&tokens, &links, &snapshot.datasource)?;
    let numeric_starts: Vec<usize> = links
        .iter()
        .filter(|l| {
            let columns = l.columns();
            !columns.is_empty()
                && columns.iter().all(|at| {
                    let column = index.column(*at);
                    column.kind == ValueKind::Numeric && !column.is_identifier
                })
        })
        .map(|l| l.start)
        .collect();
    let words = detect(&tokens, &links, &numeric_starts)?;
    let query = assign_roles(&tokens, &links, &words, &index)?;
    render(&query, &index)
}

fn check_words(tokens: &[Token], links: &[Link], datasource: &str) -> Result<(), String> {
    let datasource_words: Vec<String> = tokenize(&datasource.replace('_', " "))
        .into_iter()
        .map(|t| t.stem)
        .collect();
    for (idx, token) in tokens.iter().enumerate() {
        if links.iter().any(|l| l.start <= idx && idx < l.end) || token.number().is_some() {
            continue;
        }
        if let Some((_, reason)) = UNSUPPORTED.iter().find(|(word, _)| *word == token.text) {
            return Err((*reason).to_owned());
        }
        if !is_filler(&token.text) && !datasource_words.contains(&token.stem) {
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

/// The role-assignment state: which links already have a role.
pub(crate) struct Roles<'i, 'a> {
    pub(crate) index: &'i SchemaIndex<'a>,
    used: Vec<bool>,
    question_stems: Vec<String>,
}

impl Roles<'_, '_> {
    pub(crate) fn choose(
        &self,
        candidates: &[(usize, usize)],
        anchor: Option<usize>,
    ) -> Result<(usize, usize), String> {
        let scored: Vec<(usize, (usize, usize))> = candidates
            .iter()
            .filter_map(|at| match anchor {
                Some(anchor) => distance(self.index, anchor, at.0).map(|d| (d, *at)),
                None => Some((0, *at)),
            })
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
        // Ties go to the one column whose table the question names, even in passing
        // ("payments received").
        let named: Vec<(usize, usize)> = winners
            .iter()
            .filter(|at| {
                let table_stems = &self.index.tables[at.0].name_stems;
                table_stems.len() > 1 && table_stems.iter().all(|s| self.question_stems.contains(s))
            })
            .copied()
            .collect();
        match (winners.as_slice(), named.as_slice()) {
            ([only], _) | (_, [only]) => Ok(*only),
            _ => Err(self.ambiguity(&winners)),
        }
    }

    /// One table among several a word may name, preferring the one the question names fully.
    fn choose_table(&self, tables: &[usize]) -> Result<usize, String> {
        let named: Vec<usize> = tables
            .iter()
            .copied()
            .filter(|t| {
                self.index.tables[*t]
                    .name_stems
                    .iter()
                    .all(|s| self.question_stems.contains(s))
            })
            .collect();
        match (tables, named.as_slice()) {
            ([only], _) | (_, [only]) => Ok(*only),
            _ => Err("it is not sure which table is meant".to_owned()),
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
        question_stems: tokens.iter().map(|t| t.stem.clone()).collect(),
    };

    // The "which X has the most T" form counts T per X.
    let mut counted_table = None;
    let mut group_link = words.group_link;
    if let Shape::Top { at, .. } = words.shape
        && matches!(tokens[at].text.as_str(), "most" | "least" | "fewest")
        && let Some(next) = links.iter().position(|l| l.start == at + 1)
        && let Some(&table) = links[next].tables().first()
        && let Some(ranked) = links[..next].iter().position(|l| !l.is_value())
    {
        counted_table = Some(table);
        roles.used[next] = true;
        group_link = group_link.or(Some(ranked));
    }
    if let Some(group_idx) = group_link {
        roles.used[group_idx] = true;
    }

    let entity_link = links
        .iter()
        .enumerate()
        .find(|(idx, l)| !roles.used[*idx] && !l.tables().is_empty())
        .map(|(idx, _)| idx);
    let entity_from_link = match entity_link.map(|idx| roles.choose_table(&links[idx].tables())) {
        Some(Err(reason)) => return Err(reason),
        Some(Ok(table)) => Some(table),
        None => None,
    };
    let mut entity = counted_table.or(entity_from_link);
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
        entity = measure
            .map(|m| m.0)
            .or_else(|| comparison_columns.first().map(filter_table));
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

    if entity.is_none()
        && let [only] = outputs.as_slice()
        && let [column] = links[*only].columns().as_slice()
    {
        entity = Some(column.0);
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
