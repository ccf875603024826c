//! The recomputable / table-only distinction through the C ABI: a model with a feature the core
//! cannot compute (a GLCM or shape feature, stored by name) loads and scores from feature values,
//! `radscore_model_feature_computable` reports each feature, and extraction refuses the model
//! with `FEATURE_NOT_COMPUTABLE` before it looks at the image or the mask (they are invalid here,
//! so any other check would fail differently). A format-1 artifact still loads.

use radscore::*;
use radscore_core::extract::{extract_with, scratch_len_with};
use radscore_core::image::{ImageView, MaskView, MaskVoxels, Voxels};
use radscore_core::names::FeatureName;
use radscore_core::settings::Settings;
use std::ffi::CString;

fn load(bytes: &[u8], storage: &mut [u64]) -> *const RadscoreModel {
    let mut handle: *const RadscoreModel = std::ptr::null();
    let st = unsafe {
        radscore_model_load(
            storage.as_mut_ptr().cast(),
            storage.len() * 8,
            bytes.as_ptr(),
            bytes.len(),
            &mut handle,
        )
    };
    assert_eq!(st, RadscoreStatus::Ok);
    handle
}

/// C descriptors of an int16 image and a uint8 mask (label from the model) borrowed from the
/// slices.
fn views(
    voxels: &[i16],
    labels: &[u8],
    dims: [usize; 3],
    spacing: [f64; 3],
) -> (RadscoreImage, RadscoreMask) {
    let image = RadscoreImage {
        voxels: voxels.as_ptr().cast(),
        voxel_type: RADSCORE_VOXEL_I16,
        dims,
        spacing,
    };
    let mask = RadscoreMask {
        labels: labels.as_ptr().cast(),
        mask_type: RADSCORE_MASK_U8,
        dims,
        label: RADSCORE_LABEL_FROM_MODEL,
    };
    (image, mask)
}

/// `radscore_scratch_len` then `radscore_extract` of the `t2` sequence into `n` outputs; both
/// must succeed.
fn extract_t2(
    h: *const RadscoreModel,
    image: &RadscoreImage,
    mask: &RadscoreMask,
    n: usize,
) -> Vec<f64> {
    let seq = CString::new("t2").expect("name");
    let mut need = 0usize;
    let st = unsafe { radscore_scratch_len(h, seq.as_ptr(), image, mask, &mut need) };
    assert_eq!(st, RadscoreStatus::Ok);
    let mut scratch = vec![0.0f64; need];
    let mut out = vec![f64::NAN; n];
    let st = unsafe {
        radscore_extract(
            h,
            seq.as_ptr(),
            image,
            mask,
            scratch.as_mut_ptr(),
            scratch.len(),
            out.as_mut_ptr(),
            out.len(),
        )
    };
    assert_eq!(st, RadscoreStatus::Ok);
    out
}

/// One feature computed by the core directly (label 1) with `settings`.
fn core_value(
    voxels: &[i16],
    labels: &[u8],
    dims: [usize; 3],
    spacing: [f64; 3],
    name: FeatureName,
    settings: &Settings,
) -> f64 {
    let iv = ImageView::new(Voxels::I16(voxels), dims, spacing).expect("view");
    let mv = MaskView::new(MaskVoxels::U8(labels), dims, 1).expect("mask");
    let names = [name];
    let mut sc = vec![0.0f64; scratch_len_with(&iv, &mv, &names, settings).expect("len")];
    let mut v = [f64::NAN];
    extract_with(&iv, &mv, &names, settings, &mut v, &mut sc).expect("core");
    v[0]
}

fn flags(h: *const RadscoreModel, n: usize) -> Vec<u32> {
    (0..n)
        .map(|i| {
            let mut v = 7u32;
            let st = unsafe { radscore_model_feature_computable(h, i, &mut v) };
            assert_eq!(st, RadscoreStatus::Ok);
            v
        })
        .collect()
}

