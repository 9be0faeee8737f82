//! ECDSA verification on any short-Weierstrass curve over a prime field, for the keys RustCrypto
//! has no curve type for: brainpoolP512r1 (the Vietnamese passport CSCA's curve) and keys that
//! spell out their curve as explicit `ECParameters` (RFC 3279 §2.3.5, common in eMRTD PKI).
//!
//! Verification handles only public data, so this arithmetic is variable-time by design; it
//! must never be used to sign. Points are in Jacobian coordinates with a general `a`.

use crypto_bigint::{BoxedUint, NonZero, Odd};

use crate::tlv;

/// Largest field accepted, in bits (bounds the work a hostile certificate can ask for).
const MAX_FIELD_BITS: u32 = 1024;

const ID_PRIME_FIELD: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x01, 0x01];

/// Why a curve or key could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CurveError {
    /// The parameters are not a well-formed prime-field curve we can check.
    Malformed(&'static str),
    /// The parameters are well-formed but outside what this code handles.
    Unsupported(&'static str),
}

/// The domain parameters of a prime-field curve `y² = x³ + ax + b`.
pub(crate) struct PrimeCurve {
    p: Odd<BoxedUint>,
    a: BoxedUint,
    b: BoxedUint,
    g: (BoxedUint, BoxedUint),
    n: Odd<BoxedUint>,
    field_len: usize,
    precision: u32,
}

/// A point in Jacobian coordinates; `z = 0` is the point at infinity.
#[derive(Clone)]
struct Jacobian {
    x: BoxedUint,
    y: BoxedUint,
    z: BoxedUint,
}

const INTEGER: u32 = 0x02;
const OCTET_STRING: u32 = 0x04;

fn tagged<'a>(object: &tlv::Tlv<'a>, tag: u32) -> Option<&'a [u8]> {
    (object.tag.0 == tag).then_some(object.value)
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or(&[])
}

impl PrimeCurve {
    /// brainpoolP512r1 (RFC 5639 §3.7).
    pub(crate) fn brainpool_p512r1() -> Result<Self, CurveError> {
        let hex = |text: &str| -> Vec<u8> {
            text.as_bytes()
                .chunks(2)
                .map(|pair| {
                    std::str::from_utf8(pair)
                        .ok()
                        .and_then(|s| u8::from_str_radix(s, 16).ok())
                        .unwrap_or(0)
                })
                .collect()
        };
        Self::new(
            &hex(
                "AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3",
            ),
            &hex(
                "7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA",
            ),
            &hex(
                "3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723",
            ),
            &hex(
                "0481AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F8227DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892",
            ),
            &hex(
                "AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069",
            ),
        )
    }

    /// Reads explicit `ECParameters ::= SEQUENCE { version, fieldID, curve, base, order,
    /// cofactor OPTIONAL }` from their DER.
    pub(crate) fn from_explicit(der: &[u8]) -> Result<Self, CurveError> {
        let malformed = |_| CurveError::Malformed("ECParameters");
        let outer = tlv::parse_single(der).map_err(malformed)?;
        let parts = outer.children().map_err(malformed)?;
        let (Some(field), Some(curve), Some(base), Some(order)) =
            (parts.get(1), parts.get(2), parts.get(3), parts.get(4))
        else {
            return Err(CurveError::Malformed("ECParameters too short"));
        };
        let field = field.children().map_err(malformed)?;
        let [field_type, prime] = field.as_slice() else {
            return Err(CurveError::Malformed("FieldID"));
        };
        if field_type.tag.0 != 0x06 || field_type.value != ID_PRIME_FIELD {
            return Err(CurveError::Unsupported(
                "curve over a characteristic-two field",
            ));
        }
        let curve = curve.children().map_err(malformed)?;
        let (Some(a), Some(b)) = (curve.first(), curve.get(1)) else {
            return Err(CurveError::Malformed("Curve"));
        };
        let (Some(p), Some(a), Some(b), Some(g), Some(n)) = (
            tagged(prime, INTEGER),
            tagged(a, OCTET_STRING),
            tagged(b, OCTET_STRING),
            tagged(base, OCTET_STRING),
            tagged(order, INTEGER),
        ) else {
            return Err(CurveError::Malformed("ECParameters element types"));
        };
        Self::new(p, a, b, g, n)
    }

