//! Synthetic breast-MRI cohort generator (deterministic with a seed).
//!
//! [`generate_patient`] draws one patient of the study's cohort (`docs/synthetic-cohort.md`):
//! the clinical-radiological variables of the baseline table, and a breast region with fat,
//! fibroglandular tissue and an irregular lesion rendered on the study's three acquisition grids
//! (STIR T2WI and DWI b = 800 with 5 mm slices, the first post-contrast DCE phase with 1.2 mm
//! slices), each with its partial-volume lesion mask. A patient depends only on
//! `(seed, patients, positives, small, index)`, so patients can be generated in any order and in
//! parallel; the same options always give the same bytes.
//!
//! Class effects are moderate on purpose (lesion volume, margin irregularity, heterogeneity and
//! necrosis, kinetics, ADC, T2, palpation texture), so that models reach realistic, not perfect,
//! AUCs.

pub mod field;
pub mod lesion;
pub mod phenotype;
pub mod render;
pub mod rng;
pub mod signal;

use field::Field;
use lesion::{Lesion, ShapeParams};
use phenotype::Phenotype;
use render::{Anatomy, GridSpec, Sequence};
use rng::Rng;

/// Options of the synthetic cohort.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthOptions {
    /// Seed of every random draw.
    pub seed: u64,
    /// Number of patients.
    pub patients: usize,
    /// Number of HER-2-low (label 1) patients among them.
    pub positives: usize,
    /// Coarser grids (in-plane spacing ×2, DCE slices ×2) for fast tests.
    pub small: bool,
}

impl Default for SynthOptions {
    /// The study's cohort: 190 patients, 108 HER-2-low, seed 2026.
    fn default() -> Self {
        SynthOptions {
            seed: 2026,
            patients: 190,
            positives: 108,
            small: false,
        }
    }
}

impl SynthOptions {
    /// Options for `patients` patients with the study's class ratio (108/190, rounded).
    pub fn with_patients(seed: u64, patients: usize, small: bool) -> SynthOptions {
        let positives = (patients as f64 * 108.0 / 190.0).round() as usize;
        SynthOptions {
            seed,
            patients,
            positives: positives.min(patients),
            small,
        }
    }
}

/// One synthetic patient.
#[derive(Clone, Debug)]
pub struct SynthPatient {
    /// Patient identifier (`P001`, ...).
    pub id: String,
    /// 1 = HER-2-low, 0 = HER-2-zero.
    pub label: u8,
    /// Clinical-radiological variables in [`CLINICAL_COLUMNS`] order (numeric codes).
    pub clinical: Vec<(String, f64)>,
    /// The T2WI, DWI and DCE volumes with their masks.
    pub images: Vec<SynthImage>,
}

/// One rendered volume (x fastest), its lesion mask (u8, label 1) and geometry.
#[derive(Clone, Debug)]
pub struct SynthImage {
    /// `t2`, `dwi` or `dce`.
    pub sequence: &'static str,
    /// Sizes along x, y, z.
    pub dims: [usize; 3],
    /// Spacing (mm).
    pub spacing: [f64; 3],
    /// World position (mm) of voxel (0, 0, 0).
    pub origin: [f64; 3],
    /// Intensities.
    pub voxels: Vec<i16>,
    /// Lesion mask, 1 inside.
    pub mask: Vec<u8>,
}

/// Columns of the clinical table, with their coding.
pub const CLINICAL_COLUMNS: [(&str, &str); 16] = [
    ("age", "years"),
    ("menopause", "0=pre,1=post"),
    ("family_history", "0=no,1=yes"),
    ("mobility", "0=mobile,1=fixed"),
    ("texture", "0=soft,1=stiff"),
    ("ki67", "0=<=20%,1=>20%"),
    ("nodes", "0=N0,1=N+"),
    ("density", "0=a/b,1=c/d"),
    ("side", "0=left,1=right"),
    ("lesions", "0=single,1=multiple"),
    ("shape", "0=mass,1=non-mass"),
    ("enhancement", "0=homogeneous,1=heterogeneous"),
    ("tic", "1=I,2=II,3=III"),
    ("t2w_signal", "1=hypo,2=iso,3=hyper"),
    ("volume", "cm3"),
    ("adc", "1e-3 mm2/s"),
];

