//! Writes the cleaned and the face-blurred copy of a photo, to look at the blur by eye:
//! `cargo run -p qar-media --example blur_preview -- IN.jpg OUT_PREFIX`
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (input, prefix) = (&args[1], &args[2]);
    let bytes = std::fs::read(input).expect("the photo can be read");
    let options = qar_media::Options::default();
    for blur in [false, true] {
        let safe = qar_media::make_safe(&bytes, input, &options, blur).expect("the photo is accepted");
        let out = format!("{prefix}{}.{}", if blur { "-blurred" } else { "" }, safe.mime.extension());
        std::fs::write(&out, &safe.bytes).expect("the copy can be written");
        println!("{out}: may show a face: {}", safe.may_show_face);
    }
}
