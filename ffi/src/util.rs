//! Glue shared by the entry points: the panic boundary, checked pointer casts and the
//! name-into-caller-buffer writer. Every helper returns a status instead of panicking.

use crate::status::RadscoreStatus;
use core::fmt;

/// Result inside the entry points: the error side is already the C status.
pub(crate) type Res<T> = Result<T, RadscoreStatus>;

/// Runs `f` and returns its status; on hosts a panic becomes [`RadscoreStatus::Panic`].
#[inline]
pub(crate) fn boundary<F: FnOnce() -> Res<()>>(f: F) -> RadscoreStatus {
    #[cfg(feature = "std")]
    {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
            Ok(Ok(())) => RadscoreStatus::Ok,
            Ok(Err(s)) => s,
            Err(_) => RadscoreStatus::Panic,
        }
    }
    #[cfg(not(feature = "std"))]
    {
        match f() {
            Ok(()) => RadscoreStatus::Ok,
            Err(s) => s,
        }
    }
}

/// Checks that `p` is non-NULL and aligned for `T`.
#[inline]
pub(crate) fn check_ptr<T>(p: *const T) -> Res<()> {
    if p.is_null() {
        return Err(RadscoreStatus::NullPointer);
    }
    if !p.is_aligned() {
        return Err(RadscoreStatus::Misaligned);
    }
    Ok(())
}

/// Borrows `*p` after the NULL and alignment checks.
///
/// # Safety
/// If non-NULL and aligned, `p` must point to a valid `T` that stays unchanged while the
/// returned reference lives.
#[inline]
pub(crate) unsafe fn as_ref<'a, T>(p: *const T) -> Res<&'a T> {
    check_ptr(p)?;
    // SAFETY: non-NULL and aligned (checked); validity is the caller's contract.
    Ok(unsafe { &*p })
}

/// Writes `v` to `*p` after the NULL and alignment checks.
///
/// # Safety
/// If non-NULL and aligned, `p` must be valid for one write of `T`.
#[inline]
pub(crate) unsafe fn write<T>(p: *mut T, v: T) -> Res<()> {
    check_ptr(p)?;
    // SAFETY: non-NULL and aligned (checked); validity is the caller's contract. `write` does
    // not read or drop the old (possibly uninitialised) contents.
    unsafe { p.write(v) };
    Ok(())
}

/// `len` elements of `T` in bytes, if that fits in `isize` (Rust's limit for one object).
#[inline]
pub(crate) fn byte_len<T>(len: usize) -> Option<usize> {
    len.checked_mul(core::mem::size_of::<T>())
        .filter(|b| *b <= isize::MAX as usize)
}

/// Borrows `len` elements at `p`. `p` must be non-NULL and aligned even when `len` is 0 (an
/// empty array is still an argument); [`RadscoreStatus::SizeOverflow`] if the byte size does
/// not fit in `isize`.
///
/// # Safety
/// If the checks pass, `p` must be valid for reads of `len` elements that stay unchanged while
/// the slice lives.
#[inline]
pub(crate) unsafe fn slice<'a, T>(p: *const T, len: usize) -> Res<&'a [T]> {
    check_ptr(p)?;
    byte_len::<T>(len).ok_or(RadscoreStatus::SizeOverflow)?;
    // SAFETY: non-NULL, aligned, size within isize (checked); validity is the caller's contract.
    Ok(unsafe { core::slice::from_raw_parts(p, len) })
}

/// Like [`slice`], but NULL is accepted when `len` is 0 (optional inputs such as the clinical
/// values of a model without clinical predictors).
///
/// # Safety
/// As [`slice`].
#[inline]
pub(crate) unsafe fn slice_or_empty<'a, T>(p: *const T, len: usize) -> Res<&'a [T]> {
    if len == 0 && p.is_null() {
        return Ok(&[]);
    }
    // SAFETY: forwarded contract.
    unsafe { slice(p, len) }
}

/// Mutable counterpart of [`slice`].
///
/// # Safety
/// If the checks pass, `p` must be valid for reads and writes of `len` elements, not aliased
/// by any other argument while the slice lives.
#[inline]
pub(crate) unsafe fn slice_mut<'a, T>(p: *mut T, len: usize) -> Res<&'a mut [T]> {
    check_ptr(p)?;
    byte_len::<T>(len).ok_or(RadscoreStatus::SizeOverflow)?;
    // SAFETY: non-NULL, aligned, size within isize (checked); validity and exclusivity are
    // the caller's contract.
    Ok(unsafe { core::slice::from_raw_parts_mut(p, len) })
}

/// Longest sequence name accepted from C (bytes, without the NUL); longer input is `BadName`.
pub(crate) const MAX_NAME: usize = 64;

