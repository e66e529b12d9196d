//! [`LimitedEntryReader`]: counts the bytes an archive entry really decompresses to and stops
//! at the per-entry, total and compression-ratio limits, whatever the entry's header claims.
//!
//! Invariant: no more than one read buffer past a limit is ever handed on.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use crate::ingest_error::IngestError;
use crate::ingest_options::IngestLimits;

/// Entries smaller than this (uncompressed) are never refused for their ratio: tiny files of
/// repeated values compress well without being bombs.
pub(crate) const RATIO_GRACE_BYTES: u64 = 1 << 20;

/// A reader over one entry's decompressed bytes that fails with an [`IngestError`] (wrapped
/// in the `io::Error`) once a limit is crossed.
pub(crate) struct LimitedEntryReader<R> {
    inner: R,
    entry: String,
    compressed_bytes: u64,
    n_bytes: u64,
    total_bytes: Rc<Cell<u64>>,
    max_entry_bytes: u64,
    max_total_bytes: u64,
    max_ratio: u64,
}

impl<R: Read> LimitedEntryReader<R> {
    /// Wraps `inner`; `total_bytes` is shared by every entry of one archive.
    pub(crate) fn new(
        inner: R,
        entry: &str,
        compressed_bytes: u64,
        total_bytes: Rc<Cell<u64>>,
        limits: &IngestLimits,
    ) -> Self {
        LimitedEntryReader {
            inner,
            entry: entry.to_owned(),
            compressed_bytes,
            n_bytes: 0,
            total_bytes,
            max_entry_bytes: limits.max_entry_bytes,
            max_total_bytes: limits.max_total_bytes,
            max_ratio: limits.max_compression_ratio,
        }
    }

    fn check(&self) -> Result<(), IngestError> {
        if self.n_bytes > self.max_entry_bytes {
            return Err(IngestError::EntryTooLarge {
                entry: self.entry.clone(),
                max_bytes: self.max_entry_bytes,
            });
        }
        if self.total_bytes.get() > self.max_total_bytes {
            return Err(IngestError::ArchiveTooLarge {
                max_bytes: self.max_total_bytes,
            });
        }
        if exceeds_ratio(self.n_bytes, self.compressed_bytes, self.max_ratio) {
            return Err(IngestError::CompressionRatioTooHigh {
                entry: self.entry.clone(),
                max_ratio: self.max_ratio,
            });
        }
        Ok(())
    }
}

impl<R: Read> Read for LimitedEntryReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n_read = self.inner.read(buf)?;
        self.n_bytes += n_read as u64;
        self.total_bytes.set(self.total_bytes.get() + n_read as u64);
        self.check().map_err(io::Error::other)?;
        Ok(n_read)
    }
}

/// `true` when `n_bytes` uncompressed from `compressed_bytes` is past the ratio limit.
pub(crate) fn exceeds_ratio(n_bytes: u64, compressed_bytes: u64, max_ratio: u64) -> bool {
    n_bytes > RATIO_GRACE_BYTES && n_bytes > compressed_bytes.max(1).saturating_mul(max_ratio)
}

/// The [`IngestError`] carried by an I/O error of a [`LimitedEntryReader`], if it is one.
pub(crate) fn limit_error(err: &io::Error) -> Option<IngestError> {
    err.get_ref()
        .and_then(|inner| inner.downcast_ref::<IngestError>())
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_expanding_past_the_ratio_is_stopped_whatever_its_header_says() {
        let limits = IngestLimits::default();
        let bomb = std::io::repeat(b'0').take(64 << 20);
        let mut reader = LimitedEntryReader::new(bomb, "x.csv", 1_000, Rc::default(), &limits);

        let err = std::io::copy(&mut reader, &mut std::io::sink()).unwrap_err();

        assert_eq!(
            limit_error(&err),
            Some(IngestError::CompressionRatioTooHigh {
                entry: "x.csv".to_owned(),
                max_ratio: 100
            })
        );
    }

    #[test]
    fn the_total_is_shared_by_the_entries_of_an_archive() {
        let limits = IngestLimits {
            max_total_bytes: 1_500,
            ..IngestLimits::default()
        };
        let total = Rc::new(Cell::new(0));
        let mut first =
            LimitedEntryReader::new(&[b'a'; 1_000][..], "a.csv", 1_000, total.clone(), &limits);
        std::io::copy(&mut first, &mut std::io::sink()).unwrap();
        let mut second =
            LimitedEntryReader::new(&[b'b'; 1_000][..], "b.csv", 1_000, total, &limits);

        let err = std::io::copy(&mut second, &mut std::io::sink()).unwrap_err();

        assert_eq!(
            limit_error(&err),
            Some(IngestError::ArchiveTooLarge { max_bytes: 1_500 })
        );
    }
}
