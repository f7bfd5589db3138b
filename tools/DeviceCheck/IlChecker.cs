using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Warp.Tools.DeviceCheck;

/// <summary>One thing the device cannot take, with the type and member where it was found.</summary>
public sealed record Finding(string Assembly, string Location, string Problem)
{
    public override string ToString() => $"{Assembly}: {Location}: {Problem}";
}

/// <summary>
/// Reads an assembly's metadata and IL and reports every construct that nanoFramework's runtime
/// (and its MetadataProcessor) cannot load: generic type or method definitions, generic
/// instantiations (TypeSpec/MethodSpec, generic types in signatures), references to assemblies
/// other than mscorlib and our own device assemblies, pointer and function-pointer types,
/// and unsafe IL (localloc, the unverifiable-code marker).
/// </summary>
public static class IlChecker
{
    public static IReadOnlyList<Finding> Check(byte[] image, ISet<string> allowedAssemblies)
    {
        using var pe = new PEReader(ImmutableArray.Create(image));
        var md = pe.GetMetadataReader();
        var asm = md.GetString(md.GetAssemblyDefinition().Name);
        var findings = new List<Finding>();
        void Add(string where, string what) => findings.Add(new Finding(asm, where, what));

        foreach (var rh in md.AssemblyReferences)
        {
            var name = md.GetString(md.GetAssemblyReference(rh).Name);
            if (name != "mscorlib" && !allowedAssemblies.Contains(name))
                Add("assembly", $"references assembly '{name}' (only mscorlib and our device assemblies are allowed)");
        }

        var provider = new SignatureScanner(md);
        foreach (var ch in md.CustomAttributes)
        {
            var ca = md.GetCustomAttribute(ch);
            if (AttributeTypeName(md, ca) == "System.Security.UnverifiableCodeAttribute")
                Add("module", "marked unverifiable (compiled with unsafe code)");
        }

        foreach (var th in md.TypeDefinitions)
        {
            var td = md.GetTypeDefinition(th);
            var typeName = TypeName(md, th);
            if (td.GetGenericParameters().Count > 0)
                Add(typeName, "generic type definition");
            foreach (var ih in td.GetInterfaceImplementations())
                CheckTypeHandle(md, provider, md.GetInterfaceImplementation(ih).Interface, typeName, "implements", Add);
            if (!td.BaseType.IsNil)
                CheckTypeHandle(md, provider, td.BaseType, typeName, "derives from", Add);

            foreach (var fh in td.GetFields())
            {
                var fd = md.GetFieldDefinition(fh);
                var where = typeName + "." + md.GetString(fd.Name);
                Report(provider.Scan(() => fd.DecodeSignature(provider, null)), where, "field type", Add);
            }

            foreach (var mh in td.GetMethods())
            {
                var mdef = md.GetMethodDefinition(mh);
                var where = typeName + "::" + md.GetString(mdef.Name);
                if (mdef.GetGenericParameters().Count > 0)
                    Add(where, "generic method definition");
                Report(provider.Scan(() => mdef.DecodeSignature(provider, null)), where, "signature", Add);
                if (mdef.RelativeVirtualAddress == 0)
                    continue;
                var body = pe.GetMethodBody(mdef.RelativeVirtualAddress);
                if (!body.LocalSignature.IsNil)
                {
                    var sig = md.GetStandaloneSignature(body.LocalSignature);
                    Report(provider.Scan(() => sig.DecodeLocalSignature(provider, null)), where, "local variable", Add);
                }
                ScanIl(md, provider, body.GetILReader(), where, Add);
            }
        }
        return findings;
    }

