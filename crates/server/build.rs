//! Builds the dashboard (`web/`, TypeScript + Vite) when its sources changed
//! and embeds the built files into the binary, so one binary serves
//! everything. Set `TOUCHPOINT_SKIP_WEB_BUILD=1` to embed `web/dist` as it is.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn newest_change(path: &Path) -> Option<std::time::SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| newest_change(&entry.path()))
        .max()
}

fn npm(web: &Path, args: &[&str]) {
    let status = Command::new("npm")
        .args(args)
        .current_dir(web)
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run npm {args:?} in {}: {e} (install Node.js and npm)",
                web.display()
            )
        });
    assert!(status.success(), "npm {args:?} failed in {}", web.display());
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let web = manifest.join("../../web");
    let dist = web.join("dist");
    for watched in [
        "src",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
    ] {
        println!("cargo:rerun-if-changed={}", web.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=TOUCHPOINT_SKIP_WEB_BUILD");
    let has_web = web.join("package.json").exists();
    let skip = std::env::var_os("TOUCHPOINT_SKIP_WEB_BUILD").is_some();
    if has_web && !skip {
        if !web.join("node_modules").exists() {
            npm(&web, &["ci", "--no-audit", "--no-fund"]);
        }
        let built = newest_change(&dist.join("index.html"));
        let sources = ["src", "index.html", "package.json", "vite.config.ts"]
            .iter()
            .filter_map(|p| newest_change(&web.join(p)))
            .max();
        if built.is_none() || sources > built {
            npm(&web, &["run", "build"]);
        }
    }
    let mut paths = Vec::new();
    files(&dist, &mut paths);
    let mut code = String::from(
        "/// The dashboard's built files: (path, content type, bytes).\npub static ASSETS: &[(&str, &str, &[u8])] = &[\n",
    );
    for path in &paths {
        let relative = path
            .strip_prefix(&dist)
            .expect("listed under dist")
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            code,
            "    ({relative:?}, {:?}, include_bytes!({:?})),",
            mime(path),
            path.canonicalize()
                .expect("built file exists")
                .display()
                .to_string()
        )
        .expect("writing to a string");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("assets.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
