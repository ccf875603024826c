//! LBP3D voxel by voxel: the core's `lbp-3D-m1`, `lbp-3D-m2` and `lbp-3D-k` images must equal
//! PyRadiomics' to the bit at every ROI voxel (`tests/fixtures/pyradiomics/lbp3d-images/`, made by
//! `tests/oracles/pyradiomics/lbp3d_images.py`). Features of a percentile kind (RobustMAD, the
//! 10th/90th percentiles) turn a last-bit difference at a boundary voxel into a visible one, so
//! the images themselves are compared.

use radscore_core::filters::lbp3d::{filter, scratch_len, Lbp3dImage};
use radscore_core::image::roi_box;
use radscore_tests::{
    fixtures_pyradiomics_dir, nrrd, pyradiomics_reference_dir, with_views, MaskStore,
};

#[test]
fn lbp3d_images_equal_pyradiomics_bit_for_bit() {
    let data = pyradiomics_reference_dir().join("data");
    let dir = fixtures_pyradiomics_dir().join("lbp3d-images");
    let mut checked = 0;
    for case in ["breast1", "brain2", "syn2"] {
        let img = nrrd::read(&data.join(format!("{case}_image.nrrd")));
        let store = MaskStore::of(&nrrd::read(&data.join(format!("{case}_label.nrrd"))));
        let mut rdr = csv::Reader::from_path(dir.join(format!("{case}.csv"))).expect("fixture");
        let rows: Vec<[f64; 6]> = rdr
            .records()
            .map(|r| {
                let r = r.expect("row");
                std::array::from_fn(|i| r[i].parse::<f64>().expect("number"))
            })
            .collect();
        assert!(!rows.is_empty(), "{case}: empty fixture");
        with_views(&img, &store, 1, |iv, mv| {
            let roi = roi_box(iv, mv).expect("ROI");
            let r = roi.dims();
            let mut scratch = vec![0.0; scratch_len(iv.dims(), &roi).expect("scratch")];
            let kinds = [Lbp3dImage::M1, Lbp3dImage::M2, Lbp3dImage::Kurtosis];
            for (k, which) in kinds.into_iter().enumerate() {
                let mut out = vec![0.0; roi.len()];
                filter(iv, &roi, which, &mut out, &mut scratch).expect("filter");
                let mut differ = 0;
                for row in &rows {
                    let [z, y, x] = [row[0], row[1], row[2]].map(|v| v as usize);
                    assert!(
                        mv.is_roi_at([x, y, z]),
                        "{case}: ({z}, {y}, {x}) not in the ROI"
                    );
                    let i = (x - roi.lo[0]) + r[0] * ((y - roi.lo[1]) + r[1] * (z - roi.lo[2]));
                    let (got, want) = (out[i], row[3 + k]);
                    if got.to_bits() != want.to_bits() && !(got.is_nan() && want.is_nan()) {
                        if differ < 5 {
                            println!(
                                "{case} {}: ({z}, {y}, {x}) {got:?} != {want:?}",
                                which.name()
                            );
                        }
                        differ += 1;
                    }
                }
                assert_eq!(differ, 0, "{case} {}: {differ} voxels differ", which.name());
                checked += rows.len();
            }
        });
    }
    assert_eq!(checked, 3 * (143 + 453 + 1081));
}
