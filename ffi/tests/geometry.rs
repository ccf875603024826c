//! Version-2 image and mask descriptors (`RadscoreImage2`, `RadscoreMask2`,
//! `radscore_scratch_len2`, `radscore_extract2`): the same features as the version-1 entry points
//! bit for bit, buffer lengths checked against the dims (never read past), struct sizes checked,
//! and a mask on another grid with the same dims refused with `GEOMETRY_MISMATCH` (310), with the
//! tolerance of the CLI's check of image and mask files.

mod common;

use radscore::*;
use radscore_cli::io::read_volume;
use std::path::PathBuf;

struct Vol {
    voxels: Vec<i16>,
    labels: Vec<u8>,
    dims: [usize; 3],
    spacing: [f64; 3],
    origin: [f64; 3],
    direction: [f64; 9],
}

fn breast1() -> Vol {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/reference/pyradiomics/data");
    let v = read_volume(&dir.join("breast1_image.nrrd")).expect("image");
    let m = read_volume(&dir.join("breast1_label.nrrd")).expect("mask");
    let mut direction = [0.0; 9];
    for a in 0..3 {
        for k in 0..3 {
            direction[3 * k + a] = v.direction[a][k];
        }
    }
    Vol {
        voxels: v.data.iter_f64().map(|x| x as i16).collect(),
        labels: m.data.iter_f64().map(|x| x as u8).collect(),
        dims: v.dims,
        spacing: v.spacing,
        origin: v.origin,
        direction,
    }
}

fn v2(v: &Vol) -> (RadscoreImage2, RadscoreMask2) {
    (
        RadscoreImage2 {
            struct_size: core::mem::size_of::<RadscoreImage2>(),
            voxels: v.voxels.as_ptr().cast(),
            voxels_len: v.voxels.len(),
            voxel_type: RADSCORE_VOXEL_I16,
            dims: v.dims,
            spacing: v.spacing,
            origin: v.origin,
            direction: v.direction,
        },
        RadscoreMask2 {
            struct_size: core::mem::size_of::<RadscoreMask2>(),
            labels: v.labels.as_ptr().cast(),
            labels_len: v.labels.len(),
            mask_type: RADSCORE_MASK_U8,
            dims: v.dims,
            spacing: v.spacing,
            origin: v.origin,
            direction: v.direction,
            label: RADSCORE_LABEL_FROM_MODEL,
        },
    )
}

fn scratch2(
    h: *const RadscoreModel,
    seq: &std::ffi::CStr,
    i: &RadscoreImage2,
    m: &RadscoreMask2,
) -> Result<usize, RadscoreStatus> {
    let mut need = 0;
    // SAFETY (test): descriptors point at live buffers of the stated lengths.
    match unsafe { radscore_scratch_len2(h, seq.as_ptr(), i, m, &mut need) } {
        RadscoreStatus::Ok => Ok(need),
        e => Err(e),
    }
}

fn sequences(h: *const RadscoreModel) -> Vec<std::ffi::CString> {
    let mut n = 0;
    // SAFETY (test): valid handle.
    assert_eq!(
        unsafe { radscore_model_sequence_count(h, &mut n) },
        RadscoreStatus::Ok
    );
    (0..n)
        .map(|k| {
            let mut buf = [0u8; 64];
            let mut len = 0;
            // SAFETY (test): 64-byte buffer.
            let st = unsafe {
                radscore_model_sequence_name(h, k, buf.as_mut_ptr().cast(), 64, &mut len)
            };
            assert_eq!(st, RadscoreStatus::Ok);
            std::ffi::CString::new(&buf[..len]).expect("name")
        })
        .collect()
}

#[test]
fn version_2_gives_the_version_1_bits() {
    let model = radscore_trainer::example::illustrative_model();
    let l = common::load(&model);
    let v = breast1();
    let (im2, mk2) = v2(&v);
    let im1 = RadscoreImage {
        voxels: v.voxels.as_ptr().cast(),
        voxel_type: RADSCORE_VOXEL_I16,
        dims: v.dims,
        spacing: v.spacing,
    };
    let mk1 = RadscoreMask {
        labels: v.labels.as_ptr().cast(),
        mask_type: RADSCORE_MASK_U8,
        dims: v.dims,
        label: RADSCORE_LABEL_FROM_MODEL,
    };
    let n = model.features.len();
    let (mut f1, mut f2) = (vec![f64::NAN; n], vec![f64::NAN; n]);
    for seq in sequences(l.handle) {
        let mut need1 = 0;
        // SAFETY (test): live buffers of the described sizes.
        unsafe {
            assert_eq!(
                radscore_scratch_len(l.handle, seq.as_ptr(), &im1, &mk1, &mut need1),
                RadscoreStatus::Ok
            );
            let need2 = scratch2(l.handle, &seq, &im2, &mk2).expect("scratch2");
            assert_eq!(need1, need2);
            let mut s = vec![0.0; need1];
            assert_eq!(
                radscore_extract(
                    l.handle,
                    seq.as_ptr(),
                    &im1,
                    &mk1,
                    s.as_mut_ptr(),
                    s.len(),
                    f1.as_mut_ptr(),
                    n
                ),
                RadscoreStatus::Ok
            );
            assert_eq!(
                radscore_extract2(
                    l.handle,
                    seq.as_ptr(),
                    &im2,
                    &mk2,
                    s.as_mut_ptr(),
                    s.len(),
                    f2.as_mut_ptr(),
                    n
                ),
                RadscoreStatus::Ok
            );
        }
    }
    let b = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert!(f1.iter().all(|x| !x.is_nan()));
    assert_eq!(b(&f1), b(&f2));
}

