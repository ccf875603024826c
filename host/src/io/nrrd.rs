//! NRRD reader and writer.
//!
//! Written here because no permissively licensed NRRD crate exists on crates.io (`nrrd`/`nrrd-rs`
//! are not published; `bioformats` has a reader but is GPL). Follows the NRRD0001–NRRD0005 format
//! as teem, pynrrd and ITK read it:
//!
//! * attached headers (`.nrrd`: header, blank line, data) and detached headers (`.nhdr` with
//!   `data file:` naming one file, a `%d` format range, or `LIST` of files);
//! * encodings `raw`, `gzip`/`gz`, `bzip2`/`bz2`, `ascii`/`text`/`txt`, `hex`;
//! * every scalar type (`int8` … `uint64`, `float`, `double` and their C spellings), `endian`;
//! * `line skip` (lines of the data file skipped first) and `byte skip` (bytes skipped next; for
//!   compressed encodings after decompression; `-1` = the data are the last bytes);
//! * geometry: `space directions` → spacing = norm of each axis vector, direction = unit vector;
//!   otherwise `spacings`; `space origin`; RAS/LAS spaces are converted to LPS as ITK does.
//!
//! Axes whose space direction is `none` (or whose kind is not a domain kind) must have size 1;
//! fewer than three spatial axes are padded with size 1 and spacing 1.

use super::{Grid, MaskBox, Volume, VolumeData, IDENTITY};
use anyhow::{anyhow, bail, Context};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Scalar type of the stored voxels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
}

