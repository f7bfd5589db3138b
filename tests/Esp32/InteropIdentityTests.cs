using System;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Warp.Esp32.Tests
{
    /// <summary>
    /// The interop assembly's identity, which the firmware image must carry
    /// (hal/Esp32/native/interop.json): its name, native version and the declaration checksum the
    /// runtime compares at boot. The checksum is recomputed here from the device build's
    /// Warp.Native.dll the way nanoFramework's MetadataProcessor computes it
    /// (MetadataProcessor.Shared/Utility/NativeMethodsCrc.cs and Crc32.cs at metadata-processor
    /// 4541b46): CRC-32 (polynomial 0x04C11DB7, MSB first, no final xor) over the assembly name, the
    /// class name and the stub name of every extern method, in declaration order; while no native
    /// method has been counted the running value reads as 0. A declaration change without a new
    /// identity fails here.
    /// </summary>
    public class InteropIdentityTests
    {
        static string Root
        {
            get
            {
                var d = new DirectoryInfo(AppContext.BaseDirectory);
                while (d != null && !File.Exists(Path.Combine(d.FullName, "Warp.Firmware.sln")))
                    d = d.Parent;
                return d.FullName;
            }
        }

        static readonly uint[] table = MakeTable();

        static uint[] MakeTable()
        {
            var t = new uint[256];
            for (uint i = 0; i < 256; i++)
            {
                uint c = i << 24;
                for (int k = 0; k < 8; k++)
                    c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04C11DB7 : c << 1;
                t[i] = c;
            }
            return t;
        }

        public static uint Crc(string text, uint crc)
        {
            foreach (byte b in Encoding.ASCII.GetBytes(text))
                crc = table[((crc >> 24) ^ b) & 0xFF] ^ (crc << 8);
            return crc;
        }

        sealed class TypeNames : ISignatureTypeProvider<string, object>
        {
            public string GetPrimitiveType(PrimitiveTypeCode t) => t switch
            {
                PrimitiveTypeCode.Void => "VOID", PrimitiveTypeCode.Boolean => "BOOLEAN", PrimitiveTypeCode.SByte => "I1", PrimitiveTypeCode.Byte => "U1",
                PrimitiveTypeCode.Char => "CHAR", PrimitiveTypeCode.Int16 => "I2", PrimitiveTypeCode.UInt16 => "U2", PrimitiveTypeCode.Int32 => "I4",
                PrimitiveTypeCode.UInt32 => "U4", PrimitiveTypeCode.Int64 => "I8", PrimitiveTypeCode.UInt64 => "U8", PrimitiveTypeCode.Single => "R4",
                PrimitiveTypeCode.Double => "R8", PrimitiveTypeCode.String => "STRING", PrimitiveTypeCode.Object => "OBJECT",
                _ => throw new NotSupportedException(t.ToString()),
            };
            public string GetSZArrayType(string e) => "SZARRAY_" + e;
            public string GetByReferenceType(string e) => "BYREF_" + e;
            public string GetTypeFromDefinition(MetadataReader r, TypeDefinitionHandle h, byte k) { var d = r.GetTypeDefinition(h); return (r.GetString(d.Namespace) + r.GetString(d.Name)).Replace(".", ""); }
            public string GetTypeFromReference(MetadataReader r, TypeReferenceHandle h, byte k) { var d = r.GetTypeReference(h); return (r.GetString(d.Namespace) + r.GetString(d.Name)).Replace(".", ""); }
            public string GetArrayType(string e, ArrayShape s) => throw new NotSupportedException();
            public string GetFunctionPointerType(MethodSignature<string> s) => throw new NotSupportedException();
            public string GetGenericInstantiation(string g, System.Collections.Immutable.ImmutableArray<string> a) => throw new NotSupportedException();
            public string GetGenericMethodParameter(object c, int i) => throw new NotSupportedException();
            public string GetGenericTypeParameter(object c, int i) => throw new NotSupportedException();
            public string GetModifiedType(string m, string u, bool r) => u;
            public string GetPinnedType(string e) => e;
            public string GetPointerType(string e) => throw new NotSupportedException();
            public string GetTypeFromSpecification(MetadataReader r, object c, TypeSpecificationHandle h, byte k) => throw new NotSupportedException();
        }

        /// <summary>The stub names ("Library_Warp_Native_Warp_Native_Interop::Name___STATIC__ret__args") and the checksum.</summary>
        public static (uint Checksum, string[] Stubs, string Version) Compute(string dll)
        {
            using var pe = new PEReader(File.OpenRead(dll));
            var md = pe.GetMetadataReader();
            string asm = md.GetString(md.GetAssemblyDefinition().Name);
            uint crc = 0;
            int natives = 0;
            var stubs = new System.Collections.Generic.List<string>();
            foreach (var th in md.TypeDefinitions)
            {
                var t = md.GetTypeDefinition(th);
                string name = md.GetString(t.Name);
                if (name == "<Module>")
                    continue;
                string cls = (md.GetString(t.Namespace) + "_" + name).Replace(".", "_").TrimStart('_');
                var methods = t.GetMethods().Select(h => md.GetMethodDefinition(h)).ToList();
                // The MetadataProcessor's order: virtual, then instance, then static methods.
                var ordered = methods.Where(m => (m.Attributes & System.Reflection.MethodAttributes.Virtual) != 0)
                    .Concat(methods.Where(m => (m.Attributes & (System.Reflection.MethodAttributes.Virtual | System.Reflection.MethodAttributes.Static)) == 0))
                    .Concat(methods.Where(m => (m.Attributes & System.Reflection.MethodAttributes.Static) != 0));
                foreach (var m in ordered)
                {
                    bool native = m.RelativeVirtualAddress == 0 && (m.Attributes & System.Reflection.MethodAttributes.Abstract) == 0;
                    uint current = natives > 0 ? crc : 0;
                    if (!native)
                    {
                        crc = Crc("NULL", current);
                        continue;
                    }
                    var sig = m.DecodeSignature(new TypeNames(), null);
                    bool isStatic = (m.Attributes & System.Reflection.MethodAttributes.Static) != 0;
                    string method = (md.GetString(m.Name) + (isStatic ? "___STATIC__" : "___") + string.Join("__", new[] { sig.ReturnType }.Concat(sig.ParameterTypes)))
                        .Replace(".", "_").Replace("/", "");
                    crc = Crc(asm, current);
                    crc = Crc(cls, natives > 0 ? crc : 0);
                    crc = Crc(method, natives > 0 ? crc : 0);
                    natives++;
                    stubs.Add("Library_" + asm.Replace(".", "_") + "_" + cls + "::" + method);
                }
            }
            string version = null;
            foreach (var ch in md.GetAssemblyDefinition().GetCustomAttributes())
            {
                var ca = md.GetCustomAttribute(ch);
                var ctor = md.GetMemberReference((MemberReferenceHandle)ca.Constructor);
                var type = md.GetTypeReference((TypeReferenceHandle)ctor.Parent);
                if (md.GetString(type.Name) == "AssemblyNativeVersionAttribute")
                {
                    var blob = md.GetBlobReader(ca.Value);
                    blob.ReadUInt16();
                    version = blob.ReadSerializedString();
                }
            }
            return (natives > 0 ? crc : 0, stubs.ToArray(), version);
        }

        [Fact]
        public void Crc32IsTheMetadataProcessorsVariant()
        {
            // CRC-32/MPEG-2 without its 0xFFFFFFFF start: "123456789" from 0 gives 0x89A1897F.
            Assert.Equal(0x89A1897Fu, Crc("123456789", 0));
        }

        [Fact]
        public void TheStoredIdentityIsTheDeviceBuildsInteropAssembly()
        {
            string dll = Path.Combine(Root, "build", "device", "bin", "Release", "Warp.Native.dll");
            Assert.True(File.Exists(dll), "build the device projects first (build/test.sh does): " + dll);
            var (checksum, stubs, version) = Compute(dll);
            Assert.True(checksum != 0 && version != null && stubs.Length > 0);
            string path = Path.Combine(Root, "hal", "Esp32", "native", "interop.json");
            string expected = "{\n  \"assembly\": \"Warp.Native\",\n  \"nativeVersion\": \"" + version + "\",\n  \"checksum\": \"0x" + checksum.ToString("X8") + "\",\n" +
                "  \"computedBy\": \"tests/Esp32/InteropIdentityTests (nanoFramework MetadataProcessor's NativeMethodsCrc rule)\",\n  \"stubs\": [\n" +
                string.Join(",\n", stubs.Select(x => "    \"" + x + "\"")) + "\n  ]\n}\n";
            string stored = File.Exists(path) ? File.ReadAllText(path) : "(missing)";
            Assert.True(stored == expected, "hal/Esp32/native/interop.json is not the device build's interop identity; it should read:\n" + expected);
            var j = JsonDocument.Parse(stored).RootElement;
            Assert.Equal("Warp.Native", j.GetProperty("assembly").GetString());
        }
    }
}
