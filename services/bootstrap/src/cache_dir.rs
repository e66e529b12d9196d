//! [`cache_dir`]: where installed models and other downloaded artefacts live.
//!
//! Invariant: the same directory `scripts/install-minilm` writes to.

use std::path::PathBuf;

/// `$ANALYST_CACHE_DIR`, else `$HOME/.cache/analyst`, else `.analyst-cache` in the working
/// directory.
pub fn cache_dir() -> PathBuf {
    if let Some(cache_dir) = std::env::var_os("ANALYST_CACHE_DIR").filter(|dir| !dir.is_empty()) {
        return PathBuf::from(cache_dir);
    }
    match std::env::var_os("HOME").filter(|home| !home.is_empty()) {
        Some(home) => PathBuf::from(home).join(".cache").join("analyst"),
        None => PathBuf::from(".analyst-cache"),
    }
}