    fn new(p: &[u8], a: &[u8], b: &[u8], g: &[u8], n: &[u8]) -> Result<Self, CurveError> {
        let (p, n) = (trim(p), trim(n));
        let field_len = p.len();
        let bits = u32::try_from(field_len.max(n.len()) * 8)
            .map_err(|_| CurveError::Unsupported("field too large"))?;
        if bits > MAX_FIELD_BITS {
            return Err(CurveError::Unsupported("field too large"));
        }
        let precision = bits.div_ceil(64).max(1) * 64;
        let uint = |bytes: &[u8]| {
            BoxedUint::from_be_slice(trim(bytes), precision)
                .map_err(|_| CurveError::Malformed("integer too large"))
        };
        let p = Odd::new(uint(p)?)
            .into_option()
            .ok_or(CurveError::Malformed("even field prime"))?;
        let n = Odd::new(uint(n)?)
            .into_option()
            .ok_or(CurveError::Malformed("even group order"))?;
        let mut curve = Self {
            a: uint(a)?,
            b: uint(b)?,
            g: (
                BoxedUint::zero_with_precision(precision),
                BoxedUint::zero_with_precision(precision),
            ),
            p,
            n,
            field_len,
            precision,
        };
        if curve.a >= *curve.p.as_ref() || curve.b >= *curve.p.as_ref() {
            return Err(CurveError::Malformed("coefficient not reduced"));
        }
        curve.g = curve.decode_point(g)?;
        Ok(curve)
    }

    fn modulus(&self) -> &NonZero<BoxedUint> {
        self.p.as_nz_ref()
    }

    /// Reads an uncompressed SEC1 point and checks that it lies on the curve.
    fn decode_point(&self, bytes: &[u8]) -> Result<(BoxedUint, BoxedUint), CurveError> {
        let Some((&0x04, coordinates)) = bytes.split_first() else {
            return Err(CurveError::Unsupported("compressed or malformed point"));
        };
        if coordinates.len() != 2 * self.field_len {
            return Err(CurveError::Malformed("point length"));
        }
        let (x, y) = coordinates.split_at(self.field_len);
        let to_uint = |bytes: &[u8]| {
            BoxedUint::from_be_slice(trim(bytes), self.precision)
                .map_err(|_| CurveError::Malformed("coordinate too large"))
        };
        let (x, y) = (to_uint(x)?, to_uint(y)?);
        if x >= *self.p.as_ref() || y >= *self.p.as_ref() {
            return Err(CurveError::Malformed("coordinate not reduced"));
        }
        let p = self.modulus();
        let lhs = y.mul_mod(&y, p);
        let x3 = x.mul_mod(&x, p).mul_mod(&x, p);
        let rhs = x3.add_mod(&self.a.mul_mod(&x, p), p).add_mod(&self.b, p);
        if lhs != rhs {
            return Err(CurveError::Malformed("point not on the curve"));
        }
        Ok((x, y))
    }

