//! `radscore_scratch_len_bound` must dominate the exact scratch of every ROI box that fits in
//! the given extents, wherever the box lies in the image: checked against the core's
//! `scratch_len_for` on pseudo-random boxes, for every sequence of the illustrative model.

mod common;

use radscore::{radscore_scratch_len_bound, RadscoreStatus};
use radscore_core::extract::scratch_len_for;
use radscore_core::image::RoiBox;
use std::ffi::CString;

/// 64-bit LCG (Knuth's MMIX constants): reproducible boxes without a dependency.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

#[test]
fn bound_dominates_every_box_position() {
    let model = radscore_trainer::example::illustrative_model();
    let loaded = common::load(&model);
    let handle = loaded.handle;
    let mut rng = Lcg(0x5eed);
    let mut seqs: Vec<String> = Vec::new();
    for f in &model.features {
        if !seqs.contains(&f.sequence.to_string()) {
            seqs.push(f.sequence.to_string());
        }
    }
    let mut checked = 0;
    for dims in [[45usize, 120, 21], [82, 67, 13], [256, 256, 25], [7, 9, 5]] {
        for seq in &seqs {
            let names: Vec<_> = model
                .features
                .iter()
                .filter(|f| f.sequence.as_str() == seq)
                .map(|f| f.recipe().expect("computable"))
                .collect();
            let c = CString::new(seq.as_str()).expect("name");
            for _ in 0..200 {
                let ext = [0, 1, 2].map(|k| 1 + rng.below(dims[k]));
                let mut bound = 0usize;
                let st = unsafe {
                    radscore_scratch_len_bound(
                        handle,
                        c.as_ptr(),
                        dims.as_ptr(),
                        ext.as_ptr(),
                        &mut bound,
                    )
                };
                assert_eq!(st, RadscoreStatus::Ok, "{dims:?} {ext:?}");
                for _ in 0..5 {
                    // any box no larger than ext, anywhere
                    let size = [0, 1, 2].map(|k| 1 + rng.below(ext[k]));
                    let lo = [0, 1, 2].map(|k| rng.below(dims[k] - size[k] + 1));
                    let roi = RoiBox {
                        lo,
                        hi: [0, 1, 2].map(|k| lo[k] + size[k]),
                    };
                    let exact = scratch_len_for(dims, &roi, &names).expect("scratch_len_for");
                    assert!(
                        exact <= bound,
                        "{seq} dims {dims:?} box {roi:?}: {exact} > bound {bound}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 10_000);

    // argument checks
    let c = CString::new(seqs[0].as_str()).expect("name");
    let mut out = 7usize;
    let dims = [10usize, 10, 10];
    for ext in [[0usize, 5, 5], [11, 5, 5]] {
        let st = unsafe {
            radscore_scratch_len_bound(handle, c.as_ptr(), dims.as_ptr(), ext.as_ptr(), &mut out)
        };
        assert_eq!(st, RadscoreStatus::BadDimensions);
    }
    let huge = [usize::MAX / 2, 3, 1];
    let st = unsafe {
        radscore_scratch_len_bound(handle, c.as_ptr(), huge.as_ptr(), dims.as_ptr(), &mut out)
    };
    assert_eq!(st, RadscoreStatus::BadDimensions);
    let st = unsafe {
        radscore_scratch_len_bound(
            handle,
            c.as_ptr(),
            std::ptr::null(),
            dims.as_ptr(),
            &mut out,
        )
    };
    assert_eq!(st, RadscoreStatus::NullPointer);
    let other = CString::new("flair").expect("name");
    let st = unsafe {
        radscore_scratch_len_bound(
            handle,
            other.as_ptr(),
            dims.as_ptr(),
            dims.as_ptr(),
            &mut out,
        )
    };
    assert_eq!(st, RadscoreStatus::UnknownSequence);
    assert_eq!(out, 7, "nothing written on error");
    drop(loaded);
}
