//! `radscore cohort`: joining PyRadiomics batch tables, `radscore extract` output and a clinical
//! table; the column and row order; every error names the file, the id and the column, and
//! writes nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("radscore-cli-cohort-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("tmp");
    d
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn cohort(dir: &Path, features: &[String], out: &Path) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_radscore"));
    c.current_dir(dir)
        .args(["cohort", "--id-column", "ID", "--clinical", "clinical.csv"]);
    for f in features {
        c.arg("--features").arg(f);
    }
    c.arg("--out").arg(out).output().expect("run radscore")
}

const CLINICAL: &str = "ID,label,split,t2_signal,note\n\
                        P1,1,train,7.5,\"a, quoted\"\n\
                        P2,0,test,8,b\n\
                        P3,1,train,9,c\n";

/// A PyRadiomics batch table: input columns, diagnostics, then unprefixed features; rows shuffled.
const T2: &str = "ID,Image,Mask,diagnostics_Versions_PyRadiomics,diagnostics_Configuration_Settings,original_glcm_Contrast,original_shape_Sphericity\n\
                  P3,p3.nrrd,p3m.nrrd,v3.0.1,\"{'label': 1, 'binWidth': 25}\",3.5,0.3\n\
                  P1,p1.nrrd,p1m.nrrd,v3.0.1,\"{'label': 1, 'binWidth': 25}\",1.5,1e-3\n\
                  P2,p2.nrrd,p2m.nrrd,v3.0.1,\"{'label': 1, 'binWidth': 25}\",2.5,0.2\n";

/// One sequence in two files (different sites), columns in another order in the second.
const DWI_A: &str =
    "ID,Image,Mask,log-sigma-1-0-mm-3D_ngtdm_Busyness,squareroot_gldm_DependenceEntropy\n\
                     P2,x,y,20,200\n";
const DWI_B: &str =
    "ID,Mask,squareroot_gldm_DependenceEntropy,Image,log-sigma-1-0-mm-3D_ngtdm_Busyness,Reader\n\
                     P1,y,100,x,10,SimpleITK\n\
                     P3,y,300,x,30,SimpleITK\n";

/// `radscore extract --manifest` output: `patient_id`, columns already prefixed.
const EXTRACT: &str = "patient_id,dce_original_firstorder_Mean,dce_wavelet-LLH_glrlm_RunVariance\n\
                       P1,-1,0.25\n\
                       P2,-2,0.5\n\
                       P3,-3,0.75\n";

fn good(dir: &Path) -> Vec<String> {
    write(dir, "clinical.csv", CLINICAL);
    write(dir, "t2.csv", T2);
    write(dir, "dwi_a.csv", DWI_A);
    write(dir, "dwi_b.csv", DWI_B);
    write(dir, "features.csv", EXTRACT);
    vec![
        "t2=t2.csv".into(),
        "dwi=dwi_a.csv".into(),
        "features.csv".into(),
        "dwi=dwi_b.csv".into(),
    ]
}

