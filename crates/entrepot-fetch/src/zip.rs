//! A streaming reader of ZIP archives (PKWARE APPNOTE 6.3.10): the central directory
//! lists the members ([`members`], ZIP64 included), and each member is read on its
//! own, inflated as it is read and checked against its CRC-32 and size at the end
//! ([`open_member`]). Nothing is unpacked to disk; each member reader owns its file
//! handle, so readers of several members can live at once (one per BACI year).
//! Stored (0) and deflated (8) members are read; encrypted members are refused.

use crate::error::{FetchError, FetchResult};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// A member of an archive, from the central directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Its name in the archive.
    pub name: String,
    /// Compression method (0 stored, 8 deflated).
    pub method: u16,
    /// Bytes in the archive.
    pub compressed_size: u64,
    /// Bytes once inflated.
    pub size: u64,
    /// CRC-32 of the inflated bytes.
    pub crc32: u32,
    /// Offset of its local header.
    pub local_header_offset: u64,
}

const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const LOCAL_SIG: u32 = 0x0403_4b50;
/// The largest central directory read (64 MiB: BACI archives list a few dozen
/// members).
const MAX_CENTRAL_DIR: u64 = 64 << 20;

fn u16le(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn u64le(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

/// The members of the archive at `path`, in central-directory order.
pub fn members(path: &Path) -> FetchResult<Vec<Member>> {
    let bad = |m: String| FetchError::Zip {
        path: path.display().to_string(),
        message: m,
    };
    let io = |e| FetchError::io(path, e);
    let mut f = File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    let tail_len = len.min(22 + 65_535);
    let mut tail = vec![0u8; tail_len as usize];
    f.seek(SeekFrom::Start(len - tail_len)).map_err(io)?;
    f.read_exact(&mut tail).map_err(io)?;
    let eocd = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| u32le(&tail, i) == EOCD_SIG)
        .ok_or_else(|| {
            bad("no end-of-central-directory record (a truncated or damaged file)".into())
        })?;
    let mut count = u64::from(u16le(&tail, eocd + 10));
    let mut cd_size = u64::from(u32le(&tail, eocd + 12));
    let mut cd_offset = u64::from(u32le(&tail, eocd + 16));
    if count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
        // ZIP64: the locator sits just before the end record.
        let abs_eocd = len - tail_len + eocd as u64;
        if abs_eocd < 20 {
            return Err(bad("ZIP64 archive without its locator".into()));
        }
        let mut loc = [0u8; 20];
        f.seek(SeekFrom::Start(abs_eocd - 20)).map_err(io)?;
        f.read_exact(&mut loc).map_err(io)?;
        if u32le(&loc, 0) != ZIP64_LOCATOR_SIG {
            return Err(bad("ZIP64 archive without its locator".into()));
        }
        let rec_at = u64le(&loc, 8);
        let mut rec = [0u8; 56];
        f.seek(SeekFrom::Start(rec_at)).map_err(io)?;
        f.read_exact(&mut rec).map_err(io)?;
        if u32le(&rec, 0) != ZIP64_EOCD_SIG {
            return Err(bad("bad ZIP64 end-of-central-directory record".into()));
        }
        count = u64le(&rec, 32);
        cd_size = u64le(&rec, 40);
        cd_offset = u64le(&rec, 48);
    }
    if cd_size > MAX_CENTRAL_DIR || cd_offset.saturating_add(cd_size) > len {
        return Err(bad(format!(
            "the central directory ({cd_size} bytes at {cd_offset}) does not fit in the file ({len} bytes)"
        )));
    }
    let mut cd = vec![0u8; cd_size as usize];
    f.seek(SeekFrom::Start(cd_offset)).map_err(io)?;
    f.read_exact(&mut cd).map_err(io)?;
    let mut out = Vec::new();
    let mut at = 0usize;
    for i in 0..count {
        if at + 46 > cd.len() || u32le(&cd, at) != CENTRAL_SIG {
            return Err(bad(format!("central directory entry {} is damaged", i + 1)));
        }
        let flags = u16le(&cd, at + 8);
        let method = u16le(&cd, at + 10);
        let crc32 = u32le(&cd, at + 16);
        let mut compressed_size = u64::from(u32le(&cd, at + 20));
        let mut size = u64::from(u32le(&cd, at + 24));
        let name_len = usize::from(u16le(&cd, at + 28));
        let extra_len = usize::from(u16le(&cd, at + 30));
        let comment_len = usize::from(u16le(&cd, at + 32));
        let mut local_header_offset = u64::from(u32le(&cd, at + 42));
        let end = at + 46 + name_len + extra_len + comment_len;
        if end > cd.len() {
            return Err(bad(format!("central directory entry {} is damaged", i + 1)));
        }
        let name = String::from_utf8_lossy(&cd[at + 46..at + 46 + name_len]).into_owned();
        // ZIP64 extended information: the 64-bit values of the fields set to all ones,
        // in this order.
        let mut extra = &cd[at + 46 + name_len..at + 46 + name_len + extra_len];
        while extra.len() >= 4 {
            let id = u16le(extra, 0);
            let n = usize::from(u16le(extra, 2));
            let data = &extra[4..(4 + n).min(extra.len())];
            if id == 0x0001 {
                let mut k = 0;
                for field in [&mut size, &mut compressed_size, &mut local_header_offset] {
                    if *field == 0xFFFF_FFFF && k + 8 <= data.len() {
                        *field = u64le(data, k);
                        k += 8;
                    }
                }
            }
            extra = &extra[(4 + n).min(extra.len())..];
        }
        if flags & 1 != 0 {
            return Err(bad(format!("member '{name}' is encrypted")));
        }
        out.push(Member {
            name,
            method,
            compressed_size,
            size,
            crc32,
            local_header_offset,
        });
        at = end;
    }
    Ok(out)
}