#[test]
fn buffer_lengths_and_struct_sizes_are_checked() {
    let model = radscore_trainer::example::illustrative_model();
    let l = common::load(&model);
    let v = breast1();
    let seq = sequences(l.handle).remove(0);
    let (im, mk) = v2(&v);
    assert!(scratch2(l.handle, &seq, &im, &mk).is_ok());
    // A buffer one voxel short of the dims: refused; the short copy is never read past its end.
    let short: Vec<i16> = v.voxels[..v.voxels.len() - 1].to_vec();
    let mut i = im;
    i.voxels = short.as_ptr().cast();
    i.voxels_len = short.len();
    assert_eq!(
        scratch2(l.handle, &seq, &i, &mk),
        Err(RadscoreStatus::ImageLengthMismatch)
    );
    i.voxels_len = v.voxels.len() + 1; // longer than the dims: refused as well
    i.voxels = v.voxels.as_ptr().cast();
    let mut longer = v.voxels.clone();
    longer.push(0);
    i.voxels = longer.as_ptr().cast();
    assert_eq!(
        scratch2(l.handle, &seq, &i, &mk),
        Err(RadscoreStatus::ImageLengthMismatch)
    );
    let mut m = mk;
    m.labels_len -= 1;
    assert_eq!(
        scratch2(l.handle, &seq, &im, &m),
        Err(RadscoreStatus::ImageLengthMismatch)
    );
    let mut i = im;
    i.struct_size = core::mem::size_of::<RadscoreImage>();
    assert_eq!(
        scratch2(l.handle, &seq, &i, &mk),
        Err(RadscoreStatus::BadArgument)
    );
    let mut m = mk;
    m.struct_size += 8;
    assert_eq!(
        scratch2(l.handle, &seq, &im, &m),
        Err(RadscoreStatus::BadArgument)
    );
    let mut i = im;
    i.voxels = core::ptr::null();
    assert_eq!(
        scratch2(l.handle, &seq, &i, &mk),
        Err(RadscoreStatus::NullPointer)
    );
    // Extraction refuses the same way, and writes nothing.
    let n = model.features.len();
    let mut f = vec![7.0; n];
    let mut s = vec![0.0; 1 << 16];
    let mut i = im;
    i.voxels_len = 1;
    // SAFETY (test): live buffers.
    let st = unsafe {
        radscore_extract2(
            l.handle,
            seq.as_ptr(),
            &i,
            &mk,
            s.as_mut_ptr(),
            s.len(),
            f.as_mut_ptr(),
            n,
        )
    };
    assert_eq!(st, RadscoreStatus::ImageLengthMismatch);
    assert!(f.iter().all(|x| *x == 7.0));
}

#[test]
fn a_mask_on_another_grid_is_refused() {
    let model = radscore_trainer::example::illustrative_model();
    let l = common::load(&model);
    let v = breast1();
    let seq = sequences(l.handle).remove(0);
    let (im, mk) = v2(&v);
    let min_sp = v.spacing.iter().copied().fold(f64::INFINITY, f64::min);
    let t = 1e-6;
    // Within the tolerance: accepted (the CLI accepts these too).
    let mut near = mk;
    near.origin[0] += 0.5 * t * min_sp;
    near.spacing[2] *= 1.0 + 0.5 * t;
    near.direction[1] += 0.5 * t;
    assert!(scratch2(l.handle, &seq, &im, &near).is_ok());
    // Beyond it: GEOMETRY_MISMATCH, for each component.
    let mut cases = Vec::new();
    let mut m = mk;
    m.origin[1] += 2.0 * t * min_sp;
    cases.push(("origin", m));
    let mut m = mk;
    m.spacing[0] *= 1.0 + 2.0 * t;
    cases.push(("spacing", m));
    let mut m = mk;
    m.direction = [0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0];
    cases.push(("direction", m));
    let mut m = mk;
    m.origin[2] = f64::NAN;
    cases.push(("NaN origin", m));
    for (what, m) in cases {
        assert_eq!(
            scratch2(l.handle, &seq, &im, &m),
            Err(RadscoreStatus::GeometryMismatch),
            "{what}"
        );
        let n = model.features.len();
        let mut f = vec![7.0; n];
        let mut s = vec![0.0; 1 << 16];
        // SAFETY (test): live buffers.
        let st = unsafe {
            radscore_extract2(
                l.handle,
                seq.as_ptr(),
                &im,
                &m,
                s.as_mut_ptr(),
                s.len(),
                f.as_mut_ptr(),
                n,
            )
        };
        assert_eq!(st, RadscoreStatus::GeometryMismatch, "{what}");
        assert!(f.iter().all(|x| *x == 7.0));
    }
    // Other dims stay a size mismatch (checked before the geometry would matter).
    let mut other = v.labels.clone();
    other.truncate(v.dims[0] * v.dims[1] * (v.dims[2] - 1));
    let mut m = mk;
    m.labels = other.as_ptr().cast();
    m.labels_len = other.len();
    m.dims[2] -= 1;
    m.origin[0] += 5.0;
    assert_eq!(
        scratch2(l.handle, &seq, &im, &m),
        Err(RadscoreStatus::MaskSizeMismatch)
    );
    // The status and its message.
    assert_eq!(RadscoreStatus::GeometryMismatch as u32, 310);
    // SAFETY (test): static string.
    let msg = unsafe { std::ffi::CStr::from_ptr(radscore_status_message(310)) };
    let msg = msg.to_str().expect("UTF-8");
    assert!(
        msg.contains("expected the image's grid") && msg.contains("found"),
        "{msg}"
    );
}
