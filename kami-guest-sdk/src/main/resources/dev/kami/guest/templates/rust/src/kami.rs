//! kami.rs - the KAMI guest SDK for Rust (kami-v1 ABI, see docs/ABI.md).
//!
//! One dependency-free file: copy it next to your `lib.rs` (or point `#[path]` at it) and
//! declare it at the crate root:
//!
//! ```ignore
//! #[macro_use]
//! mod kami;
//!
//! fn run(input: &str) -> Result<String, String> {
//!     kami::log_info("hello from the guest");
//!     Ok(input.to_string())
//! }
//!
//! kami_tool!(run);
//! ```
//!
//! Build as a `cdylib` for `wasm32-unknown-unknown` (no WASI imports at all) or `wasm32-wasi`:
//!
//! ```text
//! rustc --edition 2021 --target wasm32-unknown-unknown --crate-type cdylib -O \
//!       -C strip=symbols -o tool.wasm src/lib.rs
//! ```
//!
//! `kami_tool!(f)` defines the exports `kami_alloc` and `kami_run`. `f` takes the input JSON as
//! `&str` and returns `Result<impl AsRef<[u8]>, impl Display>`: `Ok` is the result, `Err` a
//! tool error whose text the model sees. Every call runs on a fresh instance, so memory is
//! never freed and nothing survives between calls.

#![allow(dead_code)]

use std::string::String;
use std::vec::Vec;

mod sys {
    #[link(wasm_import_module = "kami")]
    extern "C" {
        #[link_name = "output"]
        pub fn output(ptr: *const u8, len: usize);
        #[link_name = "log"]
        pub fn log(level: i32, ptr: *const u8, len: usize);
        #[link_name = "http_request"]
        pub fn http_request(ptr: *const u8, len: usize) -> i32;
        #[link_name = "http_response"]
        pub fn http_response(ptr: *mut u8) -> i32;
    }
}

/// Log levels of `kami.log`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Level {
    Trace = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
}

/// Appends bytes to the call's output (`kami.output`).
pub fn output(bytes: &[u8]) {
    unsafe { sys::output(bytes.as_ptr(), bytes.len()) }
}

/// Appends a string to the call's output.
pub fn output_str(s: &str) {
    output(s.as_bytes())
}

/// Logs one line (`kami.log`).
pub fn log(level: Level, msg: &str) {
    unsafe { sys::log(level as i32, msg.as_ptr(), msg.len()) }
}

pub fn log_debug(msg: &str) {
    log(Level::Debug, msg)
}

pub fn log_info(msg: &str) {
    log(Level::Info, msg)
}

pub fn log_warn(msg: &str) {
    log(Level::Warn, msg)
}

pub fn log_error(msg: &str) {
    log(Level::Error, msg)
}

/// Sends an HTTP request described by `request_json`
/// (`{"method":"GET","url":"...","headers":{...},"body":"..."}`) and returns the host's
/// response JSON: `{"status":200,"headers":{...},"body":"..."}` or
/// `{"error":"denied","message":"..."}`. A denied request is not a trap.
pub fn http_request(request_json: &str) -> String {
    let n = unsafe { sys::http_request(request_json.as_ptr(), request_json.len()) };
    if n <= 0 {
        return String::new();
    }
    let mut buf: Vec<u8> = Vec::with_capacity(n as usize);
    let got = unsafe { sys::http_response(buf.as_mut_ptr()) };
    let got = got.max(0).min(n) as usize;
    unsafe { buf.set_len(got) };
    String::from_utf8(buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `http_request` for a plain GET of `url`.
pub fn http_get(url: &str) -> String {
    let mut req = String::from("{\"method\":\"GET\",\"url\":");
    json_quote_into(url, &mut req);
    req.push('}');
    http_request(&req)
}

/// Appends `s` as a JSON string literal (with quotes) to `out`.
pub fn json_quote_into(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Returns `s` as a JSON string literal (with quotes).
pub fn json_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    json_quote_into(s, &mut out);
    out
}

#[doc(hidden)]
pub fn __alloc(len: i32) -> *mut u8 {
    let mut v: Vec<u8> = Vec::with_capacity(len.max(1) as usize);
    let p = v.as_mut_ptr();
    std::mem::forget(v); // the instance is discarded after the call
    p
}

#[doc(hidden)]
pub fn __run<O, E, F>(ptr: *const u8, len: i32, f: F) -> i32
where
    O: AsRef<[u8]>,
    E: std::fmt::Display,
    F: FnOnce(&str) -> Result<O, E>,
{
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len.max(0) as usize) };
    let input = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => {
            output_str("the input is not valid UTF-8");
            return 1;
        }
    };
    match f(input) {
        Ok(out) => {
            output(out.as_ref());
            0
        }
        Err(e) => {
            output_str(&e.to_string());
            1
        }
    }
}

/// Defines the exports `kami_alloc` and `kami_run` around `f: fn(&str) -> Result<O, E>`.
/// Requires this file to be the module `kami` at the crate root.
#[macro_export]
macro_rules! kami_tool {
    ($f:expr) => {
        #[no_mangle]
        pub extern "C" fn kami_alloc(len: i32) -> *mut u8 {
            $crate::kami::__alloc(len)
        }

        #[no_mangle]
        pub extern "C" fn kami_run(ptr: *const u8, len: i32) -> i32 {
            $crate::kami::__run(ptr, len, $f)
        }
    };
}

/// Defines the optional export `kami_describe`, which outputs `json` (a `&str`).
#[macro_export]
macro_rules! kami_describe {
    ($json:expr) => {
        #[no_mangle]
        pub extern "C" fn kami_describe() -> i32 {
            $crate::kami::output_str($json);
            0
        }
    };
}