// Stream purposes of the per-patient generators.
const LABELS: u64 = 0x4c41_4245;
const CLINICAL: u64 = 1;
const SHAPE: u64 = 2;
const FIELDS: u64 = 3;
const GRIDS: u64 = 4;
const NOISE: u64 = 5;

/// The class of every patient: exactly `positives` ones, in an order shuffled by the seed.
pub fn labels(opts: &SynthOptions) -> Vec<u8> {
    let pos = opts.positives.min(opts.patients);
    let mut v: Vec<u8> = (0..opts.patients).map(|i| u8::from(i < pos)).collect();
    Rng::from_key(&[opts.seed, LABELS, opts.patients as u64, pos as u64]).shuffle(&mut v);
    v
}

/// The patient identifier of index `i` (zero-padded to the cohort size).
pub fn patient_id(opts: &SynthOptions, index: usize) -> String {
    let width = opts.patients.max(1).to_string().len().max(3);
    format!("P{:0width$}", index + 1)
}

/// The grids of one patient: in-plane spacing from FOV / matrix, T2/DWI 5 mm slices with a 1 mm
/// gap, DCE 1.2 mm slices.
fn grids(rng: &mut Rng, small: bool) -> [GridSpec; 3] {
    let fov = [320.0, 340.0, 350.0][rng.below(3)];
    let m_t2 = [448.0, 512.0][rng.below(2)];
    let m_dwi = [224.0, 256.0][rng.below(2)];
    // DCE reconstruction matrix 352–384 (0.91–0.99 mm): the acquired resolution of typical
    // breast 3-D protocols, and half the voxels of a 512 reconstruction (demo run time).
    let m_dce = [352.0, 384.0][rng.below(2)];
    let f = if small { 2.0 } else { 1.0 };
    let dce_z = if small { 2.4 } else { 1.2 };
    [
        GridSpec {
            sequence: Sequence::T2,
            spacing: [f * fov / m_t2, f * fov / m_t2, 6.0],
            thickness: 5.0,
            sub: [2, 2, 4],
        },
        GridSpec {
            sequence: Sequence::Dwi,
            spacing: [f * fov / m_dwi, f * fov / m_dwi, 6.0],
            thickness: 5.0,
            sub: [2, 2, 4],
        },
        GridSpec {
            sequence: Sequence::Dce,
            spacing: [f * 350.0 / m_dce, f * 350.0 / m_dce, dce_z],
            thickness: dce_z,
            sub: [2, 2, 2],
        },
    ]
}

/// Draws the phenotype (clinical variables and latent tumour parameters) of patient `index`.
pub fn phenotype(opts: &SynthOptions, index: usize) -> Phenotype {
    let label = labels(opts).get(index).copied().unwrap_or(0);
    let mut rng = Rng::from_key(&[opts.seed, index as u64, CLINICAL]);
    Phenotype::draw(&mut rng, label)
}

