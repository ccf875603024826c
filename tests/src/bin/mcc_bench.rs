//! GLCM MCC timing at many gray levels (issue 18 item 8 / the MCC speed note in `glcm.rs`).
//!
//! `cargo run --release -p radscore-tests --bin mcc_bench -- [--levels 256,1024,4096] [--features F]`
//!
//! For each G, a synthetic 3-D ROI (a cube of `8·G` voxels, values drawn with a fixed seed so that
//! all G gray levels of bin width 1 occur, neighbours correlated) is extracted through
//! `radscore_core::extract::extract_with` with `original_glcm_MCC` alone, then with
//! `original_glcm_JointEntropy` alone (same matrices, no eigenvalues): the difference is the MCC's
//! own cost (13 angles, one G' × G' eigenvalue problem each). Prints one line per G: wall time of
//! both runs and the scratch used. Single thread, one run each (no repetition: the point is the
//! order of magnitude and its growth with G).
//!
//! Measured 2026-12-06 (release, 2-core machine, one run each, the two builds back to back;
//! "general" is the non-symmetric solver alone — elimination to Hessenberg form + Francis QR,
//! `features/eigen.rs` — as at the parent of the symmetric fast path; "fast" today's code,
//! which takes `glcm::mcc_symmetric` (`features/symeig.rs`, first-order ε term or inverse
//! iteration on `Q`) on every angle whose guards hold; same MCC values to the 6 digits printed,
//! the unit test `mcc_fast_path_agrees_with_the_general_solver` holds the two paths to 1e-11):
//!
//! | G | voxels | MCC, general | MCC, fast | JointEntropy (same GLCMs) | scratch reserved (MCC) |
//! |---|---|---|---|---|---|
//! | 64 | 729 | 0.013 s | 0.009 s | 0.005 s | 8.2 MiB |
//! | 256 | 2 744 | 0.472 s | 0.140 s | 0.045 s | 115 MiB |
//! | 512 | 4 913 | 4.04 s | 0.74 s | 0.16 s | 256 MiB |
//! | 1 024 | 10 648 | 31.9 s | 5.9 s | 0.45–0.57 s | 256 MiB |
//!
//! On 2026-12-04, on a loaded machine, the general solver had taken 208 s at 1 024 levels.
//! GLCM's scratch is reserved for min(ROI voxels, 4 096) levels, not for the levels present.

use radscore_core::extract::{extract_with, scratch_len_with};
use radscore_core::image::{ImageView, MaskView, MaskVoxels, Voxels};
use radscore_core::names::FeatureName;
use radscore_core::settings::Settings;
use std::time::Instant;

fn main() {
    let mut levels = vec![256usize, 1024];
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--levels" => {
                let v = args.next().expect("--levels needs a value");
                levels = v
                    .split(',')
                    .map(|t| t.trim().parse().expect("--levels: integers"))
                    .collect();
            }
            other => {
                eprintln!("unknown argument {other:?} (usage: --levels 256,1024,4096)");
                std::process::exit(2);
            }
        }
    }
    for g in levels {
        let side = ((8 * g) as f64).cbrt().ceil() as usize + 1;
        let dims = [side, side, side];
        let n = side * side * side;
        // xorshift, plus a smooth ramp so that neighbours are correlated
        let mut s: u64 = 0x9e37_79b9_7f4a_7c15 ^ g as u64;
        let mut img = vec![0i32; n];
        for (i, v) in img.iter_mut().enumerate() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let ramp = (i * g / n) as i64;
            let noise = (s % (g as u64 / 4 + 1)) as i64;
            *v = ((ramp + noise) % g as i64) as i32;
        }
        // make sure every level occurs
        for (k, v) in img.iter_mut().take(g).enumerate() {
            *v = k as i32;
        }
        let mask = vec![1u8; n];
        let iv = ImageView::new(Voxels::I32(&img), dims, [1.0; 3]).expect("image");
        let mv = MaskView::new(MaskVoxels::U8(&mask), dims, 1).expect("mask");
        let settings = Settings::with_bin_width(1.0);
        let mut line = format!("G = {g} ({n} voxels):");
        for name in ["original_glcm_MCC", "original_glcm_JointEntropy"] {
            let names = [FeatureName::parse(name).expect("name")];
            let need = match scratch_len_with(&iv, &mv, &names, &settings) {
                Ok(v) => v,
                Err(e) => {
                    line += &format!(" {name}: {e};");
                    continue;
                }
            };
            let mut scratch = vec![0.0; need];
            let mut out = [f64::NAN];
            let t = Instant::now();
            let r = extract_with(&iv, &mv, &names, &settings, &mut out, &mut scratch);
            let secs = t.elapsed().as_secs_f64();
            match r {
                Ok(()) => {
                    line += &format!(
                        " {name} {secs:.3} s (value {:.6}, scratch {:.1} MiB);",
                        out[0],
                        need as f64 * 8.0 / 1048576.0
                    )
                }
                Err(e) => line += &format!(" {name}: {e} after {secs:.3} s;"),
            }
        }
        println!("{line}");
    }
}