/// A reader of one member: inflates as it reads and fails at the end when the bytes
/// read are not the member's size or CRC-32.
pub struct MemberReader {
    inner: Box<dyn Read + Send>,
    crc: crc32fast::Hasher,
    read: u64,
    member: Member,
    archive: PathBuf,
    checked: bool,
}

impl Read for MemberReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.checked {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            let crc = self.crc.clone().finalize();
            if self.read != self.member.size || crc != self.member.crc32 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "{} in {}: {} bytes with CRC-32 {crc:08x}, the archive says {} bytes with {:08x} (a damaged archive)",
                        self.member.name,
                        self.archive.display(),
                        self.read,
                        self.member.size,
                        self.member.crc32
                    ),
                ));
            }
            self.checked = true;
            return Ok(0);
        }
        self.crc.update(&buf[..n]);
        self.read += n as u64;
        if self.read > self.member.size {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "{} in {}: more bytes than the {} the archive says",
                    self.member.name,
                    self.archive.display(),
                    self.member.size
                ),
            ));
        }
        Ok(n)
    }
}

/// Opens a member of the archive at `path` for reading.
pub fn open_member(path: &Path, member: &Member) -> FetchResult<MemberReader> {
    let bad = |m: String| FetchError::Zip {
        path: path.display().to_string(),
        message: m,
    };
    let io = |e| FetchError::io(path, e);
    let mut f = File::open(path).map_err(io)?;
    let mut head = [0u8; 30];
    f.seek(SeekFrom::Start(member.local_header_offset))
        .map_err(io)?;
    f.read_exact(&mut head).map_err(io)?;
    if u32le(&head, 0) != LOCAL_SIG {
        return Err(bad(format!("no local header for member '{}'", member.name)));
    }
    let skip = 30 + u64::from(u16le(&head, 26)) + u64::from(u16le(&head, 28));
    f.seek(SeekFrom::Start(member.local_header_offset + skip))
        .map_err(io)?;
    let data = f.take(member.compressed_size);
    let inner: Box<dyn Read + Send> = match member.method {
        0 => Box::new(data),
        8 => Box::new(flate2::read::DeflateDecoder::new(
            std::io::BufReader::with_capacity(256 << 10, data),
        )),
        m => {
            return Err(bad(format!(
            "member '{}' uses compression method {m}; only stored (0) and deflated (8) are read",
            member.name
        )))
        }
    };
    Ok(MemberReader {
        inner,
        crc: crc32fast::Hasher::new(),
        read: 0,
        member: member.clone(),
        archive: path.to_path_buf(),
        checked: false,
    })
}

/// Writes a ZIP archive of `(name, bytes)` members, deflated, into memory: for tests
/// and fixtures (the connectors only read archives).
#[doc(hidden)]
pub fn write_archive(members: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, bytes) in members {
        let mut enc =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(bytes).expect("deflate into memory");
        let comp = enc.finish().expect("deflate into memory");
        let crc = crc32fast::hash(bytes);
        let offset = out.len() as u32;
        let n = name.len() as u16;
        out.extend_from_slice(&LOCAL_SIG.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0, 8, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(comp.len() as u32).to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&comp);
        central.extend_from_slice(&CENTRAL_SIG.to_le_bytes());
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&(comp.len() as u32).to_le_bytes());
        central.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        central.extend_from_slice(&n.to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&EOCD_SIG.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_listed_and_read_back_with_their_crc() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.zip");
        let big: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        std::fs::write(
            &p,
            write_archive(&[("x.csv", b"t,i\n1,2\n"), ("big.bin", &big)]),
        )
        .unwrap();
        let m = members(&p).unwrap();
        assert_eq!(
            m.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["x.csv", "big.bin"]
        );
        let mut s = Vec::new();
        open_member(&p, &m[1]).unwrap().read_to_end(&mut s).unwrap();
        assert_eq!(s, big);
        // A flipped byte in the compressed data fails the read (inflate or CRC).
        let mut bytes = std::fs::read(&p).unwrap();
        let at = m[1].local_header_offset as usize + 30 + 7 + 100;
        bytes[at] ^= 0x55;
        std::fs::write(&p, &bytes).unwrap();
        let mut sink = Vec::new();
        assert!(open_member(&p, &m[1])
            .unwrap()
            .read_to_end(&mut sink)
            .is_err());
    }

    #[test]
    fn a_truncated_archive_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.zip");
        let bytes = write_archive(&[("x.csv", b"t,i\n1,2\n")]);
        std::fs::write(&p, &bytes[..bytes.len() - 10]).unwrap();
        let e = members(&p).unwrap_err().to_string();
        assert!(e.contains("end-of-central-directory"), "{e}");
    }
}
