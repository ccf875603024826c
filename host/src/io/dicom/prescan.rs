//! A light pre-scan of a DICOM file's element headers before dicom-object parses it: no element
//! may claim more bytes than the file has left.
//!
//! Why: dicom-object 0.10 reserves an element's claimed length before reading its value, so a
//! 13 KB file whose header claims a ~4 GB value made it allocate (and zero) 4 GB before failing
//! with "Could not read data set token" (found by fuzzing, issue 21). dicom-object has no option
//! bounding lengths, so the reader checks them first: [`check_lengths`] walks the element headers
//! (tag, VR, length) of the file meta group (explicit VR little endian) and of the data set in
//! the transfer syntax the meta group names (implicit VR little endian, explicit VR little or big
//! endian; a deflated data set is inflated first, up to a bound), descends into sequences and
//! items, seeks over every other value, and refuses the file, naming it and the element, when a
//! defined length runs past the end.
//!
//! Where the scan cannot follow the structure (a bytes pair that is not a VR, an unknown
//! delimiter, a stray tag among pixel data fragments, a meta group without a transfer syntax, a
//! deflated data set that does not inflate) the file is refused too, naming the element and its
//! offset: dicom-object would go on reading it differently from the scan (it reads an unknown VR
//! as UN with a 4-byte length, which is how a 15.6 KB fuzzed file still made it ask for 2.2 GB
//! after an earlier version of this scan had stopped quietly there). Only a file without the
//! `DICM` magic is left to dicom-object, which refuses it before reading any element.
//!
//! The scan follows the bytes as dicom-object does: the meta group is as long as its group
//! length (0002,0000) says, an implicit VR is the dictionary's as dicom-encoding resolves it,
//! and a binary value (US, UL, FL, FD, AT, OW, …) whose length is not a multiple of its value
//! size is refused, because dicom-parser reads only the whole values and takes the remaining
//! bytes for the next element's header (a fuzzed SEG with a 6-byte FD made it reserve 1 GB).

use anyhow::{bail, Context};
use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
use dicom_core::{Tag, VR};
use dicom_dictionary_std::StandardDataDictionary;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

/// The undefined length (sequences, items and encapsulated pixel data with delimiters).
const UNDEFINED: u32 = 0xFFFF_FFFF;
const IMPLICIT_VR_LE: &str = "1.2.840.10008.1.2";
const EXPLICIT_VR_BE: &str = "1.2.840.10008.1.2.2";
const DEFLATED_EXPLICIT_VR_LE: &str = "1.2.840.10008.1.2.1.99";
const PIXEL_DATA: (u16, u16) = (0x7FE0, 0x0010);
/// Why a group FFFE tag other than an item or a delimiter is refused.
const NOT_ITEM_OR_DELIMITER: &str = "is not an item or delimiter (the only elements of group FFFE)";

