//! Rendering one patient's anatomy on an acquisition grid: partial-volume lesion fraction, fat /
//! fibroglandular background, tissue signal models, bias field, gain and Rician noise.
//!
//! Anatomy lives in world millimetres (lesion centre near the origin), so the three grids of a
//! patient see the same breast. Each grid is first laid out over a box that surely holds the
//! lesion, the lesion fraction is computed there, and the volume is then cropped to the mask's
//! bounding box plus a margin before the (more expensive) tissue signals are evaluated.

use super::field::Field;
use super::lesion::Lesion;
use super::phenotype::Phenotype;
use super::rng::Rng;
use super::signal::{self, Tissue, FAT, FGT, NECROSIS};

/// Which MR sequence a grid carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sequence {
    /// STIR T2-weighted turbo spin echo.
    T2,
    /// Diffusion-weighted SE-EPI at b = 800 s/mm².
    Dwi,
    /// First post-contrast phase (60 s) of the 3-D spoiled gradient echo DCE series.
    Dce,
}

impl Sequence {
    /// The sequence's short name (CSV prefix).
    pub fn name(self) -> &'static str {
        match self {
            Sequence::T2 => "t2",
            Sequence::Dwi => "dwi",
            Sequence::Dce => "dce",
        }
    }
}

/// Acquisition geometry of one sequence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridSpec {
    /// The sequence.
    pub sequence: Sequence,
    /// Voxel spacing (mm) along x, y, z (z = slice direction, slice thickness + gap).
    pub spacing: [f64; 3],
    /// Slice thickness (mm): the extent of the slice profile along z.
    pub thickness: f64,
    /// Sub-samples per voxel along x, y, z for the partial-volume fraction.
    pub sub: [usize; 3],
}

/// Scale from signal-equation units to stored intensities, per sequence.
pub const SCALE_T2: f64 = 5000.0;
/// DWI scale.
pub const SCALE_DWI: f64 = 3000.0;
/// DCE scale.
pub const SCALE_DCE: f64 = 15000.0;
/// Rician noise σ (stored units): T2 (fibroglandular SNR ≈ 20).
pub const SIGMA_T2: f64 = 15.0;
/// Rician noise σ, DWI (lesion SNR ≈ 20, fibroglandular ≈ 10).
pub const SIGMA_DWI: f64 = 24.0;
/// Rician noise σ, DCE (fibroglandular SNR ≈ 30).
pub const SIGMA_DCE: f64 = 12.0;
/// Residual fat signal after spectral fat saturation on DWI.
pub const FAT_SUPPRESSION_DWI: f64 = 0.03;

/// A rendered grid: dims, spacing, origin (world mm of voxel 0's centre), voxels and mask.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// Sizes along x, y, z.
    pub dims: [usize; 3],
    /// Spacing (mm).
    pub spacing: [f64; 3],
    /// World position of voxel (0, 0, 0).
    pub origin: [f64; 3],
    /// Stored intensities.
    pub voxels: Vec<i16>,
    /// Lesion mask (1 = lesion: partial-volume fraction ≥ 0.5).
    pub mask: Vec<u8>,
    /// Lesion partial-volume fraction per voxel.
    pub fraction: Vec<f32>,
}

/// The world-space anatomy shared by the three grids of a patient.
pub struct Anatomy<'a> {
    /// The patient's draws.
    pub ph: &'a Phenotype,
    /// The lesion body.
    pub lesion: Lesion,
    /// Fibroglandular texture field (ℓ ≈ 4 mm).
    pub fgt: Field,
    /// Threshold on `fgt` giving the requested fibroglandular fraction.
    pub fgt_threshold: f64,
    /// Internal heterogeneity field (ℓ ≈ 1.8–3 mm by class).
    pub het: Field,
    /// Necrotic-core boundary perturbation field.
    pub nec: Field,
    /// Smooth receive-coil bias field (ℓ ≈ 60 mm).
    pub bias: Field,
}

/// Inverse of the standard normal CDF (Abramowitz & Stegun 26.2.23, |error| < 4.5e-4).
pub fn norm_ppf(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    let (q, sign) = if p < 0.5 { (p, -1.0) } else { (1.0 - p, 1.0) };
    let t = (-2.0 * q.ln()).sqrt();
    let x = t
        - (2.515517 + 0.802853 * t + 0.010328 * t * t)
            / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
    sign * x
}

fn smoothstep(x: f64) -> f64 {
    let t = x.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

impl Anatomy<'_> {
    /// Fibroglandular fraction at a field value.
    fn fgt_at(&self, f: f64) -> f64 {
        smoothstep((f - self.fgt_threshold) / 0.35 + 0.5)
    }
}