    /// Verifies the ECDSA signature `(r, s)` (big-endian integers) over `prehash` with the
    /// public key `point` (uncompressed SEC1). `Ok(false)` for a signature that does not match.
    pub(crate) fn verify(
        &self,
        point: &[u8],
        prehash: &[u8],
        r: &[u8],
        s: &[u8],
    ) -> Result<bool, CurveError> {
        let q = self.decode_point(point)?;
        let n = self.n.as_ref();
        let n_nz = self.n.as_nz_ref();
        let scalar = |bytes: &[u8]| BoxedUint::from_be_slice(trim(bytes), self.precision).ok();
        let (Some(r), Some(s)) = (scalar(r), scalar(s)) else {
            return Ok(false);
        };
        if bool::from(r.is_zero()) || bool::from(s.is_zero()) || r >= *n || s >= *n {
            return Ok(false);
        }
        let e = self.hash_to_scalar(prehash);
        let Some(w) = s.invert_odd_mod_vartime(&self.n).into_option() else {
            return Ok(false);
        };
        let u1 = e.mul_mod(&w, n_nz);
        let u2 = r.mul_mod(&w, n_nz);
        let sum = self.double_scalar_mul(&u1, &self.affine(&self.g), &u2, &self.affine(&q));
        let Some((x, _)) = self.to_affine(&sum) else {
            return Ok(false);
        };
        Ok(x.rem_vartime(n_nz) == r)
    }

    /// The leftmost bits of the hash, as many as the order has, reduced mod n (SEC 1 §4.1.4).
    fn hash_to_scalar(&self, prehash: &[u8]) -> BoxedUint {
        let n_bits = self.n.as_ref().bit_width_vartime();
        let kept = prehash
            .get(..n_bits.div_ceil(8) as usize)
            .unwrap_or(prehash);
        let excess = (kept.len() as u32 * 8).saturating_sub(n_bits);
        BoxedUint::from_be_slice(kept, self.precision)
            .unwrap_or_else(|_| BoxedUint::zero_with_precision(self.precision))
            .wrapping_shr_vartime(excess)
            .rem_vartime(self.n.as_nz_ref())
    }

    fn affine(&self, point: &(BoxedUint, BoxedUint)) -> Jacobian {
        Jacobian {
            x: point.0.clone(),
            y: point.1.clone(),
            z: BoxedUint::one_with_precision(self.precision),
        }
    }

    fn infinity(&self) -> Jacobian {
        Jacobian {
            x: BoxedUint::one_with_precision(self.precision),
            y: BoxedUint::one_with_precision(self.precision),
            z: BoxedUint::zero_with_precision(self.precision),
        }
    }

    fn to_affine(&self, point: &Jacobian) -> Option<(BoxedUint, BoxedUint)> {
        let p = self.modulus();
        let z_inv = point.z.invert_odd_mod_vartime(&self.p).into_option()?;
        let z_inv2 = z_inv.mul_mod(&z_inv, p);
        let z_inv3 = z_inv2.mul_mod(&z_inv, p);
        Some((point.x.mul_mod(&z_inv2, p), point.y.mul_mod(&z_inv3, p)))
    }

