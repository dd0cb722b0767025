//! cargo-fuzz target: `entrepot_gravity::fuzzing::filter` (see that module for what is
//! checked): a sample filter / derived-variable expression.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    entrepot_gravity::fuzzing::filter(data);
});
