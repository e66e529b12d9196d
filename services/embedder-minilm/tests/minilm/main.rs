//! Tests of the all-MiniLM-L6-v2 embedder against the real weights that `scripts/install-minilm`
//! installs; `ANALYST_MINILM_DIR` names the directory (`scripts/test` sets it).

mod installed_model;
mod load_errors;
mod reference_values;
mod sentence_vectors;
mod similarity;
