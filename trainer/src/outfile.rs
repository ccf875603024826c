//! Output files as users expect them from a command-line tool: a regular file is replaced
//! atomically (a temporary file next to it, flushed to disk, renamed over it, so readers never see
//! a half-written file and a failed run leaves the old file as it was); anything else is written
//! through.
//!
//! | `path` names | written how |
//! |---|---|
//! | a regular file, or nothing yet | temporary `.NAME.tmp-PID` in the same folder, `fsync`, rename |
//! | a symbolic link (chains too) | as its final target: the temporary file goes next to the target, the link stays a link |
//! | a device, FIFO or socket (`/dev/null`, `/dev/full`, a named pipe), or a path through `/dev/` or `/proc/` (`/dev/stdout`, `/dev/fd/3`) | opened and written directly (streamed); write errors such as ENOSPC are reported |
//! | `-` | the standard output |
//! | a folder | refused |
//!
//! Temporary files are registered while they exist: [`remove_pending`] deletes them (the CLI
//! calls it from its SIGINT/SIGTERM handler), and each write first removes stale temporary files
//! of the same output left by processes that no longer run (a SIGKILL, a power cut; Linux, where
//! `/proc` tells whether a process runs).
//!
//! Every function here is the one implementation of "write an output file" for the trainer's
//! model export and report and for every CLI command.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// Temporary files that exist right now (removed by [`remove_pending`] on a signal).
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes every temporary file an unfinished write left so far. Safe to call from a signal
/// handler thread (the CLI installs one for SIGINT and SIGTERM); a write that is still running
/// will then fail when it renames.
pub fn remove_pending() {
    let list = match PENDING.lock() {
        Ok(mut g) => std::mem::take(&mut *g),
        Err(p) => std::mem::take(&mut *p.into_inner()),
    };
    for p in list {
        let _ = std::fs::remove_file(p);
    }
}

fn register(p: &Path) {
    if let Ok(mut g) = PENDING.lock() {
        g.push(p.to_path_buf());
    }
}

fn unregister(p: &Path) {
    if let Ok(mut g) = PENDING.lock() {
        g.retain(|q| q != p);
    }
}

/// Where and how an output goes.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// The standard output (`-`).
    Stdout,
    /// Written in place: not a regular file, or a path through `/dev` or `/proc`.
    Direct(PathBuf),
    /// A regular file (or a new one): replaced atomically at this path (symbolic links resolved).
    Atomic(PathBuf),
}

/// True when `p` lies under `/dev` or `/proc` (devices and the kernel's magic links such as
/// `/dev/stdout` → `/proc/self/fd/1`, which must be written through, never replaced).
fn is_system_path(p: &Path) -> bool {
    let mut c = p.components();
    matches!(c.next(), Some(Component::RootDir))
        && matches!(c.next(), Some(Component::Normal(n)) if n == "dev" || n == "proc")
}

