//! Builds the C tests in `ffi/tests/c/` with `gcc -std=c99 -Wall -Wextra -Werror -pedantic`
//! against the static library and the committed header, and runs each under valgrind
//! (`--error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all`): any memory error or
//! leak fails the test.
//!
//! Inputs of the C tests are prepared here: the illustrative model encoded unsigned and signed
//! (plus its public key and a wrong one), and one reference volume + mask per model sequence
//! (`tests/fixtures/reference/pyradiomics/data`) converted to a
//! raw file in a different voxel/mask type each. `test_model.c` prints every feature value and
//! score as IEEE-754 bits; they must equal what the Rust core API computes from the same
//! buffers (each feature extracted on its own), bit for bit.
//!
//! gcc and valgrind are not installed at test time: `.ci/run` installs them; a missing tool
//! fails the test with the package to install.

use radscore_cli::io::{read_volume, Volume};
use radscore_core::extract;
use radscore_core::image::{ImageView, MaskView, MaskVoxels, Voxels};
use radscore_core::model::{Model, PredictorKind};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const SEED: [u8; 32] = [0x42; 32];
const WRONG_SEED: [u8; 32] = [0x24; 32];

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `<target>/<profile>`: the test executable lives in `<target>/<profile>/deps`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .expect("test executable lives in <target>/<profile>/deps")
}

fn require(tool: &str, package: &str) {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .map(|o| o.status.success());
    assert!(
        matches!(ok, Ok(true)),
        "`{tool}` not found: the C harness needs it (apt-get install -y {package}); CI installs it in .ci/run"
    );
}

/// The static library of this very build: the library unit is compiled once with all its crate
/// types into `<profile>/deps` (no hash suffix because of the `cdylib` type), and that rlib is
/// what this test links. `<profile>/libradscore.a` is only refreshed by `cargo build` and may be
/// stale, so it is not used.
fn staticlib() -> PathBuf {
    let lib = profile_dir().join("deps").join("libradscore.a");
    assert!(
        lib.exists(),
        "{} missing: cargo builds the staticlib with the library",
        lib.display()
    );
    lib
}

fn work_dir(name: &str) -> PathBuf {
    let d = profile_dir().join("c-harness").join(name);
    std::fs::create_dir_all(&d).expect("create harness dir");
    d
}

/// `gcc` with the strict C99 flags every C test is built with, and the public header's folder.
fn strict_gcc() -> Command {
    let mut cmd = Command::new("gcc");
    cmd.args([
        "-std=c99",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pedantic",
        "-g",
        "-I",
    ])
    .arg(manifest().join("include"));
    cmd
}

/// Compiles one C test; each call gets its own output folder (tests run in parallel).
fn compile(src: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = work_dir(&format!("bin-{n}")).join(src.trim_end_matches(".c"));
    let c = manifest().join("tests").join("c");
    let o = strict_gcc()
        .arg(c.join(src))
        .arg(c.join("common.c"))
        .arg(staticlib())
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&out)
        .output()
        .expect("spawn gcc");
    assert!(
        o.status.success(),
        "gcc failed on {src}:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

/// valgrind with the flags every C run uses: quiet, exit status 1 on any error, full leak check
/// with every leak kind an error.
fn valgrind() -> Command {
    let mut c = Command::new("valgrind");
    c.args([
        "--quiet",
        "--error-exitcode=1",
        "--leak-check=full",
        "--errors-for-leak-kinds=all",
    ]);
    c
}

/// Runs `exe args` under valgrind; returns stdout. Fails on a non-zero status (valgrind error,
/// leak or a failed C check) or when the last line is not "ok".
fn run_valgrind(exe: &Path, args: &[&Path]) -> String {
    let o = valgrind()
        .arg(exe)
        .args(args)
        .output()
        .expect("spawn valgrind");
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success() && stdout.trim_end().ends_with("ok") && stderr.trim().is_empty(),
        "{} under valgrind: status {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        exe.display(),
        o.status.code()
    );
    stdout
}

// ---- inputs ----

/// The PyRadiomics reference volumes (`tests/fixtures/reference/pyradiomics/data`).
fn reference_dir() -> PathBuf {
    manifest().join("../tests/fixtures/reference/pyradiomics/data")
}

