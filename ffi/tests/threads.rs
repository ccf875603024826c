//! One loaded model used by several threads at once (extract + score, each thread with its own
//! scratch and outputs) gives every thread the single-threaded result bit for bit: the
//! thread-safety promise of docs/c-api.md.

mod common;

use radscore::*;
use std::ffi::CString;

#[test]
fn one_model_many_threads() {
    let model = radscore_trainer::example::illustrative_model();
    let loaded = common::load(&model);
    let handle = loaded.handle;
    // A synthetic 24×24×12 image (ramp + checkerboard) with a 10×10×6 lesion.
    let dims = [24usize, 24, 12];
    let n = dims.iter().product::<usize>();
    let mut voxels = vec![0i16; n];
    let mut labels = vec![0u8; n];
    for z in 0..dims[2] {
        for y in 0..dims[1] {
            for x in 0..dims[0] {
                let i = x + dims[0] * (y + dims[1] * z);
                voxels[i] = (x * 7 + y * 3 + z * 11 + ((x + y + z) % 2) * 40) as i16;
                if (7..17).contains(&x) && (7..17).contains(&y) && (3..9).contains(&z) {
                    labels[i] = 1;
                }
            }
        }
    }
    let mut seqs: Vec<String> = Vec::new();
    for f in &model.features {
        if !seqs.contains(&f.sequence.to_string()) {
            seqs.push(f.sequence.to_string());
        }
    }
    let clinical: Vec<f64> = model
        .clinical
        .iter()
        .map(|c| {
            if c.kind == radscore_core::model::PredictorKind::Binary {
                1.0
            } else {
                c.axis_max
            }
        })
        .collect();
    let image = RadscoreImage {
        voxels: voxels.as_ptr().cast(),
        voxel_type: RADSCORE_VOXEL_I16,
        dims,
        spacing: [0.7, 0.7, 2.0],
    };
    let mask = RadscoreMask {
        labels: labels.as_ptr().cast(),
        mask_type: RADSCORE_MASK_U8,
        dims,
        label: RADSCORE_LABEL_FROM_MODEL,
    };
    struct Shared(*const RadscoreModel, RadscoreImage, RadscoreMask);
    // SAFETY (test): the model, image and mask are only read, and outlive the scoped threads.
    unsafe impl Sync for Shared {}
    let shared = Shared(handle, image, mask);
    let run = |s: &Shared| -> (Vec<u64>, u64) {
        let mut features = vec![0.0f64; model.features.len()];
        for seq in &seqs {
            let c = CString::new(seq.as_str()).expect("name");
            let mut need = 0usize;
            let st = unsafe { radscore_scratch_len(s.0, c.as_ptr(), &s.1, &s.2, &mut need) };
            assert_eq!(st, RadscoreStatus::Ok, "{seq}");
            let mut scratch = vec![0.0f64; need];
            let st = unsafe {
                radscore_extract(
                    s.0,
                    c.as_ptr(),
                    &s.1,
                    &s.2,
                    scratch.as_mut_ptr(),
                    need,
                    features.as_mut_ptr(),
                    features.len(),
                )
            };
            assert_eq!(st, RadscoreStatus::Ok, "{seq}");
        }
        let mut out = std::mem::MaybeUninit::<RadscoreScore>::uninit();
        let st = unsafe {
            radscore_score(
                s.0,
                features.as_ptr(),
                features.len(),
                clinical.as_ptr(),
                clinical.len(),
                out.as_mut_ptr(),
            )
        };
        assert_eq!(st, RadscoreStatus::Ok);
        let score = unsafe { out.assume_init() };
        (
            features.iter().map(|v| v.to_bits()).collect(),
            score.probability.to_bits(),
        )
    };
    let reference = run(&shared);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| (0..3).map(|_| run(&shared)).collect::<Vec<_>>()))
            .collect();
        for h in handles {
            for r in h.join().expect("thread") {
                assert_eq!(r, reference);
            }
        }
    });
    drop(loaded);
}
