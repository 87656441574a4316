//! RMCP+ cipher suites and the crypto steps of IPMI 2.0 (RAKP, integrity, AES-CBC-128) and
//! IPMI 1.5 (MD2/MD5/straight-password auth codes), on RustCrypto primitives.

use aes::Aes128;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit, block_padding::NoPadding};
use hmac::{Hmac, Mac};
use md2::Md2;
use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::wire::AuthType;

/// RAKP authentication algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthAlg {
    /// RAKP-none: no authentication (cipher 0 only).
    None,
    /// RAKP-HMAC-SHA1.
    HmacSha1,
    /// RAKP-HMAC-SHA256.
    HmacSha256,
}

/// Integrity algorithm of session packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrityAlg {
    /// No integrity check.
    None,
    /// HMAC-SHA1-96.
    HmacSha1_96,
    /// HMAC-SHA256-128.
    HmacSha256_128,
}

/// Confidentiality algorithm of session payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfAlg {
    /// Payloads in clear.
    None,
    /// AES-CBC-128.
    AesCbc128,
}

/// One of the supported RMCP+ cipher suites (0, 1, 2, 3, 17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CipherSuite {
    id: u8,
    /// Authentication algorithm.
    pub auth: AuthAlg,
    /// Integrity algorithm.
    pub integrity: IntegrityAlg,
    /// Confidentiality algorithm.
    pub conf: ConfAlg,
}

impl CipherSuite {
    /// Suite 0: no authentication, integrity or confidentiality. Dangerous.
    pub const ZERO_UNAUTHENTICATED_DANGEROUS: Self = Self {
        id: 0,
        auth: AuthAlg::None,
        integrity: IntegrityAlg::None,
        conf: ConfAlg::None,
    };
    /// Suite 1: HMAC-SHA1 RAKP only.
    pub const ONE: Self = Self {
        id: 1,
        auth: AuthAlg::HmacSha1,
        integrity: IntegrityAlg::None,
        conf: ConfAlg::None,
    };
    /// Suite 2: HMAC-SHA1, HMAC-SHA1-96.
    pub const TWO: Self = Self {
        id: 2,
        auth: AuthAlg::HmacSha1,
        integrity: IntegrityAlg::HmacSha1_96,
        conf: ConfAlg::None,
    };
    /// Suite 3: HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128.
    pub const THREE: Self = Self {
        id: 3,
        auth: AuthAlg::HmacSha1,
        integrity: IntegrityAlg::HmacSha1_96,
        conf: ConfAlg::AesCbc128,
    };
    /// Suite 17: HMAC-SHA256, HMAC-SHA256-128, AES-CBC-128.
    pub const SEVENTEEN: Self = Self {
        id: 17,
        auth: AuthAlg::HmacSha256,
        integrity: IntegrityAlg::HmacSha256_128,
        conf: ConfAlg::AesCbc128,
    };

    /// The suite with ipmitool's `-C` number `id`, if we support it.
    pub fn from_id(id: u8) -> Option<Self> {
        [
            Self::ZERO_UNAUTHENTICATED_DANGEROUS,
            Self::ONE,
            Self::TWO,
            Self::THREE,
            Self::SEVENTEEN,
        ]
        .into_iter()
        .find(|s| s.id == id)
    }

    /// The suite number.
    pub fn id(self) -> u8 {
        self.id
    }

    /// Wire code of the authentication algorithm.
    pub fn auth_code(self) -> u8 {
        match self.auth {
            AuthAlg::None => 0,
            AuthAlg::HmacSha1 => 1,
            AuthAlg::HmacSha256 => 3,
        }
    }

    /// Wire code of the integrity algorithm.
    pub fn integrity_code(self) -> u8 {
        match self.integrity {
            IntegrityAlg::None => 0,
            IntegrityAlg::HmacSha1_96 => 1,
            IntegrityAlg::HmacSha256_128 => 4,
        }
    }

