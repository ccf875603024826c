//! Selection pipeline timing on a cohort CSV (plain or gzip), stage by stage:
//! `cargo bench -p radscore-trainer --bench select -- [cohort.csv[.gz]] [seed] [repeats]`
//! (default: the paper-shaped oracle cohort, its seed, 3 repeats). Runs the t2, dwi, dce and
//! multimodal selections as `radscore train` does (constant columns → z-score → Spearman →
//! f_classif / SelectKBest → the four LassoCVs on one work queue, with the figure path) and
//! prints the median wall seconds of each stage, and the
//! CPU seconds (all threads) of the whole run and of the LassoCV stage.

use flate2::read::GzDecoder;
use radscore_trainer::fclassif::{f_classif, select_k_best};
use radscore_trainer::lasso::{lasso_cv_batch, CvProblem, LassoCvOptions};
use radscore_trainer::preprocess::{constant_columns, Matrix, ZScore};
use radscore_trainer::spearman::{spearman_filter, SpearmanRule};
use radscore_trainer::split::{kfold_ids, stratified_split};
use std::io::Read;
use std::time::Instant;

/// CPU seconds of this process (all threads) from /proc/self/stat (utime + stime, clock ticks of
/// 1/100 s); NaN where unavailable. The machine may be shared, so CPU time is the stable figure.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
        return f64::NAN;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let default = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/oracle/paper_cohort.csv.gz"
    );
    let path = args.first().map_or(default, String::as_str);
    let seed: u32 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_260_211);
    let repeats: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);

    let mut text = String::new();
    let file = std::fs::File::open(path).expect("open cohort");
    if path.ends_with(".gz") {
        GzDecoder::new(file)
            .read_to_string(&mut text)
            .expect("gunzip");
    } else {
        std::io::BufReader::new(file)
            .read_to_string(&mut text)
            .expect("read");
    }
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let label_col = headers
        .iter()
        .position(|h| h == "label")
        .expect("label column");
    let feat: Vec<usize> = (0..headers.len())
        .filter(|&c| {
            ["t2_", "dwi_", "dce_"]
                .iter()
                .any(|p| headers[c].starts_with(p))
        })
        .collect();
    let mut labels = Vec::new();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("record");
        labels.push(rec[label_col].parse::<u8>().expect("label"));
        rows.push(
            feat.iter()
                .map(|&c| rec[c].parse::<f64>().expect("value"))
                .collect::<Vec<f64>>(),
        );
    }
    let x = Matrix::from_rows(&rows);
    let names: Vec<&str> = feat.iter().map(|&c| headers[c].as_str()).collect();
    let split = stratified_split(&labels, 0.3, seed);
    let xtr = x.select_rows(&split.train);
    let ytr: Vec<u8> = split.train.iter().map(|&i| labels[i]).collect();
    let yf: Vec<f64> = ytr.iter().map(|&v| f64::from(v)).collect();
    println!(
        "{} x {} training matrix ({path})",
        xtr.n_rows(),
        xtr.n_cols()
    );

    let stages = [
        "zscore",
        "spearman",
        "fclassif",
        "lasso_cv",
        "total",
        "total_cpu",
        "lasso_cpu",
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); stages.len()];
    for rep in 0..repeats {
        let mut t = [0.0f64; 7];
        let start = Instant::now();
        let cpu_start = cpu_seconds();
        let t0 = Instant::now();
        let constant = constant_columns(&xtr);
        let live: Vec<usize> = (0..xtr.n_cols())
            .filter(|j| !constant.contains(j))
            .collect();
        let xl = xtr.select_cols(&live);
        let z = ZScore::fit(&xl).apply(&xl);
        t[0] += t0.elapsed().as_secs_f64();
        let groups = ["t2", "dwi", "dce", "multimodal"];
        let mut designs = Vec::new();
        for group in groups {
            let cols: Vec<usize> = (0..live.len())
                .filter(|&k| {
                    group == "multimodal" || names[live[k]].starts_with(&format!("{group}_"))
                })
                .collect();
            let zg = z.select_cols(&cols);
            let t0 = Instant::now();
            let kept = spearman_filter(&zg, 0.9, SpearmanRule::Greedy);
            t[1] += t0.elapsed().as_secs_f64();
            let t0 = Instant::now();
            let zk = zg.select_cols(&kept);
            let (f, _) = f_classif(&zk, &ytr);
            let sel = select_k_best(&f, kept.len() / 2);
            t[2] += t0.elapsed().as_secs_f64();
            designs.push((cols.len(), kept.len(), zk.select_cols(&sel)));
        }
        // the four LassoCVs on one work queue, as `radscore train` runs them (with the
        // multimodal all-rows path of the report figure)
        let folds = kfold_ids(yf.len(), 5);
        let problems: Vec<CvProblem<'_>> = designs
            .iter()
            .zip(groups)
            .map(|((_, _, x), g)| CvProblem {
                x,
                y: &yf,
                folds: folds.clone(),
                full_path: g == "multimodal",
            })
            .collect();
        let t0 = Instant::now();
        let c0 = cpu_seconds();
        let out = lasso_cv_batch(&problems, &LassoCvOptions::default());
        t[3] += t0.elapsed().as_secs_f64();
        t[6] += cpu_seconds() - c0;
        if rep == 0 {
            for ((g, (n_cols, n_kept, x)), o) in groups.iter().zip(&designs).zip(&out) {
                let nz = o.cv.coef.iter().filter(|c| **c != 0.0).count();
                println!(
                    "{g:>10}: {n_cols} columns -> Spearman {n_kept} -> F {} -> LASSO {nz} (alpha index {})",
                    x.n_cols(),
                    o.cv.alpha_index
                );
            }
        }
        t[4] = start.elapsed().as_secs_f64();
        t[5] = cpu_seconds() - cpu_start;
        for (v, s) in times.iter_mut().zip(t) {
            v.push(s);
        }
    }
    for (name, v) in stages.iter().zip(&mut times) {
        v.sort_by(f64::total_cmp);
        let runs: Vec<String> = v.iter().map(|s| format!("{s:.3}")).collect();
        println!(
            "{name:>10}: median {:.3} s  (runs {})",
            v[v.len() / 2],
            runs.join(", ")
        );
    }
}
