//! cargo-fuzz target: `entrepot_io::fuzzing::comtrade_csv` (see that module for what is checked).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    entrepot_io::fuzzing::comtrade_csv(data);
});
