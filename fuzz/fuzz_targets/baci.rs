//! cargo-fuzz target: `entrepot_io::fuzzing::baci` (see that module for what is checked).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    entrepot_io::fuzzing::baci(data);
});