/// Reads a NUL-terminated UTF-8 name of at most [`MAX_NAME`] bytes. Reads stop at the first
/// NUL, and never go further than `MAX_NAME + 1` bytes.
///
/// # Safety
/// If non-NULL, `p` must point to a NUL-terminated string or to at least `MAX_NAME + 1`
/// readable bytes.
pub(crate) unsafe fn c_name<'a>(p: *const core::ffi::c_char) -> Res<&'a str> {
    if p.is_null() {
        return Err(RadscoreStatus::NullPointer);
    }
    let p = p.cast::<u8>();
    let mut n = 0usize;
    loop {
        if n > MAX_NAME {
            return Err(RadscoreStatus::BadName);
        }
        // SAFETY: the bytes before index n were all non-NUL, so the string continues (caller's
        // contract); n <= MAX_NAME keeps the offset small.
        let b = unsafe { p.add(n).read() };
        if b == 0 {
            break;
        }
        n += 1;
    }
    // SAFETY: the n bytes before the NUL were just read.
    let bytes = unsafe { core::slice::from_raw_parts(p, n) };
    core::str::from_utf8(bytes).map_err(|_| RadscoreStatus::BadName)
}

/// A `fmt::Write` into a byte buffer that keeps counting past the end, so the caller can report
/// the length it needs.
pub(crate) struct CountingWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> CountingWriter<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        CountingWriter { buf, len: 0 }
    }
}

impl fmt::Write for CountingWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for (i, b) in s.bytes().enumerate() {
            if let Some(slot) = self.len.checked_add(i).and_then(|k| self.buf.get_mut(k)) {
                *slot = b;
            }
        }
        self.len = self.len.saturating_add(s.len());
        Ok(())
    }
}

/// Writes `what` as a NUL-terminated string into `buf[..buf_len]` and its length (without the
/// NUL) into `*out_len`. `buf` may be NULL when `buf_len` is 0 (length query).
///
/// `*out_len` is written both on success and on [`RadscoreStatus::OutputTooSmall`], so the
/// caller can size the buffer (`snprintf` style); nothing else is written on error.
///
/// # Safety
/// `buf` valid for `buf_len` byte writes (if non-NULL), `out_len` valid for one write.
pub(crate) unsafe fn write_name(
    what: impl fmt::Display,
    buf: *mut core::ffi::c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> Res<()> {
    check_ptr(out_len)?;
    if buf.is_null() && buf_len != 0 {
        return Err(RadscoreStatus::NullPointer);
    }
    // Measure first, so nothing is written into `buf` when it is too small.
    let mut count = CountingWriter::new(&mut []);
    fmt::write(&mut count, format_args!("{what}")).map_err(|_| RadscoreStatus::BadArgument)?;
    let need = count.len;
    // SAFETY: out_len checked non-NULL and aligned; caller's contract for validity.
    unsafe { out_len.write(need) };
    if need >= buf_len {
        return Err(RadscoreStatus::OutputTooSmall);
    }
    // SAFETY: buf non-NULL here (buf_len > need >= 0); caller's contract for buf_len bytes.
    let dst = unsafe { slice_mut(buf.cast::<u8>(), buf_len)? };
    let mut w = CountingWriter::new(dst);
    fmt::write(&mut w, format_args!("{what}")).map_err(|_| RadscoreStatus::BadArgument)?;
    if w.len != need {
        return Err(RadscoreStatus::BadArgument);
    }
    match dst.get_mut(need) {
        Some(nul) => *nul = 0,
        None => return Err(RadscoreStatus::OutputTooSmall),
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn names_are_written_with_nul_or_measured() {
        let mut buf = [0x55 as core::ffi::c_char; 8];
        let mut n = 0usize;
        let r = unsafe { write_name("abc", buf.as_mut_ptr(), buf.len(), &mut n) };
        assert_eq!(r, Ok(()));
        assert_eq!(n, 3);
        assert_eq!(&buf[..4], &[97, 98, 99, 0]);
        let r = unsafe { write_name("abcdefgh", buf.as_mut_ptr(), buf.len(), &mut n) };
        assert_eq!(r, Err(RadscoreStatus::OutputTooSmall));
        assert_eq!(n, 8);
        assert_eq!(buf[4], 0x55, "nothing written on error");
        let r = unsafe { write_name("abc", core::ptr::null_mut(), 0, &mut n) };
        assert_eq!(r, Err(RadscoreStatus::OutputTooSmall));
        assert_eq!(n, 3);
        let r = unsafe { write_name("abc", core::ptr::null_mut(), 4, &mut n) };
        assert_eq!(r, Err(RadscoreStatus::NullPointer));
    }

    #[test]
    fn c_names_are_bounded() {
        let long = [b'a' as core::ffi::c_char; MAX_NAME + 1];
        assert_eq!(
            unsafe { c_name(long.as_ptr()) },
            Err(RadscoreStatus::BadName)
        );
        assert_eq!(unsafe { c_name(c"t2".as_ptr()) }, Ok("t2"));
        assert_eq!(
            unsafe { c_name(core::ptr::null()) },
            Err(RadscoreStatus::NullPointer)
        );
    }
}
