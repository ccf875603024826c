//! MR signal models: STIR T2-weighted turbo spin echo, diffusion-weighted spin-echo EPI, and the
//! 3-D spoiled gradient echo of the DCE series with Tofts kinetics driven by the Parker
//! population arterial input function. Parameter values and their sources are listed in
//! `docs/synthetic-cohort.md`.

/// Relaxation, diffusion and perfusion parameters of one tissue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tissue {
    /// Longitudinal relaxation time T1 (ms, 3 T).
    pub t1_ms: f64,
    /// Transverse relaxation time T2 (ms, 3 T).
    pub t2_ms: f64,
    /// Relative proton density.
    pub pd: f64,
    /// Apparent diffusion coefficient (×10⁻³ mm²/s).
    pub adc: f64,
    /// Tofts volume transfer constant Ktrans (min⁻¹).
    pub ktrans: f64,
    /// Extravascular extracellular volume fraction ve.
    pub ve: f64,
}

/// Adipose tissue (Edden et al. 2010, 3 T): T1 423 ms, T2 154 ms; fat-suppressed on DWI/DCE.
pub const FAT: Tissue = Tissue {
    t1_ms: 423.0,
    t2_ms: 154.0,
    pd: 0.9,
    adc: 0.0,
    ktrans: 0.0,
    ve: 0.1,
};

/// Fibroglandular tissue (Edden et al. 2010, 3 T): T1 1680 ms, T2 71 ms; ADC 1.9 ×10⁻³ mm²/s;
/// mild background parenchymal enhancement (Ktrans 0.02 min⁻¹, ve 0.2).
pub const FGT: Tissue = Tissue {
    t1_ms: 1680.0,
    t2_ms: 71.0,
    pd: 1.0,
    adc: 1.9,
    ktrans: 0.02,
    ve: 0.2,
};

/// Necrotic / cystic tumour core: long T1 and T2 (fluid-like), free diffusion, almost no
/// enhancement (assumption; see the documentation).
pub const NECROSIS: Tissue = Tissue {
    t1_ms: 2500.0,
    t2_ms: 250.0,
    pd: 1.0,
    adc: 2.4,
    ktrans: 0.01,
    ve: 0.6,
};

/// STIR T2WI of the study: TR 8200 ms, TE 170 ms.
pub const T2_TR_MS: f64 = 8200.0;
/// STIR echo time (ms).
pub const T2_TE_MS: f64 = 170.0;
/// DWI repetition time (ms; assumption, typical breast SE-EPI).
pub const DWI_TR_MS: f64 = 5000.0;
/// DWI echo time (ms; assumption).
pub const DWI_TE_MS: f64 = 70.0;
/// The diffusion weighting of the DWI volume (s/mm²).
pub const DWI_B: f64 = 800.0;
/// Residual fat signal after spectral fat suppression (DWI, DCE).
pub const FAT_SUPPRESSION: f64 = 0.08;
/// DCE repetition time (s; assumption, typical 3 T breast 3-D SPGR).
pub const DCE_TR_S: f64 = 0.0045;
/// DCE flip angle (degrees; assumption).
pub const DCE_FLIP_DEG: f64 = 12.0;
/// Longitudinal relaxivity of gadodiamide in plasma at 3 T (s⁻¹·mM⁻¹; Rohrer et al. 2005).
pub const R1_RELAXIVITY: f64 = 4.0;
/// Haematocrit used to turn the blood AIF into plasma concentration.
pub const HCT: f64 = 0.42;
/// Bolus arrival delay after injection (s).
pub const BOLUS_DELAY_S: f64 = 10.0;
/// Acquisition times of the six post-contrast phases (s after injection).
pub const DCE_PHASES_S: [f64; 6] = [60.0, 120.0, 180.0, 240.0, 300.0, 360.0];

/// STIR inversion time that nulls fat with the given T1: `TI = T1·ln(2/(1 + e^{−TR/T1}))`.
pub fn stir_ti_ms(fat_t1_ms: f64) -> f64 {
    fat_t1_ms * (2.0 / (1.0 + (-T2_TR_MS / fat_t1_ms).exp())).ln()
}

/// STIR magnitude signal `PD·|1 − 2e^{−TI/T1} + e^{−TR/T1}|·e^{−TE/T2}`.
pub fn stir(pd: f64, t1_ms: f64, t2_ms: f64, ti_ms: f64) -> f64 {
    pd * (1.0 - 2.0 * (-ti_ms / t1_ms).exp() + (-T2_TR_MS / t1_ms).exp()).abs()
        * (-T2_TE_MS / t2_ms).exp()
}

/// Spin-echo EPI diffusion signal `PD·(1 − e^{−TR/T1})·e^{−TE/T2}·e^{−b·ADC}` (ADC in
/// ×10⁻³ mm²/s).
pub fn dwi(pd: f64, t1_ms: f64, t2_ms: f64, adc: f64, b: f64) -> f64 {
    pd * (1.0 - (-DWI_TR_MS / t1_ms).exp()) * (-DWI_TE_MS / t2_ms).exp() * (-b * adc * 1e-3).exp()
}

/// Spoiled gradient echo `M0·sin α·(1 − E1)/(1 − cos α·E1)`, `E1 = e^{−TR·R1}` (R1 in s⁻¹).
pub fn spgr(m0: f64, r1_per_s: f64) -> f64 {
    let a = DCE_FLIP_DEG.to_radians();
    let e1 = (-DCE_TR_S * r1_per_s).exp();
    m0 * a.sin() * (1.0 - e1) / (1.0 - a.cos() * e1)
}

