//! Per-patient draws: the clinical-radiological variables of the study's baseline table and the
//! latent tumour parameters the images are rendered from. The class (HER-2-low = 1, HER-2-zero =
//! 0) shifts a few of them moderately; `docs/synthetic-cohort.md` lists every number and why.

use super::rng::Rng;
use super::signal::{classify_tic, tic_curve, TicType};

/// Median designed lesion volume (mm³) of HER-2-zero lesions (the study's training median).
pub const MEDIAN_VOLUME_NEG: f64 = 11_409.0;
/// Median designed lesion volume (mm³) of HER-2-low lesions.
pub const MEDIAN_VOLUME_POS: f64 = 5_046.0;
/// Log-scale standard deviation of the lesion volume.
pub const VOLUME_LOG_SD: f64 = 0.9;
/// Smallest volume: a sphere of 10 mm diameter (the study excluded lesions < 10 mm).
pub const MIN_VOLUME: f64 = 524.0;
/// Largest volume (about a 50 mm sphere).
pub const MAX_VOLUME: f64 = 65_000.0;

/// Everything drawn for one patient before rendering.
#[derive(Clone, Debug)]
pub struct Phenotype {
    /// 1 = HER-2-low, 0 = HER-2-zero.
    pub label: u8,
    /// Age (years).
    pub age: f64,
    /// Post-menopausal.
    pub postmenopausal: bool,
    /// First-degree family history of breast cancer.
    pub family_history: bool,
    /// Lesion fixed (poor mobility) on palpation.
    pub fixed: bool,
    /// Stiff on palpation (the study's "texture").
    pub stiff: bool,
    /// Ki-67 > 20 %.
    pub ki67_high: bool,
    /// Axillary lymph-node metastasis.
    pub nodes: bool,
    /// Dense breast (BI-RADS c/d).
    pub dense: bool,
    /// Right breast.
    pub right: bool,
    /// More than one lesion.
    pub multiple: bool,
    /// Non-mass enhancement.
    pub non_mass: bool,
    /// Designed time–intensity curve type.
    pub tic_designed: TicType,
    /// Tofts Ktrans (min⁻¹) of the lesion's viable tissue.
    pub ktrans: f64,
    /// Tofts ve of the lesion.
    pub ve: f64,
    /// Kuhl type of the rendered mean curve (what a radiologist would read).
    pub tic: TicType,
    /// Designed lesion volume (mm³).
    pub volume_mm3: f64,
    /// Margin irregularity in [0, 1].
    pub irregularity: f64,
    /// Amplitude of the internal heterogeneity (relative).
    pub heterogeneity: f64,
    /// Correlation length (mm) of the internal heterogeneity.
    pub het_scale_mm: f64,
    /// The reader's call: heterogeneous enhancement.
    pub enhancement_heterogeneous: bool,
    /// Relative radius of a necrotic core (0: none).
    pub necrosis: f64,
    /// Lesion T1 (ms, 3 T).
    pub t1_ms: f64,
    /// Lesion T2 (ms, 3 T).
    pub t2_ms: f64,
    /// Lesion ADC of the viable tissue (×10⁻³ mm²/s).
    pub adc: f64,
    /// Fraction of fibroglandular tissue in the surrounding breast.
    pub fgt_fraction: f64,
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Phenotype {
    /// Draws a patient of class `label` from `rng`.
    pub fn draw(rng: &mut Rng, label: u8) -> Phenotype {
        let pos = label == 1;
        let pick =
            |rng: &mut Rng, p_pos: f64, p_neg: f64| rng.bernoulli(if pos { p_pos } else { p_neg });
        let age = rng.gauss_in(47.0, 10.0, 26.0, 78.0).round();
        // Menopause: logistic in age around 50 years.
        let postmenopausal = rng.bernoulli(logistic((age - 50.0) / 2.5));
        let family_history = rng.bernoulli(0.12);
        let fixed = rng.bernoulli(0.25);
        // Stiff texture: 80 % vs 47 % gives an odds ratio of (0.80/0.20)/(0.47/0.53) ≈ 4.5.
        let stiff = pick(rng, 0.80, 0.47);
        let ki67_high = pick(rng, 0.66, 0.72);
        let nodes = pick(rng, 0.40, 0.38);
        let dense = rng.bernoulli(if age < 50.0 { 0.62 } else { 0.42 });
        let right = rng.bernoulli(0.5);
        let multiple = rng.bernoulli(0.15);
        let non_mass = pick(rng, 0.10, 0.07);
        // Kinetics: HER-2-zero (enriched in triple-negative tumours) washes out more often.
        let tic_w: [f64; 3] = if pos {
            [0.20, 0.48, 0.32]
        } else {
            [0.11, 0.38, 0.51]
        };
        let tic_designed = match rng.categorical(&tic_w) {
            0 => TicType::I,
            1 => TicType::II,
            _ => TicType::III,
        };
        // Reference Tofts sets of the three curve types, jittered.
        let (k0, v0) = match tic_designed {
            TicType::I => (0.08, 0.50),
            TicType::II => (0.15, 0.45),
            TicType::III => (0.60, 0.25),
        };
        let ktrans = k0 * (0.18 * rng.normal()).exp();
        let ve = (v0 * (0.08 * rng.normal()).exp()).clamp(0.1, 0.8);
        let t1_ms = rng.gauss_in(1500.0, 120.0, 1150.0, 1900.0);
        let (tic, _) = classify_tic(&tic_curve(1.0, t1_ms, ktrans, ve));
        let median = if pos {
            MEDIAN_VOLUME_POS
        } else {
            MEDIAN_VOLUME_NEG
        };
        let volume_mm3 = rng
            .lognormal(median, VOLUME_LOG_SD)
            .clamp(MIN_VOLUME, MAX_VOLUME);
        // Margins: HER-2-low (mostly hormone-receptor positive) are more often spiculated; stiff
        // lesions a little more irregular.
        let irregularity = rng.gauss_in(
            if pos { 0.56 } else { 0.40 } + if stiff { 0.05 } else { 0.0 },
            0.2,
            0.0,
            1.0,
        );
        // Heterogeneity and necrosis: more in HER-2-zero and in large lesions.
        let heterogeneity = rng.gauss_in(if pos { 0.24 } else { 0.28 }, 0.09, 0.05, 0.6);
        let p_necrosis = (if pos { 0.22 } else { 0.30 }) * (volume_mm3 / 3000.0).min(1.0);
        let necrosis = if rng.bernoulli(p_necrosis) {
            rng.range(0.3, 0.6)
        } else {
            0.0
        };
        let t2_ms = rng.gauss_in(if pos { 78.0 } else { 83.0 }, 12.0, 50.0, 130.0);
        let adc = rng.gauss_in(if pos { 0.98 } else { 1.02 }, 0.16, 0.6, 1.6);
        // Grain of the internal heterogeneity: finer in HER-2-low, coarser (patchy, necrotic
        // foci) in HER-2-zero. Visible to texture features only, not to the reader's variables.
        let het_scale_mm = (if pos { 2.3 } else { 2.8 }) * (0.25 * rng.normal()).exp();
        // The reader's call on enhancement heterogeneity is noisy.
        let enhancement_heterogeneous =
            necrosis > 0.0 || heterogeneity + rng.gauss(0.0, 0.10) > 0.28;
        let fgt_fraction = if dense {
            rng.range(0.45, 0.70)
        } else {
            rng.range(0.12, 0.35)
        };
        Phenotype {
            label,
            age,
            postmenopausal,
            family_history,
            fixed,
            stiff,
            ki67_high,
            nodes,
            dense,
            right,
            multiple,
            non_mass,
            tic_designed,
            ktrans,
            ve,
            tic,
            volume_mm3,
            irregularity,
            heterogeneity,
            het_scale_mm,
            enhancement_heterogeneous,
            necrosis,
            t1_ms,
            t2_ms,
            adc,
            fgt_fraction,
        }
    }

    /// The lesion's T2 signal relative to fibroglandular tissue: 1 hypo, 2 iso, 3 hyper.
    pub fn t2_signal(&self) -> u8 {
        if self.necrosis > 0.0 || self.t2_ms > 90.0 {
            3
        } else if self.t2_ms < 66.0 {
            1
        } else {
            2
        }
    }

    /// Heterogeneous enhancement as a reader would call it.
    pub fn heterogeneous(&self) -> bool {
        self.enhancement_heterogeneous
    }
}