#[test]
fn joins_in_argument_file_and_clinical_order() {
    let dir = tmpdir("join");
    let args = good(&dir);
    let out = dir.join("cohort.csv");
    let o = cohort(&dir, &args, &out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "stderr: {stderr}");
    let text = std::fs::read_to_string(&out).expect("output");
    let want = "ID,label,split,t2_signal,note,\
                t2_original_glcm_Contrast,t2_original_shape_Sphericity,\
                dwi_log-sigma-1-0-mm-3D_ngtdm_Busyness,dwi_squareroot_gldm_DependenceEntropy,\
                dce_original_firstorder_Mean,dce_wavelet-LLH_glrlm_RunVariance\n\
                P1,1,train,7.5,\"a, quoted\",1.5,1e-3,10,100,-1,0.25\n\
                P2,0,test,8,b,2.5,0.2,20,200,-2,0.5\n\
                P3,1,train,9,c,3.5,0.3,30,300,-3,0.75\n";
    assert_eq!(text, want);
    // progress: the skipped PyRadiomics columns are counted per file
    assert!(
        stderr.contains("4 PyRadiomics diagnostics/bookkeeping columns skipped"),
        "{stderr}"
    );
    assert!(stderr.contains("3 rows, 11 columns"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs a join that must fail; the message must contain every `needle`, and neither the output
/// nor a temporary file may be left behind (an existing output stays as it was).
fn fails(dir: &Path, args: &[String], needles: &[&str]) {
    let out = dir.join("cohort.csv");
    std::fs::write(&out, "previous").expect("write");
    let o = cohort(dir, args, &out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "should fail: {needles:?}");
    for n in needles {
        assert!(stderr.contains(n), "missing {n:?} in: {stderr}");
    }
    assert_eq!(std::fs::read_to_string(&out).expect("out"), "previous");
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn id_missing_from_a_features_table() {
    let dir = tmpdir("missing");
    let args = good(&dir);
    write(
        &dir,
        "t2.csv",
        &T2.lines()
            .filter(|l| !l.starts_with("P2,"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    fails(&dir, &args, &["id 'P2'", "clinical.csv", "t2.csv", "'ID'"]);
    // and an id of a features table that the clinical table does not have
    let args = good(&dir);
    write(&dir, "features.csv", &format!("{EXTRACT}P9,1,2\n"));
    fails(
        &dir,
        &args,
        &[
            "features.csv",
            "id 'P9'",
            "'patient_id'",
            "not in the clinical table",
        ],
    );
}

#[test]
fn duplicate_ids() {
    let dir = tmpdir("dup");
    let args = good(&dir);
    write(&dir, "clinical.csv", &format!("{CLINICAL}P2,1,test,3,d\n"));
    fails(&dir, &args, &["clinical.csv", "duplicate id 'P2'", "'ID'"]);
    // across two files of one sequence
    let args = good(&dir);
    write(&dir, "dwi_a.csv", &format!("{DWI_A}P3,x,y,30,300\n"));
    fails(
        &dir,
        &args,
        &[
            "duplicate id 'P3'",
            "sequence dwi",
            "dwi_a.csv",
            "dwi_b.csv",
        ],
    );
}

#[test]
fn ragged_row() {
    let dir = tmpdir("ragged");
    let args = good(&dir);
    write(&dir, "features.csv", &EXTRACT.replace("P2,-2,0.5", "P2,-2"));
    fails(
        &dir,
        &args,
        &[
            "features.csv",
            "data row 2",
            "id 'P2'",
            "ragged",
            "2 cells",
            "3 columns",
        ],
    );
}

#[test]
fn feature_column_in_one_file_of_a_sequence_only() {
    let dir = tmpdir("columns");
    let args = good(&dir);
    write(
        &dir,
        "dwi_b.csv",
        &DWI_B.replace(
            "squareroot_gldm_DependenceEntropy",
            "squareroot_gldm_DependenceVariance",
        ),
    );
    fails(
        &dir,
        &args,
        &[
            "feature column 'squareroot_gldm_DependenceEntropy'",
            "sequence dwi",
            "is in dwi_a.csv but not in dwi_b.csv",
        ],
    );
    // an extra column in the second file
    let args = good(&dir);
    write(
        &dir,
        "dwi_b.csv",
        &DWI_B
            .replace(",Reader\n", ",Reader,original_ngtdm_Strength\n")
            .replace("SimpleITK\n", "SimpleITK,5\n"),
    );
    fails(
        &dir,
        &args,
        &[
            "feature column 'original_ngtdm_Strength'",
            "is in dwi_b.csv but not in dwi_a.csv",
        ],
    );
}

#[test]
fn non_numeric_value() {
    let dir = tmpdir("nonnum");
    let args = good(&dir);
    write(&dir, "t2.csv", &T2.replace(",2.5,0.2", ",n/a,0.2"));
    fails(
        &dir,
        &args,
        &[
            "t2.csv",
            "id 'P2'",
            "'original_glcm_Contrast'",
            "'n/a'",
            "not a finite number",
        ],
    );
    let args = good(&dir);
    write(&dir, "t2.csv", &T2.replace(",1.5,1e-3", ",1.5,"));
    fails(
        &dir,
        &args,
        &[
            "t2.csv",
            "id 'P1'",
            "'original_shape_Sphericity'",
            "empty cell",
        ],
    );
}

#[test]
fn a_column_name_twice_and_bad_arguments() {
    let dir = tmpdir("twice");
    let mut args = good(&dir);
    args.push("t2=features.csv".into());
    // t2=features.csv is a second t2 file with other columns
    fails(&dir, &args, &["is in t2.csv but not in features.csv"]);
    let mut args = good(&dir);
    args.push("features.csv".into());
    fails(
        &dir,
        &args,
        &["output column 'dce_original_firstorder_Mean' would appear twice"],
    );
    let args = vec!["T2=t2.csv".to_string()];
    fails(&dir, &args, &["sequence 'T2' must be [a-z0-9]+"]);
    let args = vec!["t2=nope.csv".to_string()];
    fails(&dir, &args, &["nope.csv"]);
}