    /// Wire code of the confidentiality algorithm.
    pub fn conf_code(self) -> u8 {
        match self.conf {
            ConfAlg::None => 0,
            ConfAlg::AesCbc128 => 1,
        }
    }

    /// Length of the RAKP 2 key exchange auth code.
    pub fn rakp2_len(self) -> usize {
        match self.auth {
            AuthAlg::None => 0,
            AuthAlg::HmacSha1 => 20,
            AuthAlg::HmacSha256 => 32,
        }
    }

    /// Length of the RAKP 4 integrity check value (the HMAC truncated).
    pub fn rakp4_len(self) -> usize {
        match self.auth {
            AuthAlg::None => 0,
            AuthAlg::HmacSha1 => 12,
            AuthAlg::HmacSha256 => 16,
        }
    }

    /// Length of the per-packet auth code.
    pub fn integrity_len(self) -> usize {
        match self.integrity {
            IntegrityAlg::None => 0,
            IntegrityAlg::HmacSha1_96 => 12,
            IntegrityAlg::HmacSha256_128 => 16,
        }
    }

    /// The RAKP HMAC (full length) of `parts` under `key`.
    pub fn rakp_hmac(self, key: &[u8], parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
        match self.auth {
            AuthAlg::None => Zeroizing::new(Vec::new()),
            AuthAlg::HmacSha1 => hmac_sha1(key, parts),
            AuthAlg::HmacSha256 => hmac_sha256(key, parts),
        }
    }

    /// The packet integrity code of `data` under K1.
    pub fn integrity_code_of(self, k1: &[u8], data: &[u8]) -> Vec<u8> {
        let full = match self.integrity {
            IntegrityAlg::None => return Vec::new(),
            IntegrityAlg::HmacSha1_96 => hmac_sha1(k1, &[data]),
            IntegrityAlg::HmacSha256_128 => hmac_sha256(k1, &[data]),
        };
        full.get(..self.integrity_len())
            .unwrap_or_default()
            .to_vec()
    }
}

/// HMAC-SHA1 over the concatenation of `parts`.
pub fn hmac_sha1(key: &[u8], parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(key) else {
        return Zeroizing::new(Vec::new());
    };
    parts.iter().for_each(|p| mac.update(p));
    Zeroizing::new(mac.finalize().into_bytes().to_vec())
}

/// HMAC-SHA256 over the concatenation of `parts`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return Zeroizing::new(Vec::new());
    };
    parts.iter().for_each(|p| mac.update(p));
    Zeroizing::new(mac.finalize().into_bytes().to_vec())
}

/// Constant-time comparison of two auth codes.
pub fn codes_equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session keys derived from the SIK (IPMI 2.0 section 13.32).
pub struct SessionKeys {
    /// K1: integrity key.
    pub k1: Zeroizing<Vec<u8>>,
    /// First 16 bytes of K2: AES-128 key.
    pub aes_key: Zeroizing<[u8; 16]>,
}

impl SessionKeys {
    /// K1 = HMAC_SIK(Const1), K2 = HMAC_SIK(Const2): the constants are 20 bytes of 0x01 and
    /// 0x02 for every authentication algorithm (section 13.32; SHA-256 does not lengthen
    /// them, as ipmitool's interoperating implementation confirms).
    pub fn derive(suite: CipherSuite, sik: &[u8]) -> Self {
        let k1 = suite.rakp_hmac(sik, &[&[0x01; 20]]);
        let k2 = suite.rakp_hmac(sik, &[&[0x02; 20]]);
        let mut aes_key = Zeroizing::new([0u8; 16]);
        if let Some(head) = k2.get(..16) {
            aes_key.copy_from_slice(head);
        }
        Self { k1, aes_key }
    }
}

