//! The signatures payments speak: Douyin's guaranteed-pay request signature (MD5 over the
//! sorted parameter values and the payment salt), RSA2 (RSA-SHA256, PKCS#1 v1.5, base64) over
//! Alipay's sorted `key=value` string, and the callback's `msg_signature` (SHA-1 over the sorted
//! token, timestamp, nonce and message).

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, UnparsedPublicKey};
use base64::Engine as _;
use md5::Digest as _;
use serde_json::{Map, Value as Json};

use crate::{PlatformError, Result, hex};

/// Parameters Douyin leaves out of the guaranteed-pay signature.
pub const ECPAY_UNSIGNED: [&str; 4] = ["sign", "app_id", "thirdparty_id", "other_settle_params"];

/// A parameter's value as the signature sees it: strings trimmed and unquoted, numbers and
/// booleans as written, objects and arrays as JSON; `None` for empty and null values.
fn signed_value(value: &Json) -> Option<String> {
    let text = match value {
        Json::Null => return None,
        Json::String(text) => text.trim().to_string(),
        other => other.to_string(),
    };
    let text = match text.len() > 1 && text.starts_with('"') && text.ends_with('"') {
        true => text[1..text.len() - 1].to_string(),
        false => text,
    };
    (!text.is_empty() && text != "null").then_some(text)
}

/// Douyin's guaranteed-pay `sign`: the non-empty values of every parameter except
/// [`ECPAY_UNSIGNED`], plus the salt, sorted, joined with `&`, MD5 in lowercase hex.
pub fn ecpay_sign(params: &Map<String, Json>, salt: &str) -> String {
    let mut values: Vec<String> = params
        .iter()
        .filter(|(key, _)| !ECPAY_UNSIGNED.contains(&key.as_str()))
        .filter_map(|(_, value)| signed_value(value))
        .collect();
    values.push(salt.to_string());
    values.sort();
    hex(&md5::Md5::digest(values.join("&").as_bytes()))
}

/// Alipay's string to sign: `key=value` for every non-empty parameter but `excluded`, sorted
/// by key, joined with `&`.
pub fn sorted_pairs<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>, excluded: &[&str]) -> String {
    let mut pairs: Vec<(&str, &str)> =
        params.into_iter().filter(|(key, value)| !value.is_empty() && !excluded.contains(key)).collect();
    pairs.sort();
    pairs.iter().map(|(key, value)| format!("{key}={value}")).collect::<Vec<_>>().join("&")
}

/// The same string from JSON parameters (the RSA2 form of `create_order`).
pub fn sorted_json_pairs(params: &Map<String, Json>, excluded: &[&str]) -> String {
    let values: Vec<(&str, String)> =
        params.iter().filter_map(|(key, value)| Some((key.as_str(), signed_value(value)?))).collect();
    sorted_pairs(values.iter().map(|(key, value)| (*key, value.as_str())), excluded)
}

/// Douyin's callback `msg_signature`: SHA-1 of the token, timestamp, nonce and message,
/// sorted and concatenated, in lowercase hex.
pub fn msg_signature(token: &str, timestamp: &str, nonce: &str, msg: &str) -> String {
    let mut parts = [token, timestamp, nonce, msg];
    parts.sort();
    hex(&sha1::Sha1::digest(parts.concat().as_bytes()))
}

/// An RSA private key for RSA2 signatures.
pub struct RsaKey {
    pair: KeyPair,
}

impl std::fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RsaKey(..)")
    }
}

fn rsa_error(what: &str) -> impl Fn(aws_lc_rs::error::Unspecified) -> PlatformError + '_ {
    move |_| PlatformError::Invalid(format!("RSA: {what} failed"))
}

impl RsaKey {
    /// A new 2048-bit key.
    pub fn generate() -> Result<RsaKey> {
        Ok(RsaKey { pair: KeyPair::generate(KeySize::Rsa2048).map_err(rsa_error("generating a key"))? })
    }

    /// A key from PKCS#8 DER, or PEM / bare base64 of it (as Alipay's key tools write them).
    pub fn from_pkcs8(text: &[u8]) -> Result<RsaKey> {
        let der = der_of(text);
        let pair = KeyPair::from_pkcs8(&der)
            .map_err(|e| PlatformError::Invalid(format!("not an RSA private key in PKCS#8: {e}")))?;
        Ok(RsaKey { pair })
    }

    /// The key as PKCS#8 DER in base64 (how it is kept).
    pub fn to_pkcs8_base64(&self) -> Result<String> {
        let der: Pkcs8V1Der<'_> = self.pair.as_der().map_err(rsa_error("encoding the key"))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(der.as_ref()))
    }