/// A volume converted to the type the C test will pass.
enum ImageBuf {
    I16(Vec<i16>),
    U16(Vec<u16>),
    I32(Vec<i32>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

enum MaskBuf {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

struct Case {
    image: ImageBuf,
    mask: MaskBuf,
    dims: [usize; 3],
    spacing: [f64; 3],
}

impl Case {
    fn image(&self) -> ImageView<'_> {
        let v = match &self.image {
            ImageBuf::I16(v) => Voxels::I16(v),
            ImageBuf::U16(v) => Voxels::U16(v),
            ImageBuf::I32(v) => Voxels::I32(v),
            ImageBuf::F32(v) => Voxels::F32(v),
            ImageBuf::F64(v) => Voxels::F64(v),
        };
        ImageView::new(v, self.dims, self.spacing).expect("image view")
    }

    fn mask(&self, label: u32) -> MaskView<'_> {
        let v = match &self.mask {
            MaskBuf::U8(v) => MaskVoxels::U8(v),
            MaskBuf::U16(v) => MaskVoxels::U16(v),
            MaskBuf::U32(v) => MaskVoxels::U32(v),
        };
        MaskView::new(v, self.dims, label).expect("mask view")
    }

    /// The raw files of `common.h` (`RSRAWVOL` header, then native-endian voxels).
    fn write(&self, dir: &Path, seq: &str) {
        let header = |tag: u32, label: u32, spacing: [f64; 3]| {
            let mut h = b"RSRAWVOL".to_vec();
            h.extend_from_slice(&tag.to_ne_bytes());
            h.extend_from_slice(&label.to_ne_bytes());
            for d in self.dims {
                h.extend_from_slice(&(d as u64).to_ne_bytes());
            }
            for s in spacing {
                h.extend_from_slice(&s.to_ne_bytes());
            }
            assert_eq!(h.len(), 64);
            h
        };
        let (tag, mut img) = match &self.image {
            ImageBuf::I16(v) => (1, bytes(v, |x| x.to_ne_bytes())),
            ImageBuf::U16(v) => (2, bytes(v, |x| x.to_ne_bytes())),
            ImageBuf::I32(v) => (3, bytes(v, |x| x.to_ne_bytes())),
            ImageBuf::F32(v) => (4, bytes(v, |x| x.to_ne_bytes())),
            ImageBuf::F64(v) => (5, bytes(v, |x| x.to_ne_bytes())),
        };
        let mut f = header(tag, 0, self.spacing);
        f.append(&mut img);
        write_atomic(&dir.join(format!("{seq}.img")), &f);
        let (tag, mut m) = match &self.mask {
            MaskBuf::U8(v) => (1, v.clone()),
            MaskBuf::U16(v) => (2, bytes(v, |x| x.to_ne_bytes())),
            MaskBuf::U32(v) => (3, bytes(v, |x| x.to_ne_bytes())),
        };
        // label 0 = RADSCORE_LABEL_FROM_MODEL: the C test uses the model's labels
        let mut f = header(tag, 0, [0.0; 3]);
        f.append(&mut m);
        write_atomic(&dir.join(format!("{seq}.msk")), &f);
    }
}

fn bytes<T: Copy, const N: usize>(v: &[T], f: impl Fn(T) -> [u8; N]) -> Vec<u8> {
    v.iter().flat_map(|x| f(*x)).collect()
}

fn write_atomic(path: &Path, data: &[u8]) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, data).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

/// Reference volume `k` of the rotation, converted to the `k`-th type combination.
fn case(k: usize) -> Case {
    let names = [
        ("breast1_image.nrrd", "breast1_label.nrrd"),
        ("breast1_image.nrrd", "breast1_label.nrrd"),
        (
            "prostate_phantom_subvolume.nrrd",
            "prostate_phantom_subvolume-label.nrrd",
        ),
        ("syn1_image.nrrd", "syn1_label.nrrd"),
    ];
    let (img, msk) = names[k % names.len()];
    let dir = reference_dir();
    let v: Volume = read_volume(&dir.join(img)).expect("read reference image");
    let m: Volume = read_volume(&dir.join(msk)).expect("read reference mask");
    assert_eq!(v.dims, m.dims, "{img} vs {msk}");
    let x: Vec<f64> = v.data.iter_f64().collect();
    let l: Vec<f64> = m.data.iter_f64().collect();
    assert!(
        x.iter().all(|a| a.fract() == 0.0),
        "{img}: integer voxels expected"
    );
    let image = match k % 4 {
        0 => ImageBuf::I16(x.iter().map(|a| *a as i16).collect()),
        1 => ImageBuf::F32(x.iter().map(|a| *a as f32).collect()),
        2 => ImageBuf::F64(x.clone()),
        _ if x.iter().all(|a| (0.0..=65535.0).contains(a)) => {
            ImageBuf::U16(x.iter().map(|a| *a as u16).collect())
        }
        _ => ImageBuf::I32(x.iter().map(|a| *a as i32).collect()),
    };
    let mask = match k % 3 {
        0 => MaskBuf::U8(l.iter().map(|a| *a as u8).collect()),
        1 => MaskBuf::U16(l.iter().map(|a| *a as u16).collect()),
        _ => MaskBuf::U32(l.iter().map(|a| *a as u32).collect()),
    };
    Case {
        image,
        mask,
        dims: v.dims,
        spacing: v.spacing,
    }
}

