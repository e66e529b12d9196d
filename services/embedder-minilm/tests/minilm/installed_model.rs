use std::path::PathBuf;
use std::sync::OnceLock;

use embedder_minilm::MiniLmEmbedder;

/// The installed model directory; the test fails (never skips) when it is not configured.
pub(crate) fn installed_model_dir() -> PathBuf {
    let Some(model_dir) = std::env::var_os("ANALYST_MINILM_DIR") else {
        panic!(
            "ANALYST_MINILM_DIR is not set: run `export ANALYST_MINILM_DIR=$(scripts/install-minilm)` \
             (scripts/test does this) before running these tests"
        );
    };
    PathBuf::from(model_dir)
}

/// One embedder per test process, loaded from [`installed_model_dir`].
pub(crate) fn installed_embedder() -> &'static MiniLmEmbedder {
    static EMBEDDER: OnceLock<MiniLmEmbedder> = OnceLock::new();
    EMBEDDER.get_or_init(|| {
        let model_dir = installed_model_dir();
        MiniLmEmbedder::load(&model_dir).unwrap_or_else(|e| {
            panic!(
                "{e} (ANALYST_MINILM_DIR={}; run scripts/install-minilm)",
                model_dir.display()
            )
        })
    })
}
