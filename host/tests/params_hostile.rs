//! Hostile params files (issue 21, found while writing the `params` fuzz target): what would
//! take unbounded memory, stack or time is refused with an error naming the file, before
//! anything is built. The same inputs are committed as `fuzz/seeds/params/hostile-*` and
//! replayed by `runtime-cli/tests/fuzz_replay.rs`.

use radscore_host::params::{MAX_PARAMS_BYTES, MAX_YAML_DEPTH, MAX_YAML_VALUES};
use radscore_host::{Params, ParamsErrorKind};

/// `levels` anchors, each a list of ten aliases of the one before: 10^(levels + 1) values.
fn alias_bomb(levels: usize) -> String {
    let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..=levels {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    s.push_str(&format!("setting: *a{levels}\n"));
    s
}

#[test]
fn aliases_expanding_to_too_many_values_are_refused_before_they_are_built() {
    // 10^6 values (yaml-rust2 copies an anchor for every alias; 10^10 with nine levels).
    let e = Params::from_yaml_str(&alias_bomb(5), "bomb.yaml").unwrap_err();
    assert_eq!(e.kind, ParamsErrorKind::Read, "{e}");
    let shown = e.to_string();
    assert!(
        shown.contains("bomb.yaml")
            && shown.contains(&format!("more than {MAX_YAML_VALUES} values")),
        "{shown}"
    );
    // Anchors and aliases in a params file of ordinary size are still read.
    let p = Params::from_yaml_str(
        "imageType:\n  Original: &none {}\n  Square: *none\nsetting: &s {binWidth: 25}\n",
        "anchors.yaml",
    )
    .unwrap();
    assert_eq!(p.image_types().len(), 2);
}

#[test]
fn nesting_deeper_than_the_limit_is_refused_before_it_is_built() {
    let depth = MAX_YAML_DEPTH + 1;
    let text = format!("setting: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    let e = Params::from_yaml_str(&text, "deep.yaml").unwrap_err();
    assert_eq!(e.kind, ParamsErrorKind::Read, "{e}");
    let shown = e.to_string();
    assert!(
        shown.contains("deep.yaml")
            && shown.contains(&format!("nested more than {MAX_YAML_DEPTH}")),
        "{shown}"
    );
    // One level less is built, and refused by the schema as a setting's value.
    let ok_depth = MAX_YAML_DEPTH - 1;
    let text = format!(
        "setting: {}{}\n",
        "[".repeat(ok_depth),
        "]".repeat(ok_depth)
    );
    let e = Params::from_yaml_str(&text, "deep.yaml").unwrap_err();
    assert_eq!(e.kind, ParamsErrorKind::Invalid, "{e}");
}

#[test]
fn a_params_file_larger_than_the_limit_is_refused_without_reading_it_all() {
    let dir = std::env::temp_dir().join(format!("radscore-params-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A valid YAML comment one byte over the limit.
    let big = dir.join("big.yaml");
    let mut text = String::from("#");
    text.push_str(&"x".repeat(MAX_PARAMS_BYTES as usize));
    std::fs::write(&big, &text).unwrap();
    let e = Params::from_path(&big).unwrap_err();
    assert_eq!(e.kind, ParamsErrorKind::Read, "{e}");
    let shown = e.to_string();
    assert!(
        shown.contains("big.yaml") && shown.contains(&format!("larger than {MAX_PARAMS_BYTES}")),
        "{shown}"
    );
    // At the limit it is read (an empty document: PyRadiomics' defaults).
    text.pop();
    std::fs::write(&big, &text).unwrap();
    Params::from_path(&big).unwrap();
    // Not UTF-8: an error naming the file.
    let latin1 = dir.join("latin1.yaml");
    std::fs::write(&latin1, b"setting: {label: 1} # \xe9\n").unwrap();
    let e = Params::from_path(&latin1).unwrap_err();
    assert!(
        e.to_string().contains("latin1.yaml") && e.to_string().contains("UTF-8"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Found by the params fuzz target (`fuzz/seeds/params/crash-log-sigma-without-a-name.json`): a
/// LoG sigma of 1.3e61 is a valid PyRadiomics float, but the core names only sigmas below 2^53
/// with at most 15–16 significant digits, and `plan` called `to_string` on the name, which
/// panics when `Display` fails. It is an error naming the setting and the value now, in params
/// files and in `--log-sigma`.
#[test]
fn a_log_sigma_radscore_cannot_name_is_an_error_not_a_panic() {
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/seeds/params/crash-log-sigma-without-a-name.json");
    let e = Params::from_path(&seed).unwrap().plan().unwrap_err();
    assert_eq!(e.kind, ParamsErrorKind::Unsupported, "{e}");
    let shown = e.to_string();
    assert!(
        shown.contains("crash-log-sigma-without-a-name.json")
            && shown.contains("`imageType: LoG: sigma`")
            && shown.contains("LoG sigma 1333"),
        "{shown}"
    );
    for sigma in ["1.0e16", "0.1234567890123456789"] {
        let text = format!("imageType: {{LoG: {{sigma: [{sigma}]}}}}");
        let p = Params::from_yaml_str(&text, "f.yaml").unwrap();
        let r = std::panic::catch_unwind(|| p.plan());
        assert!(r.is_ok(), "{sigma}: plan panicked");
    }
    // Ordinary sigmas still plan, named as PyRadiomics names them.
    let p = Params::from_yaml_str("imageType: {LoG: {sigma: [1.0, 2.5]}}", "f.yaml").unwrap();
    assert_eq!(
        p.plan().unwrap().types[0].derived,
        ["log-sigma-1-0-mm-3D", "log-sigma-2-5-mm-3D"]
    );
    // --log-sigma: the same refusal.
    let e = radscore_host::extract::all_names(&[1.0e61], true).unwrap_err();
    assert!(e.to_string().contains("--log-sigma: LoG sigma"), "{e}");
}