/// Classifies `path` (see the module's table).
fn target(path: &Path) -> io::Result<Target> {
    if path.as_os_str() == "-" {
        return Ok(Target::Stdout);
    }
    // What the path finally names, as the kernel sees it (following every link).
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a folder (expected a file name)",
            ))
        }
        Ok(m) if !m.is_file() => return Ok(Target::Direct(path.to_path_buf())),
        _ => {}
    }
    // A regular file or nothing yet: follow symbolic links by hand (the last one may dangle).
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        if is_system_path(&p) {
            return Ok(Target::Direct(path.to_path_buf()));
        }
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(Target::Atomic(p)),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// The temporary file for `path`: `.NAME.tmp-PID` in the same folder (one file system, so the
/// rename is atomic).
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_owned());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Removes `.NAME.tmp-PID` files next to `path` whose process no longer runs (Linux only: the
/// check is `/proc/PID`; elsewhere nothing is removed).
fn remove_stale_temps(path: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let (Some(name), dir) = (path.file_name(), path.parent()) else {
        return;
    };
    let dir = match dir {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let prefix = format!(".{}.tmp-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let me = std::process::id();
    for e in entries.flatten() {
        let file_name = e.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|s| s.strip_prefix(&prefix))
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let is_file = e.file_type().map(|t| t.is_file()).unwrap_or(false);
        if pid != me && is_file && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Writes an output file (see the module's table for what `path` may name): `write` fills the
/// file; on any error a regular file at `path` is left as it was and no temporary file remains.
///
/// # Errors
/// The I/O error of resolving, creating, writing, flushing, syncing or renaming (for a device
/// such as `/dev/full`, the write error itself).
pub fn write_with<F>(path: &Path, write: F) -> io::Result<()>
where
    F: FnOnce(&mut File) -> io::Result<()>,
{
    match target(path)? {
        Target::Stdout => {
            let mut f = stdout_file()?;
            write(&mut f)?;
            f.flush()
        }
        Target::Direct(p) => {
            let mut f = OpenOptions::new().write(true).open(p)?;
            write(&mut f)?;
            f.flush()
        }
        Target::Atomic(p) => {
            remove_stale_temps(&p);
            let tmp = temp_path(&p);
            register(&tmp);
            let result = (|| {
                let mut f = File::create(&tmp)?;
                write(&mut f)?;
                f.sync_all()?;
                drop(f);
                std::fs::rename(&tmp, &p)
            })();
            if result.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            unregister(&tmp);
            result
        }
    }
}

/// [`write_with`] of a byte slice.
///
/// # Errors
/// As [`write_with`].
pub fn write_bytes(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, |f| f.write_all(bytes))
}

/// The standard output as a `File` (a duplicate of descriptor 1, so closing it leaves stdout open).
#[cfg(unix)]
fn stdout_file() -> io::Result<File> {
    use std::os::fd::AsFd;
    Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?))
}

#[cfg(windows)]
fn stdout_file() -> io::Result<File> {
    use std::os::windows::io::AsHandle;
    Ok(File::from(io::stdout().as_handle().try_clone_to_owned()?))
}

#[cfg(not(any(unix, windows)))]
fn stdout_file() -> io::Result<File> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "writing to the standard output ('-') is not supported on this platform",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("radscore-outfile-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn classifies_paths() {
        let d = tmpdir("classify");
        assert_eq!(target(Path::new("-")).unwrap(), Target::Stdout);
        let f = d.join("a.csv");
        assert_eq!(target(&f).unwrap(), Target::Atomic(f.clone()));
        std::fs::write(&f, b"x").unwrap();
        assert_eq!(target(&f).unwrap(), Target::Atomic(f.clone()));
        assert!(target(&d).is_err());
        #[cfg(unix)]
        {
            assert_eq!(
                target(Path::new("/dev/null")).unwrap(),
                Target::Direct(PathBuf::from("/dev/null"))
            );
            // A chain of links, relative and absolute, ends at the file; a dangling link at the
            // path it names.
            let sub = d.join("sub");
            std::fs::create_dir_all(&sub).unwrap();
            std::os::unix::fs::symlink("../a.csv", sub.join("l1")).unwrap();
            std::os::unix::fs::symlink(sub.join("l1"), d.join("l2")).unwrap();
            assert_eq!(
                target(&d.join("l2")).unwrap(),
                Target::Atomic(sub.join("../a.csv"))
            );
            std::os::unix::fs::symlink("new.csv", d.join("dangling")).unwrap();
            assert_eq!(
                target(&d.join("dangling")).unwrap(),
                Target::Atomic(d.join("new.csv"))
            );
            std::os::unix::fs::symlink("loop2", d.join("loop1")).unwrap();
            std::os::unix::fs::symlink("loop1", d.join("loop2")).unwrap();
            assert!(target(&d.join("loop1")).is_err());
        }
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn failed_write_keeps_the_old_file_and_no_temp() {
        let d = tmpdir("fail");
        let f = d.join("out.csv");
        std::fs::write(&f, b"old").unwrap();
        let e = write_with(&f, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("boom"))
        });
        assert!(e.is_err());
        assert_eq!(std::fs::read(&f).unwrap(), b"old");
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            1,
            "temporary file left"
        );
        assert!(PENDING.lock().unwrap().is_empty());
        write_bytes(&f, b"new").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"new");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn stale_temps_of_dead_processes_are_removed() {
        let d = tmpdir("stale");
        let f = d.join("out.csv");
        // PID 4194304 is above Linux's largest possible PID (2^22): never running.
        let dead = d.join(".out.csv.tmp-4194304");
        let other = d.join(".other.csv.tmp-4194304");
        for p in [&dead, &other] {
            std::fs::write(p, b"junk").unwrap();
        }
        // The running process's own PID (this test's) is kept: it may be writing.
        let mine = d.join(".out.csv.tmp-1");
        std::fs::write(&mine, b"init's").unwrap();
        write_bytes(&f, b"x").unwrap();
        assert!(!dead.exists(), "stale temporary file kept");
        assert!(other.exists(), "another output's temporary file removed");
        assert!(mine.exists(), "a running process's temporary file removed");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn device_write_errors_are_reported_and_the_device_stays() {
        use std::os::unix::fs::FileTypeExt;
        let e = write_bytes(Path::new("/dev/full"), &[b'x'; 100_000]).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(28), "{e}"); // ENOSPC
        let m = std::fs::metadata("/dev/full").unwrap();
        assert!(m.file_type().is_char_device());
        write_bytes(Path::new("/dev/null"), b"fine").unwrap();
        assert!(std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
    }
}
