//! GLCM MCC's eigenvalues against numpy (LAPACK `dgeev`): the 2 × 2 path must give numpy's bits.
//! Fixture: `data/eig2x2.txt`, made by `tests/oracles/numpy/eig2x2.py`.

use radscore_core::features::eigen::{dgeev_2x2, eigenvalues};

fn bits(h: &str) -> f64 {
    f64::from_bits(u64::from_str_radix(h, 16).unwrap())
}

fn sorted(mut e: [(f64, f64); 2]) -> [(f64, f64); 2] {
    if e[1].0 < e[0].0 || (e[1].0 == e[0].0 && e[1].1 < e[0].1) {
        e.swap(0, 1);
    }
    e
}

#[test]
fn two_by_two_matches_numpy_bit_for_bit() {
    let text = include_str!("data/eig2x2.txt");
    let mut n = 0;
    let mut bad = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let v: Vec<f64> = line.split_whitespace().map(bits).collect();
        let want = [(v[4], v[5]), (v[6], v[7])];
        let got = sorted(dgeev_2x2(v[0], v[1], v[2], v[3]));
        // through the general entry point too
        let mut a = [v[0], v[1], v[2], v[3]];
        let (mut wr, mut wi) = ([0.0; 2], [0.0; 2]);
        eigenvalues(&mut a, 2, &mut wr, &mut wi).unwrap();
        let via = sorted([(wr[0], wi[0]), (wr[1], wi[1])]);
        let same = |x: [(f64, f64); 2]| {
            x.iter()
                .zip(&want)
                .all(|(p, q)| p.0.to_bits() == q.0.to_bits() && p.1 == q.1)
        };
        if !same(got) || !same(via) {
            bad.push(format!("{line}: ours {got:?}, numpy {want:?}"));
        }
        n += 1;
    }
    assert_eq!(n, 400);
    assert!(
        bad.is_empty(),
        "{} of {n} differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