#[test]
fn table_only_features_load_score_and_refuse_extraction() {
    let mut model = radscore_trainer::example::illustrative_model();
    model.features[1].name = heapless::String::try_from("lbp-2D_firstorder_Mean").expect("fits");
    model.features[4].name =
        heapless::String::try_from("original_shape2D_Perimeter").expect("fits");
    let bytes = radscore_trainer::export::encode(&model).expect("encode");
    let mut storage = vec![0u64; radscore_model_size().div_ceil(8)];
    let h = load(&bytes, &mut storage);
    assert_eq!(flags(h, 7), [1, 0, 1, 1, 0, 1, 1]);
    let mut v = 0u32;
    assert_eq!(
        unsafe { radscore_model_feature_computable(h, 7, &mut v) },
        RadscoreStatus::IndexOutOfRange
    );
    assert_eq!(
        unsafe { radscore_model_feature_computable(h, 0, std::ptr::null_mut()) },
        RadscoreStatus::NullPointer
    );
    // the feature name of a table-only feature is its column
    let mut buf = [0 as std::ffi::c_char; 96];
    let mut len = 0usize;
    let st = unsafe { radscore_model_feature_name(h, 1, buf.as_mut_ptr(), buf.len(), &mut len) };
    assert_eq!(st, RadscoreStatus::Ok);
    let name = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
    assert_eq!(
        name.to_str().expect("utf8"),
        format!("{}_lbp-2D_firstorder_Mean", model.features[1].sequence)
    );

    // extraction: refused before the (invalid, NULL) image and mask are looked at, for every
    // sequence, also one whose own features are all computable
    let image = RadscoreImage {
        voxels: std::ptr::null(),
        voxel_type: 99,
        dims: [0, 0, 0],
        spacing: [0.0; 3],
    };
    let mask = RadscoreMask {
        labels: std::ptr::null(),
        mask_type: 99,
        dims: [0, 0, 0],
        label: 0,
    };
    for seq in ["t2", "dwi", "dce"] {
        let c = CString::new(seq).expect("name");
        let mut need = 0usize;
        let st = unsafe { radscore_scratch_len(h, c.as_ptr(), &image, &mask, &mut need) };
        assert_eq!(st, RadscoreStatus::FeatureNotComputable, "{seq}");
        assert_eq!(st as u32, 404);
        let dims = [10usize, 10, 10];
        let st = unsafe {
            radscore_scratch_len_bound(h, c.as_ptr(), dims.as_ptr(), dims.as_ptr(), &mut need)
        };
        assert_eq!(st, RadscoreStatus::FeatureNotComputable, "{seq}");
        let mut scratch = [0.0f64; 4];
        let mut out = [0.0f64; 7];
        let st = unsafe {
            radscore_extract(
                h,
                c.as_ptr(),
                &image,
                &mask,
                scratch.as_mut_ptr(),
                scratch.len(),
                out.as_mut_ptr(),
                out.len(),
            )
        };
        assert_eq!(st, RadscoreStatus::FeatureNotComputable, "{seq}");
        assert_eq!(out, [0.0; 7], "nothing written");
    }
    let msg = radscore_status_message(404);
    let msg = unsafe { std::ffi::CStr::from_ptr(msg) }
        .to_str()
        .expect("utf8");
    assert!(msg.contains("features table"), "{msg}");

    // scoring from feature values computed elsewhere works and equals the core's
    let features: Vec<f64> = model.features.iter().map(|f| f.mean + f.sd).collect();
    let clinical = [1.0, 20_000.0];
    let mut out = std::mem::MaybeUninit::<RadscoreScore>::uninit();
    let st = unsafe {
        radscore_score(
            h,
            features.as_ptr(),
            features.len(),
            clinical.as_ptr(),
            clinical.len(),
            out.as_mut_ptr(),
        )
    };
    assert_eq!(st, RadscoreStatus::Ok);
    let got = unsafe { out.assume_init() };
    let want = model.score(&features, &clinical).expect("core score");
    assert_eq!(got.probability.to_bits(), want.probability.to_bits());

    // the unmodified model: every feature computable, extraction gets past the check (and then
    // fails on the invalid image as it always did)
    let plain = radscore_trainer::export::encode(&radscore_trainer::example::illustrative_model())
        .expect("encode");
    let mut storage2 = vec![0u64; radscore_model_size().div_ceil(8)];
    let h2 = load(&plain, &mut storage2);
    assert_eq!(flags(h2, 7), [1; 7]);
    let c = CString::new("t2").expect("name");
    let mut need = 0usize;
    let st = unsafe { radscore_scratch_len(h2, c.as_ptr(), &image, &mask, &mut need) };
    assert_ne!(st, RadscoreStatus::FeatureNotComputable);
    assert_ne!(st, RadscoreStatus::Ok);
}

