//! Release signatures: the platform signs (app, version, SHA-256 of the package bytes) with
//! Ed25519 when it releases a package, and a host verifies hash and signature before running it.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::manifest::{hex, sha256_hex};

/// What a release signature vouches for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReleaseClaim<'a> {
    pub appid: &'a str,
    /// The platform's id of the version.
    pub version_id: &'a str,
    /// SHA-256 of the package file, lowercase hex.
    pub package_sha256: &'a str,
}

impl ReleaseClaim<'_> {
    /// The signed message: a fixed prefix and one line per field, so no field can run into another.
    fn message(&self) -> Vec<u8> {
        format!("capsule-release-v1\n{}\n{}\n{}\n", self.appid, self.version_id, self.package_sha256)
            .into_bytes()
    }
}

/// Why a package was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the package's SHA-256 is {actual}, but the release names {expected}: the package was altered")]
    HashMismatch { expected: String, actual: String },
    #[error("the release signature does not verify under the platform's key")]
    BadSignature,
    #[error("malformed {what}: {reason}")]
    Malformed { what: &'static str, reason: String },
}

/// The platform's signing key.
pub struct ReleaseSigner(SigningKey);

impl std::fmt::Debug for ReleaseSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ReleaseSigner").field(&self.public_key()).finish()
    }
}

impl ReleaseSigner {
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(SigningKey::from_bytes(&seed))
    }

    /// The key whose 32-byte seed is `text`, in hex.
    pub fn from_seed_hex(text: &str) -> Result<Self, SignatureError> {
        Ok(Self::from_seed(unhex(text, "signing key seed")?))
    }

    pub fn public_key(&self) -> ReleaseKey {
        ReleaseKey(self.0.verifying_key())
    }

    /// The signature over `claim`, as lowercase hex.
    pub fn sign(&self, claim: &ReleaseClaim<'_>) -> String {
        hex(&self.0.sign(&claim.message()).to_bytes())
    }
}

/// The platform's public key, which hosts hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReleaseKey(VerifyingKey);

impl ReleaseKey {
    pub fn to_hex(&self) -> String {
        hex(self.0.as_bytes())
    }

    pub fn from_hex(text: &str) -> Result<Self, SignatureError> {
        let bytes: [u8; 32] = unhex(text, "public key")?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|e| SignatureError::Malformed { what: "public key", reason: e.to_string() })
    }

    /// Checks that `package` is the file `claim` names and that `signature` vouches for it.
    pub fn verify(
        &self,
        claim: &ReleaseClaim<'_>,
        package: &[u8],
        signature: &str,
    ) -> Result<(), SignatureError> {
        let actual = sha256_hex(package);
        if actual != claim.package_sha256 {
            return Err(SignatureError::HashMismatch { expected: claim.package_sha256.to_owned(), actual });
        }
        let signature = Signature::from_bytes(&unhex::<64>(signature, "signature")?);
        self.0.verify_strict(&claim.message(), &signature).map_err(|_| SignatureError::BadSignature)
    }
}

fn unhex<const N: usize>(text: &str, what: &'static str) -> Result<[u8; N], SignatureError> {
    let malformed = |reason: String| SignatureError::Malformed { what, reason };
    if text.len() != N * 2 || !text.is_ascii() {
        return Err(malformed(format!("expected {} hex digits", N * 2)));
    }
    let mut bytes = [0u8; N];
    for (index, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[index * 2..index * 2 + 2], 16)
            .map_err(|_| malformed("not hexadecimal".into()))?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim<'a>(sha: &'a str) -> ReleaseClaim<'a> {
        ReleaseClaim { appid: "tt1", version_id: "v1", package_sha256: sha }
    }

    #[test]
    fn a_signed_package_verifies_and_any_change_is_refused() {
        let signer = ReleaseSigner::from_seed([7; 32]);
        let key = ReleaseKey::from_hex(&signer.public_key().to_hex()).unwrap();
        let package = b"package bytes".to_vec();
        let sha = sha256_hex(&package);
        let signature = signer.sign(&claim(&sha));
        assert_eq!(key.verify(&claim(&sha), &package, &signature), Ok(()));

        let mut tampered = package.clone();
        tampered[0] ^= 1;
        assert!(matches!(
            key.verify(&claim(&sha), &tampered, &signature),
            Err(SignatureError::HashMismatch { .. })
        ));

        // A signature for another app or version, or from another key, does not carry over.
        let other_app = ReleaseClaim { appid: "tt2", ..claim(&sha) };
        assert_eq!(key.verify(&other_app, &package, &signature), Err(SignatureError::BadSignature));
        let stranger = ReleaseSigner::from_seed([8; 32]).sign(&claim(&sha));
        assert_eq!(key.verify(&claim(&sha), &package, &stranger), Err(SignatureError::BadSignature));
        assert!(matches!(key.verify(&claim(&sha), &package, "zz"), Err(SignatureError::Malformed { .. })));
    }
}