impl Ty {
    fn parse(s: &str) -> Option<Ty> {
        Some(match s {
            "signed char" | "int8" | "int8_t" => Ty::I8,
            "uchar" | "unsigned char" | "uint8" | "uint8_t" => Ty::U8,
            "short" | "short int" | "signed short" | "signed short int" | "int16" | "int16_t" => {
                Ty::I16
            }
            "ushort" | "unsigned short" | "unsigned short int" | "uint16" | "uint16_t" => Ty::U16,
            "int" | "signed int" | "int32" | "int32_t" => Ty::I32,
            "uint" | "unsigned int" | "uint32" | "uint32_t" => Ty::U32,
            "longlong"
            | "long long"
            | "long long int"
            | "signed long long"
            | "signed long long int"
            | "int64"
            | "int64_t" => Ty::I64,
            "ulonglong"
            | "unsigned long long"
            | "unsigned long long int"
            | "uint64"
            | "uint64_t" => Ty::U64,
            "float" => Ty::F32,
            "double" => Ty::F64,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            Ty::I8 | Ty::U8 => 1,
            Ty::I16 | Ty::U16 => 2,
            Ty::I32 | Ty::U32 | Ty::F32 => 4,
            Ty::I64 | Ty::U64 | Ty::F64 => 8,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Raw,
    Gzip,
    Bzip2,
    Ascii,
    Hex,
}

/// Parsed header fields that matter here (field names lower-cased, values trimmed).
struct Header {
    fields: Vec<(String, String)>,
    /// Lines after a `data file: LIST` line (detached headers).
    list_files: Vec<String>,
    /// Byte offset of the attached data (after the blank line), if any.
    data_offset: Option<usize>,
}

impl Header {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn parse_header(bytes: &[u8], path: &Path) -> anyhow::Result<Header> {
    if !bytes.starts_with(b"NRRD000") {
        bail!(
            "{}: not an NRRD file (expected the magic \"NRRD000x\" at the start)",
            path.display()
        );
    }
    let mut fields = Vec::new();
    let mut list_files = Vec::new();
    let mut in_list = false;
    let mut pos = 0usize;
    let mut data_offset = None;
    let mut first = true;
    while pos < bytes.len() {
        let end = bytes[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|e| pos + e)
            .unwrap_or(bytes.len());
        let raw_line = &bytes[pos..end];
        let next = (end + 1).min(bytes.len());
        let line = String::from_utf8_lossy(raw_line);
        let line = line.trim_end_matches('\r');
        pos = next;
        if first {
            first = false;
            continue;
        }
        if line.is_empty() {
            data_offset = Some(pos);
            break;
        }
        if in_list {
            list_files.push(line.trim().to_string());
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        if line.contains(":=") && !line.contains(": ") {
            continue; // key/value pair
        }
        let Some((k, v)) = line.split_once(':') else {
            bail!(
                "{}: header line {line:?} is not \"field: value\"",
                path.display()
            );
        };
        if v.starts_with('=') {
            continue; // key:=value
        }
        let k = k.trim().to_ascii_lowercase();
        let v = v.trim().to_string();
        if (k == "data file" || k == "datafile") && v.split_whitespace().next() == Some("LIST") {
            in_list = true;
        }
        fields.push((k, v));
    }
    Ok(Header {
        fields,
        list_files,
        data_offset,
    })
}

/// Parses `(a,b,c)` vectors and `none` entries of `space directions`.
fn parse_vectors(s: &str, what: &str) -> anyhow::Result<Vec<Option<Vec<f64>>>> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("none") {
            out.push(None);
            rest = r.trim_start();
        } else if rest.starts_with('(') {
            let close = rest
                .find(')')
                .ok_or_else(|| anyhow!("{what}: missing ')' in {s:?}"))?;
            let inner = &rest[1..close];
            let v = inner
                .split(',')
                .map(|t| {
                    t.trim()
                        .parse::<f64>()
                        .map_err(|_| anyhow!("{what}: expected a number, found {:?}", t.trim()))
                })
                .collect::<anyhow::Result<Vec<f64>>>()?;
            out.push(Some(v));
            rest = rest[close + 1..].trim_start();
        } else {
            bail!("{what}: expected \"(x,y,z)\" or \"none\", found {rest:?}");
        }
    }
    Ok(out)
}

/// The header of an NRRD file: bytes up to and including the blank line that ends it (the whole
/// file if it has none, e.g. a detached header).
fn read_header_bytes(path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut f =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let k = f
            .read(&mut chunk)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if k == 0 {
            return Ok(out);
        }
        let from = out.len().saturating_sub(2);
        out.extend_from_slice(&chunk[..k]);
        let tail = &out[from..];
        let blank = tail
            .windows(2)
            .position(|w| w == b"\n\n")
            .map(|i| from + i + 2)
            .or_else(|| {
                tail.windows(3)
                    .position(|w| w == b"\n\r\n")
                    .map(|i| from + i + 3)
            });
        if let Some(end) = blank {
            out.truncate(end);
            return Ok(out);
        }
    }
}

/// A zeroed buffer of `n` voxels of type `ty`; an allocation the system refuses is an error
/// naming the size, not an abort.
fn typed_zeros(ty: Ty, n: usize) -> anyhow::Result<VolumeData> {
    fn zeros<T: Clone + Default>(n: usize) -> anyhow::Result<Vec<T>> {
        let mut v = Vec::new();
        v.try_reserve_exact(n).map_err(|_| {
            anyhow!(
                "cannot allocate {:.1} MiB for {n} voxels",
                (n as f64) * std::mem::size_of::<T>() as f64 / (1u64 << 20) as f64
            )
        })?;
        v.resize(n, T::default());
        Ok(v)
    }
    Ok(match ty {
        Ty::I8 => VolumeData::I8(zeros(n)?),
        Ty::U8 => VolumeData::U8(zeros(n)?),
        Ty::I16 => VolumeData::I16(zeros(n)?),
        Ty::U16 => VolumeData::U16(zeros(n)?),
        Ty::I32 => VolumeData::I32(zeros(n)?),
        Ty::U32 => VolumeData::U32(zeros(n)?),
        Ty::I64 => VolumeData::I64(zeros(n)?),
        Ty::U64 => VolumeData::U64(zeros(n)?),
        Ty::F32 => VolumeData::F32(zeros(n)?),
        Ty::F64 => VolumeData::F64(zeros(n)?),
    })
}

/// Opens a data file, which must be a regular file (a device such as `/dev/zero` or a FIFO has
/// no size to check the header against and may never end).
fn open_regular(file: &Path) -> anyhow::Result<(std::fs::File, u64)> {
    let fp = file.display();
    let f = std::fs::File::open(file).with_context(|| format!("cannot read {fp}"))?;
    let m = f.metadata().with_context(|| format!("cannot read {fp}"))?;
    if !m.is_file() {
        bail!("{fp}: the data file is not a regular file");
    }
    Ok((f, m.len()))
}

fn bytes_mut(d: &mut VolumeData) -> &mut [u8] {
    match d {
        VolumeData::I8(v) => bytemuck::cast_slice_mut(v),
        VolumeData::U8(v) => v,
        VolumeData::I16(v) => bytemuck::cast_slice_mut(v),
        VolumeData::U16(v) => bytemuck::cast_slice_mut(v),
        VolumeData::I32(v) => bytemuck::cast_slice_mut(v),
        VolumeData::U32(v) => bytemuck::cast_slice_mut(v),
        VolumeData::I64(v) => bytemuck::cast_slice_mut(v),
        VolumeData::U64(v) => bytemuck::cast_slice_mut(v),
        VolumeData::F32(v) => bytemuck::cast_slice_mut(v),
        VolumeData::F64(v) => bytemuck::cast_slice_mut(v),
    }
}

/// Opens the data file and checks that it can hold the `need` bytes of voxels the header claims
/// (raw: the file's size; gzip: 1032 times the compressed size, deflate's largest expansion),
/// before anything of that size is allocated.
fn check_claim(
    file: &Path,
    off: usize,
    enc: Encoding,
    byte_skip: u64,
    need: usize,
) -> anyhow::Result<std::fs::File> {
    const GZIP_MAX_RATIO: u64 = 1032;
    let fp = file.display();
    let (f, len) = open_regular(file)?;
    let start = off as u64 + byte_skip;
    if enc == Encoding::Raw && (len < start || len - start < need as u64) {
        bail!(
            "{fp}: the header's sizes need {need} bytes of voxel data after byte {start}, the file has {len} bytes"
        );
    }
    let compressed = len.saturating_sub(off as u64);
    if enc == Encoding::Gzip
        && (need as u64).saturating_add(byte_skip)
            > compressed.saturating_mul(GZIP_MAX_RATIO) + 1024
    {
        bail!(
            "{fp}: the header's sizes need {need} bytes of voxel data, more than {compressed} bytes of gzip data can hold"
        );
    }
    Ok(f)
}

/// Reads `n` voxels of type `ty` from `file` (data starting at byte `off`; `byte_skip` bytes
/// skipped after decompression) directly into a typed buffer, then fixes the byte order.
fn stream_binary(
    file: &Path,
    off: usize,
    enc: Encoding,
    byte_skip: u64,
    ty: Ty,
    n: usize,
    little: bool,
) -> anyhow::Result<VolumeData> {
    let fp = file.display();
    let need = n * ty.size();
    let mut f = check_claim(file, off, enc, byte_skip, need)?;
    let mut data = typed_zeros(ty, n).with_context(|| format!("{fp}"))?;
    let short = |e: std::io::Error| {
        anyhow!("{fp}: expected {need} bytes of voxel data after skipping {byte_skip}: {e}")
    };
    match enc {
        Encoding::Raw => {
            f.seek(std::io::SeekFrom::Start(off as u64 + byte_skip))
                .with_context(|| format!("cannot read {fp}"))?;
            f.read_exact(bytes_mut(&mut data)).map_err(short)?;
        }
        _ => {
            f.seek(std::io::SeekFrom::Start(off as u64))
                .with_context(|| format!("cannot read {fp}"))?;
            let buf = std::io::BufReader::with_capacity(1 << 16, f);
            let mut r: Box<dyn Read> = if enc == Encoding::Gzip {
                Box::new(flate2::read::MultiGzDecoder::new(buf))
            } else {
                Box::new(bzip2::read::MultiBzDecoder::new(buf))
            };
            let what = if enc == Encoding::Gzip {
                "gzip"
            } else {
                "bzip2"
            };
            let skipped = std::io::copy(&mut r.by_ref().take(byte_skip), &mut std::io::sink())
                .with_context(|| format!("{fp}: {what} data cannot be decompressed"))?;
            if skipped != byte_skip {
                bail!("{fp}: decompressed data is shorter than the byte skip {byte_skip}");
            }
            r.read_exact(bytes_mut(&mut data)).map_err(short)?;
            // as pynrrd: the decompressed data must hold exactly the voxels
            let mut extra = [0u8; 1];
            if r.read(&mut extra)
                .with_context(|| format!("{fp}: {what} data cannot be decompressed"))?
                != 0
            {
                bail!("{fp}: decompressed data has more than the {need} bytes of voxels after a byte skip of {byte_skip}");
            }
        }
    }
    if little != cfg!(target_endian = "little") {
        swap_bytes(&mut data);
    }
    Ok(data)
}

fn swap_bytes(d: &mut VolumeData) {
    match d {
        VolumeData::I8(_) | VolumeData::U8(_) => {}
        VolumeData::I16(v) => v.iter_mut().for_each(|x| *x = x.swap_bytes()),
        VolumeData::U16(v) => v.iter_mut().for_each(|x| *x = x.swap_bytes()),
        VolumeData::I32(v) => v.iter_mut().for_each(|x| *x = x.swap_bytes()),
        VolumeData::U32(v) => v.iter_mut().for_each(|x| *x = x.swap_bytes()),
        VolumeData::I64(v) => v.iter_mut().for_each(|x| *x = x.swap_bytes()),
        VolumeData::U64(v) => v.iter_mut().for_each(|x| *x = x.swap_bytes()),
        VolumeData::F32(v) => v
            .iter_mut()
            .for_each(|x| *x = f32::from_bits(x.to_bits().swap_bytes())),
        VolumeData::F64(v) => v
            .iter_mut()
            .for_each(|x| *x = f64::from_bits(x.to_bits().swap_bytes())),
    }
}

fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    let (mut f, len) = open_regular(path)?;
    let mut v = Vec::new();
    v.try_reserve_exact(usize::try_from(len).unwrap_or(usize::MAX))
        .map_err(|_| anyhow!("{}: cannot allocate {len} bytes to read it", path.display()))?;
    f.read_to_end(&mut v)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(v)
}

/// Skips `n` lines (up to and including the n-th '\n').
fn skip_lines(bytes: &[u8], n: usize, path: &Path) -> anyhow::Result<usize> {
    let mut pos = 0usize;
    for i in 0..n {
        match bytes[pos..].iter().position(|&b| b == b'\n') {
            Some(e) => pos += e + 1,
            None => bail!(
                "{}: line skip {n} but the data file has only {i} lines",
                path.display()
            ),
        }
    }
    Ok(pos)
}

fn decompress(enc: Encoding, bytes: &[u8], path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    match enc {
        Encoding::Gzip => {
            flate2::read::MultiGzDecoder::new(bytes)
                .read_to_end(&mut out)
                .with_context(|| format!("{}: gzip data cannot be decompressed", path.display()))?;
        }
        Encoding::Bzip2 => {
            bzip2::read::MultiBzDecoder::new(bytes)
                .read_to_end(&mut out)
                .with_context(|| {
                    format!("{}: bzip2 data cannot be decompressed", path.display())
                })?;
        }
        _ => out.extend_from_slice(bytes),
    }
    Ok(out)
}

/// Applies `byte skip` to `data` that must hold `need` bytes (binary encodings).
fn apply_byte_skip<'a>(
    data: &'a [u8],
    skip: i64,
    need: usize,
    path: &Path,
) -> anyhow::Result<&'a [u8]> {
    let start = if skip == -1 {
        data.len().checked_sub(need).ok_or_else(|| {
            anyhow!(
                "{}: expected {need} bytes of data, found {}",
                path.display(),
                data.len()
            )
        })?
    } else if skip >= 0 {
        skip as usize
    } else {
        bail!(
            "{}: byte skip must be -1 or >= 0, found {skip}",
            path.display()
        );
    };
    let end = start.saturating_add(need);
    if end > data.len() {
        bail!(
            "{}: expected {need} bytes of voxel data after skipping {start}, found {}",
            path.display(),
            data.len().saturating_sub(start)
        );
    }
    Ok(&data[start..end])
}