/// Relaxation/diffusion parameters of the viable lesion tissue at heterogeneity value `h`
/// (zero mean, unit variance): more cellular spots (h > 0) have lower ADC and T2 and higher
/// Ktrans.
fn viable(ph: &Phenotype, h: f64) -> (Tissue, f64) {
    let a = ph.heterogeneity * h;
    let t = Tissue {
        t1_ms: ph.t1_ms,
        t2_ms: ph.t2_ms * (1.0 - 0.25 * a).max(0.4),
        pd: 1.0,
        adc: ph.adc * (1.0 - 0.45 * a).max(0.3),
        ktrans: ph.ktrans,
        ve: ph.ve,
    };
    // Ktrans multiplier; the viable rim around a necrotic core enhances more.
    let kmul = (0.9 * a).exp() * if ph.necrosis > 0.0 { 1.25 } else { 1.0 };
    (t, kmul)
}

/// Signal-equation value of one tissue on a sequence (before scaling); `conc` is the
/// contrast-agent concentration at 60 s (DCE only).
fn tissue_signal(seq: Sequence, t: &Tissue, conc: f64, fat_sat: f64) -> f64 {
    match seq {
        Sequence::T2 => signal::stir(t.pd, t.t1_ms, t.t2_ms, signal::stir_ti_ms(FAT.t1_ms)),
        Sequence::Dwi => fat_sat * signal::dwi(t.pd, t.t1_ms, t.t2_ms, t.adc, signal::DWI_B),
        Sequence::Dce => fat_sat * signal::dce_signal(t.pd, t.t1_ms, conc),
    }
}

/// Time of the rendered DCE phase (s after injection).
pub const DCE_TIME_S: f64 = 60.0;

