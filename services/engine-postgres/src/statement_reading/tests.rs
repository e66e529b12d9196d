//! The plan walk on plans PostgreSQL 16 printed, trimmed to the keys the reading uses.
//! Keys are walked in sorted order, so calls from several keys are compared sorted.
//!
//! Invariant: these tests read literal plans and reach no server.

use serde_json::json;

use super::*;

fn parts(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

fn reading_of(plan: serde_json::Value) -> EngineReading {
    reading_of_plan(&json!([{ "Plan": plan }])).unwrap()
}

#[test]
fn calls_in_every_expression_of_every_node_are_read() {
    let plan = json!({
        "Node Type": "Sort",
        "Output": ["(upper((r.name)::text))", "('it''s('::text || (now())::text)"],
        "Sort Key": ["(upper((r.name)::text)) COLLATE \"C\""],
        "Plans": [{
            "Node Type": "Hash Join",
            "Parent Relationship": "Outer",
            "Join Type": "Inner",
            "Hash Cond": "(lower(r.city_name) = g.city_name)",
            "Plans": [
                {
                    "Node Type": "Seq Scan",
                    "Relation Name": "restaurant",
                    "Schema": "public",
                    "Alias": "r",
                    "Filter": "(r.rating > pg_catalog.current_setting('x'::text)::real)"
                },
                {
                    "Node Type": "Aggregate",
                    "Strategy": "Hashed",
                    "Group Key": ["g.city_name"],
                    "Grouping Sets": [{ "Hash Key": ["md5(g.region)"] }],
                    "Plans": []
                }
            ]
        }]
    });

    let mut reading = reading_of(plan);

    reading.functions.sort();
    assert_eq!(
        reading.functions,
        vec![
            parts(&["lower"]),
            parts(&["md5"]),
            parts(&["now"]),
            parts(&["pg_catalog", "current_setting"]),
            parts(&["upper"]),
            parts(&["upper"]),
        ]
    );
    assert!(reading.relations.is_empty(), "user tables are not reported");
    assert!(reading.unclassified_sources.is_empty());
}

#[test]
fn a_function_scan_is_a_table_function_and_its_arguments_are_calls() {
    let plan = json!({
        "Node Type": "Function Scan",
        "Function Name": "generate_series",
        "Schema": "pg_catalog",
        "Alias": "g",
        "Output": ["g.g"],
        "Function Call": "generate_series(1, abs(n.x))"
    });

    let reading = reading_of(plan);

    assert_eq!(
        reading.table_functions,
        vec![parts(&["pg_catalog", "generate_series"])]
    );
    assert_eq!(
        reading.functions,
        vec![parts(&["generate_series"]), parts(&["abs"])]
    );
}

#[test]
fn rows_from_several_functions_reads_each_top_level_call_as_a_table_function() {
    let plan = json!({
        "Node Type": "Function Scan",
        "Alias": "x",
        "Function Call": "generate_series(1, 2), pg_ls_dir('.'::text)"
    });

    let reading = reading_of(plan);

    assert_eq!(
        reading.table_functions,
        vec![parts(&["generate_series"]), parts(&["pg_ls_dir"])]
    );
}

#[test]
fn only_relations_in_system_schemas_are_reported() {
    let plan = json!({
        "Node Type": "Nested Loop",
        "Plans": [
            { "Node Type": "Index Only Scan", "Relation Name": "pg_class", "Schema": "pg_catalog" },
            { "Node Type": "Seq Scan", "Relation Name": "orders", "Schema": "sales" },
            { "Node Type": "Bitmap Heap Scan", "Relation Name": "sql_features",
              "Schema": "information_schema",
              "Plans": [{ "Node Type": "Bitmap Index Scan", "Index Name": "i" }] }
        ]
    });

    let reading = reading_of(plan);

    assert_eq!(
        reading.relations,
        vec![
            parts(&["pg_catalog", "pg_class"]),
            parts(&["information_schema", "sql_features"]),
        ]
    );
}

#[test]
fn cte_scans_name_the_statements_ctes() {
    let plan = json!({
        "Node Type": "CTE Scan",
        "CTE Name": "top_rated",
        "Alias": "t",
        "Plans": [{
            "Node Type": "Recursive Union",
            "Subplan Name": "CTE top_rated",
            "Plans": [
                { "Node Type": "Result", "Output": ["1"] },
                { "Node Type": "WorkTable Scan", "CTE Name": "top_rated", "Filter": "(n < 3)" }
            ]
        }]
    });

    let reading = reading_of(plan);

    assert_eq!(reading.cte_names, vec!["top_rated", "top_rated"]);
    assert!(reading.unclassified_sources.is_empty());
}

#[test]
fn foreign_custom_writing_and_unknown_nodes_are_unclassified() {
    let plan = json!({
        "Node Type": "Append",
        "Plans": [
            { "Node Type": "Foreign Scan", "Relation Name": "remote", "Schema": "public" },
            { "Node Type": "Custom Scan", "Custom Plan Provider": "columnar" },
            { "Node Type": "ModifyTable", "Operation": "Insert" },
            { "Node Type": "Teleport Scan" }
        ]
    });

    let reading = reading_of(plan);

    assert_eq!(
        reading.unclassified_sources,
        vec![
            "Foreign Scan",
            "Custom Scan",
            "ModifyTable",
            "Teleport Scan"
        ]
    );
}

#[test]
fn names_and_fixed_words_are_not_lexed_for_calls() {
    let plan = json!({
        "Node Type": "Subquery Scan",
        "Alias": "pg_sleep(",
        "Subplan Name": "InitPlan 2 (returns $1)",
        "Output": ["\"pg_sleep(\".x"]
    });

    let reading = reading_of(plan);

    assert!(reading.functions.is_empty(), "{:?}", reading.functions);
}

#[test]
fn a_document_that_is_not_one_plan_is_query_failed() {
    for document in [
        json!({ "Plan": {} }),
        json!([]),
        json!([{}, {}]),
        json!([{ "Planning": {} }]),
    ] {
        let failure = reading_of_plan(&document).unwrap_err();

        assert!(
            matches!(failure, EngineError::QueryFailed(_)),
            "{document}: {failure:?}"
        );
    }
}

#[test]
fn an_expression_that_cannot_be_lexed_fails_the_reading() {
    let plan = json!({ "Node Type": "Result", "Output": ["'unterminated"] });

    let failure = reading_of_plan(&json!([{ "Plan": plan }])).unwrap_err();

    assert!(
        matches!(failure, EngineError::QueryFailed(message) if message.contains("cannot be read"))
    );
}