    /// The public half as X.509 SubjectPublicKeyInfo DER in base64, as Alipay shows public keys.
    pub fn public_base64(&self) -> Result<String> {
        use aws_lc_rs::signature::KeyPair as _;
        let der: PublicKeyX509Der<'_> =
            self.pair.public_key().as_der().map_err(rsa_error("encoding the public key"))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(der.as_ref()))
    }

    /// RSA-SHA256 of `text`, base64.
    pub fn sign(&self, text: &str) -> Result<String> {
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &aws_lc_rs::rand::SystemRandom::new(), text.as_bytes(), &mut signature)
            .map_err(rsa_error("signing"))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(signature))
    }
}

/// DER from PEM (any label), bare base64, or DER as it is.
fn der_of(text: &[u8]) -> Vec<u8> {
    let Ok(string) = std::str::from_utf8(text) else { return text.to_vec() };
    let body: String = string.lines().filter(|line| !line.starts_with("-----")).collect::<Vec<_>>().concat();
    let body: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(body).unwrap_or_else(|_| text.to_vec())
}

/// An RSA public key (X.509 SubjectPublicKeyInfo or PKCS#1, as PEM, base64 or DER), checked.
pub fn parse_public_key(text: &str) -> Result<Vec<u8>> {
    let der = der_of(text.as_bytes());
    aws_lc_rs::rsa::PublicEncryptingKey::from_der(&der)
        .map_err(|e| PlatformError::Invalid(format!("not an RSA public key: {e}")))?;
    Ok(der)
}

/// Whether `signature` (base64) is RSA-SHA256 of `text` by the holder of `public_der`.
pub fn rsa2_verify(public_der: &[u8], text: &str, signature: &str) -> bool {
    let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public_der)
        .verify(text.as_bytes(), &signature)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ecpay_sign_sorts_values_with_the_salt_and_skips_the_unsigned_and_empty() {
        let params = json!({
            "app_id": "tt123", "out_order_no": "A1", "total_amount": 1990, "subject": " Mug ",
            "body": "\"Blue mug\"", "valid_time": 900, "cp_extra": "", "notify_url": null, "sign": "x",
            "thirdparty_id": "tp", "other_settle_params": "o",
        });
        let params = params.as_object().unwrap();
        // Sorted: "1990", "900", "A1", "Blue mug", "Mug", "SALT".
        let expected = hex(&md5::Md5::digest(b"1990&900&A1&Blue mug&Mug&SALT"));
        assert_eq!(ecpay_sign(params, "SALT"), expected);
        let mut changed = params.clone();
        changed.insert("total_amount".into(), json!(1));
        assert_ne!(ecpay_sign(&changed, "SALT"), expected);
        assert_ne!(ecpay_sign(params, "OTHER"), expected);
    }

    #[test]
    fn sorted_pairs_are_alipays_string_to_sign() {
        let pairs = [("method", "alipay.trade.query"), ("sign", "s"), ("app_id", "2021"), ("empty", "")];
        assert_eq!(sorted_pairs(pairs, &["sign"]), "app_id=2021&method=alipay.trade.query");
    }

    #[test]
    fn msg_signature_is_sha1_of_the_sorted_parts() {
        let expected = hex(&sha1::Sha1::digest(b"1700000000nonce1token{\"a\":1}"));
        assert_eq!(msg_signature("token", "1700000000", "nonce1", "{\"a\":1}"), expected);
    }

    #[test]
    fn rsa2_signatures_verify_only_for_the_same_text_and_key() {
        let key = RsaKey::generate().unwrap();
        let public = parse_public_key(&key.public_base64().unwrap()).unwrap();
        let signature = key.sign("a=1&b=2").unwrap();
        assert!(rsa2_verify(&public, "a=1&b=2", &signature));
        assert!(!rsa2_verify(&public, "a=1&b=3", &signature));
        assert!(!rsa2_verify(&public, "a=1&b=2", "not base64!"));
        let other = RsaKey::generate().unwrap();
        assert!(!rsa2_verify(
            &parse_public_key(&other.public_base64().unwrap()).unwrap(),
            "a=1&b=2",
            &signature
        ));
        // A kept key signs the same.
        let again = RsaKey::from_pkcs8(key.to_pkcs8_base64().unwrap().as_bytes()).unwrap();
        assert!(rsa2_verify(&public, "x", &again.sign("x").unwrap()));
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            key.public_base64().unwrap()
        );
        assert_eq!(parse_public_key(&pem).unwrap(), public);
        assert!(parse_public_key("hello").is_err());
    }
}
