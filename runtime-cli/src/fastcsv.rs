//! A streaming CSV record reader for large numeric tables (`radscore score`).
//!
//! It reads the same dialect as the `csv` crate's default reader: `,` between fields, `"` quotes
//! with `""` for a quote inside a quoted field, `\n`, `\r` or `\r\n` ending a record, empty lines
//! skipped, a UTF-8 byte-order mark at the very start dropped. Fields are handed out as byte
//! slices into the reader's own buffer, so a record costs no allocation and no UTF-8 check.
//!
//! Two paths produce identical records:
//! * fast path: a record on one line without any `"` or stray `\r` is split at its commas,
//!   eight bytes at a time (the common case of a machine-written numeric table);
//! * general path: any other record (quotes, quoted line breaks, `\r` terminators) and the first
//!   record go through `csv-core`, the state machine behind the `csv` crate.
//!
//! Memory is bounded by the longest record, not by the number of records.

use csv_core::ReadRecordResult;
use std::io::{ErrorKind, Read};

/// Initial size of the input buffer; it grows only for a record longer than this.
const BUF_LEN: usize = 1 << 18;

/// One record: its fields and the line it starts on.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    data: &'a [u8],
    ends: &'a [usize],
    /// Bytes between the end of a field and the start of the next: 1 (a comma) on the fast
    /// path, 0 in csv-core's output, where fields are stored back to back.
    sep: usize,
    line: u64,
}

impl<'a> Record<'a> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// `true` if the record has no field (never returned by [`Reader::next_record`]).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `i` (unquoted), `None` past the last field.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(i)?;
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] + self.sep,
        };
        self.data.get(start..end)
    }

    /// The 1-based line number on which the record starts.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// All fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// Streams the records of a CSV source.
pub struct Reader<R> {
    src: R,
    buf: Vec<u8>,
    /// Start of the unconsumed bytes in `buf`.
    pos: usize,
    /// End of the bytes read into `buf`.
    end: usize,
    eof: bool,
    /// Line number of `buf[pos]` (1-based; counts `\n`).
    line: u64,
    /// Field ends of a fast-path record (offsets into its line).
    fast_ends: Vec<usize>,
    core: csv_core::Reader,
    /// csv-core's output: the fields of a general-path record back to back, and their ends.
    out: Vec<u8>,
    out_ends: Vec<usize>,
    /// Whether the next record must take the general path (the first one does, so that
    /// csv-core sees, and drops, a byte-order mark).
    first: bool,
}

impl<R: Read> Reader<R> {
    /// A reader over `src` (which need not be buffered).
    pub fn new(src: R) -> Self {
        Reader {
            src,
            buf: vec![0; BUF_LEN],
            pos: 0,
            end: 0,
            eof: false,
            line: 1,
            fast_ends: Vec::with_capacity(64),
            core: csv_core::Reader::new(),
            out: vec![0; 1024],
            out_ends: vec![0; 64],
            first: true,
        }
    }

    /// Moves the unconsumed bytes to the front of the buffer (growing it when they fill it) and
    /// reads more. Sets `eof` when the source is exhausted.
    fn refill(&mut self) -> std::io::Result<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            let n = self.buf.len() * 2;
            self.buf.resize(n, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The next record, `None` at the end of the input.
    pub fn next_record(&mut self) -> std::io::Result<Option<Record<'_>>> {
        if self.first {
            self.first = false;
            // csv-core drops a byte-order mark only if it sees all three bytes in one piece,
            // and takes an empty input as the end of the data (so a BOM alone would end it).
            while self.end < 4 && !self.eof {
                self.refill()?;
            }
            return self.general();
        }
        loop {
            // Empty lines (and the rest of a `\r\n`) are skipped, as csv-core does.
            while self.pos < self.end {
                match self.buf[self.pos] {
                    b'\n' => self.line += 1,
                    b'\r' => {}
                    _ => break,
                }
                self.pos += 1;
            }
            if self.pos == self.end {
                if self.eof {
                    return Ok(None);
                }
                self.refill()?;
                continue;
            }
            let rest = &self.buf[self.pos..self.end];
            let (len, next) = match memchr::memchr(b'\n', rest) {
                Some(k) => (k, k + 1),
                None if !self.eof => {
                    self.refill()?;
                    continue;
                }
                None => (rest.len(), rest.len()),
            };
            let mut rec = &rest[..len];
            if let [head @ .., b'\r'] = rec {
                rec = head;
            }
            if memchr::memchr2(b'"', b'\r', rec).is_some() {
                return self.general();
            }
            self.fast_ends.clear();
            commas(rec, &mut self.fast_ends);
            self.fast_ends.push(rec.len());
            let line = self.line;
            if next > len {
                self.line += 1;
            }
            let start = self.pos;
            self.pos += next;
            return Ok(Some(Record {
                data: &self.buf[start..start + rec.len()],
                ends: &self.fast_ends,
                sep: 1,
                line,
            }));
        }
    }

