using System;
using System.Collections.Generic;
using System.IO;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>
    /// Reads the published test vectors in Vectors/*.txt: "# comment" lines, "[name]" starting
    /// a vector, then "field = value" lines (hex strings or numbers). Each vector names its source.
    /// </summary>
    public sealed class TestVector
    {
        public string Name { get; set; }
        public Dictionary<string, string> Fields { get; } = new Dictionary<string, string>();

        public string this[string field] => Fields[field];
        public bool Has(string field) => Fields.ContainsKey(field);
        public byte[] Bytes(string field) => Hex.Decode(Fields[field]);
        public string Kind => Fields.TryGetValue("kind", out var k) ? k : "";
        public override string ToString() => Name + " (" + Fields["source"] + ")";
    }

    public static class VectorFile
    {
        public static List<TestVector> Load(string fileName)
        {
            string path = Path.Combine(AppContext.BaseDirectory, "Vectors", fileName);
            var list = new List<TestVector>();
            TestVector current = null;
            foreach (string raw in File.ReadAllLines(path))
            {
                string line = raw.Trim();
                if (line.Length == 0 || line.StartsWith("#"))
                    continue;
                if (line.StartsWith("["))
                {
                    current = new TestVector { Name = line.Substring(1, line.Length - 2) };
                    list.Add(current);
                    continue;
                }
                int eq = line.IndexOf('=');
                current.Fields[line.Substring(0, eq).Trim()] = line.Substring(eq + 1).Trim();
            }
            foreach (var v in list)
                if (!v.Has("source"))
                    throw new InvalidDataException(fileName + ": vector " + v.Name + " does not name its source");
            return list;
        }

        /// <summary>Vector names of a file, for [MemberData].</summary>
        public static IEnumerable<object[]> Names(string fileName, string kind = null)
        {
            foreach (var v in Load(fileName))
                if (kind == null || v.Kind == kind)
                    yield return new object[] { v.Name };
        }

        public static TestVector Get(string fileName, string name)
        {
            foreach (var v in Load(fileName))
                if (v.Name == name)
                    return v;
            throw new KeyNotFoundException(fileName + ": " + name);
        }
    }

    public static class Hex
    {
        public static byte[] Decode(string hex)
        {
            hex = hex.Replace(" ", "").Replace(":", "");
            return Convert.FromHexString(hex);
        }

        public static string Encode(byte[] data) => Convert.ToHexString(data).ToLowerInvariant();

        public static string Encode(byte[] data, int offset, int length) =>
            Convert.ToHexString(data, offset, length).ToLowerInvariant();
    }
}
