namespace Warp.Protocol.Crypto
{
    /// <summary>
    /// The bulk cryptography the tunnel needs, behind one small interface so that a platform
    /// can run it natively (mbedTLS on the ESP32, OpenSSL through .NET on Linux) while
    /// <see cref="ManagedCryptoBackend"/> stays the reference and the fallback.
    /// </summary>
    /// <remarks>
    /// <para>AEAD is AEAD_CHACHA20_POLY1305 (RFC 8439 section 2.8) with WireGuard's nonce:
    /// 4 zero bytes followed by the 64-bit message counter, little-endian (whitepaper
    /// section 5.4.6). DH is X25519 (RFC 7748 section 6.1).</para>
    /// <para>Contract for every implementation: buffers are (array, offset, length); input and
    /// output may be the same range (in place) or separate; nothing is allocated per call once
    /// a key is in use; no exception on a bad tag or a bad public key, just false. Instances
    /// are not thread-safe: one per thread.</para>
    /// </remarks>
    public interface ICryptoBackend
    {
        /// <summary>A short name for logs and benchmarks ("managed", "openssl", ...).</summary>
        string Name { get; }

        /// <summary>
        /// Encrypts <paramref name="length"/> bytes of <paramref name="input"/> with the 32-byte
        /// key and the counter nonce, writing ciphertext and the 16-byte tag (length + 16 bytes)
        /// to <paramref name="output"/>. <paramref name="aad"/> may be null when
        /// <paramref name="aadLength"/> is 0.
        /// </summary>
        void AeadSeal(byte[] key, int keyOffset, ulong counter,
            byte[] aad, int aadOffset, int aadLength,
            byte[] input, int inputOffset, int length,
            byte[] output, int outputOffset);

        /// <summary>
        /// Checks and decrypts <paramref name="length"/> bytes of ciphertext followed by its tag
        /// (length >= 16), writing length - 16 bytes of plaintext to <paramref name="output"/>.
        /// Returns false when the tag does not match (the output is then unspecified).
        /// </summary>
        bool AeadOpen(byte[] key, int keyOffset, ulong counter,
            byte[] aad, int aadOffset, int aadLength,
            byte[] input, int inputOffset, int length,
            byte[] output, int outputOffset);

        /// <summary>
        /// DH(private, public) = X25519(privateKey, publicKey) into <paramref name="sharedSecret"/>
        /// (32 bytes). Returns false when the result is all zero (a small-order public key).
        /// </summary>
        bool Dh(byte[] sharedSecret, int sharedSecretOffset,
            byte[] privateKey, int privateKeyOffset,
            byte[] publicKey, int publicKeyOffset);

        /// <summary>DH-Pubkey(private) = X25519(privateKey, 9) into <paramref name="publicKey"/> (32 bytes).</summary>
        void DhPublicKey(byte[] publicKey, int publicKeyOffset, byte[] privateKey, int privateKeyOffset);
    }
}