fn sequences(m: &Model) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in &m.features {
        if !out.iter().any(|s| s == f.sequence.as_str()) {
            out.push(f.sequence.to_string());
        }
    }
    out
}

fn clinical_values(m: &Model) -> Vec<f64> {
    m.clinical
        .iter()
        .map(|c| match c.kind {
            PredictorKind::Binary => 1.0,
            PredictorKind::Continuous => 0.5 * (c.axis_min + c.axis_max),
        })
        .collect()
}

/// Writes the model files and one case per sequence; returns the model and the cases.
fn prepare(dir: &Path) -> (Model, BTreeMap<String, Case>) {
    prepare_model(dir, radscore_trainer::example::illustrative_model())
}

fn prepare_model(dir: &Path, model: Model) -> (Model, BTreeMap<String, Case>) {
    let unsigned = radscore_trainer::export::encode(&model).expect("encode model");
    let signed = radscore_trainer::export::encode_signed(&model, &SEED).expect("encode signed");
    write_atomic(&dir.join("model.rsm"), &unsigned);
    write_atomic(&dir.join("model_signed.rsm"), &signed);
    write_atomic(
        &dir.join("public_key.bin"),
        &radscore_trainer::export::public_key(&SEED),
    );
    write_atomic(
        &dir.join("wrong_key.bin"),
        &radscore_trainer::export::public_key(&WRONG_SEED),
    );
    let clinical: Vec<u8> = bytes(&clinical_values(&model), |x| x.to_ne_bytes());
    write_atomic(&dir.join("clinical.bin"), &clinical);
    // The decoded model is what the C side sees.
    let decoded = Model::decode(&unsigned).expect("decode own artifact");
    let mut cases = BTreeMap::new();
    for (k, seq) in sequences(&decoded).into_iter().enumerate() {
        let c = case(k);
        c.write(dir, &seq);
        cases.insert(seq, c);
    }
    (decoded, cases)
}

/// `key value...` lines of the C output.
fn lines<'a>(out: &'a str, key: &str) -> Vec<Vec<&'a str>> {
    out.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            (w.next() == Some(key)).then(|| w.collect())
        })
        .collect()
}

fn bits(s: &str) -> u64 {
    u64::from_str_radix(s, 16).expect("hex bits")
}

#[test]
fn c_basic_passes_under_valgrind() {
    require("gcc", "gcc");
    require("valgrind", "valgrind");
    let exe = compile("test_basic.c");
    run_valgrind(&exe, &[]);
}

#[test]
fn c_happy_path_equals_rust_core_bit_for_bit() {
    let dir = work_dir("data-model");
    let (model, cases) = prepare(&dir);
    happy_path(&dir, &model, &cases);
}

/// A sequence whose features use different bin widths is extracted in several core calls
/// (one per bin width); the values are still each feature's own.
#[test]
fn c_happy_path_with_mixed_bin_widths() {
    let dir = work_dir("data-mixed");
    let mut model = radscore_trainer::example::illustrative_model();
    let seqs = sequences(&model);
    let mut changed = 0;
    for s in &seqs {
        let idx: Vec<usize> = (0..model.features.len())
            .filter(|&i| model.features[i].sequence.as_str() == s.as_str())
            .collect();
        if idx.len() >= 2 {
            model.features[idx[0]].bin_width = 10.0;
            changed += 1;
        }
    }
    assert!(
        changed > 0,
        "the illustrative model has no sequence with two features"
    );
    let (model, cases) = prepare_model(&dir, model);
    happy_path(&dir, &model, &cases);
}

