//! A small, strict ZIP reader for untrusted archives. It trusts no header: names are checked before
//! any data is read, entries may not overlap, and inflating stops at the declared size, the ratio cap
//! and the total cap, whichever comes first.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use crate::error::PackageError;
use crate::limits::Limits;
use crate::paths;

const END_OF_CENTRAL_DIRECTORY: u32 = 0x0605_4b50;
const CENTRAL_FILE_HEADER: u32 = 0x0201_4b50;
const LOCAL_FILE_HEADER: u32 = 0x0403_4b50;
const END_RECORD_LEN: usize = 22;
const CENTRAL_HEADER_LEN: usize = 46;
const LOCAL_HEADER_LEN: usize = 30;
const MAX_COMMENT_LEN: usize = 0xFFFF;

const METHOD_STORED: u16 = 0;
const METHOD_DEFLATE: u16 = 8;
/// WinZip AES marks encrypted entries with this method.
const METHOD_AES: u16 = 99;
const FLAG_ENCRYPTED: u16 = 1;
const FLAG_STRONG_ENCRYPTION: u16 = 1 << 6;
/// "Version made by" host 3 means the external attributes hold a Unix mode.
const HOST_UNIX: u16 = 3;
const MODE_TYPE_MASK: u32 = 0o170_000;
const MODE_REGULAR: u32 = 0o100_000;
const MODE_DIRECTORY: u32 = 0o040_000;
const MODE_SYMLINK: u32 = 0o120_000;

fn invalid(reason: &str) -> PackageError {
    PackageError::InvalidZip(reason.to_owned())
}

fn u16_at(bytes: &[u8], at: usize) -> Result<u16, PackageError> {
    let end = at.checked_add(2).ok_or_else(|| invalid("offset overflow"))?;
    let slice = bytes.get(at..end).ok_or_else(|| invalid("truncated header"))?;
    Ok(u16::from_le_bytes([slice[0], slice[1]]))
}

fn u32_at(bytes: &[u8], at: usize) -> Result<u32, PackageError> {
    let end = at.checked_add(4).ok_or_else(|| invalid("offset overflow"))?;
    let slice = bytes.get(at..end).ok_or_else(|| invalid("truncated header"))?;
    Ok(u32::from_le_bytes([slice[0], slice[1], slice[2], slice[3]]))
}

fn to_usize(value: u64) -> Result<usize, PackageError> {
    usize::try_from(value).map_err(|_| invalid("offset out of range"))
}

/// One central-directory record.
struct CentralEntry<'a> {
    name: &'a [u8],
    made_by: u16,
    flags: u16,
    method: u16,
    crc32: u32,
    compressed: u64,
    uncompressed: u64,
    external_attributes: u32,
    local_offset: u64,
}

/// Reads every regular file of a ZIP archive into memory, refusing anything unsafe.
/// Directory entries are accepted and dropped. This is the container layer of
/// [`crate::read_package`]; use it directly for archives that carry no Capsule manifest.
pub fn read_archive(bytes: &[u8], limits: &Limits) -> Result<BTreeMap<String, Vec<u8>>, PackageError> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > limits.max_archive_bytes() {
        return Err(PackageError::ArchiveTooLarge { size, limit: limits.max_archive_bytes() });
    }
    let (entries, central_directory_start) = central_directory(bytes, limits)?;
    let names = check_entries(&entries)?;
    let data = locate_data(bytes, &entries, central_directory_start)?;

    let mut files = BTreeMap::new();
    let mut total: u64 = 0;
    for ((entry, name), range) in entries.iter().zip(&names).zip(data) {
        let Some(name) = name else { continue };
        let content = inflate(entry, name, &bytes[range], limits, limits.total_bytes.saturating_sub(total))?;
        total = total.saturating_add(u64::try_from(content.len()).unwrap_or(u64::MAX));
        files.insert(name.clone(), content);
    }
    Ok(files)
}