fn decode_binary(ty: Ty, little: bool, b: &[u8]) -> VolumeData {
    macro_rules! conv {
        ($t:ty, $n:expr, $var:ident) => {
            VolumeData::$var(
                b.chunks_exact($n)
                    .map(|c| {
                        let mut a = [0u8; $n];
                        a.copy_from_slice(c);
                        if little {
                            <$t>::from_le_bytes(a)
                        } else {
                            <$t>::from_be_bytes(a)
                        }
                    })
                    .collect(),
            )
        };
    }
    match ty {
        Ty::I8 => VolumeData::I8(b.iter().map(|&x| x as i8).collect()),
        Ty::U8 => VolumeData::U8(b.to_vec()),
        Ty::I16 => conv!(i16, 2, I16),
        Ty::U16 => conv!(u16, 2, U16),
        Ty::I32 => conv!(i32, 4, I32),
        Ty::U32 => conv!(u32, 4, U32),
        Ty::I64 => conv!(i64, 8, I64),
        Ty::U64 => conv!(u64, 8, U64),
        Ty::F32 => conv!(f32, 4, F32),
        Ty::F64 => conv!(f64, 8, F64),
    }
}

fn decode_ascii(ty: Ty, text: &[u8], n: usize, path: &Path) -> anyhow::Result<VolumeData> {
    let text = String::from_utf8_lossy(text);
    let mut toks = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty());
    macro_rules! take {
        ($t:ty, $var:ident) => {{
            let mut v: Vec<$t> = Vec::with_capacity(n.min(text.len() / 2 + 1)); // a hint: values and separators take about 2 bytes or more
            for i in 0..n {
                let t = toks.next().ok_or_else(|| {
                    anyhow!("{}: expected {n} ASCII values, found {i}", path.display())
                })?;
                let x = t.parse::<$t>().or_else(|_| {
                    // integers written as floats (e.g. "3.0") are accepted when exact
                    t.parse::<f64>()
                        .ok()
                        .filter(|f| f.fract() == 0.0)
                        .and_then(|f| format!("{}", f as i128).parse::<$t>().ok())
                        .ok_or_else(|| {
                            anyhow!(
                                "{}: ASCII value {i} is {t:?}, expected a {}",
                                path.display(),
                                stringify!($t)
                            )
                        })
                })?;
                v.push(x);
            }
            VolumeData::$var(v)
        }};
    }
    Ok(match ty {
        Ty::I8 => take!(i8, I8),
        Ty::U8 => take!(u8, U8),
        Ty::I16 => take!(i16, I16),
        Ty::U16 => take!(u16, U16),
        Ty::I32 => take!(i32, I32),
        Ty::U32 => take!(u32, U32),
        Ty::I64 => take!(i64, I64),
        Ty::U64 => take!(u64, U64),
        Ty::F32 => take!(f32, F32),
        Ty::F64 => take!(f64, F64),
    })
}