    /// Reads the record at `pos` with csv-core.
    fn general(&mut self) -> std::io::Result<Option<Record<'_>>> {
        // The record starts after any empty lines; csv-core would skip them too.
        loop {
            while self.pos < self.end && matches!(self.buf[self.pos], b'\n' | b'\r') {
                self.line += u64::from(self.buf[self.pos] == b'\n');
                self.pos += 1;
            }
            if self.pos < self.end || self.eof {
                break;
            }
            self.refill()?;
        }
        let line = self.line;
        let (mut nout, mut nend) = (0, 0);
        loop {
            // csv-core takes an empty input as the end of the data.
            if self.pos == self.end && !self.eof {
                self.refill()?;
                continue;
            }
            let input = &self.buf[self.pos..self.end];
            let (res, nin, o, e) =
                self.core
                    .read_record(input, &mut self.out[nout..], &mut self.out_ends[nend..]);
            self.line += memchr::memchr_iter(b'\n', &input[..nin]).count() as u64;
            self.pos += nin;
            nout += o;
            nend += e;
            match res {
                // More input is read at the top of the loop; at the end of the data the next
                // call (with no input) ends the record.
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    let n = self.out.len() * 2;
                    self.out.resize(n, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = self.out_ends.len() * 2;
                    self.out_ends.resize(n, 0);
                }
                ReadRecordResult::Record => {
                    return Ok(Some(Record {
                        data: &self.out[..nout],
                        ends: &self.out_ends[..nend],
                        sep: 0,
                        line,
                    }))
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }
}

/// Bytes whose high bit marks where a byte of `w` equals `b` (exact: no false positives).
#[inline(always)]
fn byte_eq(w: u64, b: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = w ^ (0x0101_0101_0101_0101 * u64::from(b));
    // A byte's high bit ends up set iff the byte of `x` is non-zero; inverted: iff zero.
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// Appends the offset of every `,` in `line` to `ends`, eight bytes at a time (the fields are
/// short, so a search call per comma would cost more than the scan).
#[inline]
fn commas(line: &[u8], ends: &mut Vec<usize>) {
    let mut words = line.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let mut m = byte_eq(u64::from_le_bytes(w), b',');
        while m != 0 {
            ends.push(base + (m.trailing_zeros() / 8) as usize);
            m &= m - 1;
        }
        base += 8;
    }
    for (k, &b) in words.remainder().iter().enumerate() {
        if b == b',' {
            ends.push(base + k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `data` in pieces of at most `chunk` bytes (exercising every refill boundary).
    struct Chunked<'a> {
        data: &'a [u8],
        chunk: usize,
    }
    impl Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.chunk.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn ours(data: &[u8], chunk: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut r = Reader::new(Chunked { data, chunk });
        let mut all = Vec::new();
        while let Some(rec) = r.next_record().expect("read") {
            assert!(!rec.is_empty());
            all.push((rec.line(), rec.iter().map(<[u8]>::to_vec).collect()));
        }
        all
    }

    fn reference(data: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(data);
        let mut rec = csv::ByteRecord::new();
        let mut all = Vec::new();
        while r.read_byte_record(&mut rec).expect("csv") {
            let line = rec.position().map_or(0, |p| p.line());
            all.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        all
    }

    /// Fields and line numbers agree with the `csv` crate (line numbers only where no empty line
    /// and no `\r` precedes a record: csv then reports the line where the run of skipped
    /// terminators starts, e.g. line 1 for the second record of `a\r\nb`, this reader the line
    /// where the record starts).
    fn check(data: &[u8]) {
        let want = reference(data);
        for chunk in [1, 2, 3, 7, 64, usize::MAX] {
            let got = ours(data, chunk);
            assert_eq!(
                got.len(),
                want.len(),
                "{:?} chunk {chunk}",
                String::from_utf8_lossy(data)
            );
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(
                    g.1,
                    w.1,
                    "{:?} chunk {chunk}",
                    String::from_utf8_lossy(data)
                );
            }
            let skipped = data.contains(&b'\r')
                || data.windows(2).any(|w| w == b"\n\n")
                || data.starts_with(b"\n");
            if !skipped {
                let gl: Vec<u64> = got.iter().map(|g| g.0).collect();
                let wl: Vec<u64> = want.iter().map(|w| w.0).collect();
                assert_eq!(gl, wl, "{:?} chunk {chunk}", String::from_utf8_lossy(data));
            }
        }
    }

    #[test]
    fn agrees_with_the_csv_crate_on_edge_cases() {
        for data in [
            &b""[..],
            b"\n",
            b"\r\n\r\n",
            b"a",
            b"a,b\n1,2",
            b"a,b\n1,2\n",
            b"a,b\r\n1,2\r\n3,4",
            b"a,b\r1,2\r3,4\r",
            b"\xef\xbb\xbfid,x\nP1,1.5\n",
            b"\xef\xbb\xbf\"id\",x\nP1,1.5\n",
            b"id,x\n\xef\xbb\xbfP1,1.5\n",
            b"id,x\n\n\nP1,1.5\n\r\nP2,2\n\n",
            b"id,x\n\"P,1\",2.5\n\"a \"\"q\"\" b\",3\n",
            b"id,x\n\"multi\nline\",2\nnext,3\n",
            b"id,x\nab\"c,1\n\"ab\"c,2\n",
            b"id,x\n,\n,,\n\"\",\"\"\n",
            b"id,x\n 1 , 2 \n",
            b"id,x\nP1,1\rP2,2\nP3\r\n",
            b"id,x\n\"unterminated,1\n2,3\n",
            b"a,b,c\n1,2\n1,2,3,4\n",
        ] {
            check(data);
        }
    }

    #[test]
    fn agrees_with_the_csv_crate_on_random_tables() {
        let mut s = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let alphabet = b"ab1.,,,\"\n\r -";
        for _ in 0..2000 {
            let n = (next() % 40) as usize;
            let data: Vec<u8> = (0..n)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            check(&data);
        }
    }

    #[test]
    fn finds_every_comma() {
        let mut s = 0x1234_5678_9ABC_DEF1u64;
        for n in 0..200 {
            let line: Vec<u8> = (0..n)
                .map(|_| {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    [b',', b'+', b'-', 0xac, 0x2b, 0xff, 0, b'1'][(s % 8) as usize]
                })
                .collect();
            let mut got = Vec::new();
            commas(&line, &mut got);
            let want: Vec<usize> = (0..n).filter(|&k| line[k] == b',').collect();
            assert_eq!(got, want, "{line:?}");
        }
    }

    #[test]
    fn long_records_grow_the_buffer() {
        let long = "x".repeat(3 * BUF_LEN);
        let data = format!("id,v\n{long},1\n\"{long}\",2\nshort,3\n");
        let got = ours(data.as_bytes(), usize::MAX);
        assert_eq!(got.len(), 4);
        assert_eq!(got[1].1[0].len(), 3 * BUF_LEN);
        assert_eq!(got[2].1[0].len(), 3 * BUF_LEN);
        assert_eq!(got[3], (4, vec![b"short".to_vec(), b"3".to_vec()]));
    }
}