/// Checks every element length of the DICOM file at `path` against the bytes left in it (see
/// the module documentation). `Ok` for a file that is not DICOM (no `DICM` magic): dicom-object
/// reports that.
pub fn check_lengths(path: &Path) -> anyhow::Result<()> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let len = file
        .metadata()
        .with_context(|| format!("cannot read the size of {}", path.display()))?
        .len();
    let mut r = BufReader::new(file);
    let mut head = [0u8; 132];
    let n =
        read_up_to(&mut r, &mut head).with_context(|| format!("cannot read {}", path.display()))?;
    let start = if n == 132 && head[128..132] == *b"DICM" {
        132
    } else if n >= 4 && head[..4] == *b"DICM" {
        4
    } else {
        return Ok(());
    };
    r.seek(SeekFrom::Start(start))?;
    let mut s = Scanner {
        r,
        pos: start,
        len,
        path,
        inflated: false,
    };
    let Some(ts) = s.meta()? else {
        bail!(
            "{}: the DICOM file meta group has no Transfer Syntax UID (0002,0010); the data set \
             cannot be read without it",
            path.display()
        );
    };
    match ts.as_str() {
        IMPLICIT_VR_LE => s.data_set(true, false),
        EXPLICIT_VR_BE => s.data_set(false, true),
        DEFLATED_EXPLICIT_VR_LE => {
            // The rest of the file is a raw deflate stream: inflate it, at most `cap` bytes (the
            // voxel limit's worth of 8-byte values and 64 MiB of header), and scan that.
            let cap = (crate::io::max_voxels() as u64)
                .saturating_mul(8)
                .saturating_add(64 << 20);
            let mut data = Vec::new();
            let mut inflating = flate2::read::DeflateDecoder::new(s.r.by_ref()).take(cap + 1);
            if let Err(e) = inflating.read_to_end(&mut data) {
                bail!(
                    "{}: the deflated DICOM data set (from byte {}) cannot be inflated: {e}",
                    path.display(),
                    s.pos
                );
            }
            if data.len() as u64 > cap {
                bail!(
                    "{}: the deflated data set inflates to more than {cap} bytes (the voxel limit's \
                     worth; set RADSCORE_MAX_VOXELS to raise it)",
                    path.display()
                );
            }
            let len = data.len() as u64;
            Scanner {
                r: Cursor::new(data),
                pos: 0,
                len,
                path,
                inflated: true,
            }
            .data_set(false, false)
        }
        _ => s.data_set(false, false),
    }
}

/// Reads until `buf` is full or the end of the file; returns the bytes read.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// What the scan is inside of.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Sequence,
    Item,
    /// Encapsulated pixel data: items are fragments (raw bytes), not data sets.
    Fragments,
}

#[derive(Clone, Copy)]
struct Frame {
    kind: Kind,
    /// Offset of the end for a defined length.
    end: Option<u64>,
    /// Implicit VR inside (a UN sequence of undefined length is implicit VR little endian).
    implicit: bool,
}

struct Scanner<'p, R> {
    r: R,
    pos: u64,
    len: u64,
    path: &'p Path,
    /// Scanning the inflated data set of a deflated file (for the messages).
    inflated: bool,
}

