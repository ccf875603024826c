//! Audit getters of the C ABI (`radscore_model_info`, `_feature_info`, `_id`, `_created`,
//! `_trainer_version`, `_feature_recipe`, `_describe`) against the model they were loaded from and
//! the artifact's framing: every number equals the model's field, texts follow the documented
//! formats, the size-query and truncation conventions hold, and bad arguments are refused.

mod common;

use core::ffi::c_char;
use radscore::*;
use radscore_core::model::{artifact, Model};

fn model() -> Model {
    let mut m = radscore_trainer::example::illustrative_model();
    m.meta.model_id = heapless::String::try_from("her2-low audit test").expect("id");
    m.meta.created_unix = 1_764_872_062; // 2025-12-04T18:14:22Z (GNU date)
    m.meta.auc_test = -1.0;
    if let Some(f) = m.features.get_mut(1) {
        f.bin_width = 0.1 + 0.2; // not a short decimal: the recipe must print it exactly
        f.label = 3;
    }
    m
}

type TextFn =
    unsafe extern "C" fn(*const RadscoreModel, *mut c_char, usize, *mut usize) -> RadscoreStatus;

/// Calls a model-level text getter with the size query first, then with an exact buffer.
fn text(f: TextFn, h: *const RadscoreModel) -> String {
    let mut len = usize::MAX;
    // SAFETY (test): NULL buffer with length 0 is the documented size query.
    let st = unsafe { f(h, core::ptr::null_mut(), 0, &mut len) };
    assert_eq!(st, RadscoreStatus::OutputTooSmall);
    let mut buf = vec![0x55u8; len + 1];
    let mut len2 = 0;
    // SAFETY (test): buffer of len + 1 bytes.
    let st = unsafe { f(h, buf.as_mut_ptr().cast(), buf.len(), &mut len2) };
    assert_eq!(st, RadscoreStatus::Ok);
    assert_eq!(len2, len);
    assert_eq!(buf[len], 0, "NUL-terminated");
    // One byte short: refused, buffer untouched, length still reported.
    let mut short = vec![0x55u8; len];
    let mut len3 = 0;
    // SAFETY (test): buffer of len bytes.
    let st = unsafe { f(h, short.as_mut_ptr().cast(), short.len(), &mut len3) };
    assert_eq!(st, RadscoreStatus::OutputTooSmall);
    assert_eq!(len3, len);
    assert!(
        short.iter().all(|b| *b == 0x55),
        "nothing written on OUTPUT_TOO_SMALL"
    );
    String::from_utf8(buf[..len].to_vec()).expect("UTF-8")
}

fn recipe(h: *const RadscoreModel, i: usize) -> Result<String, RadscoreStatus> {
    let mut len = 0;
    let mut buf = vec![0u8; 256];
    // SAFETY (test): 256-byte buffer.
    let st = unsafe {
        radscore_model_feature_recipe(h, i, buf.as_mut_ptr().cast(), buf.len(), &mut len)
    };
    if st != RadscoreStatus::Ok {
        return Err(st);
    }
    Ok(String::from_utf8(buf[..len].to_vec()).expect("UTF-8"))
}

