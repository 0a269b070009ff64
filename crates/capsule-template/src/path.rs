//! Project-relative paths: resolving `src` references between template files.

/// Resolves `target` as referenced from the file `from` (both project paths). A leading `/`
/// means the project root. `None` when the result would leave the project.
pub fn resolve(from: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    let relative = if let Some(absolute) = target.strip_prefix('/') {
        absolute
    } else {
        parts.extend(from.split('/'));
        parts.pop(); // the file's own name
        target
    };
    for part in relative.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn resolves_relative_and_absolute_references() {
        assert_eq!(resolve("pages/a/a.wxml", "lib.wxml").as_deref(), Some("pages/a/lib.wxml"));
        assert_eq!(resolve("pages/a/a.wxml", "./lib.wxml").as_deref(), Some("pages/a/lib.wxml"));
        assert_eq!(resolve("pages/a/a.wxml", "../../t/x.wxml").as_deref(), Some("t/x.wxml"));
        assert_eq!(resolve("pages/a/a.wxml", "/t/x.wxml").as_deref(), Some("t/x.wxml"));
        assert_eq!(resolve("index.wxml", "../x.wxml"), None);
    }
}
