//! CRC-32 (IEEE 802.3 / zlib / PNG): reflected polynomial `0xEDB88320`, initial value and final
//! XOR `0xFFFFFFFF`. The check value of `b"123456789"` is `0xCBF43926`.
//!
//! The 256-entry table is computed at compile time into a `static`, so it lives in flash on a
//! microcontroller instead of being rebuilt in RAM.

const POLY: u32 = 0xEDB8_8320;

const fn make_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { POLY ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

static TABLE: [u32; 256] = make_table();

/// CRC-32 of `bytes` (see the module doc for the parameters).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        // The index is masked to 0..=255, so it is always in range.
        let idx = ((c ^ u32::from(b)) & 0xFF) as usize;
        c = TABLE[idx] ^ (c >> 8);
    }
    c ^ 0xFFFF_FFFF
}

#[cfg(test)]
mod tests {
    use super::crc32;

    #[test]
    fn check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}