/// The format-1 illustrative artifact (committed in core/tests/data) loads through the C ABI.
#[test]
fn format1_artifact_loads() {
    let bytes = include_bytes!("../../core/tests/data/format1-illustrative.rsm");
    let mut storage = vec![0u64; radscore_model_size().div_ceil(8)];
    let h = load(bytes, &mut storage);
    assert_eq!(flags(h, 7), [1; 7]);
    let mut n = 0usize;
    assert_eq!(
        unsafe { radscore_model_feature_count(h, &mut n) },
        RadscoreStatus::Ok
    );
    assert_eq!(n, 7);
}

/// Format 3 (issue 18): a model whose t2 features carry settings (`binCount` 32, and resampling
/// to 0.8 × 0.8 × 2 mm with `sitkGaussian`) loads, scores, and extracts through the C ABI with
/// those settings: every t2 value equals, bit for bit, the core's `extract_with` of that feature
/// with its recipe's settings (the C ABI applies the recipe's pre-processing, not the defaults).
#[test]
fn format3_settings_are_carried_and_applied() {
    use radscore_core::settings::{Binning, Interpolator, Resample};
    let mut model = radscore_trainer::example::illustrative_model();
    let mut a = Settings::with_bin_width(25.0);
    a.resample = Some(Resample {
        spacing: [0.8, 0.8, 2.0],
        interpolator: Interpolator::Gaussian,
        pad_distance: 5,
    });
    let mut c = Settings::DEFAULT;
    c.binning = Binning::Count(32);
    let t2: Vec<usize> = (0..model.features.len())
        .filter(|&i| model.features[i].sequence.as_str() == "t2")
        .collect();
    assert!(!t2.is_empty());
    for (k, &i) in t2.iter().enumerate() {
        model
            .set_settings(i, if k % 2 == 0 { &a } else { &c })
            .expect("set");
    }
    let bytes = radscore_trainer::export::encode(&model).expect("encode");
    assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), 3);
    let mut storage = vec![0u64; radscore_model_size().div_ceil(8)];
    let h = load(&bytes, &mut storage);
    assert_eq!(
        flags(h, 7),
        [1; 7],
        "settings do not make a feature table-only"
    );
    // An image with structure (not a ramp), a 4 × 4 × 3 ROI.
    let dims = [8usize, 8, 6];
    let n = dims.iter().product::<usize>();
    let voxels: Vec<i16> = (0..n)
        .map(|v| ((v * 7919) % 251) as i16 + (v / 64) as i16 * 10)
        .collect();
    let labels: Vec<u8> = (0..n)
        .map(|i| {
            let (x, y, z) = (i % 8, (i / 8) % 8, i / 64);
            u8::from((2..6).contains(&x) && (2..6).contains(&y) && (1..4).contains(&z))
        })
        .collect();
    let spacing = [1.0, 1.0, 1.5];
    let (image, mask) = views(&voxels, &labels, dims, spacing);
    let mut need = 0usize;
    let out = extract_t2(h, &image, &mask, 7);
    // The core, feature by feature, with each recipe's settings.
    let mut with_a = 0;
    for &i in &t2 {
        let f = &model.features[i];
        let s = model.settings_of(i).expect("settings");
        with_a += usize::from(s == a);
        let v = core_value(
            &voxels,
            &labels,
            dims,
            spacing,
            f.recipe().expect("computable"),
            &s,
        );
        assert_eq!(out[i].to_bits(), v.to_bits(), "feature {i} ({})", f.name);
    }
    assert!(with_a > 0, "no feature resampled");
    // another sequence (default settings) extracts
    let dwi = CString::new("dwi").expect("name");
    let st = unsafe { radscore_scratch_len(h, dwi.as_ptr(), &image, &mask, &mut need) };
    assert_eq!(st, RadscoreStatus::Ok);
    // scoring is unaffected
    let features: Vec<f64> = model.features.iter().map(|f| f.mean).collect();
    let mut sc = std::mem::MaybeUninit::<RadscoreScore>::uninit();
    let clinical = [1.0, 20_000.0];
    let st = unsafe {
        radscore_score(
            h,
            features.as_ptr(),
            features.len(),
            clinical.as_ptr(),
            2,
            sc.as_mut_ptr(),
        )
    };
    assert_eq!(st, RadscoreStatus::Ok);
}