/// Generates patient `index` (0-based) of the cohort described by `opts`.
pub fn generate_patient(opts: &SynthOptions, index: usize) -> SynthPatient {
    let ph = phenotype(opts, index);
    let key = |p: u64| Rng::from_key(&[opts.seed, index as u64, p]);
    let mut shape_rng = key(SHAPE);
    let lesion = Lesion::new(
        &mut shape_rng,
        [0.0, 0.0, 0.0],
        &ShapeParams {
            volume_mm3: ph.volume_mm3,
            irregularity: ph.irregularity,
            non_mass: ph.non_mass,
        },
    );
    let mut fr = key(FIELDS);
    let fgt = Field::new(&mut fr, 48, 4.0);
    let het = Field::new(&mut fr, 40, ph.het_scale_mm);
    let nec = Field::new(&mut fr, 24, 4.0);
    let bias = Field::new(&mut fr, 8, 60.0);
    let anat = Anatomy {
        ph: &ph,
        lesion,
        fgt,
        fgt_threshold: render::norm_ppf(1.0 - ph.fgt_fraction),
        het,
        nec,
        bias,
    };
    let mut gr = key(GRIDS);
    let specs = grids(&mut gr, opts.small);
    let mut noise = key(NOISE);
    let mut images = Vec::with_capacity(3);
    for spec in &specs {
        let offset = [gr.uniform(), gr.uniform(), gr.uniform()];
        let gain = (0.10 * gr.normal()).exp();
        let r = render::render(&anat, spec, offset, gain, &mut noise);
        images.push(SynthImage {
            sequence: spec.sequence.name(),
            dims: r.dims,
            spacing: r.spacing,
            origin: r.origin,
            voxels: r.voxels,
            mask: r.mask,
        });
    }
    // Lesion volume as segmented on the DCE grid (cm³), the ADC a reader measures on the solid
    // part (reader noise 0.08 ×10⁻³ mm²/s).
    let dce = &images[2];
    let voxel_mm3 = dce.spacing[0] * dce.spacing[1] * dce.spacing[2];
    let n_mask = dce.mask.iter().filter(|&&m| m != 0).count() as f64;
    let volume_cm3 = (n_mask * voxel_mm3 / 1000.0 * 100.0).round() / 100.0;
    let mut reader = key(CLINICAL ^ 0x100);
    let adc = ((ph.adc * (1.0 - 0.1 * ph.heterogeneity) + reader.gauss(0.0, 0.08)) * 100.0).round()
        / 100.0;
    let b = |x: bool| f64::from(u8::from(x));
    let values = [
        ph.age,
        b(ph.postmenopausal),
        b(ph.family_history),
        b(ph.fixed),
        b(ph.stiff),
        b(ph.ki67_high),
        b(ph.nodes),
        b(ph.dense),
        b(ph.right),
        b(ph.multiple),
        b(ph.non_mass),
        b(ph.heterogeneous()),
        f64::from(ph.tic as u8),
        f64::from(ph.t2_signal()),
        volume_cm3,
        adc,
    ];
    let clinical = CLINICAL_COLUMNS
        .iter()
        .zip(values)
        .map(|((n, _), v)| (n.to_string(), v))
        .collect();
    SynthPatient {
        id: patient_id(opts, index),
        label: ph.label,
        clinical,
        images,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_have_the_requested_counts_and_depend_on_the_seed() {
        let o = SynthOptions::default();
        let l = labels(&o);
        assert_eq!(l.len(), 190);
        assert_eq!(l.iter().filter(|&&x| x == 1).count(), 108);
        let l2 = labels(&SynthOptions { seed: 7, ..o });
        assert_ne!(l, l2);
    }

    #[test]
    fn patients_are_deterministic_and_masks_sit_on_their_grids() {
        let o = SynthOptions::with_patients(11, 6, true);
        for i in [0, 5] {
            let a = generate_patient(&o, i);
            let b = generate_patient(&o, i);
            assert_eq!(a.clinical, b.clinical);
            assert_eq!(a.images.len(), 3);
            for (x, y) in a.images.iter().zip(&b.images) {
                assert_eq!(x.voxels, y.voxels);
                assert_eq!(x.mask, y.mask);
                let n: usize = x.dims.iter().product();
                assert_eq!(x.voxels.len(), n);
                assert_eq!(x.mask.len(), n);
                assert!(x.dims.iter().all(|&d| d >= 4), "{:?}", x.dims);
                let roi = x.mask.iter().filter(|&&m| m == 1).count();
                assert!(roi >= 4, "{} roi {roi}", x.sequence);
            }
        }
    }

    /// Lesion voxels are brighter than the background on DWI and DCE (restricted diffusion,
    /// enhancement), and the segmented volume follows the designed one.
    #[test]
    fn contrasts_and_volumes_are_plausible() {
        let o = SynthOptions::with_patients(3, 4, false);
        for i in 0..4 {
            let p = generate_patient(&o, i);
            let ph = phenotype(&o, i);
            for im in &p.images {
                let (mut si, mut ni, mut so, mut no) = (0.0, 0.0, 0.0, 0.0);
                for (v, m) in im.voxels.iter().zip(&im.mask) {
                    if *m == 1 {
                        si += f64::from(*v);
                        ni += 1.0;
                    } else {
                        so += f64::from(*v);
                        no += 1.0;
                    }
                }
                if im.sequence != "t2" {
                    assert!(
                        si / ni > 1.3 * so / no,
                        "{} {}: {} vs {}",
                        p.id,
                        im.sequence,
                        si / ni,
                        so / no
                    );
                }
            }
            let vol = p
                .clinical
                .iter()
                .find(|(n, _)| n == "volume")
                .map(|x| x.1 * 1000.0);
            let vol = vol.unwrap_or(0.0);
            assert!(
                (vol / ph.volume_mm3 - 1.0).abs() < 0.15,
                "{vol} vs {}",
                ph.volume_mm3
            );
        }
    }
}
