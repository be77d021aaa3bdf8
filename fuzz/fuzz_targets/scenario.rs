#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(broken) = meshctl::cli::fuzz::scenario(data) {
        panic!("{broken}");
    }
});
