using System;
using System.Security.Cryptography;
using Warp.Protocol.Crypto;
using ChaCha20Poly1305 = System.Security.Cryptography.ChaCha20Poly1305;
using Warp.Protocol.Net;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// The Linux <see cref="ICryptoBackend"/>: AEAD_CHACHA20_POLY1305 (RFC 8439 section 2.8) from
    /// System.Security.Cryptography (OpenSSL underneath) where <see cref="ChaCha20Poly1305.IsSupported"/>,
    /// otherwise <see cref="ManagedCryptoBackend"/>; X25519 always managed (.NET has no X25519).
    /// </summary>
    /// <remarks>
    /// <para>Nothing is allocated per call once a key is in use: the span overloads write into
    /// the caller's buffers, the nonce buffer is preallocated, and one
    /// <see cref="ChaCha20Poly1305"/> object is cached per key in a small ring
    /// (<see cref="CacheSize"/> keys: a WireGuard peer alternates between its sending and
    /// receiving keys and, around a rekey, the previous pair). Creating the object for a new
    /// key allocates, once.</para>
    /// <para>A tag mismatch makes .NET throw <see cref="AuthenticationTagMismatchException"/>;
    /// it is caught and reported as false, so a forged packet costs an exception object, and the
    /// output range is cleared by .NET. Not thread-safe: one instance per thread.</para>
    /// </remarks>
    public sealed class LinuxCryptoBackend : ICryptoBackend, IDisposable
    {
        /// <summary>How many keys keep a ready cipher object.</summary>
        public const int CacheSize = 4;

        const int KeySize = 32;
        const int TagSize = 16;

        readonly ManagedCryptoBackend managed = new ManagedCryptoBackend();
        readonly bool platformAead;
        readonly byte[][] keys = new byte[CacheSize][];
        readonly ChaCha20Poly1305[] ciphers = new ChaCha20Poly1305[CacheSize];
        readonly byte[] nonce = new byte[12];
        int nextSlot;

        /// <summary>Uses the platform AEAD when the OS supports it.</summary>
        public LinuxCryptoBackend()
            : this(preferManaged: false)
        {
        }

        /// <summary>
        /// With <paramref name="preferManaged"/> the managed AEAD is used even where the
        /// platform has one (the fallback path, for tests).
        /// </summary>
        public LinuxCryptoBackend(bool preferManaged)
        {
            platformAead = !preferManaged && ChaCha20Poly1305.IsSupported;
            for (int i = 0; i < CacheSize; i++)
                this.keys[i] = new byte[KeySize];
        }

        /// <summary>True when AEAD runs on System.Security.Cryptography.</summary>
        public bool UsesPlatformAead => platformAead;

        /// <inheritdoc />
        public string Name => platformAead ? "system" : "managed";

        /// <inheritdoc />
        public void AeadSeal(byte[] key, int keyOffset, ulong counter,
            byte[] aad, int aadOffset, int aadLength,
            byte[] input, int inputOffset, int length,
            byte[] output, int outputOffset)
        {
            if (!platformAead)
            {
                this.managed.AeadSeal(key, keyOffset, counter, aad, aadOffset, aadLength, input, inputOffset, length, output, outputOffset);
                return;
            }
            ChaCha20Poly1305 cipher = CipherFor(key, keyOffset);
            SetNonce(counter);
            cipher.Encrypt(this.nonce, input.AsSpan(inputOffset, length), output.AsSpan(outputOffset, length),
                output.AsSpan(outputOffset + length, TagSize), Aad(aad, aadOffset, aadLength));
        }

        /// <inheritdoc />
        public bool AeadOpen(byte[] key, int keyOffset, ulong counter,
            byte[] aad, int aadOffset, int aadLength,
            byte[] input, int inputOffset, int length,
            byte[] output, int outputOffset)
        {
            if (!platformAead)
                return this.managed.AeadOpen(key, keyOffset, counter, aad, aadOffset, aadLength, input, inputOffset, length, output, outputOffset);
            if (length < TagSize)
                return false;
            int textLength = length - TagSize;
            ChaCha20Poly1305 cipher = CipherFor(key, keyOffset);
            SetNonce(counter);
            try
            {
                cipher.Decrypt(this.nonce, input.AsSpan(inputOffset, textLength), input.AsSpan(inputOffset + textLength, TagSize),
                    output.AsSpan(outputOffset, textLength), Aad(aad, aadOffset, aadLength));
                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
                return false;
            }
        }

        /// <inheritdoc />
        public bool Dh(byte[] sharedSecret, int sharedSecretOffset, byte[] privateKey, int privateKeyOffset, byte[] publicKey, int publicKeyOffset)
        {
            return this.managed.Dh(sharedSecret, sharedSecretOffset, privateKey, privateKeyOffset, publicKey, publicKeyOffset);
        }

        /// <inheritdoc />
        public void DhPublicKey(byte[] publicKey, int publicKeyOffset, byte[] privateKey, int privateKeyOffset)
        {
            this.managed.DhPublicKey(publicKey, publicKeyOffset, privateKey, privateKeyOffset);
        }

        /// <summary>Drops every cached cipher and clears the cached key copies.</summary>
        public void Dispose()
        {
            for (int i = 0; i < CacheSize; i++)
            {
                ciphers[i]?.Dispose();
                ciphers[i] = null;
                CryptographicOperations.ZeroMemory(this.keys[i]);
            }
        }

        static ReadOnlySpan<byte> Aad(byte[] aad, int offset, int length) =>
            length == 0 ? ReadOnlySpan<byte>.Empty : new ReadOnlySpan<byte>(aad, offset, length);

        void SetNonce(ulong counter)
        {
            Endian.Write32LE(this.nonce, 0, 0);
            Endian.Write64LE(this.nonce, 4, counter);
        }

        // The cached cipher for this key, or a new one in the next ring slot.
        ChaCha20Poly1305 CipherFor(byte[] key, int keyOffset)
        {
            ReadOnlySpan<byte> k = new ReadOnlySpan<byte>(key, keyOffset, KeySize);
            for (int i = 0; i < CacheSize; i++)
            {
                if (ciphers[i] != null && CryptographicOperations.FixedTimeEquals(this.keys[i], k))
                    return ciphers[i];
            }
            int slot = nextSlot;
            nextSlot = (slot + 1) % CacheSize;
            ciphers[slot]?.Dispose();
            ciphers[slot] = new ChaCha20Poly1305(k);
            k.CopyTo(this.keys[slot]);
            return ciphers[slot];
        }
    }
}