    static void ScanIl(MetadataReader md, SignatureScanner provider, BlobReader il, string where, Action<string, string> add)
    {
        while (il.RemainingBytes > 0)
        {
            int value = il.ReadByte();
            if (value == 0xFE)
                value = 0xFE00 | il.ReadByte();
            if (!OpCodeTable.TryGetValue((short)value, out var op))
            {
                add(where, $"unknown IL opcode 0x{value:X}");
                return;
            }
            if (op == OpCodes.Localloc)
                add(where, "uses localloc (stackalloc)");
            switch (op.OperandType)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar: il.ReadByte(); break;
                case OperandType.InlineVar: il.ReadInt16(); break;
                case OperandType.InlineI8:
                case OperandType.InlineR: il.ReadInt64(); break;
                case OperandType.InlineSwitch:
                    var n = il.ReadInt32();
                    for (int i = 0; i < n; i++) il.ReadInt32();
                    break;
                case OperandType.InlineSig:
                    var sh = (StandaloneSignatureHandle)MetadataTokens.Handle(il.ReadInt32());
                    var ss = md.GetStandaloneSignature(sh);
                    Report(provider.Scan(() => ss.DecodeMethodSignature(provider, null)), where, "calli signature", add);
                    add(where, "uses calli (function pointer call)");
                    break;
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                    CheckToken(md, provider, MetadataTokens.EntityHandle(il.ReadInt32()), where, add);
                    break;
                default: il.ReadInt32(); break; // InlineI, InlineBrTarget, InlineString, ShortInlineR (4 bytes)
            }
        }
    }

    static void CheckToken(MetadataReader md, SignatureScanner provider, EntityHandle h, string where, Action<string, string> add)
    {
        switch (h.Kind)
        {
            case HandleKind.MethodSpecification:
                var ms = md.GetMethodSpecification((MethodSpecificationHandle)h);
                add(where, "calls generic method instantiation " + MemberName(md, ms.Method));
                break;
            case HandleKind.TypeSpecification:
                CheckTypeHandle(md, provider, h, where, "uses", add);
                break;
            case HandleKind.MemberReference:
                var mr = md.GetMemberReference((MemberReferenceHandle)h);
                if (mr.Parent.Kind == HandleKind.TypeSpecification)
                    CheckTypeHandle(md, provider, mr.Parent, where, "uses member " + md.GetString(mr.Name) + " of", add);
                if (mr.GetKind() == MemberReferenceKind.Method)
                    Report(provider.Scan(() => mr.DecodeMethodSignature(provider, null)), where, "call to " + MemberName(md, h), add);
                else
                    Report(provider.Scan(() => mr.DecodeFieldSignature(provider, null)), where, "field " + MemberName(md, h), add);
                break;
        }
    }

    static void CheckTypeHandle(MetadataReader md, SignatureScanner provider, EntityHandle h, string where, string verb, Action<string, string> add)
    {
        if (h.Kind != HandleKind.TypeSpecification)
            return;
        var spec = md.GetTypeSpecification((TypeSpecificationHandle)h);
        var scan = provider.Scan(() => spec.DecodeSignature(provider, null));
        Report(scan, where, verb, add);
    }

    static void Report(SignatureScanner.Result r, string where, string what, Action<string, string> add)
    {
        if (r.Generic) add(where, $"{what} '{r.Text}' is generic");
        if (r.Pointer) add(where, $"{what} '{r.Text}' has a pointer type");
    }

    static string AttributeTypeName(MetadataReader md, CustomAttribute ca)
    {
        EntityHandle parent = ca.Constructor.Kind switch
        {
            HandleKind.MemberReference => md.GetMemberReference((MemberReferenceHandle)ca.Constructor).Parent,
            HandleKind.MethodDefinition => md.GetMethodDefinition((MethodDefinitionHandle)ca.Constructor).GetDeclaringType(),
            _ => default,
        };
        return parent.Kind switch
        {
            HandleKind.TypeReference => TypeName(md, (TypeReferenceHandle)parent),
            HandleKind.TypeDefinition => TypeName(md, (TypeDefinitionHandle)parent),
            _ => "",
        };
    }

    internal static string TypeName(MetadataReader md, TypeDefinitionHandle h)
    {
        var td = md.GetTypeDefinition(h);
        var name = md.GetString(td.Name);
        var declaring = td.GetDeclaringType();
        if (!declaring.IsNil) return TypeName(md, declaring) + "+" + name;
        var ns = md.GetString(td.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    internal static string TypeName(MetadataReader md, TypeReferenceHandle h)
    {
        var tr = md.GetTypeReference(h);
        var name = md.GetString(tr.Name);
        if (tr.ResolutionScope.Kind == HandleKind.TypeReference)
            return TypeName(md, (TypeReferenceHandle)tr.ResolutionScope) + "+" + name;
        var ns = md.GetString(tr.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    static string MemberName(MetadataReader md, EntityHandle h)
    {
        switch (h.Kind)
        {
            case HandleKind.MethodDefinition:
                var d = md.GetMethodDefinition((MethodDefinitionHandle)h);
                return TypeName(md, d.GetDeclaringType()) + "::" + md.GetString(d.Name);
            case HandleKind.MemberReference:
                var r = md.GetMemberReference((MemberReferenceHandle)h);
                var owner = r.Parent.Kind switch
                {
                    HandleKind.TypeReference => TypeName(md, (TypeReferenceHandle)r.Parent),
                    HandleKind.TypeDefinition => TypeName(md, (TypeDefinitionHandle)r.Parent),
                    _ => "(type spec)",
                };
                return owner + "::" + md.GetString(r.Name);
            default:
                return h.Kind.ToString();
        }
    }

    static readonly Dictionary<short, OpCode> OpCodeTable = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);
}