/// Finds the end record and walks the central directory. Returns the entries and where the
/// central directory starts (file data must end before it).
fn central_directory<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<(Vec<CentralEntry<'a>>, usize), PackageError> {
    let end = find_end_record(bytes)?;
    let disk = u16_at(bytes, end + 4)?;
    let directory_disk = u16_at(bytes, end + 6)?;
    let entries_here = u16_at(bytes, end + 8)?;
    let entries_total = u16_at(bytes, end + 10)?;
    let directory_size = u32_at(bytes, end + 12)?;
    let directory_start = u32_at(bytes, end + 16)?;
    if disk != 0 || directory_disk != 0 || entries_here != entries_total {
        return Err(invalid("multi-disk archives are not accepted"));
    }
    if entries_total == u16::MAX || directory_size == u32::MAX || directory_start == u32::MAX {
        return Err(invalid("ZIP64 archives are not accepted"));
    }
    if usize::from(entries_total) > limits.max_entries {
        return Err(PackageError::TooManyEntries { limit: limits.max_entries });
    }
    let directory_start = to_usize(u64::from(directory_start))?;
    let directory_end = directory_start
        .checked_add(to_usize(u64::from(directory_size))?)
        .ok_or_else(|| invalid("offset overflow"))?;
    if directory_end != end {
        return Err(invalid("the central directory is not where the end record says"));
    }
    let mut entries = Vec::with_capacity(usize::from(entries_total));
    let mut at = directory_start;
    for _ in 0..entries_total {
        if u32_at(bytes, at)? != CENTRAL_FILE_HEADER {
            return Err(invalid("bad central directory header signature"));
        }
        let name_len = usize::from(u16_at(bytes, at + 28)?);
        let extra_len = usize::from(u16_at(bytes, at + 30)?);
        let comment_len = usize::from(u16_at(bytes, at + 32)?);
        let name_start = at + CENTRAL_HEADER_LEN;
        let next = name_start + name_len + extra_len + comment_len;
        if next > directory_end {
            return Err(invalid("central directory record runs past the directory"));
        }
        entries.push(CentralEntry {
            name: &bytes[name_start..name_start + name_len],
            made_by: u16_at(bytes, at + 4)?,
            flags: u16_at(bytes, at + 8)?,
            method: u16_at(bytes, at + 10)?,
            crc32: u32_at(bytes, at + 16)?,
            compressed: u64::from(u32_at(bytes, at + 20)?),
            uncompressed: u64::from(u32_at(bytes, at + 24)?),
            external_attributes: u32_at(bytes, at + 38)?,
            local_offset: u64::from(u32_at(bytes, at + 42)?),
        });
        at = next;
    }
    if at != directory_end {
        return Err(invalid("the central directory size does not match its records"));
    }
    Ok((entries, directory_start))
}

/// The end record is the last one whose comment ends exactly at the end of the file.
fn find_end_record(bytes: &[u8]) -> Result<usize, PackageError> {
    let latest =
        bytes.len().checked_sub(END_RECORD_LEN).ok_or_else(|| invalid("too short to be a ZIP archive"))?;
    let earliest = latest.saturating_sub(MAX_COMMENT_LEN);
    (earliest..=latest)
        .rev()
        .find(|&at| {
            u32_at(bytes, at).is_ok_and(|signature| signature == END_OF_CENTRAL_DIRECTORY)
                && u16_at(bytes, at + 20)
                    .is_ok_and(|comment| at + END_RECORD_LEN + usize::from(comment) == bytes.len())
        })
        .ok_or_else(|| invalid("no end of central directory record"))
}

