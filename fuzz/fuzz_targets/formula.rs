//! cargo-fuzz target: `entrepot_gravity::fuzzing::formula` (see that module for what is
//! checked): a model formula, then optional cluster and filter lines.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    entrepot_gravity::fuzzing::formula(data);
});