    fn double(&self, point: &Jacobian) -> Jacobian {
        if bool::from(point.z.is_zero()) || bool::from(point.y.is_zero()) {
            return self.infinity();
        }
        let p = self.modulus();
        let mul = |a: &BoxedUint, b: &BoxedUint| a.mul_mod(b, p);
        let add = |a: &BoxedUint, b: &BoxedUint| a.add_mod(b, p);
        let sub = |a: &BoxedUint, b: &BoxedUint| a.sub_mod(b, p);
        let xx = mul(&point.x, &point.x);
        let yy = mul(&point.y, &point.y);
        let yyyy = mul(&yy, &yy);
        let zz = mul(&point.z, &point.z);
        let x_yy = mul(&point.x, &yy);
        let s = add(&add(&x_yy, &x_yy), &add(&x_yy, &x_yy));
        let m = add(&add(&add(&xx, &xx), &xx), &mul(&self.a, &mul(&zz, &zz)));
        let x3 = sub(&mul(&m, &m), &add(&s, &s));
        let yyyy8 = add(&yyyy, &yyyy);
        let yyyy8 = add(&yyyy8, &yyyy8);
        let yyyy8 = add(&yyyy8, &yyyy8);
        let y3 = sub(&mul(&m, &sub(&s, &x3)), &yyyy8);
        let yz = mul(&point.y, &point.z);
        let z3 = add(&yz, &yz);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    fn add(&self, a: &Jacobian, b: &Jacobian) -> Jacobian {
        if bool::from(a.z.is_zero()) {
            return b.clone();
        }
        if bool::from(b.z.is_zero()) {
            return a.clone();
        }
        let p = self.modulus();
        let mul = |x: &BoxedUint, y: &BoxedUint| x.mul_mod(y, p);
        let sub = |x: &BoxedUint, y: &BoxedUint| x.sub_mod(y, p);
        let z1z1 = mul(&a.z, &a.z);
        let z2z2 = mul(&b.z, &b.z);
        let u1 = mul(&a.x, &z2z2);
        let u2 = mul(&b.x, &z1z1);
        let s1 = mul(&a.y, &mul(&b.z, &z2z2));
        let s2 = mul(&b.y, &mul(&a.z, &z1z1));
        if u1 == u2 {
            return if s1 == s2 {
                self.double(a)
            } else {
                self.infinity()
            };
        }
        let h = sub(&u2, &u1);
        let r = sub(&s2, &s1);
        let hh = mul(&h, &h);
        let hhh = mul(&h, &hh);
        let v = mul(&u1, &hh);
        let x3 = sub(&sub(&mul(&r, &r), &hhh), &v.add_mod(&v, p));
        let y3 = sub(&mul(&r, &sub(&v, &x3)), &mul(&s1, &hhh));
        let z3 = mul(&mul(&a.z, &b.z), &h);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `k1·P1 + k2·P2` by Shamir's trick.
    fn double_scalar_mul(
        &self,
        k1: &BoxedUint,
        p1: &Jacobian,
        k2: &BoxedUint,
        p2: &Jacobian,
    ) -> Jacobian {
        let both = self.add(p1, p2);
        let bits = k1.bit_width_vartime().max(k2.bit_width_vartime());
        let mut acc = self.infinity();
        for i in (0..bits).rev() {
            acc = self.double(&acc);
            match (bool::from(k1.bit(i)), bool::from(k2.bit(i))) {
                (true, true) => acc = self.add(&acc, &both),
                (true, false) => acc = self.add(&acc, p1),
                (false, true) => acc = self.add(&acc, p2),
                (false, false) => {}
            }
        }
        acc
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use bp256::BrainpoolP256r1;
    use ecdsa::signature::hazmat::PrehashSigner;

    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// brainpoolP256r1 as explicit parameters (RFC 5639 §3.4), DER-encoded by hand.
    pub(crate) fn brainpool_p256r1_explicit() -> Vec<u8> {
        let p = unhex("00A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377");
        let a = unhex("7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9");
        let b = unhex("26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6");
        let g = unhex(
            "048BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997",
        );
        let n = unhex("00A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7");
        let field = [tlv::encode(0x06, ID_PRIME_FIELD), tlv::encode(0x02, &p)].concat();
        let curve = [tlv::encode(0x04, &a), tlv::encode(0x04, &b)].concat();
        let body = [
            tlv::encode(0x02, &[1]),
            tlv::encode(0x30, &field),
            tlv::encode(0x30, &curve),
            tlv::encode(0x04, &g),
            tlv::encode(0x02, &n),
            tlv::encode(0x02, &[1]),
        ]
        .concat();
        tlv::encode(0x30, &body)
    }

    #[test]
    fn verifies_rustcrypto_brainpool_p256_signatures_from_explicit_parameters() {
        let curve = PrimeCurve::from_explicit(&brainpool_p256r1_explicit()).unwrap();
        let key = ecdsa::SigningKey::<BrainpoolP256r1>::from_slice(&[0x42; 32]).unwrap();
        let point = key.verifying_key().to_sec1_point(false);
        let prehash = [0x5Au8; 32];
        let signature: ecdsa::Signature<BrainpoolP256r1> = key.sign_prehash(&prehash).unwrap();
        let (r, s) = signature.split_bytes();
        assert_eq!(curve.verify(point.as_bytes(), &prehash, &r, &s), Ok(true));
        let mut other = prehash;
        other[0] ^= 1;
        assert_eq!(curve.verify(point.as_bytes(), &other, &r, &s), Ok(false));
        assert_eq!(curve.verify(point.as_bytes(), &prehash, &s, &r), Ok(false));
    }

    #[test]
    fn brainpool_p512_generator_has_the_stated_order() {
        let curve = PrimeCurve::brainpool_p512r1().unwrap();
        let g = curve.affine(&curve.g);
        let n = curve.n.as_ref().clone();
        let zero = BoxedUint::zero_with_precision(curve.precision);
        assert!(bool::from(
            curve.double_scalar_mul(&n, &g, &zero, &g).z.is_zero()
        ));
        let n_minus_one = n.wrapping_sub(BoxedUint::one_with_precision(curve.precision));
        let almost = curve.double_scalar_mul(&n_minus_one, &g, &zero, &g);
        let (x, y) = curve.to_affine(&almost).unwrap();
        assert_eq!(x, curve.g.0);
        assert_eq!(y, curve.g.1.neg_mod(curve.modulus()));
    }

    /// Test-only ECDSA signing with a fixed nonce, to prove the verifier on brainpoolP512r1.
    pub(crate) fn sign(
        curve: &PrimeCurve,
        d: &BoxedUint,
        k: &BoxedUint,
        prehash: &[u8],
    ) -> (Vec<u8>, Vec<u8>) {
        let zero = BoxedUint::zero_with_precision(curve.precision);
        let g = curve.affine(&curve.g);
        let (x, _) = curve
            .to_affine(&curve.double_scalar_mul(k, &g, &zero, &g))
            .unwrap();
        let n = curve.n.as_nz_ref();
        let r = x.rem_vartime(n);
        let e = curve.hash_to_scalar(prehash);
        let k_inv = k.invert_odd_mod_vartime(&curve.n).unwrap();
        let s = k_inv.mul_mod(&e.add_mod(&r.mul_mod(d, n), n), n);
        (r.to_be_bytes().to_vec(), s.to_be_bytes().to_vec())
    }

    pub(crate) fn public_point(curve: &PrimeCurve, d: &BoxedUint) -> Vec<u8> {
        let zero = BoxedUint::zero_with_precision(curve.precision);
        let g = curve.affine(&curve.g);
        let (x, y) = curve
            .to_affine(&curve.double_scalar_mul(d, &g, &zero, &g))
            .unwrap();
        let width = |v: &BoxedUint| {
            let bytes = v.to_be_bytes();
            bytes[bytes.len() - curve.field_len..].to_vec()
        };
        [vec![0x04], width(&x), width(&y)].concat()
    }

    #[test]
    fn brainpool_p512_signatures_verify_and_tampering_is_caught() {
        let curve = PrimeCurve::brainpool_p512r1().unwrap();
        let d = BoxedUint::from_be_slice(&[0x17; 63], curve.precision).unwrap();
        let k = BoxedUint::from_be_slice(&[0x29; 63], curve.precision).unwrap();
        let point = public_point(&curve, &d);
        let prehash = [0xA5u8; 64];
        let (r, s) = sign(&curve, &d, &k, &prehash);
        assert_eq!(curve.verify(&point, &prehash, &r, &s), Ok(true));
        let mut tampered = prehash;
        tampered[63] ^= 0x80;
        assert_eq!(curve.verify(&point, &tampered, &r, &s), Ok(false));
        let other = public_point(&curve, &k);
        assert_eq!(curve.verify(&other, &prehash, &r, &s), Ok(false));
    }

    #[test]
    fn refuses_points_off_the_curve_and_bad_parameters() {
        let curve = PrimeCurve::brainpool_p512r1().unwrap();
        let mut point = public_point(
            &curve,
            &BoxedUint::from_be_slice(&[3], curve.precision).unwrap(),
        );
        point[10] ^= 1;
        assert_eq!(
            curve.verify(&point, &[0; 64], &[1], &[1]),
            Err(CurveError::Malformed("point not on the curve"))
        );
        assert!(PrimeCurve::from_explicit(&[0x30, 0x00]).is_err());
        let mut explicit = brainpool_p256r1_explicit();
        let last = explicit.len() - 1;
        explicit[last - 80] ^= 1;
        assert!(PrimeCurve::from_explicit(&explicit).is_err());
    }

    /// The explicit ECParameters of `curve`, as a certificate would carry them.
    pub(crate) fn to_explicit(curve: &PrimeCurve) -> Vec<u8> {
        let g = [
            &[0x04][..],
            &curve.g.0.to_be_bytes()[..],
            &curve.g.1.to_be_bytes()[..],
        ]
        .concat();
        explicit(
            &[&[0][..], &curve.p.as_ref().to_be_bytes()].concat(),
            &curve.a.to_be_bytes(),
            &curve.b.to_be_bytes(),
            &g,
            &[&[0][..], &curve.n.as_ref().to_be_bytes()].concat(),
        )
    }

    pub(crate) fn explicit(p: &[u8], a: &[u8], b: &[u8], g: &[u8], n: &[u8]) -> Vec<u8> {
        let field = [tlv::encode(0x06, ID_PRIME_FIELD), tlv::encode(0x02, p)].concat();
        let curve = [tlv::encode(0x04, a), tlv::encode(0x04, b)].concat();
        let body = [
            tlv::encode(0x02, &[1]),
            tlv::encode(0x30, &field),
            tlv::encode(0x30, &curve),
            tlv::encode(0x04, g),
            tlv::encode(0x02, n),
        ]
        .concat();
        tlv::encode(0x30, &body)
    }

    #[test]
    fn degenerate_curves_give_answers_not_panics() {
        for (p, n) in [
            (&[1u8][..], &[1u8][..]),
            (&[3], &[1]),
            (&[7], &[9]),
            (&[0xFF; 4], &[0xFF; 4]),
        ] {
            let g = [&[0x04][..], &vec![0; p.len()], &vec![0; p.len()]].concat();
            if let Ok(curve) = PrimeCurve::from_explicit(&explicit(p, &[0], &[0], &g, n)) {
                assert_ne!(curve.verify(&g, &[1; 32], &[1], &[1]), Ok(true));
            }
        }
        assert_eq!(
            PrimeCurve::from_explicit(&explicit(&[2], &[0], &[0], &[4, 0, 0], &[1])).err(),
            Some(CurveError::Malformed("even field prime"))
        );
        assert_eq!(
            PrimeCurve::from_explicit(&explicit(&[0xFF; 129], &[0], &[0], &[4, 0, 0], &[1])).err(),
            Some(CurveError::Unsupported("field too large"))
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        #[test]
        fn mutated_parameters_keys_and_signatures_never_panic(
            edits in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), proptest::prelude::any::<u8>()), 0..4),
            point in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..70),
            r in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            s in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
        ) {
            let mut explicit = brainpool_p256r1_explicit();
            for (index, value) in edits {
                let i = index.index(explicit.len());
                explicit[i] = value;
            }
            if let Ok(curve) = PrimeCurve::from_explicit(&explicit) {
                let genuine = [&[0x04][..], &curve.g.0.to_be_bytes()[..], &curve.g.1.to_be_bytes()[..]].concat();
                let _ = curve.verify(&point, &[0x11; 32], &r, &s);
                let _ = curve.verify(&genuine, &[0x11; 32], &r, &s);
            }
        }
    }
}