/// Checks names, duplicates, encryption, file types and methods before any data is touched.
/// Returns each entry's package path, or `None` for directory entries.
fn check_entries(entries: &[CentralEntry<'_>]) -> Result<Vec<Option<String>>, PackageError> {
    let mut keys: HashMap<String, String> = HashMap::new();
    let mut names = Vec::with_capacity(entries.len());
    for entry in entries {
        let Ok(raw_name) = std::str::from_utf8(entry.name) else {
            return Err(PackageError::NonUtf8Name {
                name_lossy: String::from_utf8_lossy(entry.name).into_owned(),
            });
        };
        let (path, is_directory) = match raw_name.strip_suffix('/') {
            Some(folder) => (folder, true),
            None => (raw_name, false),
        };
        let key = paths::collision_key(path);
        if let Some(other) = keys.get(&key) {
            return Err(PackageError::DuplicateEntry { name: raw_name.to_owned(), other: other.clone() });
        }
        keys.insert(key, raw_name.to_owned());
        paths::check_package_path(path).map_err(|problem| PackageError::bad_path(raw_name, problem))?;
        if entry.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 || entry.method == METHOD_AES {
            return Err(PackageError::Encrypted { name: raw_name.to_owned() });
        }
        if entry.made_by >> 8 == HOST_UNIX {
            match (entry.external_attributes >> 16) & MODE_TYPE_MASK {
                MODE_SYMLINK => return Err(PackageError::Symlink { name: raw_name.to_owned() }),
                0 | MODE_REGULAR | MODE_DIRECTORY => {}
                _ => return Err(PackageError::SpecialFile { name: raw_name.to_owned() }),
            }
        }
        if entry.method != METHOD_STORED && entry.method != METHOD_DEFLATE {
            return Err(PackageError::UnsupportedCompression {
                name: raw_name.to_owned(),
                method: entry.method,
            });
        }
        names.push((!is_directory).then(|| path.to_owned()));
    }
    // A file may not also be a folder of another file (`a` and `a/b`): unpacking both is impossible.
    let file_keys: HashMap<String, &str> =
        names.iter().flatten().map(|path| (paths::collision_key(path), path.as_str())).collect();
    for path in names.iter().flatten() {
        if let Some(file) =
            paths::ancestors(path).find_map(|folder| file_keys.get(&paths::collision_key(folder)))
        {
            return Err(PackageError::FileFolderConflict { name: (*file).to_owned(), inside: path.clone() });
        }
    }
    Ok(names)
}

/// Finds each entry's compressed data through its local header, checking that the local header
/// agrees with the central directory and that no two entries share bytes (overlapping entries
/// are a classic zip-bomb trick).
fn locate_data(
    bytes: &[u8],
    entries: &[CentralEntry<'_>],
    data_limit: usize,
) -> Result<Vec<std::ops::Range<usize>>, PackageError> {
    // (local header start, data start, data end) per entry.
    let mut spans = Vec::with_capacity(entries.len());
    for entry in entries {
        let header = to_usize(entry.local_offset)?;
        if u32_at(bytes, header)? != LOCAL_FILE_HEADER {
            return Err(invalid("bad local header signature"));
        }
        let flags = u16_at(bytes, header + 6)?;
        let method = u16_at(bytes, header + 8)?;
        let name_len = usize::from(u16_at(bytes, header + 26)?);
        let extra_len = usize::from(u16_at(bytes, header + 28)?);
        let name_start = header + LOCAL_HEADER_LEN;
        let local_name =
            bytes.get(name_start..name_start + name_len).ok_or_else(|| invalid("truncated local header"))?;
        if local_name != entry.name {
            return Err(invalid("a local header names a different file than the central directory"));
        }
        if method != entry.method {
            return Err(invalid("a local header disagrees with the central directory on compression"));
        }
        if flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 {
            let name = String::from_utf8_lossy(entry.name).into_owned();
            return Err(PackageError::Encrypted { name });
        }
        let data_start = name_start + name_len + extra_len;
        let data_end =
            data_start.checked_add(to_usize(entry.compressed)?).ok_or_else(|| invalid("offset overflow"))?;
        if data_end > data_limit {
            return Err(invalid("entry data runs into the central directory"));
        }
        spans.push((header, data_start, data_end));
    }
    let mut sorted: Vec<(usize, usize)> = spans.iter().map(|&(header, _, end)| (header, end)).collect();
    sorted.sort_unstable();
    if sorted.windows(2).any(|pair| pair[1].0 < pair[0].1) {
        return Err(invalid("entries overlap"));
    }
    Ok(spans.into_iter().map(|(_, start, end)| start..end).collect())
}

/// Decompresses one entry without trusting its header: it never produces more than the declared
/// size (plus one byte, to notice a lie), which must itself fit the remaining `budget` and the ratio cap.
fn inflate(
    entry: &CentralEntry<'_>,
    name: &str,
    compressed: &[u8],
    limits: &Limits,
    budget: u64,
) -> Result<Vec<u8>, PackageError> {
    let declared = entry.uncompressed;
    if declared > budget {
        return Err(PackageError::TooLarge { limit: limits.total_bytes });
    }
    let ratio_cap =
        limits.compression_ratio_min_bytes.max(entry.compressed.saturating_mul(limits.max_compression_ratio));
    if declared > ratio_cap {
        return Err(PackageError::CompressionRatio {
            name: name.to_owned(),
            limit: limits.max_compression_ratio,
        });
    }
    let mut content = Vec::new();
    let read = match entry.method {
        METHOD_STORED => compressed.take(declared.saturating_add(1)).read_to_end(&mut content),
        _ => flate2::read::DeflateDecoder::new(compressed)
            .take(declared.saturating_add(1))
            .read_to_end(&mut content),
    };
    read.map_err(|error| PackageError::CorruptEntry { name: name.to_owned(), reason: error.to_string() })?;
    let actual = u64::try_from(content.len()).unwrap_or(u64::MAX);
    if actual > declared {
        return Err(PackageError::LargerThanDeclared { name: name.to_owned(), declared });
    }
    if actual < declared {
        return Err(PackageError::SizeMismatch { name: name.to_owned(), declared, actual });
    }
    let mut crc = flate2::Crc::new();
    crc.update(&content);
    if crc.sum() != entry.crc32 {
        return Err(PackageError::CorruptEntry { name: name.to_owned(), reason: "CRC-32 mismatch".into() });
    }
    Ok(content)
}