#[test]
fn info_equals_the_model_and_the_artifact() {
    let m = model();
    let bytes = radscore_trainer::export::encode(&m).expect("encode");
    let parts = artifact::split(&bytes).expect("split");
    let l = common::load(&m);
    // SAFETY (test): zeroed repr(C) struct of numbers.
    let mut info: RadscoreModelInfo = unsafe { core::mem::zeroed() };
    info.struct_size = core::mem::size_of::<RadscoreModelInfo>();
    // SAFETY (test): valid handle and struct.
    assert_eq!(
        unsafe { radscore_model_info(l.handle, &mut info) },
        RadscoreStatus::Ok
    );
    assert_eq!(info.crc32, parts.crc);
    assert_eq!(info.format_version, u32::from(parts.header.version));
    assert_eq!(info.signed_artifact, 0);
    assert_eq!(info.artifact_bytes, bytes.len());
    assert_eq!(info.created_unix, m.meta.created_unix);
    assert_eq!(
        (
            info.n_train,
            info.n_positive_train,
            info.n_test,
            info.n_positive_test
        ),
        (
            m.meta.n_train,
            m.meta.n_positive_train,
            m.meta.n_test,
            m.meta.n_positive_test
        )
    );
    assert_eq!(info.auc_train.to_bits(), m.meta.auc_train.to_bits());
    assert_eq!(info.auc_test, -1.0);
    assert_eq!(info.threshold.to_bits(), m.threshold.to_bits());
    assert_eq!(info.n_features, m.features.len());
    assert_eq!(info.n_clinical, m.clinical.len());
    assert_eq!(info.n_computable, m.features.len());
    assert!(info.n_sequences >= 1);
    assert_eq!(
        info.radscore_intercept.to_bits(),
        m.radscore_intercept.to_bits()
    );
    assert_eq!(
        info.combined_intercept.to_bits(),
        m.combined_intercept.to_bits()
    );
    assert_eq!(
        info.radscore_coefficient.to_bits(),
        m.radscore_coefficient.to_bits()
    );
    assert_eq!(info.points_per_unit.to_bits(), m.points_per_unit.to_bits());

    // Signed artifacts say so.
    let signed = radscore_trainer::export::encode_signed(&m, &[7; 32]).expect("sign");
    let mut storage = vec![0u64; radscore_model_size().div_ceil(8)];
    let mut h: *const RadscoreModel = core::ptr::null();
    // SAFETY (test): storage and artifact valid for their lengths.
    let st = unsafe {
        radscore_model_load(
            storage.as_mut_ptr().cast(),
            storage.len() * 8,
            signed.as_ptr(),
            signed.len(),
            &mut h,
        )
    };
    assert_eq!(st, RadscoreStatus::Ok);
    // SAFETY (test): valid handle and struct.
    assert_eq!(
        unsafe { radscore_model_info(h, &mut info) },
        RadscoreStatus::Ok
    );
    assert_eq!(info.signed_artifact, 1);
    assert_eq!(info.artifact_bytes, signed.len());
}

#[test]
fn versioned_structs_and_pointers_are_checked() {
    let l = common::load(&model());
    // SAFETY (test): zeroed repr(C) structs of numbers; every call gets valid or NULL pointers.
    unsafe {
        let mut info: RadscoreModelInfo = core::mem::zeroed();
        info.struct_size = core::mem::size_of::<RadscoreModelInfo>() - 8;
        info.threshold = 42.0;
        assert_eq!(
            radscore_model_info(l.handle, &mut info),
            RadscoreStatus::BadArgument
        );
        assert_eq!(info.threshold, 42.0, "nothing written");
        assert_eq!(
            radscore_model_info(l.handle, core::ptr::null_mut()),
            RadscoreStatus::NullPointer
        );
        info.struct_size = core::mem::size_of::<RadscoreModelInfo>();
        assert_eq!(
            radscore_model_info(core::ptr::null(), &mut info),
            RadscoreStatus::NullPointer
        );
        let mut fi: RadscoreFeatureInfo = core::mem::zeroed();
        assert_eq!(
            radscore_model_feature_info(l.handle, 0, &mut fi),
            RadscoreStatus::BadArgument
        );
        fi.struct_size = core::mem::size_of::<RadscoreFeatureInfo>();
        assert_eq!(
            radscore_model_feature_info(l.handle, 999, &mut fi),
            RadscoreStatus::IndexOutOfRange
        );
        let mut len = 0;
        assert_eq!(
            radscore_model_id(l.handle, core::ptr::null_mut(), 8, &mut len),
            RadscoreStatus::NullPointer
        );
        assert_eq!(
            radscore_model_describe(l.handle, core::ptr::null_mut(), 0, core::ptr::null_mut()),
            RadscoreStatus::NullPointer
        );
        let mut buf = [0u8; 8];
        assert_eq!(
            radscore_model_feature_recipe(l.handle, 999, buf.as_mut_ptr().cast(), 8, &mut len),
            RadscoreStatus::IndexOutOfRange
        );
        // A storage block that never held a model.
        let blank = vec![0u64; radscore_model_size().div_ceil(8)];
        assert_eq!(
            radscore_model_info(blank.as_ptr().cast(), &mut info),
            RadscoreStatus::ModelNotLoaded
        );
    }
}

