//! Size and shape limits for projects and packages, and how a project's files are split into packages.

/// One mebibyte, the unit the platforms quote their limits in.
pub const MIB: u64 = 1024 * 1024;

/// Limits a project must meet to be built and a package must meet to be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes in the main package (every file outside a subpackage root).
    pub main_package_bytes: u64,
    /// Bytes in each subpackage (the files under its root).
    pub subpackage_bytes: u64,
    /// Bytes in all packages together; also the cap on a package's total uncompressed size.
    pub total_bytes: u64,
    /// Entries a package may hold, the manifest included.
    pub max_entries: usize,
    /// Largest accepted ratio of uncompressed to compressed size for one entry…
    pub max_compression_ratio: u64,
    /// …checked only for entries larger than this, since tiny files compress erratically.
    pub compression_ratio_min_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            main_package_bytes: 2 * MIB,
            subpackage_bytes: 2 * MIB,
            total_bytes: 20 * MIB,
            max_entries: 10_000,
            max_compression_ratio: 100,
            compression_ratio_min_bytes: MIB,
        }
    }
}

impl Limits {
    /// The largest archive worth opening: the total limit plus room for ZIP headers, since
    /// incompressible files grow slightly when stored in a ZIP.
    pub fn max_archive_bytes(&self) -> u64 {
        let header_room = u64::try_from(self.max_entries).unwrap_or(u64::MAX).saturating_mul(512);
        self.total_bytes.saturating_add(self.total_bytes / 64).saturating_add(header_room)
    }
}

/// The bytes of each package of a project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackageSizes {
    pub main: u64,
    /// `(root, bytes)` for each subpackage, in declaration order.
    pub subpackages: Vec<(String, u64)>,
    pub total: u64,
}

impl PackageSizes {
    /// Splits `files` (`(path, bytes)`) between the main package and the subpackages whose
    /// roots contain them.
    pub fn measure<'a>(files: impl IntoIterator<Item = (&'a str, u64)>, subpackage_roots: &[&str]) -> Self {
        let mut sizes = Self {
            subpackages: subpackage_roots.iter().map(|root| ((*root).to_owned(), 0)).collect(),
            ..Self::default()
        };
        for (path, bytes) in files {
            sizes.total = sizes.total.saturating_add(bytes);
            match sizes.subpackages.iter_mut().find(|(root, _)| crate::paths::is_within(path, root)) {
                Some((_, package)) => *package = package.saturating_add(bytes),
                None => sizes.main = sizes.main.saturating_add(bytes),
            }
        }
        sizes
    }
}

/// `1.50 MiB (1572864 bytes)`, `2.0 KiB (2048 bytes)`, `300 bytes`: readable and exact.
pub fn describe_bytes(bytes: u64) -> String {
    // A rounded figure for reading; the exact count follows it, so precision loss is harmless.
    #[allow(clippy::cast_precision_loss)]
    let value = bytes as f64;
    if bytes >= MIB {
        format!("{:.2} MiB ({bytes} bytes)", value / MIB as f64)
    } else if bytes >= 1024 {
        format!("{:.1} KiB ({bytes} bytes)", value / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_platform_limits() {
        let limits = Limits::default();
        assert_eq!(limits.main_package_bytes, 2 * 1024 * 1024);
        assert_eq!(limits.subpackage_bytes, 2 * 1024 * 1024);
        assert_eq!(limits.total_bytes, 20 * 1024 * 1024);
        assert!(limits.max_archive_bytes() > limits.total_bytes);
    }

    #[test]
    fn files_count_towards_the_package_whose_root_holds_them() {
        let files = [("app.js", 10), ("packageA/pages/x.js", 5), ("packageAB/y.js", 7), ("packageB/z.js", 1)];
        let sizes = PackageSizes::measure(files, &["packageA", "packageB"]);
        assert_eq!(sizes.main, 17);
        assert_eq!(sizes.subpackages, vec![("packageA".to_owned(), 5), ("packageB".to_owned(), 1)]);
        assert_eq!(sizes.total, 23);
    }

    #[test]
    fn byte_descriptions_are_exact() {
        assert_eq!(describe_bytes(3 * MIB / 2), "1.50 MiB (1572864 bytes)");
        assert_eq!(describe_bytes(2048), "2.0 KiB (2048 bytes)");
        assert_eq!(describe_bytes(300), "300 bytes");
    }
}
