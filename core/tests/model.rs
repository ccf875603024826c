//! Model artifact and scoring tests.
//!
//! The artifacts here are produced by a small encoder written in this file from the layout in
//! `docs/artifact-format.md` (the host encoder lives in the trainer, which depends on the core), so
//! the decoder is checked against the documented layout, not against itself. Every documented
//! corruption must be rejected with its own error code; scores are checked against a direct
//! transcription of the formulas.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use radscore_core::model::artifact::{
    self, Header, CRC_LEN, FLAG_SIGNED, FORMAT_VERSION, HEADER_LEN, MAGIC, MAX_BODY_LEN,
};
use radscore_core::model::{
    wire, ClinicalPredictor, FeatureRecipe, Metadata, Model, PredictorKind, ShortName,
    DEFAULT_SETTINGS, MAX_CLINICAL, MAX_FEATURES, MAX_FEATURE_NAME, MAX_SETTINGS,
};
use radscore_core::names::{Feature, FeatureName, ImageType, ShapeFeature, WaveletBand};
use radscore_core::settings::Settings;
use radscore_core::Error;

fn short(s: &str) -> ShortName {
    let mut out = ShortName::new();
    out.push_str(s).unwrap();
    out
}

fn recipe(sequence: &str, name: &str, mean: f64, sd: f64, coefficient: f64) -> FeatureRecipe {
    FeatureRecipe {
        sequence: short(sequence),
        name: heapless::String::try_from(name).unwrap(),
        bin_width: 25.0,
        label: 1,
        mean,
        sd,
        coefficient,
        settings: DEFAULT_SETTINGS,
    }
}

/// A model with three features and two clinical predictors (one binary, one continuous).
fn sample() -> Model {
    let mut features = heapless::Vec::new();
    for r in [
        recipe("dce", "exponential_firstorder_Kurtosis", 4.0, 2.0, -0.34),
        recipe(
            "dwi",
            "log-sigma-3-0-mm-3D_glszm_SmallAreaEmphasis",
            0.55,
            0.12,
            -0.16,
        ),
        recipe(
            "t2",
            "wavelet-LHL_glrlm_RunLengthNonUniformityNormalized",
            0.8,
            0.08,
            0.39,
        ),
    ] {
        features.push(r).unwrap();
    }
    let mut clinical = heapless::Vec::new();
    clinical
        .push(ClinicalPredictor {
            name: short("texture"),
            kind: PredictorKind::Binary,
            unit: short("0=soft;1=stiff"),
            coefficient: 1.5,
            axis_min: 0.0,
            axis_max: 1.0,
        })
        .unwrap();
    clinical
        .push(ClinicalPredictor {
            name: short("volume"),
            kind: PredictorKind::Continuous,
            unit: short("mm3"),
            coefficient: -5.8e-5,
            axis_min: 0.0,
            axis_max: 40_000.0,
        })
        .unwrap();
    let mut model_id = heapless::String::new();
    model_id.push_str("test-model").unwrap();
    Model {
        features,
        radscore_intercept: 0.25,
        combined_intercept: -0.3,
        radscore_coefficient: 1.1,
        radscore_axis: [-4.0, 4.0],
        clinical,
        points_per_unit: 100.0 / 8.8,
        threshold: 0.5,
        meta: Metadata {
            model_id,
            created_unix: 1_700_000_000,
            trainer_version: short("0.1.0"),
            n_train: 150,
            n_test: 64,
            n_positive_train: 79,
            n_positive_test: 29,
            auc_train: 0.93,
            auc_test: -1.0,
        },
        settings: heapless::Vec::new(),
    }
}

fn body_of(model: &Model) -> Vec<u8> {
    let mut buf = vec![0u8; MAX_BODY_LEN];
    let used = postcard::to_slice(model, &mut buf).unwrap().len();
    buf.truncate(used);
    buf
}

/// Header + body + CRC, with the header fields given explicitly.
fn frame(header: Header, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&header.version.to_le_bytes());
    out.extend_from_slice(&header.flags.to_le_bytes());
    out.push(header.n_features);
    out.push(header.n_clinical);
    out.extend_from_slice(&header.body_len.to_le_bytes());
    out.extend_from_slice(body);
    let crc = artifact::crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

fn header_for(model: &Model, body: &[u8]) -> Header {
    Header {
        version: FORMAT_VERSION,
        flags: 0,
        n_features: model.features.len() as u8,
        n_clinical: model.clinical.len() as u8,
        body_len: body.len() as u32,
    }
}

/// An unsigned artifact; the model is not validated (so invalid models can be encoded).
fn encode(model: &Model) -> Vec<u8> {
    let body = body_of(model);
    frame(header_for(model, &body), &body)
}

/// Re-computes the CRC after the caller edited header or body bytes.
fn fix_crc(bytes: &mut [u8]) {
    let body_len = u32::from_le_bytes(bytes[10..14].try_into().unwrap()) as usize;
    let end = HEADER_LEN + body_len;
    let crc = artifact::crc32(&bytes[..end]);
    bytes[end..end + CRC_LEN].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn round_trip() {
    let m = sample();
    let bytes = encode(&m);
    assert_eq!(Model::decode(&bytes), Ok(m.clone()));
    // Header layout as documented.
    assert_eq!(&bytes[0..4], b"RSM1");
    assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), FORMAT_VERSION);
    assert_eq!(u16::from_le_bytes([bytes[6], bytes[7]]), 0);
    assert_eq!(bytes[8], 3);
    assert_eq!(bytes[9], 2);
    let n = u32::from_le_bytes(bytes[10..14].try_into().unwrap()) as usize;
    assert_eq!(bytes.len(), HEADER_LEN + n + CRC_LEN);
    // Header::to_bytes agrees with the hand-written layout.
    let h = artifact::split(&bytes).unwrap().header;
    assert_eq!(&h.to_bytes()[..], &bytes[..HEADER_LEN]);
    assert_eq!(
        m.feature_name(2),
        Some(FeatureName::parse(&m.features[2].name).unwrap())
    );
    assert_eq!(m.feature_name(3), None);
}

#[test]
fn crc_is_the_ieee_crc32() {
    assert_eq!(artifact::crc32(b"123456789"), 0xCBF4_3926);
    let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
    let mut h = flate2::Crc::new();
    h.update(&data);
    assert_eq!(artifact::crc32(&data), h.sum());
}

#[test]
fn wrong_magic() {
    let mut b = encode(&sample());
    b[0] = b'X';
    assert_eq!(Model::decode(&b), Err(Error::BadMagic));
    assert_eq!(Model::decode(b"PK\x03\x04rest"), Err(Error::BadMagic));
    assert_eq!(Model::decode(b"RSX"), Err(Error::BadMagic));
}

