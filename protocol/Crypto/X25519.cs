using System;

namespace Warp.Protocol.Crypto
{
    /// <summary>
    /// X25519: RFC 7748 section 5 (the function) and section 6.1 (Diffie-Hellman). The scalar is
    /// decoded with decodeScalar25519 (clear bits 0-2 and 255, set bit 254), the u-coordinate with
    /// its top bit masked, and the result is computed with the Montgomery ladder of section 5 on
    /// projective (X : Z) coordinates, 255 steps, each starting with a constant-time conditional
    /// swap; then x_2 * z_2^(p-2).
    /// </summary>
    /// <remarks>
    /// All field elements are preallocated in the instance (one instance per thread); nothing is
    /// allocated per call. No branch or array index depends on the scalar. An all-zero result
    /// (the peer's point has small order) is reported by returning false, as WireGuard requires;
    /// the scalar copy and the intermediate values are cleared afterwards.
    /// </remarks>
    public sealed class X25519
    {
        /// <summary>Size of scalars, u-coordinates and shared secrets in bytes.</summary>
        public const int KeySize = 32;

        private readonly byte[] _basePoint = new byte[KeySize];
        private readonly byte[] _k = new byte[KeySize];
        private readonly int[] _x1 = new int[Field25519.Limbs];
        private readonly int[] _x2 = new int[Field25519.Limbs];
        private readonly int[] _z2 = new int[Field25519.Limbs];
        private readonly int[] _x3 = new int[Field25519.Limbs];
        private readonly int[] _z3 = new int[Field25519.Limbs];
        private readonly int[] _a = new int[Field25519.Limbs];
        private readonly int[] _aa = new int[Field25519.Limbs];
        private readonly int[] _b = new int[Field25519.Limbs];
        private readonly int[] _bb = new int[Field25519.Limbs];
        private readonly int[] _c = new int[Field25519.Limbs];
        private readonly int[] _d = new int[Field25519.Limbs];
        private readonly int[] _e = new int[Field25519.Limbs];
        private readonly int[] _t0 = new int[Field25519.Limbs];
        private readonly int[] _t1 = new int[Field25519.Limbs];
        private readonly int[] _t2 = new int[Field25519.Limbs];
        private readonly int[] _t3 = new int[Field25519.Limbs];

        /// <summary>Creates an instance with its working storage.</summary>
        public X25519()
        {
            _basePoint[0] = 9; // u = 9 (RFC 7748 section 4.1)
        }

        /// <summary>
        /// Applies decodeScalar25519's clamping to a private key in place (for key generation;
        /// <see cref="ScalarMult"/> clamps its own copy anyway).
        /// </summary>
        public static void ClampPrivateKey(byte[] key, int offset)
        {
            key[offset] &= 248;
            key[offset + 31] &= 127;
            key[offset + 31] |= 64;
        }

        /// <summary>
        /// Writes the public key X25519(privateKey, 9). Returns false only if the result is all
        /// zero, which cannot happen for the base point.
        /// </summary>
        public bool PublicKey(byte[] publicKey, int publicKeyOffset, byte[] privateKey, int privateKeyOffset)
        {
            // u = 9 is public and small: z_3 = 9 * (DA - CB)^2 needs no full multiplication.
            return Ladder(publicKey, publicKeyOffset, privateKey, privateKeyOffset, _basePoint, 0, true);
        }

        /// <summary>
        /// Writes X25519(scalar, u) to <paramref name="output"/>. Returns false when the result is
        /// the all-zero value (RFC 7748 section 6.1; WireGuard rejects such a shared secret).
        /// The output may overlap the inputs.
        /// </summary>
        public bool ScalarMult(byte[] output, int outputOffset, byte[] scalar, int scalarOffset, byte[] u, int uOffset)
        {
            return Ladder(output, outputOffset, scalar, scalarOffset, u, uOffset, false);
        }

        private bool Ladder(byte[] output, int outputOffset, byte[] scalar, int scalarOffset, byte[] u, int uOffset, bool uIsNine)
        {
            byte[] k = _k;
            Array.Copy(scalar, scalarOffset, k, 0, KeySize);
            ClampPrivateKey(k, 0);
            Field25519.FromBytes(_x1, u, uOffset);

            int[] x1 = _x1, x2 = _x2, z2 = _z2, x3 = _x3, z3 = _z3;
            int[] a = _a, aa = _aa, b = _b, bb = _bb, c = _c, d = _d, e = _e, t0 = _t0;
            Field25519.One(x2);
            Field25519.Zero(z2);
            Field25519.Copy(x3, x1);
            Field25519.One(z3);
            int swap = 0;
            for (int t = 254; t >= 0; t--)
            {
                int kt = (k[t >> 3] >> (t & 7)) & 1;
                swap ^= kt;
                Field25519.CSwap(x2, x3, z2, z3, swap);
                swap = kt;

                Field25519.AddSub(a, b, x2, z2);   // A = x_2 + z_2, B = x_2 - z_2
                Field25519.AddSub(c, d, x3, z3);   // C = x_3 + z_3, D = x_3 - z_3
                Field25519.Sqr(aa, a);             // AA = A^2
                Field25519.Sqr(bb, b);             // BB = B^2
                Field25519.Mul(d, d, a);           // DA = D * A
                Field25519.Mul(c, c, b);           // CB = C * B
                Field25519.Sub(e, aa, bb);         // E = AA - BB
                Field25519.AddSub(x3, z3, d, c);   // DA + CB, DA - CB
                Field25519.Sqr(x3, x3);            // x_3 = (DA + CB)^2
                Field25519.Sqr(z3, z3);
                if (uIsNine)                       // public: the base point, not the scalar
                    Field25519.MulSmall(z3, z3, 9);
                else
                    Field25519.Mul(z3, z3, x1);    // z_3 = x_1 * (DA - CB)^2
                Field25519.Mul(x2, aa, bb);        // x_2 = AA * BB
                Field25519.Mul121665Add(t0, e, aa); // AA + a24 * E
                Field25519.Mul(z2, e, t0);         // z_2 = E * (AA + a24 * E)
            }
            Field25519.CSwap(x2, x3, z2, z3, swap);

            Field25519.Invert(z2, z2, _t0, _t1, _t2, _t3);
            Field25519.Mul(x2, x2, z2);
            Field25519.ToBytes(output, outputOffset, x2);

            Clear();
            return !CryptoUtil.IsZero(output, outputOffset, KeySize);
        }

        // Clears the scalar copy and every intermediate value.
        private void Clear()
        {
            Array.Clear(_k, 0, KeySize);
            Field25519.Zero(_x1); Field25519.Zero(_x2); Field25519.Zero(_z2);
            Field25519.Zero(_x3); Field25519.Zero(_z3);
            Field25519.Zero(_a); Field25519.Zero(_aa); Field25519.Zero(_b); Field25519.Zero(_bb);
            Field25519.Zero(_c); Field25519.Zero(_d); Field25519.Zero(_e);
            Field25519.Zero(_t0); Field25519.Zero(_t1); Field25519.Zero(_t2); Field25519.Zero(_t3);
        }
    }
}
