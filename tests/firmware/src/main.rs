//! Bare-metal proof on an emulated Cortex-M4F (QEMU `mps2-an386`): the real radscore core decodes
//! the embedded model artifact, extracts the model's features from the embedded volume and mask
//! with a static scratch buffer, scores the nomogram and rejects corrupted copies of the artifact.
//! Every value goes to the host over semihosting with its bit pattern; `scripts/qemu-check.sh`
//! compares them with the host build of the same code (`check.rs`). Exit status: 0 iff all passed.
//!
//! Build-time inputs (`build.rs`): `FW_FIXTURE_DIR` (the fixture the host tool writes) and the
//! optional repeat counts `FW_BENCH_DECODE`, `FW_BENCH_SCORE`, `FW_BENCH_EXTRACT` used to measure
//! the cost per call by instruction counting (difference between two builds).
//!
//! Feature `scoring-only`: no extraction code at all; the features come from the fixture (as the
//! host computed them) and only decode + score + corruption checks run. Used for the flash figure
//! of the scoring path.
#![no_std]
#![no_main]

use core::fmt::{self, Write};
use core::panic::PanicInfo;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hio};
use radscore_core::model::Model;

#[cfg_attr(feature = "scoring-only", allow(dead_code))]
mod check;

/// Decimal values, names and messages in the output (`check.rs`); off in the scoring-only build
/// so that its flash figure is the scoring path's, not `core::fmt`'s float printing.
const TEXT: bool = !cfg!(feature = "scoring-only");

#[allow(dead_code)]
mod fixture {
    include!(concat!(env!("OUT_DIR"), "/fixture.rs"));
}

use check::Fixture;

/// Line-buffered semihosting stdout (one host call per line instead of per fragment).
struct Out {
    host: Option<hio::HostStream>,
    buf: [u8; 192],
    len: usize,
}

impl Out {
    fn new() -> Self {
        Out {
            host: hio::hstdout().ok(),
            buf: [0; 192],
            len: 0,
        }
    }

    fn flush(&mut self) {
        if let (Some(h), Some(b)) = (self.host.as_mut(), self.buf.get(..self.len)) {
            let _ = h.write_all(b);
        }
        self.len = 0;
    }
}

impl Write for Out {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &c in s.as_bytes() {
            if self.len == self.buf.len() {
                self.flush();
            }
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = c;
                self.len += 1;
            }
            if c == b'\n' {
                self.flush();
            }
        }
        Ok(())
    }
}

// ---- stack high-water: paint below main's frame, count untouched words afterwards ----

/// Painted bytes below the top of the stack (the measurement is valid up to this size).
const PAINT_BYTES: usize = 128 * 1024;
const PAINT: u32 = 0xC0DE_5AFE;

extern "C" {
    /// Initial stack pointer (top of RAM), defined by cortex-m-rt's `link.x`.
    static _stack_start: u32;
}

fn stack_top() -> usize {
    // Only the address of the linker symbol is taken, never its value.
    core::ptr::addr_of!(_stack_start) as usize
}