/// AES-CBC-128 encrypts `plain` with IPMI's padding (1, 2, ..., n, then n).
pub fn aes_encrypt(key: &[u8; 16], iv: &[u8; 16], plain: &[u8]) -> Vec<u8> {
    let pad = (16 - (plain.len() + 1) % 16) % 16;
    let mut buf = plain.to_vec();
    buf.extend((1..=pad).map(|i| u8::try_from(i).unwrap_or(0)));
    buf.push(u8::try_from(pad).unwrap_or(0));
    let len = buf.len();
    let enc = cbc::Encryptor::<Aes128>::new(key.into(), iv.into());
    match enc.encrypt_padded_mut::<NoPadding>(&mut buf, len) {
        Ok(out) => out.to_vec(),
        Err(_) => Vec::new(),
    }
}

/// AES-CBC-128 decrypts and strips IPMI's padding; `None` if the length or padding is bad.
pub fn aes_decrypt(key: &[u8; 16], iv: &[u8; 16], cipher: &[u8]) -> Option<Vec<u8>> {
    if cipher.is_empty() || !cipher.len().is_multiple_of(16) {
        return None;
    }
    let mut buf = cipher.to_vec();
    let dec = cbc::Decryptor::<Aes128>::new(key.into(), iv.into());
    let plain = dec.decrypt_padded_mut::<NoPadding>(&mut buf).ok()?;
    let (&pad, body) = plain.split_last()?;
    let keep = body.len().checked_sub(usize::from(pad))?;
    let padding = body.get(keep..)?;
    let well_formed = padding
        .iter()
        .enumerate()
        .all(|(i, b)| usize::from(*b) == i + 1);
    well_formed.then(|| body.get(..keep).unwrap_or_default().to_vec())
}

/// The IPMI 1.5 auth code of a message (section 22.17.1), 16 bytes.
pub fn v15_auth_code(
    auth: AuthType,
    password: &[u8],
    session_id: u32,
    seq: u32,
    msg: &[u8],
) -> [u8; 16] {
    let mut key = Zeroizing::new([0u8; 16]);
    let n = password.len().min(16);
    if let (Some(dst), Some(src)) = (key.get_mut(..n), password.get(..n)) {
        dst.copy_from_slice(src);
    }
    let parts: [&[u8]; 5] = [
        &key[..],
        &session_id.to_le_bytes(),
        msg,
        &seq.to_le_bytes(),
        &key[..],
    ];
    match auth {
        AuthType::MD5 => digest16::<Md5>(&parts),
        AuthType::MD2 => digest16::<Md2>(&parts),
        AuthType::PASSWORD => *key,
        _ => [0u8; 16],
    }
}

