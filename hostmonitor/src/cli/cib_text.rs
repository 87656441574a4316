//! A saved CIB's text, mapped instead of copied when the file allows it.
//!
//! Reading a 5.6 MiB CIB into a `String` costs a page fault and a copy per 4 KiB page, more
//! than the parse itself spends on many of them (BENCHMARKS.md, issue 17). A private,
//! read-only mapping made with `MAP_POPULATE` shows the page cache's own pages instead: one
//! system call, no copy. Anything that cannot be mapped (a pipe such as `<(cibadmin -Q)`, an
//! empty file, a file system without `mmap`) is read as before.

use std::fs::File;
use std::io::{self, Read};
use std::num::NonZeroUsize;
use std::path::Path;
use std::ptr::NonNull;

use nix::sys::mman::{MapFlags, ProtFlags, mmap, munmap};

/// The text of a CIB file: mapped, or read when it cannot be mapped.
pub(super) enum CibText {
    /// A private, read-only mapping of the whole file.
    Mapped(MappedText),
    /// The file read into memory.
    Read(String),
}

impl CibText {
    /// The text of the file at `path`: an error when it cannot be read or is not UTF-8.
    pub(super) fn open(path: &Path) -> io::Result<Self> {
        let mut file = File::open(path)?;
        let metadata = file.metadata()?;
        let length = usize::try_from(metadata.len())
            .ok()
            .and_then(NonZeroUsize::new)
            .filter(|_| metadata.is_file());
        if let Some(mapping) = length.and_then(|length| Mapping::new(&file, length)) {
            return MappedText::new(mapping).map(Self::Mapped);
        }
        let mut text = String::new();
        file.read_to_string(&mut text)?;
        Ok(Self::Read(text))
    }

    /// The text.
    pub(super) fn as_str(&self) -> &str {
        match self {
            Self::Mapped(text) => text.as_str(),
            Self::Read(text) => text,
        }
    }
}

/// A mapping whose bytes were found to be UTF-8 once, when it was made.
pub(super) struct MappedText(Mapping);

impl MappedText {
    /// `mapping` as text, or an error if its bytes are not UTF-8.
    fn new(mapping: Mapping) -> io::Result<Self> {
        std::str::from_utf8(mapping.bytes())
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
        Ok(Self(mapping))
    }

    /// The text, without a second pass over it.
    fn as_str(&self) -> &str {
        // SAFETY: `new` checked that these bytes are UTF-8, and they do not change while
        // mapped (see `Mapping`).
        unsafe { std::str::from_utf8_unchecked(self.0.bytes()) }
    }
}

/// A private, read-only mapping of a whole file, unmapped when dropped.
///
/// Why handing out its bytes as a slice is sound: the mapping is `PROT_READ` and private, so
/// nothing in this process can write it, and it lives until `drop`, which takes `&mut self`
/// after every borrow of [`Mapping::bytes`] has ended. What a mapping cannot rule out is
/// another process writing or truncating the file while it is mapped: the bytes would change
/// under the parser (or reading past a truncated end would raise `SIGBUS`). A saved CIB named
/// on the command line is not written while `nodes` reads it (Pacemaker replaces its own
/// `cib.xml` by renaming a new file over it, which leaves an open mapping on the old one
/// untouched), so the command accepts that, as every reader that maps its input does.
pub(super) struct Mapping {
    start: NonNull<std::ffi::c_void>,
    length: NonZeroUsize,
}

impl Mapping {
    /// Maps all `length` bytes of `file`, or `None` when the system refuses.
    fn new(file: &File, length: NonZeroUsize) -> Option<Self> {
        // SAFETY: a new mapping at an address the kernel chooses, of a file opened for
        // reading; it overlaps no memory Rust knows about.
        let start = unsafe {
            mmap(
                None,
                length,
                ProtFlags::PROT_READ,
                MapFlags::MAP_PRIVATE | MapFlags::MAP_POPULATE,
                file,
                0,
            )
        }
        .ok()?;
        Some(Self { start, length })
    }

    /// The file's bytes.
    fn bytes(&self) -> &[u8] {
        // SAFETY: `start` is a readable mapping of `length` bytes that lives as long as `self`
        // (see the type's documentation for why its bytes do not change).
        unsafe { std::slice::from_raw_parts(self.start.as_ptr().cast::<u8>(), self.length.get()) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, unmapped once; no borrow of it outlives `self`.
        // An error would leave the pages mapped until exit, which harms nothing.
        let _ = unsafe { munmap(self.start, self.length.get()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Opens a file of `bytes` in a directory of its own, removed again afterwards.
    fn open_file(name: &str, bytes: &[u8]) -> io::Result<CibText> {
        let dir = std::env::temp_dir().join(format!("hm-cib-text-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let text = CibText::open(&path);
        std::fs::remove_dir_all(&dir).unwrap();
        text
    }

    #[test]
    fn a_file_is_mapped_and_reads_as_its_text() {
        let text = open_file("cib.xml", "<cib épique=\"1\"/>".as_bytes()).unwrap();
        assert!(matches!(text, CibText::Mapped(_)));
        assert_eq!(text.as_str(), "<cib épique=\"1\"/>");
    }

    #[test]
    fn what_cannot_be_mapped_is_read() {
        let empty = open_file("empty.xml", b"").unwrap();
        assert!(matches!(empty, CibText::Read(t) if t.is_empty()));
        let device = CibText::open(Path::new("/dev/null")).unwrap();
        assert!(matches!(device, CibText::Read(t) if t.is_empty()));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_an_error() {
        let error = open_file("latin1.xml", b"<cib name=\"\xe9\"/>")
            .err()
            .unwrap();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }
}
