//! The report on a small synthetic cohort: every SVG parses as XML and carries its axis titles
//! and legend entries, the page references every figure and table, and a second run writes
//! byte-identical files.

use std::path::{Path, PathBuf};

use radscore_trainer::report::{
    write_report, Baseline, BaselineVar, BootstrapSettings, Coefficient, LassoTrace, ModelCurves,
    NomogramAxis, NomogramSpec, Obs, OddsRow, Part, RefitDesign, ReportInput, ScoredCase, VarKind,
};

/// xorshift64* in [0, 1).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-12), self.next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// A paper-shaped cohort: 190 patients, 108 positive, 7:3 split, six models, clinical columns.
fn synthetic_input() -> ReportInput {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let n = 190;
    let labels: Vec<u8> = (0..n).map(|i| u8::from(i % 190 < 108)).collect();
    let parts: Vec<Part> = (0..n)
        .map(|i| if i % 10 < 7 { Part::Train } else { Part::Test })
        .collect();
    let texture: Vec<f64> = labels
        .iter()
        .map(|&l| f64::from(u8::from(rng.next() < if l == 1 { 0.6 } else { 0.3 })))
        .collect();
    let volume: Vec<f64> = labels
        .iter()
        .map(|&l| (if l == 1 { 8.5 } else { 9.2 } + 0.6 * rng.normal()).exp())
        .collect();
    let age: Vec<f64> = (0..n)
        .map(|_| (47.0 + 10.0 * rng.normal()).round())
        .collect();
    let tic: Vec<f64> = labels
        .iter()
        .map(|_| (rng.next() * 3.0).floor() + 1.0)
        .collect();
    let radscore: Vec<f64> = labels
        .iter()
        .map(|&l| 0.5 + 0.25 * (f64::from(l) - 0.5) + 0.18 * rng.normal())
        .collect();
    let mut models = Vec::new();
    let names = ["clinical", "t2", "dwi", "dce", "multimodal", "combined"];
    for (k, name) in names.iter().enumerate() {
        let strength = 0.45 + 0.12 * k as f64;
        let probs: Vec<f64> = labels
            .iter()
            .map(|&l| sigmoid(strength * (f64::from(l) - 0.5) * 2.0 + 0.2 + 0.8 * rng.normal()))
            .collect();
        let obs = |p: Part| -> Vec<Obs> {
            (0..n)
                .filter(|&i| parts[i] == p)
                .map(|i| Obs {
                    label: labels[i],
                    value: probs[i],
                })
                .collect()
        };
        models.push(ModelCurves {
            name: name.to_string(),
            threshold: 0.5,
            probability: true,
            train: obs(Part::Train),
            test: obs(Part::Test),
            other: vec![],
        });
    }
    let alphas: Vec<f64> = (0..40)
        .map(|k| 0.3 * 10f64.powf(-3.0 * k as f64 / 39.0))
        .collect();
    let mean_mse: Vec<f64> = alphas
        .iter()
        .map(|a| 0.16 + 0.02 * (a.log10() + 1.7).powi(2))
        .collect();
    let sd_mse: Vec<f64> = alphas.iter().map(|_| 0.02).collect();
    let feats: Vec<String> = (0..12)
        .map(|j| format!("dce_original_firstorder_Feature{j}"))
        .collect();
    let path: Vec<Vec<f64>> = alphas
        .iter()
        .map(|a| {
            (0..12)
                .map(|j| {
                    ((0.25 - a) * (j as f64 - 5.5) / 4.0).clamp(-0.6, 0.6)
                        * f64::from(u8::from(*a < 0.25 - 0.01 * j as f64))
                })
                .collect()
        })
        .collect();
    let train: Vec<usize> = (0..n).filter(|&i| parts[i] == Part::Train).collect();
    // The combined model is the maximum-likelihood fit of radscore + texture on the training
    // patients, as the pipeline fits it (so the bootstrap refits the model the report shows).
    let xc = radscore_trainer::preprocess::Matrix::from_columns(&[
        train.iter().map(|&i| radscore[i]).collect(),
        train.iter().map(|&i| texture[i]).collect(),
    ]);
    let yc: Vec<u8> = train.iter().map(|&i| labels[i]).collect();
    let fit = radscore_trainer::logistic::fit_logistic(&xc, &yc).expect("combined fit");
    let combined = models.last_mut().expect("combined");
    for (p, list) in [
        (Part::Train, &mut combined.train),
        (Part::Test, &mut combined.test),
    ] {
        *list = (0..n)
            .filter(|&i| parts[i] == p)
            .map(|i| Obs {
                label: labels[i],
                value: fit.probability(&[radscore[i], texture[i]]),
            })
            .collect();
    }
    let refit = RefitDesign {
        names: vec!["radscore".into(), "texture".into()],
        columns: vec![
            train.iter().map(|&i| radscore[i]).collect(),
            train.iter().map(|&i| texture[i]).collect(),
        ],
        labels: train.iter().map(|&i| labels[i]).collect(),
    };
    ReportInput {
        external_names: vec![],
        refit: Some(refit),
        bootstrap: BootstrapSettings { b: 200, seed: 7 },
        title: "Validation report: synthetic cohort".into(),
        class_names: ["HER-2-zero".into(), "HER-2-low".into()],
        reference: Some(models.len() - 1),
        models,
        radscore: (0..n)
            .map(|i| ScoredCase {
                id: format!("P{i:03}"),
                label: labels[i],
                part: parts[i],
                value: radscore[i],
            })
            .collect(),
        radscore_cutoff: Some(0.5),
        baseline: Some(Baseline {
            labels: labels.clone(),
            parts: parts.clone(),
            vars: vec![
                BaselineVar {
                    name: "age".into(),
                    kind: BaselineVar::infer_kind(&age),
                    values: age,
                    levels: vec![],
                },
                BaselineVar {
                    name: "texture".into(),
                    kind: BaselineVar::infer_kind(&texture),
                    values: texture,
                    levels: vec![],
                },
                BaselineVar {
                    name: "tic".into(),
                    kind: VarKind::Categorical,
                    values: tic,
                    levels: vec![],
                },
                BaselineVar {
                    name: "volume".into(),
                    kind: BaselineVar::infer_kind(&volume),
                    values: volume,
                    levels: vec![],
                },
            ],
        }),
        univariate: vec![
            OddsRow {
                name: "texture".into(),
                or: 4.56,
                ci_low: 1.462,
                ci_high: 16.08,
                p: 0.01,
                level: None,
                reference: None,
            },
            OddsRow {
                name: "volume".into(),
                or: 0.944,
                ci_low: 0.911,
                ci_high: 0.972,
                p: 0.0004,
                level: None,
                reference: None,
            },
            OddsRow {
                name: "age".into(),
                or: 1.01,
                ci_low: 0.98,
                ci_high: 1.04,
                p: 0.52,
                level: None,
                reference: None,
            },
        ],
        multivariate: vec![
            OddsRow {
                name: "texture".into(),
                or: 4.1,
                ci_low: 1.3,
                ci_high: 14.0,
                p: 0.02,
                level: None,
                reference: None,
            },
            OddsRow {
                name: "volume".into(),
                or: 0.95,
                ci_low: 0.92,
                ci_high: 0.975,
                p: 0.0007,
                level: None,
                reference: None,
            },
        ],
        features: vec![
            Coefficient {
                name: "dce_exponential_firstorder_Kurtosis".into(),
                value: -0.340991877,
            },
            Coefficient {
                name: "t2_wavelet-LHL_glrlm_RunLengthNonUniformityNormalized".into(),
                value: -0.397490758,
            },
        ],
        radscore_intercept: Some(0.568),
        lasso: Some(LassoTrace {
            alphas,
            mean_mse,
            sd_mse,
            chosen: 17,
            min_index: 17,
            one_se_index: 12,
            n_folds: 5,
            features: feats,
            path,
        }),
        nomogram: Some(NomogramSpec {
            intercept: -2.0,
            points_per_unit: 100.0 / (6.0 * 1.2),
            axes: vec![
                NomogramAxis {
                    name: "Radscore".into(),
                    unit: String::new(),
                    beta: 6.0,
                    lo: -0.2,
                    hi: 1.0,
                    binary: false,
                    levels: Vec::new(),
                },
                NomogramAxis {
                    name: "texture".into(),
                    unit: "0=soft,1=stiff".into(),
                    beta: 1.5,
                    lo: 0.0,
                    hi: 1.0,
                    binary: true,
                    levels: Vec::new(),
                },
                NomogramAxis {
                    name: "volume".into(),
                    unit: "cm3".into(),
                    beta: -0.06,
                    lo: 0.0,
                    hi: 60.0,
                    binary: false,
                    levels: Vec::new(),
                },
            ],
        }),
        notes: vec!["Synthetic data for the test suite.".into()],
    }
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("radscore-report-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// All text content of an SVG document (after XML parsing).
fn svg_texts(svg: &str, name: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{name} is not XML: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg", "{name}");
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "text")
        .filter_map(|n| n.text().map(str::to_string))
        .collect()
}

fn assert_has(texts: &[String], needle: &str, name: &str) {
    assert!(
        texts.iter().any(|t| t.contains(needle)),
        "{name}: no text containing {needle:?}; texts: {texts:?}"
    );
}

#[test]
fn figures_parse_and_are_labelled() {
    let input = synthetic_input();
    let dir = tmpdir("labels");
    let files = write_report(&dir, &input).expect("report");
    // For looking at the page: RADSCORE_REPORT_OUT=/some/dir keeps a copy.
    if let Some(out) = std::env::var_os("RADSCORE_REPORT_OUT") {
        write_report(Path::new(&out), &input).expect("report copy");
    }
    let expect = [
        (
            "roc_train.svg",
            vec![
                "1 − Specificity",
                "Sensitivity",
                "combined: AUC",
                "clinical: AUC",
                "Chance",
                "ROC curves, training set",
            ],
        ),
        (
            "roc_test.svg",
            vec![
                "1 − Specificity",
                "Sensitivity",
                "multimodal: AUC",
                "ROC curves, test set",
            ],
        ),
        (
            "calibration_train.svg",
            vec![
                "Predicted probability",
                "Observed fraction of HER-2-low",
                "Ideal",
                "Apparent",
                "Bias-corrected (bootstrap)",
                "Deciles, observed (95 % CI)",
            ],
        ),
        (
            "calibration_test.svg",
            vec!["Predicted probability", "Ideal", "Apparent"],
        ),
        (
            "dca_train.svg",
            vec![
                "Threshold probability",
                "Net benefit",
                "Treat all",
                "Treat none",
                "combined",
                "dwi",
            ],
        ),
        (
            "dca_test.svg",
            vec!["Threshold probability", "Net benefit", "Treat all"],
        ),
        (
            "nomogram.svg",
            vec![
                "Points",
                "Radscore",
                "texture",
                "stiff",
                "soft",
                "volume (cm³)",
                "Total points",
                "Linear predictor",
                "Probability",
            ],
        ),
        (
            "radscore_waterfall.svg",
            vec![
                "Radscore − cut-off",
                "Training set",
                "Test set",
                "HER-2-zero",
                "HER-2-low",
            ],
        ),
        (
            "radscore_violin.svg",
            vec![
                "Radscore",
                "Mann–Whitney p",
                "HER-2-zero (n = ",
                "HER-2-low (n = ",
            ],
        ),
        (
            "lasso_cv.svg",
            vec![
                "log10(alpha)",
                "Mean squared error",
                "alpha_min = 0.0148 (chosen)",
                "alpha_1se = ",
                "± 1 SE over folds",
                "Non-zero coefficients",
                "Mean CV MSE",
            ],
        ),
        (
            "lasso_path.svg",
            vec![
                "log10(alpha)",
                "Coefficient",
                "Chosen alpha",
                "Other features",
                "dce_original_firstorder_Feature0",
            ],
        ),
    ];
    for (name, needles) in &expect {
        assert!(files.files.contains(&dir.join(name)), "{name} not written");
        let texts = svg_texts(&read(&dir, name), name);
        for n in needles {
            assert_has(&texts, n, name);
        }
    }
    // Nomogram: the Points axis runs 0..100 in steps of 10.
    let texts = svg_texts(&read(&dir, "nomogram.svg"), "nomogram.svg");
    for p in (0..=100).step_by(10) {
        assert_has(&texts, &p.to_string(), "nomogram.svg");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn page_references_every_figure_and_table() {
    let input = synthetic_input();
    let dir = tmpdir("html");
    let files = write_report(&dir, &input).expect("report");
    let html = read(&dir, "index.html");
    // Self-contained: no scripts, no external resources (the SVG namespace URI is not a fetch).
    for bad in [
        "<script",
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
        "<link",
    ] {
        assert!(
            !html.contains(bad),
            "page must be self-contained: found {bad}"
        );
    }
    let names: Vec<String> = files
        .files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for name in [
        "baseline.csv",
        "odds_ratios.csv",
        "performance.csv",
        "delong.csv",
        "features.csv",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} missing");
    }
    let svgs: Vec<&String> = names.iter().filter(|n| n.ends_with(".svg")).collect();
    assert_eq!(svgs.len(), 11, "{names:?}");
    for n in &names {
        if n != "index.html" {
            assert!(
                html.contains(&format!("href=\"{n}\"")),
                "index.html does not link {n}"
            );
        }
    }
    // Every figure is also inline.
    assert_eq!(html.matches("<svg").count(), svgs.len());
    // Performance table: one row per model and set; DeLong: five comparisons per set.
    let perf = read(&dir, "performance.csv");
    assert_eq!(perf.lines().count(), 1 + 6 * 2);
    let delong = read(&dir, "delong.csv");
    assert_eq!(delong.lines().count(), 1 + 5 * 2);
    assert!(delong.lines().skip(1).all(|l| l.starts_with("combined,")));
    // Baseline: texture has levels 0 and 1 and a p with a named test.
    let base = read(&dir, "baseline.csv");
    assert!(base.lines().any(|l| l.starts_with("texture,0,")));
    assert!(base
        .lines()
        .any(|l| l.starts_with("volume,,\"median (Q1, Q3)\"") && l.contains("Mann-Whitney U")));
    assert!(base
        .lines()
        .any(|l| l.starts_with("texture,,p")
            && (l.contains("chi-square") || l.contains("Fisher exact"))));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rerun_is_byte_identical() {
    let input = synthetic_input();
    let (a, b) = (tmpdir("run-a"), tmpdir("run-b"));
    let fa = write_report(&a, &input).expect("report a");
    let fb = write_report(&b, &input).expect("report b");
    // And once more into the same directory.
    let fa2 = write_report(&a, &input).expect("report a again");
    assert_eq!(fa.files.len(), fb.files.len());
    assert_eq!(fa.files, fa2.files);
    for (x, y) in fa.files.iter().zip(&fb.files) {
        assert_eq!(x.file_name(), y.file_name());
        assert_eq!(
            std::fs::read(x).unwrap(),
            std::fs::read(y).unwrap(),
            "{} differs between runs",
            x.display()
        );
    }
    // No temporary files left behind.
    let left: Vec<_> = std::fs::read_dir(&a)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(left.is_empty());
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

#[test]
fn missing_parts_leave_figures_out() {
    let mut input = synthetic_input();
    input.lasso = None;
    input.nomogram = None;
    input.baseline = None;
    for m in &mut input.models {
        m.test.clear();
    }
    input.radscore.retain(|c| c.part == Part::Train);
    let dir = tmpdir("partial");
    let files = write_report(&dir, &input).expect("report");
    let names: Vec<String> = files
        .files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"roc_train.svg".to_string()));
    for absent in [
        "roc_test.svg",
        "nomogram.svg",
        "lasso_cv.svg",
        "baseline.csv",
        "dca_test.svg",
    ] {
        assert!(
            !names.iter().any(|n| n == absent),
            "{absent} should be absent"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn baseline_of_a_single_set_has_no_empty_columns() {
    let mut input = synthetic_input();
    if let Some(b) = input.baseline.as_mut() {
        b.parts.iter_mut().for_each(|p| *p = Part::Test);
    }
    let dir = tmpdir("single");
    write_report(&dir, &input).expect("report");
    let base = read(&dir, "baseline.csv");
    let header = base.lines().next().expect("header");
    assert!(
        header.contains("test_class0") && !header.contains("train"),
        "{header}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The nomogram is drawn from the same scales the core scores with: the points read off each
/// axis add up to the core's total points, and the Total points → linear predictor mapping gives
/// the core's linear predictor (illustrative model, patients spread over the axes).
#[test]
fn nomogram_scales_agree_with_core_scoring() {
    use radscore_trainer::report::{input::nomogram_spec, nomogram};
    let model = radscore_trainer::example::illustrative_model();
    let spec = nomogram_spec(&model);
    assert_eq!(spec.axes.len(), 1 + model.clinical.len());
    let mut rng = Rng(7);
    for _ in 0..50 {
        let feats: Vec<f64> = model
            .features
            .iter()
            .map(|f| f.mean + f.sd * rng.normal())
            .collect();
        let clin: Vec<f64> = model
            .clinical
            .iter()
            .map(|c| {
                if c.axis_max - c.axis_min == 1.0 {
                    f64::from(u8::from(rng.next() < 0.5))
                } else {
                    c.axis_min + (c.axis_max - c.axis_min) * rng.next()
                }
            })
            .collect();
        let s = model.score(&feats, &clin).expect("score");
        let mut total = nomogram::points(&spec, &spec.axes[0], s.radscore);
        for (a, &x) in spec.axes[1..].iter().zip(&clin) {
            total += nomogram::points(&spec, a, x);
        }
        assert!(
            (total - s.total_points).abs() < 1e-9 * s.total_points.abs().max(1.0),
            "{total} vs {}",
            s.total_points
        );
        let lp = nomogram::linear_predictor(&spec, total);
        assert!(
            (lp - s.linear_predictor).abs() < 1e-9,
            "{lp} vs {}",
            s.linear_predictor
        );
    }
    // The largest predictor spans the full 0–100 Points axis.
    let widest = spec
        .axes
        .iter()
        .map(|a| (a.beta * (a.hi - a.lo)).abs() * spec.points_per_unit)
        .fold(0.0, f64::max);
    assert!((widest - 100.0).abs() < 1e-9, "{widest}");
    assert!(nomogram::max_total(&spec) >= 100.0);
}

/// The Chromium binary: `RADSCORE_CHROMIUM`, else `chromium` / `chromium-browser` on PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RADSCORE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

/// Runs headless Chromium with `args` (plus the isolation flags), returning (stdout, stderr).
/// Kills it after two minutes (a hung browser must not hang the test suite).
fn run_chromium(bin: &Path, profile: &Path, args: &[String]) -> (String, String) {
    use std::process::{Command, Stdio};
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).ok();
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).ok();
        s
    });
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within two minutes: {args:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    (t_out.join().unwrap(), t_err.join().unwrap())
}

/// The page in headless Chromium at 1400 and 900 px: no console error or page error, no
/// horizontal overflow of the document, every figure inside the viewport; and printing to PDF
/// works. Skips (with a message) only when Chromium is not installed.
#[test]
fn page_renders_in_chromium_without_errors_or_overflow() {
    let Some(bin) = chromium() else {
        println!(
            "SKIPPED page_renders_in_chromium_without_errors_or_overflow: chromium is not installed \
             (apt-get install -y chromium, or set RADSCORE_CHROMIUM)"
        );
        return;
    };
    let input = synthetic_input();
    let dir = tmpdir("chromium");
    write_report(&dir, &input).expect("report");
    let page = read(&dir, "index.html");
    assert!(
        !page.contains("<script"),
        "the report itself has no scripts"
    );
    // A probe appended to a copy of the page: records page errors and console.error calls (hooked
    // before anything else runs would need a script in <head>: put one there too) and measures
    // overflow after layout, writing the result into the DOM that --dump-dom prints.
    let hook = "<script>window.__errs=[];window.addEventListener('error',function(e){window.__errs.push('error: '+e.message)},true);\
                var __ce=console.error;console.error=function(){window.__errs.push('console.error: '+Array.prototype.join.call(arguments,' '));__ce.apply(console,arguments)};</script>";
    let probe = "<script>window.addEventListener('load',function(){var d=document.documentElement;var r={\
                 scrollWidth:d.scrollWidth,clientWidth:d.clientWidth,errors:window.__errs,wide:[]};\
                 document.querySelectorAll('figure,table,h1,h2,p,nav').forEach(function(el){var b=el.getBoundingClientRect();\
                 if(el.tagName!=='TABLE'&&b.right>d.clientWidth+0.5)r.wide.push(el.tagName+'#'+el.id+' right='+b.right)});\
                 var pre=document.createElement('pre');pre.id='probe';pre.textContent='PROBE'+JSON.stringify(r)+'EBORP';document.body.appendChild(pre)});</script>";
    let probed = page
        .replacen("<head>", &format!("<head>{hook}"), 1)
        .replacen("</body>", &format!("{probe}</body>"), 1);
    let probe_path = dir.join("probe.html");
    std::fs::write(&probe_path, probed).expect("probe page");
    for width in [1400, 900] {
        let profile = tmpdir(&format!("chromium-profile-{width}"));
        let (dom, log) = run_chromium(
            &bin,
            &profile,
            &[
                format!("--window-size={width},3000"),
                "--virtual-time-budget=5000".into(),
                "--dump-dom".into(),
                format!("file://{}", probe_path.display()),
            ],
        );
        let start = dom
            .find("<pre id=\"probe\">PROBE")
            .map(|i| i + "<pre id=\"probe\">".len())
            .unwrap_or_else(|| panic!("{width}px: no probe result; chromium log:\n{log}"));
        let end = dom[start..].find("EBORP").expect("probe end") + start;
        let r: serde_json::Value = serde_json::from_str(&dom[start + 5..end]).expect("probe json");
        println!("chromium {width}px: {r}");
        assert_eq!(
            r["errors"].as_array().map(Vec::len),
            Some(0),
            "{width}px: {r}"
        );
        assert!(
            r["scrollWidth"].as_f64() <= r["clientWidth"].as_f64(),
            "{width}px: the page overflows horizontally: {r}"
        );
        assert_eq!(
            r["wide"].as_array().map(Vec::len),
            Some(0),
            "{width}px: {r}"
        );
        let console_errors: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("CONSOLE") && (l.contains("ERROR") || l.contains("rror")))
            .collect();
        assert!(
            console_errors.is_empty(),
            "{width}px console: {console_errors:?}"
        );
    }
    let pdf = dir.join("report.pdf");
    let profile = tmpdir("chromium-profile-pdf");
    let (_, log) = run_chromium(
        &bin,
        &profile,
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
            format!("file://{}", dir.join("index.html").display()),
        ],
    );
    let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("no PDF ({e}); log:\n{log}"));
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    assert!(
        bytes.len() > 20_000 && bytes.windows(5).any(|w| w == b"%%EOF"),
        "truncated PDF ({} bytes)",
        bytes.len()
    );
    no_heading_at_a_page_foot(&pdf, &page);
}

/// No page of the printed report ends with a section heading (its figure or table on the next
/// page). Needs `pdftotext` (poppler-utils, installed by `.ci/run`); skips with a message
/// without it.
fn no_heading_at_a_page_foot(pdf: &Path, page: &str) {
    let out = match std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
    {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        _ => {
            println!("SKIPPED the page-foot check: pdftotext is not installed (apt-get install -y poppler-utils)");
            return;
        }
    };
    let headings: Vec<&str> = page
        .split("<h2>")
        .skip(1)
        .filter_map(|s| s.split("</h2>").next())
        .collect();
    assert!(headings.len() >= 5, "section headings: {headings:?}");
    let pages: Vec<&str> = out
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(
        pages.len() >= 2,
        "the printed report has {} pages",
        pages.len()
    );
    for (k, p) in pages.iter().enumerate() {
        let last = p.lines().rev().map(str::trim).find(|l| !l.is_empty());
        assert!(
            !last.is_some_and(|l| headings.contains(&l)),
            "page {} of the PDF ends with the heading {:?}",
            k + 1,
            last
        );
    }
}

/// The internal-validation table refits the model the report shows: its apparent AUC is the
/// combined model's training AUC of the performance table, B and the seed are stated, and the
/// optimism-corrected AUC is below the apparent one.
#[test]
fn internal_validation_refits_the_reported_model() {
    let input = synthetic_input();
    let dir = tmpdir("internal");
    write_report(&dir, &input).expect("report");
    let csv = read(&dir, "internal_validation.csv");
    let auc_row: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("combined,auc,"))
        .expect("auc row")
        .split(',')
        .collect();
    let perf = read(&dir, "performance.csv");
    let train_row: Vec<&str> = perf
        .lines()
        .find(|l| l.starts_with("combined,train,"))
        .expect("performance row")
        .split(',')
        .collect();
    let apparent: f64 = auc_row[2].parse().unwrap();
    let corrected: f64 = auc_row[5].parse().unwrap();
    assert!((apparent - train_row[4].parse::<f64>().unwrap()).abs() < 1e-12);
    assert!(corrected < apparent, "{corrected} vs {apparent}");
    assert_eq!(&auc_row[6..], ["200", "200", "7"]);
    let page = read(&dir, "index.html");
    assert!(page.contains("B = 200 bootstrap samples"), "B stated");
    assert!(page.contains("seed 7"), "seed stated");
    assert!(
        !page.contains("does not reproduce"),
        "the refit is the reported model"
    );
}