fn digest16<D: Digest>(parts: &[&[u8]]) -> [u8; 16] {
    let mut d = D::new();
    parts.iter().for_each(|p| d.update(p));
    let mut out = [0u8; 16];
    let full = d.finalize();
    if let Some(head) = full.get(..16) {
        out.copy_from_slice(head);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipmi::codec::hex;

    #[test]
    fn rfc4231_hmac_sha256_vectors() {
        // Test case 1.
        let mac = hmac_sha256(&[0x0b; 20], &[b"Hi There"]);
        assert_eq!(
            *mac,
            hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        );
        // Test case 2, input split in parts.
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            *mac,
            hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
        // Test case 6: key longer than the block size.
        let mac = hmac_sha256(
            &[0xaa; 131],
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
        );
        assert_eq!(
            *mac,
            hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        );
    }

    #[test]
    fn rfc2202_hmac_sha1_vector() {
        let mac = hmac_sha1(&[0x0b; 20], &[b"Hi There"]);
        assert_eq!(*mac, hex("b617318655057264e28bc0b6fb378c8ef146be00"));
    }

    #[test]
    fn nist_sp800_38a_aes_cbc_128_vector() {
        // F.2.1 CBC-AES128.Encrypt, first block; our padding adds a second block.
        let key: [u8; 16] = hex("2b7e151628aed2a6abf7158809cf4f3c").try_into().unwrap();
        let iv: [u8; 16] = hex("000102030405060708090a0b0c0d0e0f").try_into().unwrap();
        let plain = hex("6bc1bee22e409f96e93d7e117393172a");
        let enc = aes_encrypt(&key, &iv, &plain);
        assert_eq!(enc.len(), 32);
        assert_eq!(enc[..16], hex("7649abac8119b246cee98e9b12e9197d")[..]);
        assert_eq!(aes_decrypt(&key, &iv, &enc), Some(plain));
    }

    #[test]
    fn ipmi_padding_round_trips_every_length_and_rejects_garbage() {
        let key = [7u8; 16];
        let iv = [9u8; 16];
        for len in 0..40 {
            let plain: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let enc = aes_encrypt(&key, &iv, &plain);
            assert_eq!(enc.len() % 16, 0);
            assert_eq!(aes_decrypt(&key, &iv, &enc), Some(plain));
        }
        assert_eq!(aes_decrypt(&key, &iv, &[0u8; 15]), None);
    }

    #[test]
    fn key_derivation_is_hmac_of_constants() {
        // K1/K2 by definition (IPMI 2.0 13.32), checked against an independent HMAC call.
        let sik = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        let keys = SessionKeys::derive(CipherSuite::SEVENTEEN, &sik);
        assert_eq!(*keys.k1, *hmac_sha256(&sik, &[&[1u8; 20]]));
        assert_eq!(keys.aes_key[..], hmac_sha256(&sik, &[&[2u8; 20]])[..16]);
        let keys = SessionKeys::derive(CipherSuite::THREE, &sik[..20]);
        assert_eq!(*keys.k1, *hmac_sha1(&sik[..20], &[&[1u8; 20]]));
    }

    /// SIK, K1 and AES key for fixed RAKP inputs, computed independently with Python's
    /// `hmac`/`hashlib` from the section 13.31/13.32 formulas (20-byte constants).
    #[test]
    fn sik_k1_k2_known_answers_for_suites_17_and_3() {
        let rm: Vec<u8> = (1..=16).collect();
        let rc: Vec<u8> = (0x11..=0x20).collect();
        let tail = [&[0x14u8, 5][..], b"admin"].concat();
        let cases = [
            (
                CipherSuite::SEVENTEEN,
                "6146d039b485efed4dcb996daa62c1a5c65e7e201b0eddbdf2a12db8613cd060",
                "089295f1f92652cf7b15b847a2c50859f01ad1ae120f22c98dcbae44fd7daf47",
                "5b4b17da8289fd788ddfef06b3bbe3d0",
            ),
            (
                CipherSuite::THREE,
                "dc2a44d956e0fffa6e05219ad47de936ad5c0703",
                "365e933c06d093b51bd5dd9507587079136b63d9",
                "76466a6f1dac9e629b92e696f1878f67",
            ),
        ];
        for (suite, sik_hex, k1_hex, aes_hex) in cases {
            let sik = suite.rakp_hmac(b"password", &[&rm, &rc, &tail]);
            assert_eq!(*sik, hex(sik_hex));
            let keys = SessionKeys::derive(suite, &sik);
            assert_eq!(*keys.k1, hex(k1_hex));
            assert_eq!(keys.aes_key.to_vec(), hex(aes_hex));
        }
    }

    #[test]
    fn md5_auth_code_layout() {
        let code = v15_auth_code(AuthType::MD5, b"pw", 0x11223344, 5, b"msg");
        let mut key = [0u8; 16];
        key[..2].copy_from_slice(b"pw");
        let mut d = Md5::new();
        d.update(key);
        d.update(0x11223344u32.to_le_bytes());
        d.update(b"msg");
        d.update(5u32.to_le_bytes());
        d.update(key);
        assert_eq!(code[..], d.finalize()[..]);
        assert_eq!(
            &v15_auth_code(AuthType::PASSWORD, b"pw", 0, 0, b"")[..2],
            b"pw"
        );
    }
}
