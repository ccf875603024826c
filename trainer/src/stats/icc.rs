//! Intraclass correlation for feature reliability (Shrout & Fleiss 1979; McGraw & Wong 1996;
//! R `irr::icc(model = "twoway", type = "agreement", unit = "single")`, `psych::ICC` ICC2,
//! pingouin `intraclass_corr` "ICC2"/"ICC(A,1)").

use super::dist::{f_quantile, f_sf};

/// ICC with its 95 % confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Icc {
    pub icc: f64,
    pub ci: [f64; 2],
}

/// Two-way ANOVA decomposition and the single-rater ICC forms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IccTable {
    /// Targets (subjects) and raters.
    pub n: usize,
    pub k: usize,
    /// Mean squares: rows (targets), columns (raters), residual, within-target.
    pub msr: f64,
    pub msc: f64,
    pub mse: f64,
    pub msw: f64,
    /// ICC(1,1) one-way random.
    pub icc1: f64,
    /// ICC(2,1) = ICC(A,1), two-way random, absolute agreement, with McGraw & Wong CI.
    pub icc2: Icc,
    /// Satterthwaite degrees of freedom used by the ICC(A,1) interval.
    pub v: f64,
    /// ICC(3,1) = ICC(C,1), two-way mixed, consistency, with its F-based CI.
    pub icc3: Icc,
    /// `F = MSR/MSE` on `(n − 1, (n − 1)(k − 1))` df and its p-value (H0: ICC = 0).
    pub f: f64,
    pub p: f64,
}

/// All single-rater ICCs of an `n × k` complete table, `ratings[i][j]` = rater j on target i.
/// `SSR = kΣ(r̄_i − ḡ)²`, `SSC = nΣ(c̄_j − ḡ)²`, `SSE = SST − SSR − SSC`; `MSR = SSR/(n−1)`,
/// `MSC = SSC/(k−1)`, `MSE = SSE/((n−1)(k−1))`, `MSW = (SSC + SSE)/(n(k−1))`;
/// `ICC(1,1) = (MSR − MSW)/(MSR + (k−1)MSW)`,
/// `ICC(A,1) = (MSR − MSE)/(MSR + (k−1)MSE + k(MSC − MSE)/n)`,
/// `ICC(C,1) = (MSR − MSE)/(MSR + (k−1)MSE)`.
/// CI of ICC(A,1) (McGraw & Wong case 2A, as irr/psych/pingouin): `F_J = MSC/MSE`,
/// `v = (k−1)(n−1)[kρF_J + n(1+(k−1)ρ) − kρ]² / ((n−1)k²ρ²F_J² + [n(1+(k−1)ρ) − kρ]²)`,
/// `F* = F_{0.975}(n−1, v)`, `F** = F_{0.975}(v, n−1)`,
/// `L = n(MSR − F*·MSE)/(F*(k·MSC + (kn−k−n)MSE) + n·MSR)`,
/// `U = n(F**·MSR − MSE)/(k·MSC + (kn−k−n)MSE + n·F**·MSR)`.
/// CI of ICC(C,1): `F_L = F/F_{0.975}(n−1, (n−1)(k−1))`, `F_U = F·F_{0.975}((n−1)(k−1), n−1)`,
/// `[(F_L − 1)/(F_L + k − 1), (F_U − 1)/(F_U + k − 1)]`.
/// Returns None unless n ≥ 2, k ≥ 2 and every row has k finite values.
pub fn icc_table(ratings: &[Vec<f64>]) -> Option<IccTable> {
    let n = ratings.len();
    let k = ratings.first().map_or(0, Vec::len);
    if n < 2
        || k < 2
        || ratings
            .iter()
            .any(|r| r.len() != k || r.iter().any(|v| !v.is_finite()))
    {
        return None;
    }
    let (nf, kf) = (n as f64, k as f64);
    let g = ratings.iter().flatten().sum::<f64>() / (nf * kf);
    let rm: Vec<f64> = ratings.iter().map(|r| r.iter().sum::<f64>() / kf).collect();
    let cm: Vec<f64> = (0..k)
        .map(|j| ratings.iter().map(|r| r[j]).sum::<f64>() / nf)
        .collect();
    let ssr = kf * rm.iter().map(|m| (m - g) * (m - g)).sum::<f64>();
    let ssc = nf * cm.iter().map(|m| (m - g) * (m - g)).sum::<f64>();
    let sst: f64 = ratings.iter().flatten().map(|v| (v - g) * (v - g)).sum();
    let sse = sst - ssr - ssc;
    let msr = ssr / (nf - 1.0);
    let msc = ssc / (kf - 1.0);
    let mse = sse / ((nf - 1.0) * (kf - 1.0));
    let msw = (ssc + sse) / (nf * (kf - 1.0));
    let icc1 = (msr - msw) / (msr + (kf - 1.0) * msw);
    let rho = (msr - mse) / (msr + (kf - 1.0) * mse + kf * (msc - mse) / nf);
    let icc3 = (msr - mse) / (msr + (kf - 1.0) * mse);
    let f = msr / mse;
    let df1 = nf - 1.0;
    let df2 = (nf - 1.0) * (kf - 1.0);
    // ICC(A,1) interval
    let fj = msc / mse;
    let a = nf * (1.0 + (kf - 1.0) * rho) - kf * rho;
    let vn = df2 * (kf * rho * fj + a).powi(2);
    let vd = df1 * kf * kf * rho * rho * fj * fj + a * a;
    let v = vn / vd;
    let fs = f_quantile(0.975, df1, v);
    let fss = f_quantile(0.975, v, df1);
    let lo = nf * (msr - fs * mse) / (fs * (kf * msc + (kf * nf - kf - nf) * mse) + nf * msr);
    let hi = nf * (fss * msr - mse) / (kf * msc + (kf * nf - kf - nf) * mse + nf * fss * msr);
    // ICC(C,1) interval
    let fl = f / f_quantile(0.975, df1, df2);
    let fu = f * f_quantile(0.975, df2, df1);
    Some(IccTable {
        n,
        k,
        msr,
        msc,
        mse,
        msw,
        icc1,
        icc2: Icc {
            icc: rho,
            ci: [lo, hi],
        },
        v,
        icc3: Icc {
            icc: icc3,
            ci: [(fl - 1.0) / (fl + kf - 1.0), (fu - 1.0) / (fu + kf - 1.0)],
        },
        f,
        p: f_sf(f, df1, df2),
    })
}

/// ICC(2,1) = ICC(A,1) (two-way random effects, absolute agreement, single rater) with the
/// McGraw & Wong 95 % CI; `ratings[i][j]` = rater j on target i. See [`icc_table`] for the
/// formulas. NaN if the table is not a complete n ≥ 2 × k ≥ 2 table.
pub fn icc_a1(ratings: &[Vec<f64>]) -> Icc {
    icc_table(ratings).map_or(
        Icc {
            icc: f64::NAN,
            ci: [f64::NAN; 2],
        },
        |t| t.icc2,
    )
}
