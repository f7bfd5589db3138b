using Warp.Hal;
using Warp.Protocol;
using Warp.Protocol.Crypto;

namespace Warp.Firmware
{
    /// <summary>
    /// The admin password of the setup page, kept as the "web-admin" record: never the password,
    /// a salted slow hash of it. PBKDF2 (RFC 8018 section 5.2) with HMAC-BLAKE2s as the PRF (the
    /// HMAC the WireGuard code already carries, RFC 2104 over BLAKE2s-256), one 32-byte block:
    /// <code>
    /// record = 'W' 1 | iterations (u32, big-endian) | salt (16 random bytes) | T (32 bytes)
    /// T = U1 ^ U2 ^ ... ^ Uc,  U1 = HMAC(P, salt || 00 00 00 01),  Ui = HMAC(P, Ui-1)
    /// </code>
    /// The iteration count is the board's (<see cref="RouterSizes.WebKdfIterations"/>) and is
    /// stored with the hash, so a record outlives a change of the default. Comparison is in
    /// constant time; the password's bytes are cleared after use. Factory reset deletes the record.
    /// Slices: <see cref="BeginSet"/> / <see cref="BeginVerify"/> start a derivation that
    /// <see cref="Step"/> continues a slice at a time (a hundredth of the iterations, at least 2),
    /// so the router's loop forwards packets between the slices of a login; one at a time.
    /// </summary>
    public sealed class WebPassword
    {
        public const string Record = "web-admin";
        public const int SaltLength = 16, HashLength = 32, RecordLength = 2 + 4 + SaltLength + HashLength;
        public const int MinLength = 8, MaxLength = 128;

        readonly ISettingsStore store;
        readonly HmacBlake2s hmac = new HmacBlake2s();
        readonly byte[] record = new byte[RecordLength];
        readonly byte[] u = new byte[HashLength];
        readonly byte[] t = new byte[HashLength];
        readonly byte[] first = new byte[SaltLength + 4];
        bool loaded, set;
        // The derivation in progress: the password where the caller keeps it, the output, iterations done and due.
        byte[] pw, dk;
        int pwOffset, pwLength, dkOffset, done, total;
        bool running, forSet;

        public WebPassword(ISettingsStore store) { this.store = store; }

        /// <summary>True once an admin password is set (first visit done).</summary>
        public bool IsSet
        {
            get
            {
                if (!loaded)
                {
                    loaded = true;
                    set = store != null && store.Read(Record, record, 0, RecordLength) == RecordLength && record[0] == (byte)'W' && record[1] == 1;
                }
                return set;
            }
        }

        /// <summary>Sets the password (password[offset..offset+length), UTF-8) with a fresh salt; false when the store refused.</summary>
        public bool Set(byte[] password, int offset, int length, int iterations, IRandomSource random)
        {
            record[0] = (byte)'W';
            record[1] = 1;
            record[2] = (byte)(iterations >> 24); record[3] = (byte)(iterations >> 16); record[4] = (byte)(iterations >> 8); record[5] = (byte)iterations;
            RandomBytes.Fill(random, record, 6, SaltLength);
            Derive(password, offset, length, record, 6, iterations, record, 6 + SaltLength);
            bool ok = store != null && store.Write(Record, record, 0, RecordLength);
            loaded = true;
            set = ok;
            return ok;
        }

        /// <summary>True when the password matches the stored hash (constant-time comparison).</summary>
        public bool Verify(byte[] password, int offset, int length)
        {
            if (!IsSet)
                return false;
            int iterations = (record[2] << 24) | (record[3] << 16) | (record[4] << 8) | record[5];
            if (iterations < 1)
                return false;
            Derive(password, offset, length, record, 6, iterations, t, 0);
            int diff = 0;
            for (int i = 0; i < HashLength; i++)
                diff |= t[i] ^ record[6 + SaltLength + i];
            CryptoUtil.Clear(t, 0, HashLength);
            return diff == 0;
        }

        /// <summary>Forgets the cached record (after a factory reset).</summary>
        public void Forget()
        {
            loaded = false;
            set = false;
            CryptoUtil.Clear(record, 0, RecordLength);
        }

        /// <summary>PBKDF2-HMAC-BLAKE2s, one block: the 32-byte key at (output, outputOffset).</summary>
        public void Derive(byte[] password, int offset, int length, byte[] salt, int saltOffset, int iterations, byte[] output, int outputOffset)
        {
            BeginDerive(password, offset, length, salt, saltOffset, iterations, output, outputOffset);
            while (!Step(int.MaxValue)) { }
        }