#[test]
fn texts_follow_the_documented_formats() {
    let m = model();
    let l = common::load(&m);
    assert_eq!(text(radscore_model_id, l.handle), "her2-low audit test");
    assert_eq!(
        text(radscore_model_created, l.handle),
        "2025-12-04T18:14:22Z"
    );
    assert_eq!(
        text(radscore_model_trainer_version, l.handle),
        m.meta.trainer_version.as_str()
    );
    for (i, f) in m.features.iter().enumerate() {
        let want = format!(
            "sequence={} feature={} binWidth={} label={} source=images",
            f.sequence, f.name, f.bin_width, f.label
        );
        assert_eq!(recipe(l.handle, i).as_deref(), Ok(want.as_str()));
        // The printed bin width reads back to the same double.
        let bw: f64 = want
            .split_whitespace()
            .find_map(|w| w.strip_prefix("binWidth="))
            .and_then(|v| v.parse().ok())
            .expect("binWidth");
        assert_eq!(bw.to_bits(), f.bin_width.to_bits());
        let mut fi = RadscoreFeatureInfo {
            struct_size: core::mem::size_of::<RadscoreFeatureInfo>(),
            bin_width: 0.0,
            label: 0,
            computable: 0,
            mean: 0.0,
            sd: 0.0,
            coefficient: 0.0,
        };
        // SAFETY (test): valid handle and struct.
        assert_eq!(
            unsafe { radscore_model_feature_info(l.handle, i, &mut fi) },
            RadscoreStatus::Ok
        );
        assert_eq!(
            (
                fi.bin_width.to_bits(),
                fi.label,
                fi.computable,
                fi.mean.to_bits(),
                fi.sd.to_bits(),
                fi.coefficient.to_bits()
            ),
            (
                f.bin_width.to_bits(),
                f.label,
                1,
                f.mean.to_bits(),
                f.sd.to_bits(),
                f.coefficient.to_bits()
            )
        );
    }
    assert!(recipe(l.handle, 1)
        .expect("recipe")
        .contains("binWidth=0.30000000000000004 label=3"));

    let d = text(radscore_model_describe, l.handle);
    let lines: Vec<&str> = d.lines().collect();
    assert!(d.ends_with('\n'));
    assert_eq!(lines[0], "model_id=her2-low audit test");
    assert!(
        lines[1].starts_with("artifact format=2 bytes="),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with("created=2025-12-04T18:14:22Z trainer="));
    assert!(lines[3].ends_with("auc_test=unknown"), "{}", lines[3]);
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("feature ")).count(),
        m.features.len()
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("clinical ")).count(),
        m.clinical.len()
    );
    for (i, f) in m.features.iter().enumerate() {
        let want = format!(
            "feature {i} {} mean={} sd={} coefficient={}",
            recipe(l.handle, i).expect("recipe"),
            f.mean,
            f.sd,
            f.coefficient
        );
        assert!(lines.contains(&want.as_str()), "missing {want}");
    }
    assert!(d.contains(&format!("threshold={} ", m.threshold)));
}

#[test]
fn a_feature_only_a_table_can_give_is_reported_as_such() {
    let mut m = model();
    if let Some(f) = m.features.get_mut(0) {
        f.name = heapless::String::try_from("original_shape2D_Elongation").expect("name");
    }
    let l = common::load(&m);
    let r = recipe(l.handle, 0).expect("recipe");
    assert!(r.ends_with("source=features-table"), "{r}");
    // SAFETY (test): zeroed repr(C) struct of numbers.
    let mut info: RadscoreModelInfo = unsafe { core::mem::zeroed() };
    info.struct_size = core::mem::size_of::<RadscoreModelInfo>();
    // SAFETY (test): valid handle and struct.
    assert_eq!(
        unsafe { radscore_model_info(l.handle, &mut info) },
        RadscoreStatus::Ok
    );
    assert_eq!(info.n_computable, m.features.len() - 1);
}