#[test]
fn every_truncation_is_truncated() {
    let b = encode(&sample());
    for k in 0..b.len() {
        assert_eq!(Model::decode(&b[..k]), Err(Error::Truncated), "cut at {k}");
    }
}

#[test]
fn unsupported_version() {
    let mut b = encode(&sample());
    b[4..6].copy_from_slice(&4u16.to_le_bytes());
    fix_crc(&mut b);
    assert_eq!(Model::decode(&b), Err(Error::UnsupportedVersion));
    b[4..6].copy_from_slice(&0u16.to_le_bytes());
    assert_eq!(Model::decode(&b), Err(Error::UnsupportedVersion));
}

#[test]
fn unknown_flags() {
    let mut b = encode(&sample());
    b[6..8].copy_from_slice(&0x0100u16.to_le_bytes());
    fix_crc(&mut b);
    assert_eq!(Model::decode(&b), Err(Error::UnsupportedFlags));
}

#[test]
fn bad_crc() {
    let b = encode(&sample());
    for at in [
        HEADER_LEN,
        HEADER_LEN + 5,
        b.len() - CRC_LEN - 1,
        b.len() - 1,
    ] {
        let mut c = b.clone();
        c[at] ^= 0x40;
        assert_eq!(Model::decode(&c), Err(Error::BadCrc), "byte {at}");
    }
}

#[test]
fn trailing_bytes_after_the_crc() {
    let mut b = encode(&sample());
    b.push(0);
    assert_eq!(Model::decode(&b), Err(Error::TrailingBytes));
}

#[test]
fn trailing_bytes_inside_the_declared_body() {
    let m = sample();
    let mut body = body_of(&m);
    body.extend_from_slice(&[0, 0]);
    let b = frame(header_for(&m, &body), &body);
    assert_eq!(Model::decode(&b), Err(Error::TrailingBytes));
}

#[test]
fn malformed_body() {
    let m = sample();
    // The body ends early (header and CRC consistent with the shorter body).
    let mut body = body_of(&m);
    body.truncate(body.len() - 3);
    assert_eq!(
        Model::decode(&frame(header_for(&m, &body), &body)),
        Err(Error::MalformedBody)
    );
    // An enum variant that does not exist: the kind of the first clinical predictor.
    let body = body_of(&m);
    let name_at = find(&body, b"texture").unwrap();
    let mut bad = body.clone();
    bad[name_at + 7] = 9;
    assert_eq!(
        Model::decode(&frame(header_for(&m, &bad), &bad)),
        Err(Error::MalformedBody)
    );
    // A string over its capacity: the length prefix of "texture" raised to 40 and the bytes
    // supplied.
    let mut long = body[..name_at - 1].to_vec();
    long.push(40);
    long.extend_from_slice(&[b'a'; 40]);
    long.extend_from_slice(&body[name_at + 7..]);
    assert_eq!(
        Model::decode(&frame(header_for(&m, &long), &long)),
        Err(Error::MalformedBody)
    );
}

// ------------------------------------------- the in-place reader against postcard's decoder

/// The postcard bytes of a model (NaN payloads included, unlike `PartialEq`).
fn bytes_of(m: &Model) -> Vec<u8> {
    let mut buf = vec![0u8; 4 * MAX_BODY_LEN];
    let n = postcard::to_slice(m, &mut buf).unwrap().len();
    buf.truncate(n);
    buf
}

/// `wire::read_model` must accept exactly what `postcard::take_from_bytes::<Model>` accepts, use
/// the same number of bytes and produce the same model; on failure it must leave no features and
/// no clinical predictors behind.
fn reader_agrees_with_postcard(body: &[u8]) -> Result<(), String> {
    // Start from a full model, so a failed or partial read cannot pass by accident.
    let mut ours = sample();
    let r = wire::read_model(body, &mut ours);
    let theirs = postcard::take_from_bytes::<Model>(body);
    match (r, theirs) {
        (Ok(used), Ok((m, rest))) => {
            if used != body.len() - rest.len() {
                return Err(format!(
                    "used {used} bytes, postcard {}",
                    body.len() - rest.len()
                ));
            }
            if bytes_of(&ours) != bytes_of(&m) {
                return Err(format!("models differ: {ours:?} vs {m:?}"));
            }
            Ok(())
        }
        (Err(e), Err(_)) => {
            if e != Error::MalformedBody {
                return Err(format!("error {e:?}"));
            }
            if !ours.features.is_empty() || !ours.clinical.is_empty() {
                return Err("a failed read left features or predictors behind".into());
            }
            Ok(())
        }
        (Ok(_), Err(e)) => Err(format!("reader accepted, postcard: {e}")),
        (Err(e), Ok(_)) => Err(format!("reader: {e:?}, postcard accepted")),
    }
}

#[test]
fn in_place_reader_matches_postcard_on_every_byte_change_and_truncation() {
    let body = body_of(&sample());
    reader_agrees_with_postcard(&body).unwrap();
    for n in 0..body.len() {
        reader_agrees_with_postcard(&body[..n]).unwrap_or_else(|e| panic!("truncated at {n}: {e}"));
    }
    for i in 0..body.len() {
        for x in [0x01u8, 0x02, 0x0f, 0x10, 0x40, 0x7f, 0x80, 0xff] {
            let mut b = body.clone();
            b[i] ^= x;
            reader_agrees_with_postcard(&b).unwrap_or_else(|e| panic!("byte {i} ^ {x:#x}: {e}"));
        }
    }
}

