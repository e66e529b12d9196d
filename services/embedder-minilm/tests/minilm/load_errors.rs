use std::path::{Path, PathBuf};

use embedder_minilm::{MiniLmEmbedder, MiniLmLoadError};

use crate::installed_model::installed_model_dir;

#[test]
fn load_from_a_missing_directory_names_the_missing_config_and_the_install_script() {
    let model_dir =
        std::env::temp_dir().join(format!("embedder-minilm-absent-{}", std::process::id()));

    let error = MiniLmEmbedder::load(&model_dir).unwrap_err();

    let MiniLmLoadError::ModelFileMissing { path } = &error else {
        panic!("expected ModelFileMissing, got {error:?}");
    };
    assert_eq!(path, &model_dir.join("config.json"));
    assert!(
        error.to_string().contains("scripts/install-minilm"),
        "{error}"
    );
}

#[test]
fn load_without_weights_names_model_safetensors() {
    let model_dir = scratch_dir("no-weights");
    copy_from_installed_model(&model_dir, &["config.json", "tokenizer.json"]);

    let error = MiniLmEmbedder::load(&model_dir).unwrap_err();

    let MiniLmLoadError::ModelFileMissing { path } = &error else {
        panic!("expected ModelFileMissing, got {error:?}");
    };
    assert_eq!(path, &model_dir.join("model.safetensors"));
    std::fs::remove_dir_all(&model_dir).unwrap();
}

#[test]
fn load_of_truncated_weights_is_a_weights_error() {
    let model_dir = scratch_dir("truncated-weights");
    copy_from_installed_model(&model_dir, &["config.json", "tokenizer.json"]);
    let weights = std::fs::read(installed_model_dir().join("model.safetensors")).unwrap();
    std::fs::write(
        model_dir.join("model.safetensors"),
        &weights[..weights.len() / 2],
    )
    .unwrap();

    let error = MiniLmEmbedder::load(&model_dir).unwrap_err();

    assert!(
        matches!(error, MiniLmLoadError::WeightsInvalid { .. }),
        "{error:?}"
    );
    std::fs::remove_dir_all(&model_dir).unwrap();
}

#[test]
fn load_of_a_config_for_another_dimension_is_refused() {
    let model_dir = scratch_dir("other-dimension");
    copy_from_installed_model(&model_dir, &["tokenizer.json", "model.safetensors"]);
    let config = std::fs::read_to_string(installed_model_dir().join("config.json")).unwrap();
    std::fs::write(
        model_dir.join("config.json"),
        config.replace("\"hidden_size\": 384", "\"hidden_size\": 768"),
    )
    .unwrap();

    let error = MiniLmEmbedder::load(&model_dir).unwrap_err();

    assert!(
        matches!(
            error,
            MiniLmLoadError::DimensionUnexpected {
                found: 768,
                expected: 384,
                ..
            }
        ),
        "{error:?}"
    );
    std::fs::remove_dir_all(&model_dir).unwrap();
}

/// A fresh, empty directory unique to this process and `purpose`.
fn scratch_dir(purpose: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("embedder-minilm-{purpose}-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_from_installed_model(model_dir: &Path, file_names: &[&str]) {
    let installed = installed_model_dir();
    for file_name in file_names {
        std::fs::copy(installed.join(file_name), model_dir.join(file_name)).unwrap();
    }
}
