//! Fuzz target: `Model::decode` and `Model::decode_verified` must never panic, and whatever they
//! accept must be a valid model that scores without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use radscore_core::model::{artifact, Model, MAX_CLINICAL, MAX_FEATURES};

fuzz_target!(|data: &[u8]| {
    let _ = artifact::split(data);
    let _ = Model::decode_verified(data, &[0x5a; 32]);
    // In place into storage that already holds a model: same verdict and same model as by value.
    let mut slot = Model::empty();
    let in_place = slot.decode_from(data);
    if in_place.is_err() {
        assert!(slot.features.is_empty() && slot.clinical.is_empty());
    }
    let by_value = Model::decode(data);
    assert_eq!(in_place.map(|()| &slot), by_value.as_ref().map_err(|e| *e));
    if let Ok(m) = by_value {
        assert_eq!(m.validate(), Ok(()));
        let x = [0.5f64; MAX_FEATURES];
        let c = [1.0f64; MAX_CLINICAL];
        let nf = m.features.len();
        let nc = m.clinical.len();
        let _ = m.score(&x[..nf], &c[..nc]);
    }
});