/// Parker population AIF (whole blood, mM), `t` in minutes since bolus arrival:
/// two Gaussians plus a sigmoid-modulated exponential (Parker et al. 2006).
pub fn parker_blood(t_min: f64) -> f64 {
    const A1: f64 = 0.809;
    const A2: f64 = 0.330;
    const T1: f64 = 0.17046;
    const T2: f64 = 0.365;
    const S1: f64 = 0.0563;
    const S2: f64 = 0.132;
    const ALPHA: f64 = 1.050;
    const BETA: f64 = 0.1685;
    const S: f64 = 38.078;
    const TAU: f64 = 0.483;
    let g = |a: f64, m: f64, s: f64| {
        a / (s * (2.0 * core::f64::consts::PI).sqrt())
            * (-(t_min - m).powi(2) / (2.0 * s * s)).exp()
    };
    g(A1, T1, S1)
        + g(A2, T2, S2)
        + ALPHA * (-BETA * t_min).exp() / (1.0 + (-S * (t_min - TAU)).exp())
}

/// Plasma concentration (mM) at `t_s` seconds after injection (zero before the bolus arrives).
pub fn plasma(t_s: f64) -> f64 {
    let t = t_s - BOLUS_DELAY_S;
    if t <= 0.0 {
        0.0
    } else {
        parker_blood(t / 60.0) / (1.0 - HCT)
    }
}

/// Tofts response to a unit Ktrans: `F(kep, t) = ∫₀ᵗ Cp(τ)·e^{−kep(t−τ)} dτ` (mM·min), so that
/// `Ct(t) = Ktrans·F(kep, t)`. Exponential integrator with 0.5 s steps.
pub fn tofts_unit(kep_per_min: f64, t_s: f64) -> f64 {
    let dt_s = 0.5;
    let dt = dt_s / 60.0;
    let n = (t_s / dt_s).round() as usize;
    let e = (-kep_per_min * dt).exp();
    let gain = if kep_per_min > 1e-12 {
        (1.0 - e) / kep_per_min
    } else {
        dt
    };
    let mut acc = 0.0;
    for i in 0..n {
        acc = acc * e + plasma((i as f64 + 0.5) * dt_s) * gain;
    }
    acc
}

/// Tissue concentration (mM) at `t_s` under the standard Tofts model.
pub fn tofts(ktrans: f64, ve: f64, t_s: f64) -> f64 {
    if ktrans <= 0.0 {
        return 0.0;
    }
    ktrans * tofts_unit(ktrans / ve.max(1e-6), t_s)
}

/// DCE signal of a tissue at `t_s` (0 = pre-contrast), relative proton density `m0`.
pub fn dce_signal(m0: f64, t1_ms: f64, conc_mm: f64) -> f64 {
    spgr(m0, 1000.0 / t1_ms + R1_RELAXIVITY * conc_mm)
}

/// Kuhl time–intensity curve type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TicType {
    /// Persistent: late signal more than 10 % above the early peak.
    I = 1,
    /// Plateau: within ±10 %.
    II = 2,
    /// Washout: more than 10 % below.
    III = 3,
}

/// Kuhl classification of a curve sampled at [`DCE_PHASES_S`]: the late (360 s) signal relative
/// to the early peak (max of the 60 s and 120 s phases).
pub fn classify_tic(post: &[f64; 6]) -> (TicType, f64) {
    let early = post[0].max(post[1]);
    let change = (post[5] - early) / early;
    let t = if change > 0.10 {
        TicType::I
    } else if change < -0.10 {
        TicType::III
    } else {
        TicType::II
    };
    (t, change)
}

/// The six post-contrast signals of a tissue with these kinetics.
pub fn tic_curve(m0: f64, t1_ms: f64, ktrans: f64, ve: f64) -> [f64; 6] {
    let mut out = [0.0; 6];
    for (o, t) in out.iter_mut().zip(DCE_PHASES_S) {
        *o = dce_signal(m0, t1_ms, tofts(ktrans, ve, t));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stir_nulls_fat() {
        let ti = stir_ti_ms(FAT.t1_ms);
        assert!(stir(1.0, FAT.t1_ms, FAT.t2_ms, ti) < 1e-12);
        // Fibroglandular tissue keeps its signal.
        assert!(stir(1.0, FGT.t1_ms, FGT.t2_ms, ti) > 0.05);
    }

    #[test]
    fn dwi_log_ratio_gives_adc() {
        let s0 = dwi(1.0, 1500.0, 70.0, 1.1, 0.0);
        let s800 = dwi(1.0, 1500.0, 70.0, 1.1, 800.0);
        let adc = (s0 / s800).ln() / 800.0 * 1e3;
        assert!((adc - 1.1).abs() < 1e-12);
    }

    #[test]
    fn tofts_constant_input_limit() {
        // For large t after the bolus, Ct/Cp → ve when kep is large (fast exchange).
        let ve = 0.3;
        let c = tofts(30.0, ve, 360.0);
        let cp = plasma(360.0);
        assert!((c / cp / ve - 1.0).abs() < 0.05, "{}", c / cp);
    }

    /// Kuhl types of the reference parameter sets (the phantom notes: +16 %, +0.3 %, −38 %).
    #[test]
    fn tic_types_of_reference_sets() {
        let (t1, c1) = classify_tic(&tic_curve(1.0, 1500.0, 0.08, 0.50));
        let (t2, c2) = classify_tic(&tic_curve(1.0, 1500.0, 0.15, 0.45));
        let (t3, c3) = classify_tic(&tic_curve(1.0, 1500.0, 0.60, 0.25));
        assert_eq!((t1, t2, t3), (TicType::I, TicType::II, TicType::III));
        assert!((c1 - 0.16).abs() < 0.02 && c2.abs() < 0.03 && (c3 + 0.38).abs() < 0.02);
    }
}