fn decode_hex(text: &[u8], need: usize, path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(need.min(text.len() / 2)); // two hex digits a byte
    let mut hi: Option<u8> = None;
    for &c in text {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            c if c.is_ascii_whitespace() => continue,
            c => bail!(
                "{}: hex data contains {:?}, expected hex digits",
                path.display(),
                c as char
            ),
        };
        match hi.take() {
            None => hi = Some(d),
            Some(h) => {
                out.push(h << 4 | d);
                if out.len() == need {
                    break;
                }
            }
        }
    }
    if out.len() < need {
        bail!(
            "{}: expected {need} bytes of hex data, found {}",
            path.display(),
            out.len()
        );
    }
    Ok(out)
}

/// Reads an NRRD file (`.nrrd` with attached data or `.nhdr` with detached data).
pub fn read(path: &Path) -> anyhow::Result<Volume> {
    match read_impl(path, false)? {
        Loaded::Volume(v) => Ok(v),
        Loaded::Mask(_) => bail!("{}: internal error: mask read as image", path.display()),
    }
}

/// Reads a label mask straight into a [`MaskBox`]: with one raw/gzip/bzip2 data file the voxels
/// are streamed slice by slice and only the non-zero box is kept, so a whole-image mask buffer
/// never exists; other layouts are read whole and cropped.
pub fn read_mask(path: &Path) -> anyhow::Result<MaskBox> {
    match read_impl(path, true)? {
        Loaded::Volume(v) => MaskBox::from_mask(v),
        Loaded::Mask(m) => Ok(m),
    }
}

enum Loaded {
    Volume(Volume),
    Mask(MaskBox),
}

