using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace Warp.Tools.DeviceCheck;

/// <summary>Decodes signatures to readable text and notes generic and pointer types on the way.</summary>
sealed class SignatureScanner : ISignatureTypeProvider<string, object?>
{
    public readonly record struct Result(string Text, bool Generic, bool Pointer);

    readonly MetadataReader md;
    bool generic, pointer;

    public SignatureScanner(MetadataReader md) { this.md = md; }

    public Result Scan(Func<object> decode)
    {
        generic = pointer = false;
        var text = decode() switch
        {
            MethodSignature<string> m => m.ReturnType + "(" + string.Join(", ", m.ParameterTypes) + ")",
            ImmutableArray<string> locals => string.Join(", ", locals),
            var other => other.ToString() ?? "",
        };
        return new Result(text, generic, pointer);
    }

    public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";
    public string GetByReferenceType(string elementType) => elementType + "&";
    public string GetFunctionPointerType(MethodSignature<string> signature) { pointer = true; return "delegate*"; }
    public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments)
    { generic = true; return genericType + "<" + string.Join(", ", typeArguments) + ">"; }
    public string GetGenericMethodParameter(object? context, int index) { generic = true; return "!!" + index; }
    public string GetGenericTypeParameter(object? context, int index) { generic = true; return "!" + index; }
    public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
    public string GetPinnedType(string elementType) { pointer = true; return elementType + " pinned"; }
    public string GetPointerType(string elementType) { pointer = true; return elementType + "*"; }
    public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
    public string GetSZArrayType(string elementType) => elementType + "[]";
    public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => IlChecker.TypeName(md, handle);
    public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => IlChecker.TypeName(md, handle);
    public string GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind)
        => reader.GetTypeSpecification(handle).DecodeSignature(this, context);
}