fn happy_path(dir: &Path, model: &Model, cases: &BTreeMap<String, Case>) {
    require("gcc", "gcc");
    require("valgrind", "valgrind");
    let exe = compile("test_model.c");
    let out = run_valgrind(&exe, &[dir]);

    // Reference: each feature on its own through the core API, same buffers.
    let mut expected = Vec::new();
    for r in &model.features {
        let c = &cases[r.sequence.as_str()];
        let (im, mk) = (c.image(), c.mask(r.label));
        let need = extract::scratch_len(&im, &mk, &[r.recipe().expect("computable")])
            .expect("scratch_len");
        let mut scratch = vec![0.0; need];
        let mut v = [0.0];
        extract::extract(
            &im,
            &mk,
            &[r.recipe().expect("computable")],
            r.bin_width,
            &mut v,
            &mut scratch,
        )
        .unwrap_or_else(|e| panic!("core extract {}: {e}", r.name));
        expected.push(v[0]);
    }
    let got = lines(&out, "value");
    assert_eq!(got.len(), model.features.len(), "C output:\n{out}");
    for (i, l) in got.iter().enumerate() {
        assert_eq!(l[0], i.to_string());
        assert_eq!(
            bits(l[1]),
            expected[i].to_bits(),
            "feature {i} ({}): C {} vs Rust {:e}",
            model.features[i].name,
            f64::from_bits(bits(l[1])),
            expected[i]
        );
    }

    // Scratch: the C query equals the core's for the whole sequence when one group covers it.
    for s in lines(&out, "scratch") {
        let c = &cases[s[0]];
        let recipes: Vec<_> = model
            .features
            .iter()
            .filter(|r| r.sequence.as_str() == s[0])
            .collect();
        let one_group = recipes
            .iter()
            .all(|r| r.label == recipes[0].label && r.bin_width == recipes[0].bin_width);
        let names: Vec<_> = recipes
            .iter()
            .map(|r| r.recipe().expect("computable"))
            .collect();
        let per_feature_max = recipes
            .iter()
            .map(|r| {
                extract::scratch_len(
                    &c.image(),
                    &c.mask(r.label),
                    &[r.recipe().expect("computable")],
                )
                .expect("scratch")
            })
            .max()
            .expect("sequence has features");
        let got: usize = s[1].parse().expect("scratch count");
        assert!(got >= per_feature_max, "scratch {s:?} < {per_feature_max}");
        if one_group {
            let whole = extract::scratch_len(&c.image(), &c.mask(recipes[0].label), &names)
                .expect("scratch");
            assert_eq!(got, whole, "scratch for {}", s[0]);
        }
    }

    // Score, from the Rust-computed features.
    let clinical = clinical_values(model);
    let s = model.score(&expected, &clinical).expect("core score");
    let one = |k: &str| -> u64 { bits(lines(&out, k)[0][0]) };
    assert_eq!(one("radscore"), s.radscore.to_bits(), "radscore");
    assert_eq!(one("linear_predictor"), s.linear_predictor.to_bits(), "lp");
    assert_eq!(one("probability"), s.probability.to_bits(), "probability");
    assert_eq!(
        one("total_points"),
        s.total_points.to_bits(),
        "total points"
    );
    assert_eq!(lines(&out, "class")[0][0], s.predicted_class.to_string());
    let pts = lines(&out, "points");
    assert_eq!(pts.len(), s.points().len());
    for (k, p) in pts.iter().enumerate() {
        assert_eq!(bits(p[1]), s.points()[k].to_bits(), "points[{k}]");
    }

    // Names and counts.
    let counts = &lines(&out, "counts")[0];
    assert_eq!(counts[0], model.features.len().to_string());
    assert_eq!(counts[1], model.clinical.len().to_string());
    assert_eq!(counts[2], (model.clinical.len() + 1).to_string());
    assert_eq!(counts[3], sequences(model).len().to_string());
    for (i, l) in lines(&out, "feature_name").iter().enumerate() {
        let r = &model.features[i];
        assert_eq!(l[1], r.sequence.as_str());
        assert_eq!(l[2], format!("{}_{}", r.sequence, r.name));
    }
    let preds = lines(&out, "predictor");
    assert_eq!(preds[0][2], "radscore");
    for (j, c) in model.clinical.iter().enumerate() {
        assert_eq!(preds[j + 1][2], c.name.as_str());
        let kind = match c.kind {
            PredictorKind::Continuous => "1",
            PredictorKind::Binary => "2",
        };
        assert_eq!(preds[j + 1][1], kind);
    }
    eprintln!("{}", lines(&out, "readable")[0].join(" "));
}

#[test]
fn c_error_paths_under_valgrind() {
    require("gcc", "gcc");
    require("valgrind", "valgrind");
    let dir = work_dir("data-errors");
    prepare(&dir);
    let exe = compile("test_errors.c");
    run_valgrind(&exe, &[&dir]);
}