#[test]
fn in_place_reader_matches_postcard_on_varint_edges() {
    let body = body_of(&sample());
    assert_eq!(body[0], 3, "the body starts with the feature count");
    // Non-canonical, maximal-length and over-long encodings of the count 3, and of its last byte
    // overflowing the integer's width.
    let prefixes: Vec<Vec<u8>> = vec![
        vec![0x83, 0x00],
        vec![0x83, 0x80, 0x80, 0x80, 0x00],
        [vec![0x83], vec![0x80; 8], vec![0x00]].concat(),
        [vec![0x83], vec![0x80; 8], vec![0x01]].concat(),
        [vec![0x83], vec![0x80; 8], vec![0x02]].concat(),
        [vec![0x83], vec![0x80; 9], vec![0x00]].concat(),
        vec![0xff; 12],
    ];
    for p in prefixes {
        let b = [p.clone(), body[1..].to_vec()].concat();
        reader_agrees_with_postcard(&b).unwrap_or_else(|e| panic!("prefix {p:x?}: {e}"));
    }
    // The label (a u32) of the first recipe: 5-byte encodings with the last byte at and over 0x0f.
    let m = sample();
    let r = &m.features[0];
    let prefix = body_of(&m);
    let label_at = {
        // sequence, name, bin width: find the label by re-encoding the recipe with a marker label.
        let mut marked = m.clone();
        marked.features[0].label = 0x7e;
        let mb = body_of(&marked);
        (0..mb.len()).find(|&i| mb[i] != prefix[i]).unwrap()
    };
    assert_eq!(prefix[label_at], r.label as u8);
    for last in [0x00u8, 0x0f, 0x10, 0x7f] {
        let mut b = prefix[..label_at].to_vec();
        b.extend_from_slice(&[0x81, 0x80, 0x80, 0x80, last]);
        b.extend_from_slice(&prefix[label_at + 1..]);
        reader_agrees_with_postcard(&b)
            .unwrap_or_else(|e| panic!("label last byte {last:#x}: {e}"));
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn capacity_exceeded() {
    let m = sample();
    let body = body_of(&m);
    let mut h = header_for(&m, &body);
    h.n_features = (MAX_FEATURES + 1) as u8;
    assert_eq!(
        Model::decode(&frame(h, &body)),
        Err(Error::CapacityExceeded)
    );
    let mut h = header_for(&m, &body);
    h.n_clinical = (MAX_CLINICAL + 1) as u8;
    assert_eq!(
        Model::decode(&frame(h, &body)),
        Err(Error::CapacityExceeded)
    );
    let mut h = header_for(&m, &body);
    h.body_len = (MAX_BODY_LEN + 1) as u32;
    assert_eq!(
        Model::decode(&frame(h, &body)),
        Err(Error::CapacityExceeded)
    );
}

#[test]
fn counts_inconsistent_with_header() {
    let m = sample();
    let body = body_of(&m);
    let mut h = header_for(&m, &body);
    h.n_features = 2;
    assert_eq!(
        Model::decode(&frame(h, &body)),
        Err(Error::InconsistentModel)
    );
    let mut h = header_for(&m, &body);
    h.n_clinical = 3;
    assert_eq!(
        Model::decode(&frame(h, &body)),
        Err(Error::InconsistentModel)
    );
}

#[test]
fn non_finite_parameters() {
    let edits: [fn(&mut Model, f64); 10] = [
        |m, x| m.features[0].mean = x,
        |m, x| m.features[1].sd = x,
        |m, x| m.features[2].coefficient = x,
        |m, x| m.features[0].bin_width = x,
        |m, x| m.radscore_intercept = x,
        |m, x| m.combined_intercept = x,
        |m, x| m.radscore_axis[1] = x,
        |m, x| m.clinical[1].coefficient = x,
        |m, x| m.points_per_unit = x,
        |m, x| m.meta.auc_train = x,
    ];
    for (i, edit) in edits.iter().enumerate() {
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut m = sample();
            edit(&mut m, x);
            assert_eq!(m.validate(), Err(Error::NonFiniteParameter), "edit {i} {x}");
            assert_eq!(
                Model::decode(&encode(&m)),
                Err(Error::NonFiniteParameter),
                "edit {i} {x}"
            );
        }
    }
    // The LoG sigma is part of the name's text since format 2: a name the core cannot parse is
    // not an invalid model, only one the core cannot compute from images.
    let mut m = sample();
    m.features[1].name = heapless::String::try_from("log-sigma-nan-mm-3D_firstorder_Mean").unwrap();
    let d = Model::decode(&encode(&m)).unwrap();
    assert!(!d.features[1].is_computable());
    assert_eq!(d.check_computable(), Err(Error::FeatureNotComputable));
}

#[test]
fn non_positive_sd() {
    for sd in [0.0, -0.0, -1.0] {
        let mut m = sample();
        m.features[2].sd = sd;
        assert_eq!(
            Model::decode(&encode(&m)),
            Err(Error::NonPositiveSd),
            "sd {sd}"
        );
    }
}

#[test]
fn other_invalid_models() {
    type Edit = fn(&mut Model);
    let cases: [(Edit, Error); 15] = [
        (|m| m.features.clear(), Error::InconsistentModel),
        (|m| m.features[0].bin_width = 0.0, Error::BadBinWidth),
        (|m| m.features[0].label = 0, Error::InconsistentModel),
        (|m| m.features[0].sequence = short("T2"), Error::BadName),
        (|m| m.features[0].name.clear(), Error::BadName),
        (
            |m| {
                m.features[1].name = heapless::String::try_from("original_glcm_a,b").unwrap();
            },
            Error::BadName,
        ),
        (
            |m| {
                let dup = m.features[0].clone();
                m.features.push(dup).unwrap();
            },
            Error::InconsistentModel,
        ),
        (|m| m.radscore_axis = [1.0, 1.0], Error::InconsistentModel),
        (|m| m.clinical[0].axis_max = -1.0, Error::InconsistentModel),
        (|m| m.clinical[1].name = short("a,b"), Error::BadName),
        (
            |m| m.clinical[1].name = short("texture"),
            Error::InconsistentModel,
        ),
        (
            |m| m.clinical[1].name = short("patient_id"),
            Error::InconsistentModel,
        ),
        (|m| m.points_per_unit = 0.0, Error::InconsistentModel),
        (|m| m.threshold = 1.0, Error::InconsistentModel),
        (|m| m.meta.auc_test = 1.5, Error::InconsistentModel),
    ];
    for (i, (edit, want)) in cases.iter().enumerate() {
        let mut m = sample();
        edit(&mut m);
        assert_eq!(m.validate(), Err(*want), "case {i}");
        assert_eq!(Model::decode(&encode(&m)), Err(*want), "case {i}");
    }
    let mut m = sample();
    m.meta.n_positive_train = m.meta.n_train + 1;
    assert_eq!(m.validate(), Err(Error::InconsistentModel));
}

#[test]
fn the_listed_corruptions_have_distinct_codes() {
    let codes = [
        Error::BadMagic,
        Error::UnsupportedVersion,
        Error::UnsupportedFlags,
        Error::Truncated,
        Error::BadCrc,
        Error::TrailingBytes,
        Error::MalformedBody,
        Error::CapacityExceeded,
        Error::NonFiniteParameter,
        Error::NonPositiveSd,
        Error::InconsistentModel,
        Error::BadSignature,
        Error::SignatureMissing,
    ];
    for (i, a) in codes.iter().enumerate() {
        for b in &codes[i + 1..] {
            assert_ne!(a.code(), b.code());
        }
    }
}

// ---------------------------------------------------------------- scoring

/// The formulas of the model documentation, transcribed independently of the core's code.
fn reference_score(m: &Model, x: &[f64], c: &[f64]) -> (f64, f64, f64, Vec<f64>) {
    let mut z_sum = 0.0;
    for (f, v) in m.features.iter().zip(x) {
        z_sum += f.coefficient * ((v - f.mean) / f.sd);
    }
    let radscore = m.radscore_intercept + z_sum;
    let mut lp = m.combined_intercept + m.radscore_coefficient * radscore;
    for (p, v) in m.clinical.iter().zip(c) {
        lp += p.coefficient * v;
    }
    let prob = 1.0 / (1.0 + (-lp).exp());
    let mut betas = vec![(
        m.radscore_coefficient,
        m.radscore_axis[0],
        m.radscore_axis[1],
        radscore,
    )];
    for (p, v) in m.clinical.iter().zip(c) {
        betas.push((p.coefficient, p.axis_min, p.axis_max, *v));
    }
    let pts = betas
        .iter()
        .map(|&(b, lo, hi, v)| (b * v - (b * lo).min(b * hi)) * m.points_per_unit)
        .collect();
    (radscore, lp, prob, pts)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn score_matches_the_formulas() {
    let m = sample();
    let xs = [
        ([4.0, 0.55, 0.8], [0.0, 0.0]),
        ([9.5, 0.31, 0.92], [1.0, 12_000.0]),
        ([1.0, 0.9, 0.6], [0.0, 3_500.0]),
        ([-2.0, 1.7, 0.71], [1.0, 39_000.0]),
    ];
    for (x, c) in xs {
        let s = m.score(&x, &c).unwrap();
        let (r, lp, p, pts) = reference_score(&m, &x, &c);
        assert!(close(s.radscore, r, 1e-14), "{} {}", s.radscore, r);
        assert!(close(s.linear_predictor, lp, 1e-14));
        assert!(close(s.probability, p, 1e-14));
        assert_eq!(s.predicted_class, u8::from(s.probability >= m.threshold));
        assert_eq!(s.n_points, 3);
        assert_eq!(s.points().len(), 3);
        for (a, b) in s.points().iter().zip(&pts) {
            assert!(close(*a, *b, 1e-12), "{a} {b}");
        }
        let total: f64 = pts.iter().sum();
        assert!(close(s.total_points, total, 1e-12));
    }
}

#[test]
fn nomogram_scale_ends() {
    // Each predictor's axis maps to [0, |b|·(hi−lo)·ppu]; the lower-points end depends on the
    // sign of b.
    let m = sample();
    let mean_x: Vec<f64> = m.features.iter().map(|f| f.mean).collect();
    // At the feature means the radscore is the intercept.
    let s = m.score(&mean_x, &[0.0, 0.0]).unwrap();
    assert!(close(s.radscore, m.radscore_intercept, 1e-15));
    // Volume has a negative beta: its axis maximum gives 0 points, its minimum the most.
    let hi = m.score(&mean_x, &[0.0, 40_000.0]).unwrap();
    let lo = m.score(&mean_x, &[0.0, 0.0]).unwrap();
    assert!(hi.points()[2].abs() < 1e-12);
    let span = (m.clinical[1].coefficient * 40_000.0).abs() * m.points_per_unit;
    assert!(close(lo.points()[2], span, 1e-12));
    // Binary texture: 0 gives 0 points, 1 gives b·ppu.
    let one = m.score(&mean_x, &[1.0, 0.0]).unwrap();
    assert!(close(one.points()[1], 1.5 * m.points_per_unit, 1e-12));
    assert_eq!(lo.points()[1], 0.0);
}

#[test]
fn probability_is_stable_for_extreme_predictors() {
    let mut m = sample();
    m.radscore_coefficient = 1.0;
    // Push the linear predictor far in both directions through the radscore intercept.
    for (intercept, want) in [(800.0, 1.0), (-800.0, 0.0)] {
        m.radscore_intercept = intercept;
        let x: Vec<f64> = m.features.iter().map(|f| f.mean).collect();
        let s = m.score(&x, &[0.0, 0.0]).unwrap();
        assert!(s.probability.is_finite());
        assert_eq!(s.probability, want);
    }
    // Both branches agree around 0: p(lp) + p(−lp) = 1.
    for lp in [1e-9, 0.3, 2.0, 17.0] {
        m.radscore_intercept = lp - m.combined_intercept;
        let x: Vec<f64> = m.features.iter().map(|f| f.mean).collect();
        let a = m.score(&x, &[0.0, 0.0]).unwrap();
        m.radscore_intercept = -lp - m.combined_intercept;
        let b = m.score(&x, &[0.0, 0.0]).unwrap();
        assert!((a.probability + b.probability - 1.0).abs() < 1e-15);
    }
}

#[test]
fn score_input_errors() {
    let m = sample();
    let x = [4.0, 0.55, 0.8];
    assert_eq!(
        m.score(&x[..2], &[0.0, 1.0]),
        Err(Error::FeatureCountMismatch)
    );
    assert_eq!(m.score(&x, &[0.0]), Err(Error::ClinicalCountMismatch));
    assert_eq!(
        m.score(&[4.0, f64::NAN, 0.8], &[0.0, 1.0]),
        Err(Error::NonFiniteInput)
    );
    assert_eq!(
        m.score(&x, &[0.0, f64::INFINITY]),
        Err(Error::NonFiniteInput)
    );
    assert_eq!(m.score(&x, &[0.5, 1.0]), Err(Error::NonBinaryInput));
    assert_eq!(m.score(&x, &[2.0, 1.0]), Err(Error::NonBinaryInput));
    // Finite inputs whose z-scores overflow: opposite infinities sum to NaN, one to +inf. Both were
    // scored (NaN probability, class 0) before NonFiniteScore.
    assert_eq!(
        m.score(&[4.0, 1e308, 1e308], &[0.0, 1.0]),
        Err(Error::NonFiniteScore)
    );
    assert_eq!(
        m.score(&[4.0, 0.55, 1e308], &[0.0, 1.0]),
        Err(Error::NonFiniteScore)
    );
    // Large but representable: scored, with a probability in [0, 1].
    let s = m.score(&[4.0, 0.55, 1e300], &[0.0, 1.0]).unwrap();
    assert!(s.probability == 1.0 && s.radscore.is_finite());
}

// ---------------------------------------------------------------- signatures

/// RFC 8032 §7.1 TEST 1 secret key.
#[cfg(feature = "signature")]
const SEED: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];

#[cfg(feature = "signature")]
fn sign(model: &Model) -> (Vec<u8>, [u8; 32]) {
    use artifact::{SIGNATURE_LEN, SIG_ALG_ED25519};
    let body = body_of(model);
    let mut h = header_for(model, &body);
    h.flags = FLAG_SIGNED;
    let mut out = frame(h, &body);
    let kp = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(SEED));
    let sig = kp.sk.sign(&out, None);
    out.extend_from_slice(&SIG_ALG_ED25519.to_le_bytes());
    out.extend_from_slice(&(SIGNATURE_LEN as u16).to_le_bytes());
    out.extend_from_slice(sig.as_ref());
    (out, *kp.pk)
}