        /// <summary>True while a sliced derivation is in progress.</summary>
        public bool Busy { get { return running; } }
        /// <summary>Iterations of the derivation in progress done so far, and in all.</summary>
        public int Done { get { return done; } }
        public int Total { get { return total; } }

        /// <summary>Iterations a slice runs: a hundredth of the count, at least 2 (200 on an ESP32: 2 a slice, about 8 BLAKE2s compressions).</summary>
        public int SliceIterations { get { int n = total / 100; return n < 2 ? 2 : n; } }

        void BeginDerive(byte[] password, int offset, int length, byte[] salt, int saltOffset, int iterations, byte[] output, int outputOffset)
        {
            pw = password; pwOffset = offset; pwLength = length;
            dk = output; dkOffset = outputOffset;
            System.Array.Copy(salt, saltOffset, first, 0, SaltLength);
            first[SaltLength] = 0; first[SaltLength + 1] = 0; first[SaltLength + 2] = 0; first[SaltLength + 3] = 1;
            hmac.Compute(password, offset, length, first, 0, first.Length, u, 0);
            System.Array.Copy(u, 0, output, outputOffset, HashLength);
            done = 1;
            total = iterations < 1 ? 1 : iterations;
            running = true;
        }

        /// <summary>Runs at most maxIterations more iterations; true when the derivation is complete (or none runs).</summary>
        public bool Step(int maxIterations)
        {
            if (!running)
                return true;
            for (int i = 0; i < maxIterations && done < total; i++)
            {
                hmac.Compute(pw, pwOffset, pwLength, u, 0, HashLength, u, 0);
                for (int k = 0; k < HashLength; k++)
                    dk[dkOffset + k] ^= u[k];
                done++;
            }
            if (done < total)
                return false;
            CryptoUtil.Clear(u, 0, HashLength);
            running = false;
            pw = null;
            dk = null;
            return true;
        }

        /// <summary>One slice (<see cref="SliceIterations"/>); true when complete.</summary>
        public bool Step() { return Step(SliceIterations); }

        /// <summary>Starts setting the password (kept by the caller at password[offset..) until <see cref="FinishSet"/>) with a fresh salt.</summary>
        public void BeginSet(byte[] password, int offset, int length, int iterations, IRandomSource random)
        {
            record[0] = (byte)'W';
            record[1] = 1;
            record[2] = (byte)(iterations >> 24); record[3] = (byte)(iterations >> 16); record[4] = (byte)(iterations >> 8); record[5] = (byte)iterations;
            RandomBytes.Fill(random, record, 6, SaltLength);
            loaded = true;
            set = false; // not until stored
            forSet = true;
            BeginDerive(password, offset, length, record, 6, iterations, record, 6 + SaltLength);
        }

        /// <summary>After the last <see cref="Step"/> of a set: stores the record; false when the store refused.</summary>
        public bool FinishSet()
        {
            bool ok = !running && forSet && store != null && store.Write(Record, record, 0, RecordLength);
            set = ok;
            if (!ok)
                loaded = false; // read the store again
            return ok;
        }

        /// <summary>Starts checking a password (kept by the caller until <see cref="FinishVerify"/>); false when none is set.</summary>
        public bool BeginVerify(byte[] password, int offset, int length)
        {
            if (!IsSet)
                return false;
            int iterations = (record[2] << 24) | (record[3] << 16) | (record[4] << 8) | record[5];
            if (iterations < 1)
                return false;
            forSet = false;
            BeginDerive(password, offset, length, record, 6, iterations, t, 0);
            return true;
        }

        /// <summary>After the last <see cref="Step"/> of a check: true when the password matched (constant-time comparison).</summary>
        public bool FinishVerify()
        {
            if (running || forSet)
                return false;
            int diff = 0;
            for (int i = 0; i < HashLength; i++)
                diff |= t[i] ^ record[6 + SaltLength + i];
            CryptoUtil.Clear(t, 0, HashLength);
            return diff == 0;
        }

        /// <summary>Abandons the derivation in progress (the client went away); intermediate values are cleared.</summary>
        public void Cancel()
        {
            if (!running)
                return;
            running = false;
            pw = null;
            dk = null;
            CryptoUtil.Clear(u, 0, HashLength);
            CryptoUtil.Clear(t, 0, HashLength);
            if (forSet)
            {
                loaded = false; // the cached record was being rewritten: read the store again
                set = false;
            }
        }
    }
}
