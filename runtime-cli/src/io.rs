//! The image readers of [`radscore_host::io`] (NRRD, NIfTI, DICOM, DICOM-SEG; re-exported here so
//! that `radscore_cli::io::…` paths keep working), plus the CLI's file writers: outputs go
//! through [`radscore_trainer::outfile`] (atomic replacement, removed on Ctrl-C).

pub use radscore_host::io::*;

/// NRRD reader ([`radscore_host::io::nrrd`]) and an atomic file writer.
pub mod nrrd {
    pub use radscore_host::io::nrrd::*;

    /// Writes `v` as a gzip-compressed attached NRRD ([`write_to`]) atomically: a temporary
    /// file in the same folder, then a rename ([`super::write_atomic`]).
    pub fn write(path: &std::path::Path, v: &super::Volume) -> anyhow::Result<()> {
        super::write_atomic(path, |f| {
            write_to(f, v).map_err(|e| std::io::Error::other(format!("{e:#}")))
        })
    }
}

/// Writes an output file through [`radscore_trainer::outfile`]: a regular file is replaced
/// atomically (`write` fills a temporary file in the same folder, which is flushed to disk and
/// renamed over `path`; readers never see a half-written file and a failure leaves the old one),
/// a symbolic link is followed to its target, a device or FIFO (`/dev/stdout`, a named pipe) is
/// written through, `-` is the standard output.
pub fn write_atomic(
    path: &std::path::Path,
    write: impl FnOnce(&mut std::io::BufWriter<&mut std::fs::File>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    use std::io::Write;
    radscore_trainer::outfile::write_with(path, |f| {
        let mut w = std::io::BufWriter::new(f);
        write(&mut w)?;
        w.flush()
    })
    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}
