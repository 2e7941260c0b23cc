//! A hyper-mcp v1 plugin in Rust on WASI preview 1 (Debian rustc, no crates): one tool,
//! `read_file`, that reads `arguments.path` with std::fs. Shows Extism's `allowed_paths` as KAMI's
//! file-system grant: the file is visible only under /data, and only when fs_access is granted.
//! Built by scripts/build-extism.sh: rustc --target wasm32-wasi --crate-type cdylib -O.

#[link(wasm_import_module = "extism:host/env")]
extern "C" {
    fn input_length() -> u64;
    fn input_load_u8(offset: u64) -> u8;
    fn alloc(length: u64) -> u64;
    fn store_u8(offset: u64, value: u8);
    fn output_set(offset: u64, length: u64);
    fn error_set(offset: u64);
}

fn input() -> String {
    let n = unsafe { input_length() };
    let bytes: Vec<u8> = (0..n).map(|i| unsafe { input_load_u8(i) }).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn block(text: &str) -> (u64, u64) {
    let bytes = text.as_bytes();
    let offset = unsafe { alloc(bytes.len() as u64) };
    for (i, b) in bytes.iter().enumerate() {
        unsafe { store_u8(offset + i as u64, *b) };
    }
    (offset, bytes.len() as u64)
}

fn output(text: &str) -> i32 {
    let (offset, length) = block(text);
    unsafe { output_set(offset, length) };
    0
}

fn fail(text: &str) -> i32 {
    let (offset, _) = block(text);
    unsafe { error_set(offset) };
    1
}

fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The string value of the first `"key":"..."` (enough for the payloads this fixture gets).
fn field(json: &str, key: &str) -> Option<String> {
    let marker = format!("\"{}\":\"", key);
    let start = json.find(&marker)? + marker.len();
    let rest = &json[start..];
    Some(rest[..rest.find('"')?].to_string())
}

#[no_mangle]
pub extern "C" fn describe() -> i32 {
    output(r#"{"tools":[{"name":"read_file","description":"reads a file","inputSchema":{"type":"object","properties":{"path":{"type":"string"}}}}]}"#)
}

#[no_mangle]
pub extern "C" fn call() -> i32 {
    let payload = input();
    let path = match field(&payload, "path") {
        Some(p) => p,
        None => return fail("read_file needs arguments.path"),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => output(&format!(
            r#"{{"content":[{{"type":"text","text":"{}"}}],"isError":false}}"#,
            escape(&text)
        )),
        Err(e) => output(&format!(
            r#"{{"content":[{{"type":"text","text":"cannot read {}: {}"}}],"isError":true}}"#,
            escape(&path),
            escape(&e.to_string())
        )),
    }
}