/// Renders `anat` on `spec`. `offset` is the sub-voxel position of the grid relative to the
/// lesion centre (each in [0, 1)), `gain` the per-series receive gain.
pub fn render(
    anat: &Anatomy<'_>,
    spec: &GridSpec,
    offset: [f64; 3],
    gain: f64,
    noise: &mut Rng,
) -> Rendered {
    let sp = spec.spacing;
    let c = anat.lesion.center();
    let rb = anat.lesion.bounding_radius();
    // Layout box: the bounding sphere plus one voxel.
    let mut n = [0usize; 3];
    let mut origin = [0.0; 3];
    for a in 0..3 {
        let half = ((rb + sp[a]) / sp[a]).ceil() as usize + 1;
        n[a] = 2 * half + 1;
        origin[a] = c[a] - (half as f64 - offset[a]) * sp[a];
    }
    // Lesion partial-volume fraction on the layout box.
    let thick = [sp[0], sp[1], spec.thickness];
    let hd = 0.5 * (thick[0] * thick[0] + thick[1] * thick[1] + thick[2] * thick[2]).sqrt();
    let r_eq = anat.lesion.equivalent_radius();
    let band = 2.0 * hd / (0.6 * r_eq);
    let sub = spec.sub;
    let nsub = (sub[0] * sub[1] * sub[2]) as f64;
    let mut frac = vec![0f32; n[0] * n[1] * n[2]];
    for k in 0..n[2] {
        let z = origin[2] + k as f64 * sp[2];
        for j in 0..n[1] {
            let y = origin[1] + j as f64 * sp[1];
            for i in 0..n[0] {
                let x = origin[0] + i as f64 * sp[0];
                let rho = anat.lesion.rho([x, y, z]);
                let f = if (rho - 1.0).abs() < band {
                    let mut inside = 0usize;
                    for kz in 0..sub[2] {
                        let pz = z + ((kz as f64 + 0.5) / sub[2] as f64 - 0.5) * thick[2];
                        for ky in 0..sub[1] {
                            let py = y + ((ky as f64 + 0.5) / sub[1] as f64 - 0.5) * thick[1];
                            for kx in 0..sub[0] {
                                let px = x + ((kx as f64 + 0.5) / sub[0] as f64 - 0.5) * thick[0];
                                if anat.lesion.rho([px, py, pz]) < 1.0 {
                                    inside += 1;
                                }
                            }
                        }
                    }
                    inside as f64 / nsub
                } else if rho < 1.0 {
                    1.0
                } else {
                    0.0
                };
                frac[i + n[0] * (j + n[1] * k)] = f as f32;
            }
        }
    }
    // Crop to the mask's bounding box plus a margin (≥ 4 voxels along every axis for the LoG).
    let mut lo = n;
    let mut hi = [0usize; 3];
    let mut any = false;
    for k in 0..n[2] {
        for j in 0..n[1] {
            for i in 0..n[0] {
                if frac[i + n[0] * (j + n[1] * k)] >= 0.5 {
                    any = true;
                    for (a, v) in [i, j, k].into_iter().enumerate() {
                        lo[a] = lo[a].min(v);
                        hi[a] = hi[a].max(v);
                    }
                }
            }
        }
    }
    if !any {
        // A lesion thinner than half a voxel everywhere: mark the voxel holding the centre.
        let ci = [n[0] / 2, n[1] / 2, n[2] / 2];
        frac[ci[0] + n[0] * (ci[1] + n[1] * ci[2])] = 0.5;
        lo = ci;
        hi = ci;
    }
    let margin_mm = [6.0, 6.0, 3.0];
    let mut b0 = [0usize; 3];
    let mut dims = [0usize; 3];
    for a in 0..3 {
        let pad = ((margin_mm[a] / sp[a]).ceil() as usize).max(1);
        let mut l = lo[a].saturating_sub(pad);
        let mut h = (hi[a] + pad).min(n[a] - 1);
        // The layout box has at least 5 voxels per axis, so this ends.
        while h - l + 1 < 4 && (l > 0 || h + 1 < n[a]) {
            l = l.saturating_sub(1);
            if h - l + 1 < 4 && h + 1 < n[a] {
                h += 1;
            }
        }
        b0[a] = l;
        dims[a] = h - l + 1;
    }
    let org = [
        origin[0] + b0[0] as f64 * sp[0],
        origin[1] + b0[1] as f64 * sp[1],
        origin[2] + b0[2] as f64 * sp[2],
    ];
    let xs: Vec<f64> = (0..dims[0]).map(|i| org[0] + i as f64 * sp[0]).collect();
    let ys: Vec<f64> = (0..dims[1]).map(|j| org[1] + j as f64 * sp[1]).collect();
    let zs: Vec<f64> = (0..dims[2]).map(|k| org[2] + k as f64 * sp[2]).collect();
    // Fibroglandular fraction averaged over the slice profile.
    let nzs = if spec.thickness > 2.0 { 4 } else { 1 };
    let zsub: Vec<f64> = zs
        .iter()
        .flat_map(|z| {
            (0..nzs).map(move |s| z + ((s as f64 + 0.5) / nzs as f64 - 0.5) * spec.thickness)
        })
        .collect();
    let fgt_l = anat.fgt.lattice(&xs, &ys, &zsub);
    let het_l = anat.het.lattice(&xs, &ys, &zs);
    let nec_l = anat.nec.lattice(&xs, &ys, &zs);
    let bias_l = anat.bias.lattice(&xs, &ys, &zs);

    let ph = anat.ph;
    let seq = spec.sequence;
    let (scale, sigma, fat_sat) = match seq {
        Sequence::T2 => (SCALE_T2, SIGMA_T2, 1.0),
        Sequence::Dwi => (SCALE_DWI, SIGMA_DWI, FAT_SUPPRESSION_DWI),
        Sequence::Dce => (SCALE_DCE, SIGMA_DCE, signal::FAT_SUPPRESSION),
    };
    // Contrast concentrations at 60 s: the lesion's Tofts response per unit Ktrans (kep fixed),
    // fibroglandular background enhancement and the necrotic core.
    let unit = signal::tofts_unit(ph.ktrans / ph.ve, DCE_TIME_S);
    let c_fgt = signal::tofts(FGT.ktrans, FGT.ve, DCE_TIME_S);
    let c_nec = signal::tofts(NECROSIS.ktrans, NECROSIS.ve, DCE_TIME_S);
    let s_fat = tissue_signal(seq, &FAT, 0.0, fat_sat);
    let s_fgt = tissue_signal(seq, &FGT, c_fgt, 1.0);
    let s_nec = tissue_signal(seq, &NECROSIS, c_nec, 1.0);

    let total = dims[0] * dims[1] * dims[2];
    let mut voxels = Vec::with_capacity(total);
    let mut mask = Vec::with_capacity(total);
    let mut fraction = Vec::with_capacity(total);
    for k in 0..dims[2] {
        for j in 0..dims[1] {
            for i in 0..dims[0] {
                let f = f64::from(frac[(b0[0] + i) + n[0] * ((b0[1] + j) + n[1] * (b0[2] + k))]);
                let mut g = 0.0;
                for s in 0..nzs {
                    g += anat.fgt_at(fgt_l.at(i, j, k * nzs + s));
                }
                g /= nzs as f64;
                let bg = g * s_fgt + (1.0 - g) * s_fat;
                let s_les = if f > 0.0 {
                    let p = [xs[i], ys[j], zs[k]];
                    let (t, kmul) = viable(ph, het_l.at(i, j, k));
                    let s_v = tissue_signal(seq, &t, ph.ktrans * kmul * unit, 1.0);
                    if ph.necrosis > 0.0 {
                        let rho = anat.lesion.rho(p);
                        let edge = ph.necrosis * (1.0 + 0.25 * nec_l.at(i, j, k));
                        let w = smoothstep((edge - rho) / 0.12 + 0.5);
                        w * s_nec + (1.0 - w) * s_v
                    } else {
                        s_v
                    }
                } else {
                    0.0
                };
                let s =
                    (f * s_les + (1.0 - f) * bg) * scale * gain * (1.0 + 0.06 * bias_l.at(i, j, k));
                // Rician magnitude: |s + n_re + i·n_im|.
                let re = s + sigma * noise.normal();
                let im = sigma * noise.normal();
                let m = (re * re + im * im).sqrt().round().clamp(0.0, 32767.0);
                voxels.push(m as i16);
                mask.push(u8::from(f >= 0.5));
                fraction.push(f as f32);
            }
        }
    }
    Rendered {
        dims,
        spacing: sp,
        origin: org,
        voxels,
        mask,
        fraction,
    }
}