/// Paints `[top - PAINT_BYTES, sp - 256)`; the 256-byte gap protects this function's own frame.
#[inline(never)]
fn paint_stack() {
    let sp = cortex_m::register::msp::read() as usize;
    let mut p = stack_top() - PAINT_BYTES;
    while p < sp - 256 {
        // SAFETY: RAM below the live stack, 4-byte aligned, not used by anything yet.
        unsafe { core::ptr::write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
}

/// Bytes between the top of the stack and the lowest word that no longer holds the paint.
fn stack_high_water() -> usize {
    let top = stack_top();
    let mut p = top - PAINT_BYTES;
    // SAFETY: reads of the painted region, 4-byte aligned.
    while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    top - p
}

// ---- the check ----

fn fixture_view() -> Fixture<'static> {
    Fixture {
        image: &fixture::IMAGE,
        mask: &fixture::MASK,
        dims: fixture::DIMS,
        spacing: fixture::SPACING,
        clinical: &fixture::CLINICAL,
        model: &fixture::MODEL,
    }
}

fn put_info(out: &mut Out, what: &str, bytes: usize) {
    let _ = out.write_str(what);
    let _ = check::put_u32(out, u32::try_from(bytes).unwrap_or(u32::MAX));
    let _ = out.write_str(" bytes\n");
}

#[entry]
fn main() -> ! {
    static mut SCRATCH: [f64; fixture::SCRATCH_LEN] = [0.0; fixture::SCRATCH_LEN];
    static mut ARTIFACT: [u8; fixture::MODEL_LEN + 1] = [0; fixture::MODEL_LEN + 1];
    // The model lives in static storage and is decoded into it in place (`Model::decode_from`).
    static mut MODEL: Model = Model::empty();

    let mut out = Out::new();
    // Stack of the decoder alone (decoding in place into the static model), then paint again for
    // the run.
    paint_stack();
    let decoded = check::decode(&fixture_view(), MODEL).is_ok();
    let hw_decode = stack_high_water();
    paint_stack();
    let _ = out.write_str(if TEXT {
        "# radscore firmware on Cortex-M (extraction + scoring); every sequence's features are computed on the one bundled volume\n"
    } else {
        "# radscore firmware on Cortex-M (scoring only; features from the host)\n"
    });
    let fx = fixture_view();
    let repeat = check::Repeat {
        decode: fixture::BENCH_DECODE,
        score: fixture::BENCH_SCORE,
        extract: fixture::BENCH_EXTRACT,
    };
    // Stack of the extraction: painted again below the caller's frames, so the mark includes
    // main, run and the decoded model they hold.
    #[cfg_attr(feature = "scoring-only", allow(unused_mut))]
    let mut hw_extract = 0usize;
    #[cfg(not(feature = "scoring-only"))]
    let mut features = |out: &mut dyn Write, model: &Model, values: &mut [f64]| {
        paint_stack();
        let r = check::extract_step(out, &fx, model, SCRATCH, values, repeat.extract);
        hw_extract = stack_high_water();
        r
    };
    // No extraction code is linked: the features are the host's values (fixture.txt).
    #[cfg(feature = "scoring-only")]
    let mut features = |_: &mut dyn Write, _: &Model, values: &mut [f64]| {
        let _ = &SCRATCH;
        for (v, f) in values.iter_mut().zip(fixture::FEATURES.iter()) {
            *v = *f;
        }
        Ok::<(), check::Failure>(())
    };
    let r = check::run(&mut out, &fx, MODEL, ARTIFACT, repeat, &mut features);
    let _ = check::print_result(&mut out, &r);
    // The extraction step paints again below its callers, so the run's own mark may miss the
    // decoder's deeper peak: the high-water mark is the maximum of the three measurements.
    let hw = stack_high_water().max(hw_decode).max(hw_extract);
    if hw >= PAINT_BYTES {
        let _ =
            out.write_str("# stack paint exhausted: the high-water mark below is a lower bound\n");
    }
    put_info(&mut out, "# stack high-water = ", hw);
    if decoded {
        put_info(
            &mut out,
            "# stack high-water of Model::decode alone = ",
            hw_decode,
        );
    }
    if hw_extract > 0 {
        put_info(
            &mut out,
            "# stack high-water of the extraction (with its callers) = ",
            hw_extract,
        );
    }
    put_info(
        &mut out,
        "# size_of::<Model>() = ",
        core::mem::size_of::<Model>(),
    );
    put_info(&mut out, "# static scratch = ", fixture::SCRATCH_LEN * 8);
    debug::exit(if r.is_ok() {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    #[allow(clippy::empty_loop)]
    loop {}
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    if let Ok(mut e) = hio::hstderr() {
        if TEXT {
            let _ = writeln!(e, "panic: {info}");
        } else {
            let _ = e.write_str("panic\n");
        }
    }
    debug::exit(debug::EXIT_FAILURE);
    #[allow(clippy::empty_loop)]
    loop {}
}
