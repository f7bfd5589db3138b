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

        readonly byte[] basePoint = new byte[KeySize];
        readonly byte[] k = new byte[KeySize];
        readonly int[] x1 = new int[Field25519.Limbs];
        readonly int[] x2 = new int[Field25519.Limbs];
        readonly int[] z2 = new int[Field25519.Limbs];
        readonly int[] x3 = new int[Field25519.Limbs];
        readonly int[] z3 = new int[Field25519.Limbs];
        readonly int[] a = new int[Field25519.Limbs];
        readonly int[] aa = new int[Field25519.Limbs];
        readonly int[] b = new int[Field25519.Limbs];
        readonly int[] bb = new int[Field25519.Limbs];
        readonly int[] c = new int[Field25519.Limbs];
        readonly int[] d = new int[Field25519.Limbs];
        readonly int[] e = new int[Field25519.Limbs];
        readonly int[] t0 = new int[Field25519.Limbs];
        readonly int[] t1 = new int[Field25519.Limbs];
        readonly int[] t2 = new int[Field25519.Limbs];
        readonly int[] t3 = new int[Field25519.Limbs];

        /// <summary>Creates an instance with its working storage.</summary>
        public X25519()
        {
            basePoint[0] = 9; // u = 9 (RFC 7748 section 4.1)
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
            return Ladder(publicKey, publicKeyOffset, privateKey, privateKeyOffset, basePoint, 0, true);
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

        bool Ladder(byte[] output, int outputOffset, byte[] scalar, int scalarOffset, byte[] u, int uOffset, bool uIsNine)
        {
            byte[] k = this.k;
            Array.Copy(scalar, scalarOffset, k, 0, KeySize);
            ClampPrivateKey(k, 0);
            Field25519.FromBytes(this.x1, u, uOffset);

            int[] x1 = this.x1, x2 = this.x2, z2 = this.z2, x3 = this.x3, z3 = this.z3;
            int[] a = this.a, aa = this.aa, b = this.b, bb = this.bb, c = this.c, d = this.d, e = this.e, t0 = this.t0;
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

            Field25519.Invert(z2, z2, this.t0, t1, t2, t3);
            Field25519.Mul(x2, x2, z2);
            Field25519.ToBytes(output, outputOffset, x2);

            Clear();
            return !CryptoUtil.IsZero(output, outputOffset, KeySize);
        }

        // Clears the scalar copy and every intermediate value.
        void Clear()
        {
            Array.Clear(this.k, 0, KeySize);
            Field25519.Zero(this.x1); Field25519.Zero(this.x2); Field25519.Zero(this.z2);
            Field25519.Zero(this.x3); Field25519.Zero(this.z3);
            Field25519.Zero(this.a); Field25519.Zero(this.aa); Field25519.Zero(this.b); Field25519.Zero(this.bb);
            Field25519.Zero(this.c); Field25519.Zero(this.d); Field25519.Zero(this.e);
            Field25519.Zero(this.t0); Field25519.Zero(t1); Field25519.Zero(t2); Field25519.Zero(t3);
        }
    }
}