fn read_impl(path: &Path, as_mask: bool) -> anyhow::Result<Loaded> {
    let bytes = read_header_bytes(path)?;
    let h = parse_header(&bytes, path)?;
    let p = path.display();
    let need_field = |k: &str| {
        h.get(k)
            .ok_or_else(|| anyhow!("{p}: header has no \"{k}\" field"))
    };

    let ty_s = need_field("type")?;
    let ty = Ty::parse(ty_s).ok_or_else(|| {
        anyhow!("{p}: type {ty_s:?} is not supported (expected a scalar integer or float type)")
    })?;
    let ndim: usize = need_field("dimension")?
        .parse()
        .map_err(|_| anyhow!("{p}: dimension is not an integer"))?;
    let sizes = super::parse_usizes(need_field("sizes")?, "sizes")?;
    if sizes.len() != ndim || ndim == 0 {
        bail!(
            "{p}: dimension is {ndim} but sizes lists {} values",
            sizes.len()
        );
    }
    let enc_s = need_field("encoding")?.to_ascii_lowercase();
    let enc = match enc_s.as_str() {
        "raw" => Encoding::Raw,
        "gzip" | "gz" => Encoding::Gzip,
        "bzip2" | "bz2" => Encoding::Bzip2,
        "ascii" | "text" | "txt" => Encoding::Ascii,
        "hex" => Encoding::Hex,
        other => bail!(
            "{p}: encoding {other:?} is not supported (expected raw, gzip, bzip2, ascii, hex)"
        ),
    };
    let little = match h.get("endian") {
        Some("little") | None => true,
        Some("big") => false,
        Some(e) => bail!("{p}: endian {e:?}, expected little or big"),
    };
    if h.get("endian").is_none()
        && ty.size() > 1
        && matches!(
            enc,
            Encoding::Raw | Encoding::Gzip | Encoding::Bzip2 | Encoding::Hex
        )
    {
        bail!("{p}: type {ty_s} needs an \"endian\" field for encoding {enc_s}");
    }
    let line_skip: usize = match h.get("line skip").or(h.get("lineskip")) {
        Some(s) => s
            .parse()
            .map_err(|_| anyhow!("{p}: line skip must be an integer >= 0, found {s:?}"))?,
        None => 0,
    };
    let byte_skip: i64 = match h.get("byte skip").or(h.get("byteskip")) {
        Some(s) => s
            .parse()
            .map_err(|_| anyhow!("{p}: byte skip must be an integer, found {s:?}"))?,
        None => 0,
    };
    if byte_skip < -1 {
        bail!("{p}: byte skip must be -1 or >= 0, found {byte_skip}");
    }

    // ---- geometry ----
    let space = h.get("space").map(|s| s.to_ascii_lowercase());
    let flip: [f64; 3] = match space.as_deref() {
        Some("right-anterior-superior")
        | Some("ras")
        | Some("right-anterior-superior-time")
        | Some("ras-time") => [-1.0, -1.0, 1.0],
        Some("left-anterior-superior")
        | Some("las")
        | Some("left-anterior-superior-time")
        | Some("las-time") => [-1.0, 1.0, 1.0],
        _ => [1.0, 1.0, 1.0],
    };
    let directions = match h.get("space directions") {
        Some(s) => Some(parse_vectors(s, "space directions")?),
        None => None,
    };
    if let Some(d) = &directions {
        if d.len() != ndim {
            bail!(
                "{p}: space directions lists {} entries, expected {ndim}",
                d.len()
            );
        }
    }
    let kinds: Vec<String> = h
        .get("kinds")
        .map(|k| {
            k.split_whitespace()
                .map(|s| s.to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let spacings: Option<Vec<f64>> = h.get("spacings").map(|s| {
        s.split_whitespace()
            .map(|t| t.parse::<f64>().unwrap_or(f64::NAN))
            .collect()
    });
    let mut spatial = Vec::new(); // (axis, size, spacing, unit direction)
    for (axis, &size) in sizes.iter().enumerate() {
        let is_spatial = match &directions {
            Some(d) => d[axis].is_some(),
            None => kinds
                .get(axis)
                .map(|k| matches!(k.as_str(), "domain" | "space" | "time" | "???" | "none"))
                .unwrap_or(true),
        };
        if !is_spatial {
            if size != 1 {
                bail!(
                    "{p}: axis {axis} is not spatial and has size {size}; expected a scalar volume"
                );
            }
            continue;
        }
        let (sp, dir) = match directions.as_ref().and_then(|d| d[axis].clone()) {
            Some(v) => {
                let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
                if !(norm.is_finite() && norm > 0.0) {
                    bail!("{p}: space direction of axis {axis} has zero or invalid length");
                }
                let mut u = [0.0; 3];
                for (k, x) in v.iter().take(3).enumerate() {
                    u[k] = x / norm * flip[k];
                }
                (norm, Some(u))
            }
            None => {
                let s = spacings
                    .as_ref()
                    .and_then(|s| s.get(axis).copied())
                    .filter(|s| s.is_finite() && *s != 0.0)
                    .map(f64::abs)
                    .unwrap_or(1.0);
                (s, None)
            }
        };
        spatial.push((axis, size, sp, dir));
    }
    // drop singleton spatial axes beyond three (e.g. a 4-D file with a size-1 time axis)
    while spatial.len() > 3 {
        match spatial.iter().rposition(|a| a.1 == 1) {
            Some(i) => {
                spatial.remove(i);
            }
            None => bail!(
                "{p}: {} spatial axes of size > 1; expected at most 3",
                spatial.len()
            ),
        }
    }
    let mut dims = [1usize; 3];
    let mut spacing = [1.0f64; 3];
    let mut direction = IDENTITY;
    for (k, (_, size, sp, dir)) in spatial.iter().enumerate() {
        dims[k] = *size;
        spacing[k] = *sp;
        if let Some(u) = dir {
            direction[k] = *u;
        }
    }
    let mut origin = [0.0f64; 3];
    if let Some(o) = h.get("space origin") {
        let v = parse_vectors(o, "space origin")?;
        match v.first() {
            Some(Some(v)) => {
                for (k, x) in v.iter().take(3).enumerate() {
                    origin[k] = x * flip[k];
                }
            }
            _ => bail!("{p}: space origin must be \"(x,y,z)\", found {o:?}"),
        }
    }

    // ---- data ----
    let n: usize = sizes
        .iter()
        .try_fold(1usize, |a, &b| a.checked_mul(b))
        .ok_or_else(|| anyhow!("{p}: sizes overflow"))?;
    let need = n
        .checked_mul(ty.size())
        .ok_or_else(|| anyhow!("{p}: data size overflows"))?;
    let max = super::max_voxels();
    if n > max {
        bail!(
            "{p}: the header's sizes {sizes:?} make {n} voxels, more than the limit of {max} \
             (set RADSCORE_MAX_VOXELS to raise it)"
        );
    }
    // Common case (one data file, raw/gzip/bzip2, no line skip): stream the voxels straight
    // into their typed buffer, so reading costs the volume's size and nothing more.
    if matches!(enc, Encoding::Raw | Encoding::Gzip | Encoding::Bzip2)
        && line_skip == 0
        && byte_skip >= 0
    {
        let single = match h.get("data file").or(h.get("datafile")) {
            None => h.data_offset.map(|off| (path.to_path_buf(), off)),
            Some(spec) if spec.split_whitespace().next() != Some("LIST") && !spec.contains('%') => {
                let q = Path::new(spec);
                let dir = path.parent().unwrap_or(Path::new("."));
                Some((
                    if q.is_absolute() {
                        q.to_path_buf()
                    } else {
                        dir.join(q)
                    },
                    0,
                ))
            }
            Some(_) => None,
        };
        if let Some((file, off)) = single {
            if as_mask && sizes.len() == 3 {
                let grid = Grid {
                    dims,
                    spacing,
                    origin,
                    direction,
                };
                let f = check_claim(&file, off, enc, byte_skip as u64, need)?;
                let mut r = open_data(&file, f, off, enc, byte_skip as u64)?;
                return Ok(Loaded::Mask(stream_mask_box(
                    &mut r, &file, grid, ty, little,
                )?));
            }
            let data = stream_binary(&file, off, enc, byte_skip as u64, ty, n, little)?;
            return Ok(Loaded::Volume(Volume {
                dims,
                spacing,
                origin,
                direction,
                data,
            }));
        }
    }
    let parts: Vec<(PathBuf, Vec<u8>)> = match h.get("data file").or(h.get("datafile")) {
        None => {
            let off = h.data_offset.ok_or_else(|| {
                anyhow!("{p}: no data: the header has no blank line and no \"data file\" field")
            })?;
            let mut all = read_file(path)?;
            all.drain(..off.min(all.len()));
            vec![(path.to_path_buf(), all)]
        }
        Some(spec) => {
            let dir = path.parent().unwrap_or(Path::new("."));
            let resolve = |name: &str| {
                let q = Path::new(name);
                if q.is_absolute() {
                    q.to_path_buf()
                } else {
                    dir.join(q)
                }
            };
            let names: Vec<PathBuf> = if spec.split_whitespace().next() == Some("LIST") {
                h.list_files.iter().map(|f| resolve(f)).collect()
            } else if spec.contains('%') {
                let t: Vec<&str> = spec.split_whitespace().collect();
                if t.len() < 4 {
                    bail!("{p}: data file {spec:?}: expected \"<format> <min> <max> <step>\"");
                }
                let num = |s: &str| {
                    s.parse::<i64>()
                        .map_err(|_| anyhow!("{p}: data file {spec:?}: {s:?} is not an integer"))
                };
                let (lo, hi, step) = (num(t[1])?, num(t[2])?, num(t[3])?);
                let (lo, hi, step) = (i128::from(lo), i128::from(hi), i128::from(step));
                if step == 0 || (hi - lo).signum() * step.signum() < 0 {
                    bail!("{p}: data file {spec:?}: bad range");
                }
                // As many files as slices: the sizes of the axes beyond the optional <subdim>
                // (default: the slowest axis), checked before any name is made.
                let subdim = match t.get(4) {
                    Some(s) => s
                        .parse::<usize>()
                        .ok()
                        .filter(|&d| d >= 1 && d <= sizes.len())
                        .ok_or_else(|| {
                            anyhow!(
                                "{p}: data file {spec:?}: subdim {s:?} is not 1 to {}",
                                sizes.len()
                            )
                        })?,
                    None => sizes.len().saturating_sub(1).max(1),
                };
                let slices: usize = sizes[subdim.min(sizes.len())..].iter().product();
                let count = (hi - lo) / step + 1;
                if count != slices as i128 {
                    bail!(
                        "{p}: data file {spec:?} names {count} files, the sizes {sizes:?} need {slices} \
                         (one per slice beyond axis {subdim})"
                    );
                }
                (0..count)
                    .map(|k| {
                        let i = lo + k * step; // within [lo, hi]: fits in i64
                        format_printf(t[0], i as i64).map(|name| resolve(&name))
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?
            } else {
                vec![resolve(spec)]
            };
            if names.is_empty() {
                bail!("{p}: data file list is empty");
            }
            names
                .into_iter()
                .map(|f| read_file(&f).map(|b| (f, b)))
                .collect::<anyhow::Result<_>>()?
        }
    };
    let per_file = need / parts.len();
    let n_per_file = n / parts.len();
    if per_file * parts.len() != need {
        bail!(
            "{p}: {} data files do not divide {n} voxels evenly",
            parts.len()
        );
    }
    let mut binary: Vec<u8> =
        Vec::with_capacity(need.min(parts.iter().map(|(_, b)| b.len()).sum::<usize>()));
    let mut ascii_parts: Vec<VolumeData> = Vec::new();
    for (f, b) in &parts {
        let start = skip_lines(b, line_skip, f)?;
        let b = &b[start..];
        match enc {
            Encoding::Raw => binary.extend_from_slice(apply_byte_skip(b, byte_skip, per_file, f)?),
            Encoding::Gzip | Encoding::Bzip2 => {
                let d = decompress(enc, b, f)?;
                // as pynrrd: with a byte skip >= 0 the decompressed data must hold exactly the
                // voxels (a detached .nii.gz read without its header skip is an error)
                if byte_skip >= 0 && d.len() != per_file + byte_skip as usize {
                    bail!(
                        "{}: decompressed data has {} bytes, expected {} ({per_file} of voxels after a byte skip of {byte_skip})",
                        f.display(),
                        d.len(),
                        per_file + byte_skip as usize
                    );
                }
                binary.extend_from_slice(apply_byte_skip(&d, byte_skip, per_file, f)?);
            }
            Encoding::Hex => {
                let s = usize::try_from(byte_skip.max(0)).unwrap_or(0).min(b.len());
                binary.extend(decode_hex(&b[s..], per_file, f)?);
            }
            Encoding::Ascii => {
                let s = usize::try_from(byte_skip.max(0)).unwrap_or(0).min(b.len());
                ascii_parts.push(decode_ascii(ty, &b[s..], n_per_file, f)?);
            }
        }
    }
    let data = if enc == Encoding::Ascii {
        concat_data(ascii_parts)
    } else {
        decode_binary(ty, little, &binary)
    };
    Ok(Loaded::Volume(Volume {
        dims,
        spacing,
        origin,
        direction,
        data,
    }))
}

/// The voxel stream of data file `file`, opened as `f` (by [`check_claim`]): positioned at
/// `off`, decompressed, `byte_skip` skipped.
fn open_data(
    file: &Path,
    mut f: std::fs::File,
    off: usize,
    enc: Encoding,
    byte_skip: u64,
) -> anyhow::Result<Box<dyn Read>> {
    let fp = file.display();
    f.seek(std::io::SeekFrom::Start(off as u64))
        .with_context(|| format!("cannot read {fp}"))?;
    let buf = std::io::BufReader::with_capacity(1 << 16, f);
    let mut r: Box<dyn Read> = match enc {
        Encoding::Gzip => Box::new(flate2::read::MultiGzDecoder::new(buf)),
        Encoding::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(buf)),
        _ => Box::new(buf),
    };
    let skipped = std::io::copy(&mut r.by_ref().take(byte_skip), &mut std::io::sink())
        .with_context(|| format!("{fp}: data cannot be decompressed"))?;
    if skipped != byte_skip {
        bail!("{fp}: the data is shorter than the byte skip {byte_skip}");
    }
    Ok(r)
}

/// Reads a 3-D mask row by row, keeping the non-zero span of each row, and assembles the
/// [`MaskBox`]. Values must be whole numbers from 0 to 2^32 − 1 ([`super::mask_label`], as
/// [`Volume::into_mask`]).
/// Row by row (not slice by slice) so that reading a large mask needs no plane-sized buffers: a
/// 256×256 int32 plane is 256 KiB, and glibc keeps such freed blocks resident in its heap.
fn stream_mask_box(
    r: &mut dyn Read,
    file: &Path,
    grid: Grid,
    ty: Ty,
    little: bool,
) -> anyhow::Result<MaskBox> {
    let [nx, ny, nz] = grid.dims;
    let mut buf = vec![0u8; nx * ty.size()];
    // Non-zero span of each non-empty row: (z, y, x0, len); the values of all spans one after the
    // other in `vals` (one growing buffer instead of a small allocation per row).
    let mut spans: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut vals: Vec<u32> = Vec::new();
    let mut max = 0u32;
    for z in 0..nz {
        for y in 0..ny {
            r.read_exact(&mut buf).map_err(|e| {
                anyhow!(
                    "{}: expected {} bytes of voxel data: {e}",
                    file.display(),
                    nx * ny * nz * ty.size()
                )
            })?;
            // Most rows of a lesion mask are empty: all-zero bytes are zero in every type (an OR
            // over the bytes, which vectorises, instead of an early-exit scan byte by byte).
            if buf.iter().fold(0u8, |acc, &b| acc | b) == 0 {
                continue;
            }
            let row = decode_binary(ty, little, &buf);
            let (mut x0, mut x1) = (usize::MAX, 0);
            for (x, v) in row.iter_f64().enumerate() {
                if v != 0.0 {
                    super::mask_label(x + nx * (y + ny * z), v)?;
                    x0 = x0.min(x);
                    x1 = x1.max(x + 1);
                }
            }
            if x0 == usize::MAX {
                continue;
            }
            let start = vals.len();
            vals.extend((x0..x1).map(|x| row.get_f64(x).unwrap_or(0.0) as u32));
            max = vals[start..].iter().copied().fold(max, u32::max);
            spans.push((z, y, x0, x1 - x0));
        }
    }
    drop(buf);
    if spans.is_empty() {
        return Ok(MaskBox {
            grid,
            lo: [0; 3],
            size: [1; 3],
            data: VolumeData::U8(vec![0]),
        });
    }
    let lo = [
        spans.iter().map(|s| s.2).min().unwrap_or(0),
        spans.iter().map(|s| s.1).min().unwrap_or(0),
        spans.first().map_or(0, |s| s.0),
    ];
    let hi = [
        spans.iter().map(|s| s.2 + s.3).max().unwrap_or(1),
        spans.iter().map(|s| s.1 + 1).max().unwrap_or(1),
        spans.last().map_or(1, |s| s.0 + 1),
    ];
    let size = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
    // The box in the narrowest type that holds every label, written directly (no u32 box first).
    fn fill<T: Copy + Default>(
        spans: &[(usize, usize, usize, usize)],
        vals: &[u32],
        lo: [usize; 3],
        size: [usize; 3],
        cast: impl Fn(u32) -> T,
    ) -> Vec<T> {
        let mut boxed = vec![T::default(); size[0] * size[1] * size[2]];
        let mut v = 0;
        for &(z, y, x0, len) in spans {
            let k0 = (x0 - lo[0]) + size[0] * ((y - lo[1]) + size[1] * (z - lo[2]));
            if let (Some(out), Some(src)) = (boxed.get_mut(k0..k0 + len), vals.get(v..v + len)) {
                for (o, &s) in out.iter_mut().zip(src) {
                    *o = cast(s);
                }
            }
            v += len;
        }
        boxed
    }
    let data = if max <= u32::from(u8::MAX) {
        VolumeData::U8(fill(&spans, &vals, lo, size, |v| v as u8))
    } else if max <= u32::from(u16::MAX) {
        VolumeData::U16(fill(&spans, &vals, lo, size, |v| v as u16))
    } else {
        VolumeData::U32(fill(&spans, &vals, lo, size, |v| v))
    };
    Ok(MaskBox {
        grid,
        lo,
        size,
        data,
    })
}

fn concat_data(parts: Vec<VolumeData>) -> VolumeData {
    let mut it = parts.into_iter();
    let Some(mut first) = it.next() else {
        return VolumeData::U8(Vec::new());
    };
    for p in it {
        match (&mut first, p) {
            (VolumeData::I8(a), VolumeData::I8(b)) => a.extend(b),
            (VolumeData::U8(a), VolumeData::U8(b)) => a.extend(b),
            (VolumeData::I16(a), VolumeData::I16(b)) => a.extend(b),
            (VolumeData::U16(a), VolumeData::U16(b)) => a.extend(b),
            (VolumeData::I32(a), VolumeData::I32(b)) => a.extend(b),
            (VolumeData::U32(a), VolumeData::U32(b)) => a.extend(b),
            (VolumeData::I64(a), VolumeData::I64(b)) => a.extend(b),
            (VolumeData::U64(a), VolumeData::U64(b)) => a.extend(b),
            (VolumeData::F32(a), VolumeData::F32(b)) => a.extend(b),
            (VolumeData::F64(a), VolumeData::F64(b)) => a.extend(b),
            _ => {}
        }
    }
    first
}

/// Formats one `%d`-style conversion (`%d`, `%03d`, `%i`, `%u`) in `fmt` with `i`.
fn format_printf(fmt: &str, i: i64) -> anyhow::Result<String> {
    let start = fmt
        .find('%')
        .ok_or_else(|| anyhow!("data file format {fmt:?} has no %d"))?;
    let rest = &fmt[start + 1..];
    let conv = rest
        .find(['d', 'i', 'u'])
        .ok_or_else(|| anyhow!("data file format {fmt:?}: expected %d"))?;
    let spec = &rest[..conv];
    let width: usize = spec.trim_start_matches('0').parse().unwrap_or(0);
    let num = if spec.starts_with('0') {
        format!("{i:0width$}")
    } else {
        format!("{i:width$}")
    };
    Ok(format!("{}{}{}", &fmt[..start], num, &rest[conv + 1..]))
}

/// Shortest decimal that reads back as the same f64 (Rust's `Debug`, e.g. `0.7`, `1e-7`).
fn num(x: f64) -> String {
    format!("{x:?}")
}

/// Writes `v` as a gzip-compressed attached NRRD (LPS space, `space directions` = direction ×
/// spacing, `space origin`) to `w`. `radscore_cli::io::nrrd::write` writes it to a file
/// atomically.
pub fn write_to(w: &mut dyn Write, v: &Volume) -> anyhow::Result<()> {
    if v.data.len() != v.voxel_count() {
        bail!("{} voxels for sizes {:?}", v.data.len(), v.dims);
    }
    let mut header = String::from("NRRD0004\n# written by radscore\n");
    header += &format!("type: {}\n", v.data.type_name());
    header += "dimension: 3\nspace: left-posterior-superior\n";
    header += &format!("sizes: {} {} {}\n", v.dims[0], v.dims[1], v.dims[2]);
    let dirs: Vec<String> = (0..3)
        .map(|a| {
            let d = v.direction[a];
            format!(
                "({},{},{})",
                num(d[0] * v.spacing[a]),
                num(d[1] * v.spacing[a]),
                num(d[2] * v.spacing[a])
            )
        })
        .collect();
    header += &format!("space directions: {}\n", dirs.join(" "));
    header += "kinds: domain domain domain\n";
    if v.data.bytes_per_voxel() > 1 {
        header += "endian: little\n";
    }
    header += "encoding: gzip\n";
    header += &format!(
        "space origin: ({},{},{})\n\n",
        num(v.origin[0]),
        num(v.origin[1]),
        num(v.origin[2])
    );
    w.write_all(header.as_bytes())?;
    let mut gz = flate2::write::GzEncoder::new(&mut *w, flate2::Compression::new(6));
    gz.write_all(&v.data.to_le_bytes())?;
    gz.finish()?;
    Ok(())
}
