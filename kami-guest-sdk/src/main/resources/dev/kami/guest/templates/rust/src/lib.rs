//! {{name}}: a KAMI tool (kami-v1 ABI) in Rust, dependency-free.
//! Input {"name":"..."}; output {"greeting":"Hello, ...!"}.

#[macro_use]
mod kami;

fn run(input: &str) -> Result<String, String> {
    let name = string_arg(input, "name").ok_or("missing argument 'name' (a string)")?;
    kami::log_debug("{{name}}: greeting");
    let mut out = String::from("{\"greeting\":");
    kami::json_quote_into(&format!("Hello, {}!", name), &mut out);
    out.push('}');
    Ok(out)
}

/// A tiny lookup of a top-level "key": "string value"; use serde_json for real parsing.
fn string_arg(json: &str, key: &str) -> Option<String> {
    let pat = format!("\"{}\"", key);
    let rest = json[json.find(&pat)? + pat.len()..].trim_start().strip_prefix(':')?;
    let mut chars = rest.trim_start().strip_prefix('"')?.chars();
    let mut out = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                c => out.push(c), // \" \\ \/ (\uXXXX is not decoded here)
            },
            c => out.push(c),
        }
    }
}

kami_tool!(run);
