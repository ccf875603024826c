//! Shared by the Rust-side tests of the C ABI: a model loaded through `radscore_model_load` into
//! caller-owned storage, as a C program does.
#![allow(dead_code)]

use radscore::{radscore_model_load, radscore_model_size, RadscoreModel, RadscoreStatus};
use radscore_core::model::Model;

/// A loaded model: the storage it lives in and the handle the C ABI returned.
pub struct Loaded {
    _storage: Vec<u64>,
    /// The handle for the other entry points (valid while this value lives).
    pub handle: *const RadscoreModel,
}

/// Encodes `model` and loads it through the C ABI into 8-byte-aligned storage of the size
/// `radscore_model_size` asks for.
pub fn load(model: &Model) -> Loaded {
    let bytes = radscore_trainer::export::encode(model).expect("encode");
    let mut storage = vec![0u64; radscore_model_size().div_ceil(8)];
    let mut handle: *const RadscoreModel = std::ptr::null();
    // SAFETY (test): the storage and the artifact are valid for the lengths given; the handle is
    // written by the call.
    let st = unsafe {
        radscore_model_load(
            storage.as_mut_ptr().cast(),
            storage.len() * 8,
            bytes.as_ptr(),
            bytes.len(),
            &mut handle,
        )
    };
    assert_eq!(st, RadscoreStatus::Ok);
    Loaded {
        _storage: storage,
        handle,
    }
}