/// shape2D in recipes (issue 18): a shape2D feature whose settings carry force2D is computable
/// through the C ABI (flag 1, source=images) and extracts the core's value bit for bit; the same
/// feature with default settings stays table-only (flag 0).
#[test]
fn shape2d_with_force2d_settings_extracts() {
    use radscore_core::settings::{Interpolator, Resample};
    let mut model = radscore_trainer::example::illustrative_model();
    let t2: Vec<usize> = (0..model.features.len())
        .filter(|&i| model.features[i].sequence.as_str() == "t2")
        .collect();
    let (i, j) = (t2[0], *t2.last().expect("t2"));
    assert_ne!(i, j);
    for k in [i, j] {
        model.features[k].name =
            heapless::String::try_from("original_shape2D_Perimeter").expect("fits");
    }
    let mut s = Settings::with_bin_width(model.features[i].bin_width);
    s.force_2d = Some(0);
    s.resample = Some(Resample {
        spacing: [0.6, 0.6, 0.0],
        interpolator: Interpolator::HammingWindowedSinc,
        pad_distance: 2,
    });
    model.set_settings(i, &s).expect("set");
    let mut storage = vec![0u64; radscore_model_size().div_ceil(8)];
    {
        // j keeps default settings: table-only, i is computable.
        let mut m2 = model.clone();
        m2.features[j].sequence = heapless::String::try_from("dwi").expect("fits");
        let bytes = radscore_trainer::export::encode(&m2).expect("encode");
        let h = load(&bytes, &mut storage);
        let f = flags(h, m2.features.len());
        assert_eq!((f[i], f[j]), (1, 0));
    }
    // Only i is shape2D now: the model is computable and t2 extracts.
    model.features[j].name = heapless::String::try_from("original_shape_Sphericity").expect("fits");
    let bytes = radscore_trainer::export::encode(&model).expect("encode");
    let h = load(&bytes, &mut storage);
    assert_eq!(
        flags(h, model.features.len()),
        vec![1; model.features.len()]
    );
    // An ROI one slice thick (z = 2), as PyRadiomics' shape2D with force2Ddimension 0 needs.
    let dims = [9usize, 8, 5];
    let n = dims.iter().product::<usize>();
    let voxels: Vec<i16> = (0..n).map(|v| ((v * 31) % 97) as i16).collect();
    let labels: Vec<u8> = (0..n)
        .map(|v| {
            let (x, y, z) = (v % 9, (v / 9) % 8, v / 72);
            u8::from(z == 2 && (2..7).contains(&x) && (1..6).contains(&y) && x + y != 3)
        })
        .collect();
    let spacing = [0.9, 1.1, 3.0];
    let (image, mask) = views(&voxels, &labels, dims, spacing);
    let out = extract_t2(h, &image, &mask, model.features.len());
    let v = core_value(
        &voxels,
        &labels,
        dims,
        spacing,
        model.recipe_of(i).expect("computable"),
        &s,
    );
    assert!(v.is_finite() && v > 0.0, "{v}");
    assert_eq!(out[i].to_bits(), v.to_bits());
}