impl<R: Read + Seek> Scanner<'_, R> {
    fn bytes<const N: usize>(&mut self) -> anyhow::Result<[u8; N]> {
        let mut b = [0u8; N];
        self.r
            .read_exact(&mut b)
            .with_context(|| format!("cannot read {}", self.path.display()))?;
        self.pos += N as u64;
        Ok(b)
    }

    fn u16(&mut self, big: bool) -> anyhow::Result<u16> {
        let b = self.bytes::<2>()?;
        Ok(if big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }

    fn u32(&mut self, big: bool) -> anyhow::Result<u32> {
        let b = self.bytes::<4>()?;
        Ok(if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    /// Refuses the file at an element the scan cannot follow: `what` says why.
    fn refuse(&self, tag: (u16, u16), at: u64, what: &str) -> anyhow::Error {
        anyhow::anyhow!(
            "{}: DICOM element ({:04X},{:04X}) at byte {at}{} {what}; the file is corrupt and is \
             refused (its structure cannot be followed past this element)",
            self.path.display(),
            tag.0,
            tag.1,
            if self.inflated {
                " of the inflated data set"
            } else {
                ""
            },
        )
    }

    /// Refuses a length running past the end, naming the file and the element.
    fn check(&self, tag: (u16, u16), at: u64, len: u32) -> anyhow::Result<()> {
        let left = self.len.saturating_sub(self.pos);
        if u64::from(len) > left {
            bail!(
                "{}: DICOM element ({:04X},{:04X}) at byte {at}{} claims {len} bytes, but only {left} \
                 remain{}; the file is corrupt (nothing was allocated for it)",
                self.path.display(),
                tag.0,
                tag.1,
                if self.inflated {
                    " of the inflated data set"
                } else {
                    ""
                },
                if self.inflated {
                    ""
                } else {
                    " in the file"
                },
            );
        }
        Ok(())
    }

    fn skip(&mut self, len: u32) -> anyhow::Result<()> {
        self.r
            .seek_relative(i64::from(len))
            .with_context(|| format!("cannot read {}", self.path.display()))?;
        self.pos += u64::from(len);
        Ok(())
    }

    /// The file meta group (explicit VR little endian): checks its lengths and returns the
    /// transfer syntax UID, or `None` when the group has none. As dicom-object does, it starts
    /// with its group length (0002,0000) and takes the elements within that many bytes, whatever
    /// their group: the data set starts where dicom-object starts it.
    fn meta(&mut self) -> anyhow::Result<Option<String>> {
        let at = self.pos;
        let tag = (self.u16(false)?, self.u16(false)?);
        let vr_bytes = self.peek2()?;
        let Some((vr, len)) = self.explicit_vr_len(false)? else {
            return Err(self.refuse(tag, at, &bad_vr(vr_bytes)));
        };
        if tag != (0x0002, 0x0000) || len != 4 {
            return Err(self.refuse(
                tag,
                at,
                &format!(
                    "(VR {vr:?}, {len} bytes) is where the file meta group length (0002,0000), \
                     4 bytes, must be"
                ),
            ));
        }
        let group_length = u64::from(self.u32(false)?);
        let start = self.pos;
        let mut ts = None;
        while self.pos - start < group_length {
            let at = self.pos;
            let tag = (self.u16(false)?, self.u16(false)?);
            let (group, elem) = tag;
            let vr_bytes = self.peek2()?;
            let Some((vr, len)) = self.explicit_vr_len(false)? else {
                return Err(self.refuse((group, elem), at, &bad_vr(vr_bytes)));
            };
            if len == UNDEFINED || vr == VR::SQ {
                return Err(self.refuse(
                    (group, elem),
                    at,
                    "is a sequence or has an undefined length, which the file meta group cannot \
                     have",
                ));
            }
            self.check((group, elem), at, len)?;
            if tag == (0x0002, 0x0010) && len <= 256 {
                let mut v = vec![0u8; len as usize];
                self.r.read_exact(&mut v)?;
                self.pos += u64::from(len);
                let s = String::from_utf8_lossy(&v);
                ts = Some(s.trim_matches(|c: char| c == '\0' || c == ' ').to_string());
            } else {
                self.skip(len)?;
            }
        }
        Ok(ts)
    }

    /// The next two bytes, without consuming them.
    fn peek2(&mut self) -> anyhow::Result<[u8; 2]> {
        let b = self.bytes::<2>()?;
        self.r.seek_relative(-2)?;
        self.pos -= 2;
        Ok(b)
    }

    /// Reads an explicit VR and its length; `None` for bytes that are not a VR.
    fn explicit_vr_len(&mut self, big: bool) -> anyhow::Result<Option<(VR, u32)>> {
        let b = self.bytes::<2>()?;
        let Some(vr) = VR::from_binary(b) else {
            return Ok(None);
        };
        let long = matches!(
            vr,
            VR::OB
                | VR::OD
                | VR::OF
                | VR::OL
                | VR::OV
                | VR::OW
                | VR::SQ
                | VR::SV
                | VR::UC
                | VR::UN
                | VR::UR
                | VR::UT
                | VR::UV
        );
        let len = if long {
            self.bytes::<2>()?;
            self.u32(big)?
        } else {
            u32::from(self.u16(big)?)
        };
        Ok(Some((vr, len)))
    }

    /// The data set: every element header, into sequences and items, over values.
    ///
    /// The walk keeps dicom-parser 0.10's `DataSetReader` state: `in_seq` (at sequence level,
    /// where it reads item headers; elsewhere — the top level, inside an item — it reads element
    /// headers) and `pending` (after a value or a delimiter it compares the position with the
    /// defined end of the innermost sequence or item only: equal closes it, past it is an error
    /// that stops the reader). A group FFFE tag outside sequence level is an ordinary element to
    /// dicom-parser: an item tag there is a value of its length, skipped, not an item to
    /// descend into (a fuzzed file whose top-level items this scan walked into ended one byte
    /// off, and dicom-parser then read a 4 GB length).
    fn data_set(&mut self, implicit: bool, big: bool) -> anyhow::Result<()> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut in_seq = false;
        let mut pending = false;
        loop {
            if pending {
                while let Some(top) = stack.last().copied() {
                    match top.end {
                        Some(e) if e == self.pos => {
                            stack.pop();
                            in_seq = top.kind == Kind::Item;
                        }
                        // dicom-parser stops with "inconsistent sequence end": nothing further
                        // is read
                        Some(e) if e < self.pos => return Ok(()),
                        _ => break,
                    }
                }
                pending = false;
            }
            if self.len.saturating_sub(self.pos) < 8 {
                return Ok(());
            }
            let top = stack.last().copied();
            let implicit = top.map_or(implicit, |c| c.implicit);
            let at = self.pos;
            let tag = (self.u16(big)?, self.u16(big)?);
            let in_fragments = top.is_some_and(|c| c.kind == Kind::Fragments);
            if in_fragments {
                if tag.0 == 0xFFFE {
                    let len = self.u32(big)?;
                    match tag.1 {
                        0xE000 => {
                            if len == UNDEFINED {
                                return Err(self.refuse(
                                    tag,
                                    at,
                                    "is a pixel data fragment of undefined length",
                                ));
                            }
                            self.check(tag, at, len)?;
                            self.skip(len)?;
                        }
                        0xE0DD => {
                            stack.pop();
                            in_seq = false;
                            pending = true;
                        }
                        _ => return Err(self.refuse(tag, at, NOT_ITEM_OR_DELIMITER)),
                    }
                    continue;
                }
            } else if in_seq {
                // Sequence level: an item header, or dicom-parser fails ("unexpected item tag")
                // and reads nothing more.
                if tag.0 != 0xFFFE {
                    return Ok(());
                }
                let len = self.u32(big)?;
                match tag.1 {
                    0xE000 => {
                        let end = if len == UNDEFINED {
                            None
                        } else {
                            self.check(tag, at, len)?;
                            Some(self.pos + u64::from(len))
                        };
                        stack.push(Frame {
                            kind: Kind::Item,
                            end,
                            implicit,
                        });
                        in_seq = false;
                        pending = len == 0;
                    }
                    0xE00D => {
                        stack.pop();
                        in_seq = true;
                        pending = true;
                    }
                    0xE0DD => {
                        stack.pop();
                        in_seq = false;
                        pending = true;
                    }
                    _ => return Ok(()),
                }
                continue;
            } else if tag.0 == 0xFFFE {
                // Element level: group FFFE is read as tag + 4-byte length.
                let len = self.u32(big)?;
                if !matches!(tag.1, 0xE000 | 0xE00D | 0xE0DD) {
                    // no DICOM file has one (dicom-parser would skip it as a value)
                    return Err(self.refuse(tag, at, NOT_ITEM_OR_DELIMITER));
                }
                if tag.1 == 0xE00D {
                    // an item delimiter closes the item (ignored at the top level)
                    if stack.pop().is_some() {
                        in_seq = true;
                        pending = true;
                    }
                } else if len == UNDEFINED {
                    // any other undefined length opens a sequence
                    stack.push(Frame {
                        kind: Kind::Sequence,
                        end: None,
                        implicit,
                    });
                    in_seq = true;
                } else {
                    // an ordinary value of that length
                    self.check(tag, at, len)?;
                    self.skip(len)?;
                    pending = true;
                }
                continue;
            }
            if in_fragments {
                return Err(self.refuse(
                    tag,
                    at,
                    "is among encapsulated pixel data fragments, where only items and the \
                     sequence delimiter may be",
                ));
            }
            let (vr, len) = if implicit {
                // As dicom-encoding's implicit VR decoder: OW for pixel and overlay data, else
                // the dictionary's VR (US for "US or SS", OW for "OB or OW"), else UN.
                let vr = if tag == PIXEL_DATA || (tag.0 >> 8 == 0x60 && tag.1 == 0x3000) {
                    VR::OW
                } else {
                    StandardDataDictionary
                        .by_tag(Tag(tag.0, tag.1))
                        .map_or(VR::UN, |e| e.vr().relaxed())
                };
                (vr, self.u32(big)?)
            } else {
                let vr_bytes = self.peek2()?;
                match self.explicit_vr_len(big)? {
                    Some(v) => v,
                    None => return Err(self.refuse(tag, at, &bad_vr(vr_bytes))),
                }
            };
            if len == UNDEFINED {
                let kind = if tag == PIXEL_DATA && vr != VR::SQ {
                    Kind::Fragments
                } else {
                    Kind::Sequence
                };
                stack.push(Frame {
                    kind,
                    end: None,
                    implicit: implicit || vr == VR::UN,
                });
                in_seq = kind == Kind::Sequence;
                continue;
            }
            self.check(tag, at, len)?;
            // dicom-parser reads len / size whole values of a binary VR and leaves the rest of
            // the value unread, then takes those bytes for the next element's header.
            let size = value_size(vr);
            if len % size != 0 {
                return Err(self.refuse(
                    tag,
                    at,
                    &format!(
                        "has VR {vr:?} and a length of {len} bytes, not a multiple of {size} (the \
                         size of one {vr:?} value)"
                    ),
                ));
            }
            if vr == VR::SQ {
                stack.push(Frame {
                    kind: Kind::Sequence,
                    end: Some(self.pos + u64::from(len)),
                    implicit,
                });
                in_seq = true;
                pending = len == 0;
            } else {
                self.skip(len)?;
                pending = true;
            }
        }
    }
}

/// The size of one value of a binary VR (1 for text and bytes).
fn value_size(vr: VR) -> u32 {
    match vr {
        VR::US | VR::SS | VR::OW => 2,
        VR::UL | VR::SL | VR::FL | VR::OF | VR::OL | VR::AT => 4,
        VR::FD | VR::OD | VR::SV | VR::UV | VR::OV => 8,
        _ => 1,
    }
}

/// Why an explicit VR cannot be read: its two bytes.
fn bad_vr(b: [u8; 2]) -> String {
    format!(
        "has no valid value representation (bytes {:02X} {:02X}, {:?})",
        b[0],
        b[1],
        String::from_utf8_lossy(&b)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal Part-10 file: preamble, meta group (its length, the transfer syntax), then
    /// `body`.
    fn file(ts: &str, body: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 128];
        f.extend_from_slice(b"DICM");
        let mut uid = ts.as_bytes().to_vec();
        if uid.len() % 2 == 1 {
            uid.push(0);
        }
        f.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'U', b'L', 4, 0]);
        f.extend_from_slice(&(8 + uid.len() as u32).to_le_bytes());
        f.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I']);
        f.extend_from_slice(&(uid.len() as u16).to_le_bytes());
        f.extend_from_slice(&uid);
        f.extend_from_slice(body);
        f
    }

    fn check(bytes: &[u8]) -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("radscore-prescan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(format!(
            "{:x}.dcm",
            bytes.len() * 31 + bytes.iter().map(|&b| b as usize).sum::<usize>()
        ));
        std::fs::write(&p, bytes).unwrap();
        let r = check_lengths(&p);
        let _ = std::fs::remove_file(&p);
        r
    }

    #[test]
    fn lengths_within_the_file_pass() {
        // (0010,0010) PN "AB", (7FE0,0010) OW 4 bytes.
        let body = [
            0x10, 0x00, 0x10, 0x00, b'P', b'N', 2, 0, b'A', b'B', 0xE0, 0x7F, 0x10, 0x00, b'O',
            b'W', 0, 0, 4, 0, 0, 0, 1, 2, 3, 4,
        ];
        check(&file("1.2.840.10008.1.2.1", &body)).unwrap();
        // Implicit VR: (0010,0010) length 2.
        let body = [0x10, 0x00, 0x10, 0x00, 2, 0, 0, 0, b'A', b'B'];
        check(&file(IMPLICIT_VR_LE, &body)).unwrap();
    }

    #[test]
    fn a_length_past_the_end_names_the_element() {
        // (0008,0016) UI claiming 0xF000 bytes in a 150-byte file.
        let body = [0x08, 0x00, 0x16, 0x00, b'U', b'I', 0x00, 0xF0, b'1', 0];
        let e = check(&file("1.2.840.10008.1.2.1", &body))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("(0008,0016)") && e.contains("claims 61440 bytes"),
            "{e}"
        );
        // Implicit VR, 4-byte length 0xFFFFFFF0 inside a sequence item.
        let body = [
            0x08, 0x00, 0x15, 0x11, 0xFF, 0xFF, 0xFF, 0xFF, // (0008,1115) SQ, undefined
            0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF, // item, undefined
            0x08, 0x00, 0x50, 0x11, 0xF0, 0xFF, 0xFF, 0xFF, // (0008,1150) 4 GB
            0, 0, 0, 0,
        ];
        let e = check(&file(IMPLICIT_VR_LE, &body)).unwrap_err().to_string();
        assert!(e.contains("(0008,1150)") && e.contains("4294967280"), "{e}");
        // A pixel data fragment too long.
        let body = [
            0xE0, 0x7F, 0x10, 0x00, b'O', b'B', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, // encapsulated
            0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0, // empty offset table
            0xFE, 0xFF, 0x00, 0xE0, 0x00, 0x00, 0x00, 0x10, // fragment of 256 MiB
            1, 2, 3, 4,
        ];
        let e = check(&file("1.2.840.10008.1.2.5", &body))
            .unwrap_err()
            .to_string();
        assert!(e.contains("(FFFE,E000)") && e.contains("268435456"), "{e}");
    }

    /// Asserts that the scan refuses `bytes` with a message containing every one of `words`.
    fn refused(bytes: Vec<u8>, words: &[&str]) {
        let e = check(&bytes).unwrap_err().to_string();
        for w in words {
            assert!(e.contains(w), "{w:?} not in {e}");
        }
    }

    /// Where the scan cannot follow the structure it refuses, naming the element and its offset
    /// (it used to stop quietly, and dicom-object then read on differently: issue 21).
    #[test]
    fn what_the_scan_cannot_follow_is_refused() {
        let explicit = "1.2.840.10008.1.2.1";
        // Bytes that are not a VR after a valid element (explicit VR little and big endian).
        let body = [
            0x10, 0x00, 0x10, 0x00, b'P', b'N', 2, 0, b'A', b'B', // (0010,0010) PN "AB"
            0x01, 0x5C, 0x01, 0x49, b'R', 0x01, 0, 0, 0x01, 0x1F, 0x01, 0x84,
        ];
        refused(
            file(explicit, &body),
            &["(5C01,4901) at byte 182", "bytes 52 01"],
        );
        let body = [
            0x00, 0x10, 0x00, 0x10, b'P', b'N', 0, 2, b'A', b'B', // (0010,0010) PN "AB"
            0x5C, 0x01, 0x49, 0x01, b'R', 0x01, 0, 0, 0x84, 0x01, 0x1F, 0x01,
        ];
        refused(
            file(EXPLICIT_VR_BE, &body),
            &["(5C01,4901) at byte 182", "no valid value representation"],
        );
        // An unknown element of group FFFE.
        let body = [0xFE, 0xFF, 0x11, 0xE0, 0, 0, 0, 0, 1, 2, 3, 4];
        refused(file(IMPLICIT_VR_LE, &body), &["(FFFE,E011) at byte 170"]);
        // Encapsulated pixel data: a fragment of undefined length, and a stray element.
        let encapsulated = [
            0xE0, 0x7F, 0x10, 0x00, b'O', b'B', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, // undefined
            0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0, // empty offset table
        ];
        let mut body = encapsulated.to_vec();
        body.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4]);
        refused(
            file("1.2.840.10008.1.2.5", &body),
            &["(FFFE,E000) at byte 192", "fragment of undefined length"],
        );
        let mut body = encapsulated.to_vec();
        body.extend_from_slice(&[0x10, 0x00, 0x10, 0x00, b'P', b'N', 2, 0, b'A', b'B']);
        refused(
            file("1.2.840.10008.1.2.5", &body),
            &[
                "(0010,0010) at byte 192",
                "among encapsulated pixel data fragments",
            ],
        );
        // A meta group without a transfer syntax, a meta element without a VR, a meta group
        // without its length.
        let mut f = vec![0u8; 128];
        f.extend_from_slice(b"DICM");
        f.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'U', b'L', 4, 0, 10, 0, 0, 0]);
        f.extend_from_slice(&[0x02, 0x00, 0x02, 0x00, b'U', b'I', 2, 0, b'1', 0]);
        f.extend_from_slice(&[0x10, 0x00, 0x10, 0x00, b'P', b'N', 2, 0, b'A', b'B']);
        refused(f.clone(), &["no Transfer Syntax UID (0002,0010)"]);
        let mut g = f.clone();
        g[148..150].copy_from_slice(&[0xAA, 0xBB]);
        refused(g, &["(0002,0002) at byte 144", "bytes AA BB"]);
        refused(
            f[..132].iter().chain(&f[144..]).copied().collect(),
            &[
                "(0002,0002) at byte 132",
                "file meta group length (0002,0000)",
            ],
        );
        // A deflated data set that does not inflate.
        refused(
            file(DEFLATED_EXPLICIT_VR_LE, &[0xFF; 16]),
            &["deflated DICOM data set", "cannot be inflated"],
        );
    }

    /// Where dicom-object would read the bytes differently from the element lengths, the scan
    /// refuses (issue 21: a fuzzed SEG with (0010,0020) as FD of 6 bytes made dicom-parser read
    /// no value, take the 6 bytes for the next header and reserve 1 GB).
    #[test]
    fn what_dicom_object_reads_differently_is_refused() {
        let explicit = "1.2.840.10008.1.2.1";
        // A binary VR whose length is not a multiple of its value size.
        let body = [
            0x10, 0x00, 0x20, 0x00, b'F', b'D', 6, 0, b'S', b'Y', b'N', b'0', b'0', b'1', 0x10,
            0x00, 0x30, 0x00, b'D', b'A', 0, 0,
        ];
        refused(
            file(explicit, &body),
            &[
                "(0010,0020) at byte 172",
                "VR FD and a length of 6 bytes, not a multiple of 8",
            ],
        );
        // Implicit VR: Rows (US) of 3 bytes; Smallest Image Pixel Value ("US or SS", read as US).
        for elem in [0x0010u16, 0x0106] {
            let [lo, hi] = elem.to_le_bytes();
            let body = [0x28, 0x00, lo, hi, 3, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0];
            refused(
                file(IMPLICIT_VR_LE, &body),
                &[
                    "at byte 170",
                    "VR US and a length of 3 bytes, not a multiple of 2",
                ],
            );
        }
        // Lengths that fit the value size pass.
        let body = [0x28, 0x00, 0x10, 0x00, 2, 0, 0, 0, 1, 2];
        check(&file(IMPLICIT_VR_LE, &body)).unwrap();
        // A meta group length that leaves out a group-2 element: dicom-object reads that element
        // in the data set's transfer syntax (implicit VR: "AE" and the 2-byte length make a
        // 4-byte length of 542 017 bytes), and so does the scan.
        let body = [
            0x02, 0x00, 0x16, 0x00, b'A', b'E', 8, 0, b'C', b'L', b'U', b'N', b'I', b'E', b'1',
            b' ',
        ];
        refused(
            file(IMPLICIT_VR_LE, &body),
            &["(0002,0016) at byte 170", "claims 542017 bytes"],
        );
        check(&file(explicit, &body)).unwrap();
    }

    #[test]
    fn not_dicom_is_left_to_dicom_object() {
        check(b"hello, not a DICOM file").unwrap();
        check(&[]).unwrap();
    }
}