#[cfg(feature = "signature")]
#[test]
fn signed_artifacts() {
    let m = sample();
    let (b, pk) = sign(&m);
    assert_eq!(b.len(), encode(&m).len() + artifact::TRAILER_LEN);
    assert_eq!(Model::decode(&b), Ok(m.clone()));
    assert_eq!(Model::decode_verified(&b, &pk), Ok(m.clone()));
    // Another key.
    let mut other = pk;
    other[0] ^= 1;
    assert_eq!(Model::decode_verified(&b, &other), Err(Error::BadSignature));
    // Unsigned artifact where a signature is required.
    assert_eq!(
        Model::decode_verified(&encode(&m), &pk),
        Err(Error::SignatureMissing)
    );
    // Trailer framing.
    let crc_end = b.len() - artifact::TRAILER_LEN;
    let mut c = b.clone();
    c[crc_end] = 2;
    assert_eq!(Model::decode(&c), Err(Error::BadSignature));
    // Any flipped signature byte fails verification.
    for at in crc_end + 4..b.len() {
        let mut c = b.clone();
        c[at] ^= 0x01;
        assert_eq!(Model::decode_verified(&c, &pk), Err(Error::BadSignature));
    }
    // Missing or extra trailer bytes.
    assert_eq!(Model::decode(&b[..b.len() - 1]), Err(Error::Truncated));
    let mut c = b.clone();
    c.push(0);
    assert_eq!(Model::decode(&c), Err(Error::TrailingBytes));
}

