//! Finite inputs whose radscore overflows are an error through the C ABI (issue 21, item 5):
//! `radscore_score` returned `RADSCORE_OK` with a NaN probability and class 0 before; now
//! `RADSCORE_STATUS_NON_FINITE_SCORE`, and the output struct is left untouched.

mod common;

use radscore::*;

#[test]
fn overflowing_scores_are_refused() {
    let model = radscore_trainer::example::illustrative_model();
    let loaded = common::load(&model);
    let handle = loaded.handle;
    let clinical: Vec<f64> = model.clinical.iter().map(|c| c.axis_min).collect();
    let score = |features: &[f64]| {
        // SAFETY (test): an all-zero RadscoreScore is a valid value of the plain C struct.
        let mut s: RadscoreScore = unsafe { std::mem::zeroed() };
        s.probability = -7.0;
        // SAFETY (test): the model handle is live, the slices valid for their lengths.
        let st = unsafe {
            radscore_score(
                handle,
                features.as_ptr(),
                features.len(),
                clinical.as_ptr(),
                clinical.len(),
                &mut s,
            )
        };
        (st, s.probability)
    };
    // Means: a valid score.
    let means: Vec<f64> = model.features.iter().map(|f| f.mean).collect();
    let (st, p) = score(&means);
    assert_eq!(st, RadscoreStatus::Ok);
    assert!((0.0..=1.0).contains(&p));
    // Features whose z-score sd is below 1 overflow to ±inf at ±f64::MAX. One such term gives a
    // radscore of ±inf; two of opposite signs give inf − inf = NaN. Both are refused.
    let small_sd: Vec<usize> = (0..model.features.len())
        .filter(|&i| model.features[i].sd < 1.0)
        .collect();
    assert!(small_sd.len() >= 2, "the illustrative model changed");
    let (a, b) = (small_sd[0], small_sd[1]);
    let toward = |i: usize, sign: f64| f64::MAX.copysign(sign * model.features[i].coefficient);
    let mut x = means.clone();
    x[a] = toward(a, 1.0);
    let (st, p) = score(&x);
    assert_eq!(st, RadscoreStatus::NonFiniteScore, "+inf: probability {p}");
    assert_eq!(p, -7.0, "the output was written on error");
    x[b] = toward(b, -1.0);
    let (st, p) = score(&x);
    assert_eq!(st, RadscoreStatus::NonFiniteScore, "NaN: probability {p}");
}