/// Runs the example program `exe` under valgrind on the reference breast volume (given as every
/// sequence of the illustrative model) and checks the probability it prints against the core's.
/// `env`: extra environment (e.g. `LD_LIBRARY_PATH` for a shared build).
fn run_example_on_breast1(exe: &Path, tag: &str, env: &[(&str, &Path)]) {
    let dir = work_dir(&format!("data-example-{tag}"));
    let model = radscore_trainer::example::illustrative_model();
    let artifact = radscore_trainer::export::encode(&model).expect("encode model");
    let rsm = dir.join("model.rsm");
    write_atomic(&rsm, &artifact);
    let refdir = reference_dir();
    let v = read_volume(&refdir.join("breast1_image.nrrd")).expect("read image");
    let m = read_volume(&refdir.join("breast1_label.nrrd")).expect("read mask");
    let img: Vec<u8> = v
        .data
        .iter_f64()
        .flat_map(|x| (x as i16).to_ne_bytes())
        .collect();
    let msk: Vec<u8> = m.data.iter_f64().map(|x| x as u8).collect();
    write_atomic(&dir.join("image.raw"), &img);
    write_atomic(&dir.join("mask.raw"), &msk);

    let mut args: Vec<String> = vec![rsm.display().to_string()];
    args.extend(clinical_values(&model).iter().map(|c| c.to_string()));
    args.push("--".into());
    for seq in sequences(&model) {
        args.push(seq);
        args.push(dir.join("image.raw").display().to_string());
        args.push(dir.join("mask.raw").display().to_string());
        args.extend(v.dims.iter().map(|d| d.to_string()));
        args.extend(v.spacing.iter().map(|s| format!("{s:?}")));
    }
    let mut cmd = valgrind();
    cmd.arg(exe).args(&args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("spawn valgrind");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{tag}: example failed: {:?}\n{stdout}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    // The probability it prints is the core's for the same inputs.
    let c = Case {
        image: ImageBuf::I16(v.data.iter_f64().map(|x| x as i16).collect()),
        mask: MaskBuf::U8(m.data.iter_f64().map(|x| x as u8).collect()),
        dims: v.dims,
        spacing: v.spacing,
    };
    let mut feats = Vec::new();
    for r in &model.features {
        let (im, mk) = (c.image(), c.mask(r.label));
        let mut scratch = vec![
            0.0;
            extract::scratch_len(&im, &mk, &[r.recipe().expect("computable")])
                .expect("scratch")
        ];
        let mut out = [0.0];
        extract::extract(
            &im,
            &mk,
            &[r.recipe().expect("computable")],
            r.bin_width,
            &mut out,
            &mut scratch,
        )
        .expect("extract");
        feats.push(out[0]);
    }
    let s = model
        .score(&feats, &clinical_values(&model))
        .expect("score");
    let want = format!("probability {:.6}", s.probability);
    assert!(
        stdout.contains(&want),
        "{tag}: expected `{want}` in:\n{stdout}"
    );
}

/// The example in `ffi/examples/` builds with the same strict flags and runs clean under
/// valgrind on the reference breast volume (given as every sequence of the model).
#[test]
fn example_program_runs_under_valgrind() {
    require("gcc", "gcc");
    require("valgrind", "valgrind");
    let exe = work_dir("bin").join("radscore_example");
    build_example_static(&exe);
    run_example_on_breast1(&exe, "direct", &[]);
}

/// Builds `ffi/examples/radscore_example.c` against this build's static library (zlib for the
/// gzip NRRD files, libm).
fn build_example_static(exe: &Path) {
    let o = strict_gcc()
        .arg(manifest().join("examples").join("radscore_example.c"))
        .arg(staticlib())
        .args(["-lz", "-lpthread", "-ldl", "-lm", "-o"])
        .arg(exe)
        .output()
        .expect("spawn gcc");
    assert!(
        o.status.success(),
        "gcc: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Version-2 descriptors and the audit getters from C, under valgrind: `test_v2.c` checks
/// itself (v2 bits = v1 bits, a buffer one voxel short in a block of exactly that size refused
/// without a read past it, a shifted mask refused, struct sizes, size queries); the CRC-32 it
/// prints is the artifact's.
#[test]
fn c_version_2_descriptors_and_metadata_under_valgrind() {
    require("gcc", "gcc");
    require("valgrind", "valgrind");
    let dir = work_dir("data-v2");
    let (model, _) = prepare(&dir);
    let exe = compile("test_v2.c");
    let out = run_valgrind(&exe, &[&dir]);
    let bytes = std::fs::read(dir.join("model.rsm")).expect("model.rsm");
    let parts = radscore_core::model::artifact::split(&bytes).expect("split");
    assert_eq!(
        lines(&out, "crc32"),
        vec![vec![format!("{:08x}", parts.crc).as_str()]]
    );
    assert_eq!(
        lines(&out, "v2_features"),
        vec![vec![model.features.len().to_string().as_str()]]
    );
    // model_id, artifact, created, cohort, radscore, features, combined, clinical
    let want = 6 + model.features.len() + model.clinical.len();
    assert_eq!(
        lines(&out, "describe_lines"),
        vec![vec![want.to_string().as_str()]]
    );
}

/// Issue 23 item 4: `radscore demo` output runs through the example in one command
/// (`radscore_example --demo DIR PATIENT`, gzip NRRD read by the example), under valgrind, and
/// its probability and total points are those of the CLI's `test_scores.csv`, bit for bit (the
/// example prints them with `%.17g`, which reads back to the same double). A mask whose header
/// places it 1 mm away is refused with GEOMETRY_MISMATCH (310).
#[test]
fn example_scores_radscore_demo_output_as_the_cli_does() {
    require("gcc", "gcc");
    require("valgrind", "valgrind");
    let demo = work_dir("demo");
    let _ = std::fs::remove_dir_all(&demo);
    radscore_cli::cmd::demo::run(radscore_cli::cmd::demo::Args {
        out: demo.clone(),
        seed: 7,
        patients: 40,
        force: true,
        jobs: Some(2),
        small: true,
    })
    .expect("radscore demo");
    let exe = work_dir("bin").join("radscore_example_demo");
    build_example_static(&exe);

    let scores = std::fs::read_to_string(demo.join("test_scores.csv")).expect("test_scores.csv");
    let mut rows = scores.lines();
    let header: Vec<&str> = rows.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (id_c, p_c, t_c) = (
        col("patient_id"),
        col("core_probability"),
        col("total_points"),
    );
    let rows: Vec<Vec<&str>> = rows.map(|r| r.split(',').collect()).collect();
    assert!(rows.len() >= 2, "{scores}");
    for row in rows.iter().take(2) {
        let o = valgrind()
            .arg(&exe)
            .arg("--demo")
            .arg(&demo)
            .arg(row[id_c])
            .output()
            .expect("spawn valgrind");
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "example --demo {}: {:?}\n{stdout}\n{}",
            row[id_c],
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        );
        let exact = lines(&stdout, "exact");
        assert_eq!(exact.len(), 1, "{stdout}");
        let (p, t): (f64, f64) = (
            exact[0][1].parse().expect("probability"),
            exact[0][3].parse().expect("total points"),
        );
        let (want_p, want_t): (f64, f64) = (
            row[p_c].parse().expect("csv probability"),
            row[t_c].parse().expect("csv total points"),
        );
        assert_eq!(p.to_bits(), want_p.to_bits(), "{}: probability", row[id_c]);
        assert_eq!(t.to_bits(), want_t.to_bits(), "{}: total points", row[id_c]);
        assert!(stdout.starts_with("model "), "audit line first:\n{stdout}");
    }

    // The same patient with a mask moved by 1 mm (its header's origin): refused.
    let id = rows[0][id_c];
    let images = demo.join("images");
    let moved = work_dir("demo-moved");
    let data = std::fs::read(images.join(format!("{id}_t2_mask.nrrd"))).expect("mask");
    let split = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .expect("header end")
        + 2;
    let header = String::from_utf8(data[..split].to_vec()).expect("header text");
    let line = header
        .lines()
        .find(|l| l.starts_with("space origin: ("))
        .expect("space origin");
    let x: f64 = line["space origin: (".len()..]
        .split(',')
        .next()
        .and_then(|v| v.parse().ok())
        .expect("origin x");
    let moved_header = header.replace(
        line,
        &line.replacen(&format!("({x:?},"), &format!("({:?},", x + 1.0), 1),
    );
    assert_ne!(moved_header, header);
    let mut moved_mask = moved_header.into_bytes();
    moved_mask.extend_from_slice(&data[split..]);
    write_atomic(&moved.join("t2_mask.nrrd"), &moved_mask);
    let clinical = clinical_of_demo(&demo, id);
    let o = valgrind()
        .arg(&exe)
        .arg(demo.join("model.rsm"))
        .args(&clinical)
        .arg("--")
        .arg("t2")
        .arg(images.join(format!("{id}_t2.nrrd")))
        .arg(moved.join("t2_mask.nrrd"))
        .output()
        .expect("spawn valgrind");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("(status 310)"), "{stderr}");
}

/// The clinical values of `id` in `DIR/clinical.csv`, in the order of the model's predictors.
fn clinical_of_demo(demo: &Path, id: &str) -> Vec<String> {
    let model = radscore_core::model::Model::decode(
        &std::fs::read(demo.join("model.rsm")).expect("model.rsm"),
    )
    .expect("decode");
    let text = std::fs::read_to_string(demo.join("clinical.csv")).expect("clinical.csv");
    let mut rows = text.lines();
    let header: Vec<&str> = rows.next().expect("header").split(',').collect();
    let row: Vec<&str> = rows
        .map(|r| r.split(',').collect::<Vec<_>>())
        .find(|r| r[0] == id)
        .expect("patient row");
    model
        .clinical
        .iter()
        .map(|c| {
            let j = header
                .iter()
                .position(|h| *h == c.name.as_str())
                .expect("column");
            row[j].to_string()
        })
        .collect()
}

/// The shared library carries the soname of the ABI major version and serves the same C test.
#[test]
fn shared_library_has_abi_soname_and_runs() {
    require("gcc", "gcc");
    require("valgrind", "valgrind");
    let so = profile_dir().join("deps").join("libradscore.so");
    assert!(so.exists(), "{} missing", so.display());
    let dir = work_dir("shared");
    let soname = format!("libradscore.so.{}", radscore::RADSCORE_ABI_MAJOR);
    // a private copy under its soname, as an installed library would be
    let installed = dir.join(&soname);
    std::fs::copy(&so, &installed).expect("copy shared library");
    let link = dir.join("libradscore.so");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&soname, &link).expect("symlink");
    let o = Command::new("readelf")
        .args(["-d"])
        .arg(&installed)
        .output();
    if let Ok(o) = o {
        let d = String::from_utf8_lossy(&o.stdout);
        assert!(d.contains(&format!("[{soname}]")), "soname missing:\n{d}");
    }
    let exe = dir.join("test_basic_shared");
    let c = manifest().join("tests").join("c");
    let o = strict_gcc()
        .arg(c.join("test_basic.c"))
        .arg(c.join("common.c"))
        .arg(format!("-L{}", dir.display()))
        .arg("-lradscore")
        .arg(format!("-Wl,-rpath,{}", dir.display()))
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("spawn gcc");
    assert!(
        o.status.success(),
        "gcc: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    run_valgrind(&exe, &[]);
}

/// `ffi/install/install.sh` lays out a prefix as a system library (header, static and shared
/// libraries with the soname link, pkg-config files, CMake package), and the example builds
/// against it as a C developer would build it, then runs clean under valgrind with the core's
/// result: with CMake `find_package(radscore CONFIG REQUIRED)` (shared, and static through
/// `radscore_USE_STATIC_LIBS`), and with `pkg-config` (shared with `radscore`, static with
/// `--static radscore-static`, whose program must not need the shared library). Without the
/// installed package, CMake's configure step fails and says how to install it.
#[test]
fn installed_prefix_builds_the_example_with_cmake_and_pkg_config() {
    require("gcc", "gcc");
    require("valgrind", "valgrind");
    require("cmake", "cmake");
    require("pkg-config", "pkg-config");
    let prefix = work_dir("prefix");
    let _ = std::fs::remove_dir_all(&prefix);
    // The libraries of this very build (see `staticlib`); install.sh would otherwise build them.
    staticlib();
    let o = Command::new("sh")
        .arg(manifest().join("install").join("install.sh"))
        .arg("--prefix")
        .arg(&prefix)
        .arg("--lib-dir")
        .arg(profile_dir().join("deps"))
        .output()
        .expect("spawn install.sh");
    assert!(
        o.status.success(),
        "install.sh: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let abi = radscore::RADSCORE_ABI_MAJOR;
    let lib = prefix.join("lib");
    for f in [
        "../include/radscore.h".to_string(),
        "libradscore.a".into(),
        format!("libradscore.so.{}", env!("CARGO_PKG_VERSION")),
        "pkgconfig/radscore.pc".into(),
        "pkgconfig/radscore-static.pc".into(),
        "cmake/radscore/radscoreConfig.cmake".into(),
        "cmake/radscore/radscoreConfigVersion.cmake".into(),
    ] {
        assert!(lib.join(&f).is_file(), "{f} not installed");
    }
    for (link, to) in [
        (
            format!("libradscore.so.{abi}"),
            format!("libradscore.so.{}", env!("CARGO_PKG_VERSION")),
        ),
        (
            "libradscore.so".to_string(),
            format!("libradscore.so.{abi}"),
        ),
    ] {
        assert_eq!(
            std::fs::read_link(lib.join(&link)).expect("symlink"),
            PathBuf::from(to)
        );
    }

    // CMake, shared (the default) and static.
    for (tag, extra) in [
        ("cmake-shared", None),
        ("cmake-static", Some("-Dradscore_USE_STATIC_LIBS=ON")),
    ] {
        let build = work_dir(tag);
        let _ = std::fs::remove_dir_all(&build);
        let mut c = Command::new("cmake");
        c.arg("-S")
            .arg(manifest().join("examples"))
            .arg("-B")
            .arg(&build)
            .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()));
        if let Some(e) = extra {
            c.arg(e);
        }
        let o = c.output().expect("spawn cmake");
        assert!(
            o.status.success(),
            "{tag} configure: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let o = Command::new("cmake")
            .arg("--build")
            .arg(&build)
            .output()
            .expect("spawn cmake --build");
        assert!(
            o.status.success(),
            "{tag} build: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        let exe = build.join("radscore_example");
        assert_eq!(needs_libradscore(&exe), tag == "cmake-shared", "{tag}");
        run_example_on_breast1(&exe, tag, &[]);
    }

    // pkg-config, shared and static.
    let pc_path = lib.join("pkgconfig");
    for (tag, pc_args) in [
        ("pkg-config-shared", &["--cflags", "--libs", "radscore"][..]),
        (
            "pkg-config-static",
            &["--cflags", "--libs", "--static", "radscore-static"][..],
        ),
    ] {
        let o = Command::new("pkg-config")
            .env("PKG_CONFIG_PATH", &pc_path)
            .args(pc_args)
            .output()
            .expect("spawn pkg-config");
        assert!(
            o.status.success(),
            "{tag}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let flags = String::from_utf8_lossy(&o.stdout).into_owned();
        let exe = work_dir("bin").join(format!("example-{tag}"));
        let o = strict_gcc()
            .arg(manifest().join("examples").join("radscore_example.c"))
            .args(flags.split_whitespace())
            .args(["-lz", "-lm"])
            .arg("-o")
            .arg(&exe)
            .output()
            .expect("spawn gcc");
        assert!(
            o.status.success(),
            "{tag} gcc {flags}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let shared = tag == "pkg-config-shared";
        assert_eq!(needs_libradscore(&exe), shared, "{tag}: {flags}");
        let env: &[(&str, &Path)] = if shared {
            &[("LD_LIBRARY_PATH", &lib)]
        } else {
            &[]
        };
        run_example_on_breast1(&exe, tag, env);
    }

    // No package: the configure step fails and says how to install it.
    let build = work_dir("cmake-missing");
    let _ = std::fs::remove_dir_all(&build);
    let o = Command::new("cmake")
        .arg("-S")
        .arg(manifest().join("examples"))
        .arg("-B")
        .arg(&build)
        .arg(format!(
            "-DCMAKE_PREFIX_PATH={}",
            work_dir("empty-prefix").display()
        ))
        .output()
        .expect("spawn cmake");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("radscore was not found") && err.contains("install.sh --prefix"),
        "{err}"
    );
}

/// Whether `exe` lists the shared radscore library among what it needs (`readelf -d`).
fn needs_libradscore(exe: &Path) -> bool {
    let o = Command::new("readelf")
        .arg("-d")
        .arg(exe)
        .output()
        .expect("spawn readelf");
    String::from_utf8_lossy(&o.stdout).contains("libradscore.so")
}

/// Negative control: the valgrind invocation used above does fail on a leak and on a read past
/// the end of a heap buffer (here by the C program itself), so a passing C test means something.
#[test]
fn valgrind_flags_catch_a_leak_and_an_overread() {
    require("gcc", "gcc");
    require("valgrind", "valgrind");
    let dir = work_dir("negative");
    let src = dir.join("negative.c");
    let text = r#"#include "radscore.h"
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    (void)argv;
    if (argc > 1) { /* leak */
        char *p = (char *)malloc(64);
        memset(p, 1, 64);
        return radscore_abi_version() == 0xFFFFFFFFu ? p[0] : 0;
    } else { /* a heap over-read next to a library call */
        int16_t *v = (int16_t *)malloc(26 * sizeof *v);
        uint8_t m[27];
        RadscoreImage im;
        RadscoreMask mk;
        size_t need = 0;
        memset(v, 0, 26 * sizeof *v);
        memset(m, 1, sizeof m);
        im.voxels = v; im.voxel_type = RADSCORE_VOXEL_I16;
        im.dims[0] = im.dims[1] = im.dims[2] = 3;
        im.spacing[0] = im.spacing[1] = im.spacing[2] = 1.0;
        mk.labels = m; mk.mask_type = RADSCORE_MASK_U8;
        mk.dims[0] = mk.dims[1] = mk.dims[2] = 3; mk.label = 1;
        (void)radscore_scratch_len(NULL, "t2", &im, &mk, &need);
        /* NULL model: rejected before any voxel is read; then over-read the buffer */
        need = (size_t)((volatile int16_t *)v)[26];
        free(v);
        return (int)(need & 1u);
    }
}
"#;
    std::fs::write(&src, text).expect("write negative.c");
    let exe = dir.join("negative");
    let o = strict_gcc()
        .arg(&src)
        .arg(staticlib())
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&exe)
        .output()
        .expect("spawn gcc");
    assert!(
        o.status.success(),
        "gcc: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    for args in [&["leak"][..], &[][..]] {
        let o = valgrind()
            .arg(&exe)
            .args(args)
            .output()
            .expect("spawn valgrind");
        assert_eq!(
            o.status.code(),
            Some(1),
            "valgrind did not flag {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