#[cfg(feature = "signature")]
#[test]
fn rfc8032_test_vector_1() {
    let kp = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(SEED));
    let pk_hex = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    let hex: String = kp.pk.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, pk_hex);
}

#[cfg(not(feature = "signature"))]
#[test]
fn verification_needs_the_feature() {
    let m = sample();
    let body = body_of(&m);
    let mut h = header_for(&m, &body);
    h.flags = FLAG_SIGNED;
    let mut b = frame(h, &body);
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&64u16.to_le_bytes());
    b.extend_from_slice(&[0u8; 64]);
    assert_eq!(Model::decode(&b), Ok(m.clone()));
    assert_eq!(
        Model::decode_verified(&b, &[0; 32]),
        Err(Error::SignatureUnsupported)
    );
    assert_eq!(
        Model::decode_verified(&encode(&m), &[0; 32]),
        Err(Error::SignatureMissing)
    );
}

// ---------------------------------------------------------------- properties

fn image_type() -> impl Strategy<Value = ImageType> {
    prop_oneof![
        Just(ImageType::Original),
        Just(ImageType::Exponential),
        Just(ImageType::Gradient),
        // sigmas as PyRadiomics settings write them (a few digits): the name's text must fit
        // MAX_FEATURE_NAME
        (1u32..100).prop_map(|k| ImageType::Log {
            sigma_mm: f64::from(k) / 10.0
        }),
        (0usize..8).prop_map(|i| ImageType::Wavelet(WaveletBand::ALL[i])),
        Just(ImageType::Square),
        Just(ImageType::SquareRoot),
        Just(ImageType::Logarithm),
    ]
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![-1e6f64..1e6, -1.0f64..1.0, Just(0.0)]
}

fn feature_recipe(i: usize) -> impl Strategy<Value = FeatureRecipe> {
    let features: Vec<Feature> = Feature::all()
        .chain(ShapeFeature::ALL.iter().map(|&f| Feature::Shape(f)))
        .collect();
    (
        "[a-z0-9]{0,26}",
        image_type(),
        0..features.len(),
        0.01f64..200.0,
        1u32..1000,
        finite(),
        1e-9f64..1e4,
        finite(),
    )
        .prop_map(
            move |(seq, it, f, bw, label, mean, sd, coef)| FeatureRecipe {
                // "z" ends the index, so two recipes never share a sequence name
                sequence: short(&format!("s{i}z{seq}")),
                name: heapless::String::try_from(
                    FeatureName {
                        image_type: it,
                        feature: features[f],
                    }
                    .to_string()
                    .as_str(),
                )
                .unwrap(),
                bin_width: bw,
                label,
                mean,
                sd,
                coefficient: coef,
                settings: DEFAULT_SETTINGS,
            },
        )
}

fn clinical(j: usize) -> impl Strategy<Value = ClinicalPredictor> {
    (
        "[a-zA-Z0-9 _.()-]{0,28}",
        any::<bool>(),
        "[a-z0-9=;]{0,32}",
        finite(),
        -1e5f64..1e5,
        1e-3f64..1e5,
    )
        .prop_map(move |(name, bin, unit, coef, lo, w)| ClinicalPredictor {
            // "_" ends the index, so two predictors never share a name
            name: short(&format!("c{j}_{}", name.replace('"', ""))),
            kind: if bin {
                PredictorKind::Binary
            } else {
                PredictorKind::Continuous
            },
            unit: short(&unit),
            coefficient: coef,
            axis_min: lo,
            axis_max: lo + w,
        })
}

fn model() -> impl Strategy<Value = Model> {
    (1usize..=MAX_FEATURES, 0usize..=MAX_CLINICAL)
        .prop_flat_map(|(nf, nc)| {
            let fs: Vec<_> = (0..nf).map(feature_recipe).collect();
            let cs: Vec<_> = (0..nc).map(clinical).collect();
            (
                fs,
                cs,
                (finite(), finite(), finite(), -1e3f64..1e3, 1e-3f64..1e3),
                (
                    1e-6f64..1e6,
                    1e-6f64..0.999_999,
                    any::<u64>(),
                    "[ -~]{0,64}",
                ),
                (0u32..1000, 0u32..1000, 0.0f64..=1.0),
            )
        })
        .prop_map(
            |(fs, cs, (ri, ci, rc, lo, w), (ppu, th, t, id), (nt, ns, auc))| {
                let mut model_id = heapless::String::new();
                model_id.push_str(&id).unwrap();
                Model {
                    features: heapless::Vec::from_iter(fs),
                    radscore_intercept: ri,
                    combined_intercept: ci,
                    radscore_coefficient: rc,
                    radscore_axis: [lo, lo + w],
                    clinical: heapless::Vec::from_iter(cs),
                    points_per_unit: ppu,
                    threshold: th,
                    meta: Metadata {
                        model_id,
                        created_unix: t,
                        trainer_version: short("9.9.9"),
                        n_train: nt,
                        n_test: ns,
                        n_positive_train: nt / 2,
                        n_positive_test: ns / 3,
                        auc_train: auc,
                        auc_test: -1.0,
                    },
                    settings: heapless::Vec::new(),
                }
            },
        )
        .prop_flat_map(|m| {
            let nf = m.features.len();
            (
                Just(m),
                proptest::collection::vec((0..nf, settings()), 0..2 * MAX_SETTINGS),
            )
        })
        .prop_map(|(mut m, assign)| {
            // set_settings keeps the table minimal; a full table refuses a 17th distinct entry
            for (i, s) in assign {
                match m.set_settings(i, &s) {
                    Ok(()) | Err(Error::CapacityExceeded) => {}
                    Err(e) => panic!("set_settings: {e:?}"),
                }
            }
            m
        })
}

