//! The few functions a query may use as a table in FROM; every other table function is
//! refused, because that is where engines expose files, other databases and dynamic SQL.
//!
//! Invariant: the list only grows with functions that compute rows from their arguments
//! alone and read nothing else.

const ALLOWED_TABLE_FUNCTIONS: &[&str] = &[
    "generate_series",
    "generate_subscripts",
    "unnest",
    "range",
    "json_each",
    "json_each_text",
    "jsonb_each",
    "jsonb_each_text",
    "json_array_elements",
    "json_array_elements_text",
    "jsonb_array_elements",
    "jsonb_array_elements_text",
    "json_to_recordset",
    "jsonb_to_recordset",
    "json_populate_recordset",
    "jsonb_populate_recordset",
    "regexp_matches",
    "regexp_split_to_table",
    "string_to_table",
];

/// `true` when the table function's base name (last part, unquoted) is on the list.
pub(crate) fn is_allowed_table_function(base_name: &str) -> bool {
    ALLOWED_TABLE_FUNCTIONS
        .iter()
        .any(|allowed| allowed.eq_ignore_ascii_case(base_name))
}

/// The list as text for rejection messages.
pub(crate) fn allowed_table_functions_text() -> String {
    ALLOWED_TABLE_FUNCTIONS.join(", ")
}
