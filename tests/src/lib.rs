//! Black-box end-to-end tests of the `analyst` binary; see `tests/e2e/`.