/// Any valid extraction settings (implemented by the core or not).
fn settings() -> impl Strategy<Value = Settings> {
    use radscore_core::settings::*;
    let binning = prop_oneof![
        (0.01f64..200.0).prop_map(Binning::Width),
        (1u32..100_000).prop_map(Binning::Count),
    ];
    let interpolator = prop_oneof![
        Just(Interpolator::NearestNeighbor),
        Just(Interpolator::Linear),
        Just(Interpolator::BSpline),
        Just(Interpolator::Gaussian),
        Just(Interpolator::LabelGaussian),
        Just(Interpolator::HammingWindowedSinc),
        Just(Interpolator::CosineWindowedSinc),
        Just(Interpolator::WelchWindowedSinc),
        Just(Interpolator::LanczosWindowedSinc),
        Just(Interpolator::BlackmanWindowedSinc),
    ];
    let weighting = prop_oneof![
        Just(WeightingNorm::None),
        Just(WeightingNorm::Manhattan),
        Just(WeightingNorm::Euclidean),
        Just(WeightingNorm::Infinity),
        Just(WeightingNorm::NoWeighting),
    ];
    let wavelet = prop_oneof![
        Just(WaveletFamily::Haar),
        (1u8..=20).prop_map(WaveletFamily::Db),
        (2u8..=20).prop_map(WaveletFamily::Sym),
        (1u8..=17).prop_map(WaveletFamily::Coif),
    ];
    let mode = prop_oneof![
        Just(ResegmentMode::Absolute),
        Just(ResegmentMode::Relative),
        Just(ResegmentMode::Sigma),
    ];
    (
        (
            binning,
            -1e4f64..1e4,
            proptest::option::of((0.1f64..1e3, proptest::option::of(0.5f64..10.0))),
        ),
        proptest::option::of((
            [0.0f64..5.0, 0.0f64..5.0, 0.0f64..5.0],
            interpolator,
            0u32..20,
        )),
        (
            any::<bool>(),
            proptest::option::of((
                -1e3f64..1e3,
                prop_oneof![Just(f64::INFINITY), 1e3f64..1e4],
                mode,
                any::<bool>(),
            )),
        ),
        (
            proptest::option::of(0u8..=2),
            proptest::collection::vec(1u32..10, 1..=MAX_DISTANCES),
        ),
        (
            any::<bool>(),
            weighting,
            (0u8..10).prop_map(f64::from),
            1u8..=3,
            proptest::option::of(1u32..1000),
        ),
        (wavelet, 0u8..3, 1u8..4, any::<bool>()),
    )
        .prop_map(
            |(
                (binning, shift, norm),
                resample,
                (pre_crop, reseg),
                (f2d, dist),
                (sym, wn, a, dims, size),
                (wav, start, level, grad),
            )| {
                let mut distances = [0u32; MAX_DISTANCES];
                distances[..dist.len()].copy_from_slice(&dist);
                Settings {
                    binning,
                    voxel_array_shift: shift,
                    normalize: norm.map(|(scale, remove_outliers)| Normalize {
                        scale,
                        remove_outliers,
                    }),
                    resample: resample.map(|(spacing, interpolator, pad_distance)| Resample {
                        spacing,
                        interpolator,
                        pad_distance,
                    }),
                    pre_crop,
                    resegment: reseg.map(|(lo, hi, mode, shape)| Resegment {
                        lo,
                        hi,
                        mode,
                        shape,
                    }),
                    force_2d: f2d,
                    distances,
                    n_distances: dist.len() as u8,
                    symmetrical_glcm: sym,
                    weighting_norm: wn,
                    gldm_a: a,
                    minimum_roi_dimensions: dims,
                    minimum_roi_size: size,
                    wavelet: wav,
                    wavelet_start_level: start,
                    wavelet_level: level,
                    gradient_use_spacing: grad,
                    // varies with the level (the tuple strategies are at their arity limit)
                    pad_distance: u32::from(level) * 7,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn encode_decode_round_trips(m in model()) {
        prop_assert_eq!(m.validate(), Ok(()));
        let b = encode(&m);
        prop_assert!(b.len() <= HEADER_LEN + MAX_BODY_LEN + CRC_LEN);
        prop_assert_eq!(Model::decode(&b), Ok(m));
    }

    #[test]
    fn any_single_byte_corruption_is_rejected(m in model(), at in any::<prop::sample::Index>(), x in 1u8..=255) {
        let mut b = encode(&m);
        let i = at.index(b.len());
        b[i] ^= x;
        prop_assert!(Model::decode(&b).is_err(), "byte {} ^ {:#x} accepted", i, x);
    }

    #[test]
    fn arbitrary_bytes_never_panic(tail in prop::collection::vec(any::<u8>(), 0..600), version in 0u16..3, flags in 0u16..3) {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&version.to_le_bytes());
        b.extend_from_slice(&flags.to_le_bytes());
        b.extend_from_slice(&tail);
        let _ = Model::decode(&b);
        let _ = Model::decode_verified(&b, &[7; 32]);
        let _ = Model::decode(&tail);
    }

    #[test]
    fn in_place_reader_matches_postcard_on_random_models(m in model()) {
        let body = body_of(&m);
        prop_assert_eq!(reader_agrees_with_postcard(&body), Ok(()));
        let mut ours = Model::empty();
        prop_assert_eq!(wire::read_model(&body, &mut ours), Ok(body.len()));
        prop_assert_eq!(ours, m);
    }

    #[test]
    fn in_place_reader_matches_postcard_on_mutated_bodies(
        m in model(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let mut body = body_of(&m);
        for (at, x, kind) in edits {
            let i = at.index(body.len().max(1));
            match kind {
                0 if i < body.len() => body[i] = x,
                1 => body.insert(i.min(body.len()), x),
                _ => body.truncate(i),
            }
        }
        prop_assert_eq!(reader_agrees_with_postcard(&body), Ok(()));
    }

    #[test]
    fn in_place_reader_matches_postcard_on_random_bytes(body in prop::collection::vec(any::<u8>(), 0..600)) {
        prop_assert_eq!(reader_agrees_with_postcard(&body), Ok(()));
    }

    #[test]
    fn decode_from_overwrites_any_previous_model(a in model(), b in model()) {
        let mut slot = a.clone();
        prop_assert_eq!(slot.decode_from(&encode(&b)), Ok(()));
        prop_assert_eq!(&slot, &b);
        // A failed decode leaves storage that cannot be mistaken for a model.
        let mut bad = encode(&a);
        bad[0] ^= 1;
        prop_assert_eq!(slot.decode_from(&bad), Err(Error::BadMagic));
        prop_assert!(slot.validate().is_err());
        prop_assert!(slot.features.is_empty() && slot.clinical.is_empty());
    }

    #[test]
    fn well_framed_garbage_bodies_never_panic(body in prop::collection::vec(any::<u8>(), 0..400), nf in 0u8..40, nc in 0u8..20) {
        let h = Header { version: FORMAT_VERSION, flags: 0, n_features: nf, n_clinical: nc, body_len: body.len() as u32 };
        let r = Model::decode(&frame(h, &body));
        prop_assert!(r.is_err() || body.len() > 40);
    }
}

#[test]
fn a_model_at_every_capacity_fits_the_body_limit() {
    let mut m = sample();
    m.features.clear();
    for i in 0..MAX_FEATURES {
        let mut r = recipe(
            "t2",
            "log-sigma-3-0-mm-3D_glrlm_ShortRunHighGrayLevelEmphasis",
            f64::MAX,
            1.0,
            -0.1,
        );
        r.sequence = short(&format!("{i:0>32}"));
        r.name = heapless::String::try_from("n".repeat(MAX_FEATURE_NAME).as_str()).unwrap();
        r.label = u32::MAX;
        m.features.push(r).unwrap();
    }
    let c = m.clinical[1].clone();
    m.clinical.clear();
    for j in 0..MAX_CLINICAL {
        let mut p = c.clone();
        p.name = short(&format!("{j:x>32}"));
        p.unit = short(&"u".repeat(32));
        m.clinical.push(p).unwrap();
    }
    m.meta.model_id.clear();
    m.meta.model_id.push_str(&"m".repeat(64)).unwrap();
    m.meta.created_unix = u64::MAX;
    m.meta.n_train = u32::MAX;
    m.meta.trainer_version = short(&"v".repeat(32));
    assert_eq!(m.validate(), Ok(()));
    let b = encode(&m);
    let body = b.len() - HEADER_LEN - CRC_LEN;
    // A model at full capacity must still fit the decoder's body limit.
    assert!(
        body <= artifact::MAX_BODY_LEN,
        "full model body is {body} bytes"
    );
    assert_eq!(Model::decode(&b), Ok(m));
    // The decoded value's size on the stack (documented in docs/artifact-format.md).
    assert!(core::mem::size_of::<Model>() <= 24 * 1024);
    eprintln!(
        "full body {body} B, size_of::<Model>() = {}",
        core::mem::size_of::<Model>()
    );
}

// ---- format 1 (feature names as typed enums) and recomputability ---------------------------

/// `data/format1-illustrative.rsm` and `…-signed-framing.rsm`: the illustrative model
/// (`radscore_trainer::example::illustrative_model()`) as the format-1 encoder wrote it (commit
/// 9d291a4, committed then as the fuzz seeds). They must keep loading, with the typed names
/// turned into their PyRadiomics text.
const FORMAT1: &[u8] = include_bytes!("data/format1-illustrative.rsm");
const FORMAT1_SIGNED: &[u8] = include_bytes!("data/format1-illustrative-signed-framing.rsm");

#[test]
fn format1_models_still_load() {
    assert_eq!(u16::from_le_bytes([FORMAT1[4], FORMAT1[5]]), 1);
    let m = Model::decode(FORMAT1).unwrap();
    let columns: Vec<String> = m.features.iter().map(|f| f.column().to_string()).collect();
    assert_eq!(
        columns,
        [
            "dce_exponential_firstorder_Kurtosis",
            "dce_exponential_firstorder_Minimum",
            "dce_gradient_firstorder_Variance",
            "dwi_log-sigma-3-0-mm-3D_glszm_SmallAreaEmphasis",
            "t2_wavelet-LHH_glszm_HighGrayLevelZoneEmphasis",
            "t2_wavelet-LHL_glrlm_RunLengthNonUniformityNormalized",
            "t2_wavelet-LLH_glrlm_ShortRunHighGrayLevelEmphasis",
        ]
    );
    // every format-1 feature is one the core computes
    assert_eq!(m.check_computable(), Ok(()));
    assert_eq!(m.clinical.len(), 2);
    let s = Model::decode(FORMAT1_SIGNED).unwrap();
    assert_eq!(s, m);
    // re-encoded in the current format, the same model
    let b = encode(&m);
    assert_eq!(u16::from_le_bytes([b[4], b[5]]), FORMAT_VERSION);
    assert_eq!(Model::decode(&b), Ok(m.clone()));
    // in place into storage holding another model, too
    let mut into = sample();
    into.decode_from(FORMAT1).unwrap();
    assert_eq!(into, m);
    // a format-1 body read as format 2 is not the same model (the reader follows the header)
    let parts = artifact::split(FORMAT1).unwrap();
    let mut other = Model::empty();
    let as2 = wire::read_model_version(parts.body, 2, &mut other);
    assert!(as2.is_err() || other != m);
}

#[test]
fn format1_corruptions_are_rejected() {
    let parts = artifact::split(FORMAT1).unwrap();
    let body = parts.body;
    // every truncation of the format-1 body is malformed
    for n in 0..body.len() {
        let mut m = Model::empty();
        assert_eq!(
            wire::read_model_version(&body[..n], 1, &mut m),
            Err(Error::MalformedBody),
            "truncated at {n}"
        );
        assert!(m.features.is_empty());
    }
    let mut m = Model::empty();
    assert_eq!(wire::read_model_version(body, 1, &mut m), Ok(body.len()));
    assert_eq!(
        wire::read_model_version(body, 4, &mut m),
        Err(Error::UnsupportedVersion)
    );
    // every single-bit flip of the file is rejected (CRC) or, if it decodes, validates
    for i in 0..FORMAT1.len() {
        let mut b = FORMAT1.to_vec();
        b[i] ^= 0x10;
        if let Ok(d) = Model::decode(&b) {
            assert_eq!(d.validate(), Ok(()));
        }
    }
}

#[test]
fn recomputability_is_decided_from_the_name() {
    let mut m = sample();
    assert_eq!(m.check_computable(), Ok(()));
    for (seq, name, computable) in [
        ("t2", "original_firstorder_Mean", true),
        ("dce", "log-sigma-1-0-mm-3D_glszm_ZoneEntropy", true),
        // classes and image types the core learned after this model format: computable without
        // retraining
        ("t2", "original_glcm_Contrast", true),
        ("dce", "log-sigma-1-0-mm-3D_ngtdm_Busyness", true),
        ("dwi", "original_shape_Sphericity", true),
        ("dce", "squareroot_gldm_DependenceEntropy", true),
        ("t2", "lbp-3D-k_firstorder_Mean", true),
        // PyRadiomics names the core does not compute (LBP2D; shape2D without force2D): table-only
        ("t2", "lbp-2D_firstorder_Mean", false),
        ("dwi", "original_shape2D_Perimeter", false),
        ("t2", "signal", false),
        ("", "original_firstorder_Mean", false),
    ] {
        m.features[0].sequence = short(seq);
        m.features[0].name = heapless::String::try_from(name).unwrap();
        // stored as given and read back as given, computable or not
        let d = Model::decode(&encode(&m)).unwrap();
        assert_eq!(d.features[0].name.as_str(), name);
        assert_eq!(d.features[0].is_computable(), computable, "{seq} {name}");
        assert_eq!(d.features[0].recipe().is_ok(), computable, "{seq} {name}");
        if computable {
            assert_eq!(d.check_computable(), Ok(()));
            assert_eq!(d.first_not_computable(), None);
        } else {
            assert_eq!(d.check_computable(), Err(Error::FeatureNotComputable));
            assert_eq!(d.first_not_computable(), Some(0));
            assert_eq!(d.feature_name(0), None);
            assert_eq!(d.features[0].recipe(), Err(Error::FeatureNotComputable));
        }
        let expect_col = if seq.is_empty() {
            name.to_string()
        } else {
            format!("{seq}_{name}")
        };
        assert_eq!(d.features[0].column().to_string(), expect_col);
        // scoring from feature values works for every model
        assert!(d.score(&[1.0, 2.0, 3.0], &[1.0, 40.0]).is_ok());
    }
}

/// Format 3: each feature's extraction settings, a table of the distinct non-default ones.
#[test]
fn settings_round_trip_and_stay_minimal() {
    use radscore_core::settings::Binning;
    let mut m = sample();
    assert_eq!(m.format_version(), 2);
    let mut a = Settings::with_bin_width(5.0);
    a.gldm_a = 1.0;
    let mut c = Settings::DEFAULT;
    c.binning = Binning::Count(32);
    m.set_settings(0, &a).unwrap();
    m.set_settings(2, &a).unwrap();
    m.set_settings(1, &c).unwrap();
    assert_eq!(m.settings.len(), 2, "equal settings share an entry");
    assert_eq!(m.format_version(), 3);
    assert_eq!((m.features[0].settings, m.features[2].settings), (0, 0));
    assert_eq!(
        (m.features[0].bin_width, m.features[1].bin_width),
        (5.0, 0.0)
    );
    assert_eq!(m.settings_of(1), Some(c));
    assert_eq!(m.validate(), Ok(()));
    let b = encode(&m);
    assert_eq!(Model::decode(&b), Ok(m.clone()));
    // Defaults with a bin width are no entry; unused entries go.
    m.set_settings(1, &Settings::with_bin_width(10.0)).unwrap();
    assert_eq!(m.features[1].settings, DEFAULT_SETTINGS);
    assert_eq!(m.settings.len(), 1);
    assert_eq!(m.settings_of(1), Some(Settings::with_bin_width(10.0)));
    // Inconsistencies the decoder refuses.
    let mut bad = m.clone();
    bad.features[0].bin_width = 6.0;
    assert_eq!(bad.validate(), Err(Error::InconsistentModel));
    let mut bad = m.clone();
    bad.features[0].settings = 1;
    assert_eq!(bad.validate(), Err(Error::InconsistentModel));
    let mut bad = m.clone();
    bad.settings.push(c).unwrap();
    assert_eq!(
        bad.validate(),
        Err(Error::InconsistentModel),
        "unused entry"
    );
    let mut bad = m.clone();
    bad.settings[0].n_distances = 0;
    assert_eq!(bad.validate(), Err(Error::BadSetting));
    let mut bad = m.clone();
    bad.settings[0].voxel_array_shift = f64::NAN;
    assert_eq!(bad.validate(), Err(Error::NonFiniteParameter));
    // A full table refuses a new distinct entry and leaves the model as it was.
    let mut full = sample();
    for k in 0..MAX_FEATURES.min(20) {
        let _ = full.features.push(recipe(
            &format!("s{k}"),
            "original_firstorder_Mean",
            0.0,
            1.0,
            0.1,
        ));
    }
    for k in 0..MAX_SETTINGS {
        full.set_settings(k, &Settings::with_bin_width(1.0 + k as f64))
            .unwrap();
        let mut t = Settings::with_bin_width(1.0 + k as f64);
        t.gldm_a = 2.0;
        full.set_settings(k, &t).unwrap();
    }
    let before = full.clone();
    let mut t = Settings::DEFAULT;
    t.gldm_a = 3.0;
    assert_eq!(
        full.set_settings(MAX_SETTINGS, &t),
        Err(Error::CapacityExceeded)
    );
    assert_eq!(full, before);
    assert_eq!(full.set_settings(999, &t), Err(Error::IndexOutOfRange));
}

/// shape2D in recipes: a shape2D feature is computable from images exactly when its settings
/// carry force2D (PyRadiomics computes shape2D only then), with any force2Ddimension and any
/// interpolator; the settings survive encoding; defaults keep it table-only (older files, whose
/// shape2D features have no settings, load and behave as before).
#[test]
fn shape2d_is_computable_with_force2d_settings() {
    use radscore_core::settings::{Interpolator, Resample};
    let mut m = sample();
    m.features[1].name.clear();
    m.features[1]
        .name
        .push_str("original_shape2D_Perimeter")
        .unwrap();
    assert!(!m.features[1].is_computable(), "without the model: unknown");
    assert!(!m.is_computable(1), "default settings: no force2D");
    assert_eq!(m.first_not_computable(), Some(1));
    // Settings without force2D: still table-only, extraction would refuse it.
    let mut s = Settings::with_bin_width(0.55);
    s.gldm_a = 1.0;
    m.set_settings(1, &s).unwrap();
    assert_eq!(m.recipe_of(1), Err(Error::FeatureNotComputable));
    for (dim, interpolator) in [
        (0u8, Interpolator::LanczosWindowedSinc),
        (1, Interpolator::Gaussian),
        (2, Interpolator::LabelGaussian),
    ] {
        let mut s = Settings::with_bin_width(0.55);
        s.force_2d = Some(dim);
        s.resample = Some(Resample {
            spacing: [0.7, 0.7, 0.0],
            interpolator,
            pad_distance: 3,
        });
        m.set_settings(1, &s).unwrap();
        assert!(m.is_computable(1));
        assert_eq!(m.first_not_computable(), None);
        let n = m.recipe_of(1).unwrap();
        assert!(matches!(n.feature, Feature::Shape2D(_)));
        assert_eq!(m.feature_name(1), Some(n));
        assert_eq!(m.format_version(), 3);
        let d = Model::decode(&encode(&m)).unwrap();
        assert_eq!(d, m);
        assert_eq!(d.settings_of(1), Some(s));
        assert!(d.is_computable(1));
    }
    // Index past the features.
    assert_eq!(m.recipe_of(99), Err(Error::FeatureNotComputable));
}
