//! Record bytes through every converter, then to Diffusion CBOR and back to bytes.
#![no_main]
use connect_data::Converter;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for c in [
        Converter::String,
        Converter::ByteArray,
        Converter::Json { schemas_enable: true },
        Converter::Json { schemas_enable: false },
    ] {
        if let Ok(sv) = c.to_connect(Some(data)) {
            let _ = connect_data::to_diffusion_cbor(&sv);
            let _ = c.from_connect(&sv);
        }
    }
});
