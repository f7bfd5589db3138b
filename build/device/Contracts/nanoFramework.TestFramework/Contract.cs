// CONTRACT, never shipped: mirrors the public signatures of nanoFramework.TestFramework 3.0.77
// (source/TestFramework and source/TestFrameworkShared at tag v3.0.77) that tests/Device uses.
// Bodies throw; on a board the real assembly from the package runs the tests, and on .NET
// tests/DeviceRunner supplies working bodies with the same signatures (its SurfaceTests hold the
// two equal). The obsolete members (Assert.Equal, Assert.True, ...) are left out.
using System;
using System.Collections;
using System.Runtime.CompilerServices;

namespace TestFrameworkShared
{
    public class AssertFailedException : Exception
    {
        public AssertFailedException(string msg, Exception ex) { throw new NotImplementedException(); }
        public AssertFailedException(string msg) { throw new NotImplementedException(); }
        public AssertFailedException() { throw new NotImplementedException(); }
    }
}

namespace nanoFramework.TestFramework
{
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
    public class TestClassAttribute : Attribute
    {
        public virtual TestMethodAttribute GetTestMethodAttribute(TestMethodAttribute testMethodAttribute) { throw new NotImplementedException(); }
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public class TestMethodAttribute : Attribute
    {
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public class SetupAttribute : Attribute
    {
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public class CleanupAttribute : Attribute
    {
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    public class DataRowAttribute : Attribute
    {
        public object[] MethodParameters { get { throw new NotImplementedException(); } }
        public DataRowAttribute(params object[] methodParameters) { throw new NotImplementedException(); }
    }

    public class SkipTestException : Exception
    {
        public SkipTestException(string message = null, Exception innerException = null) { throw new NotImplementedException(); }
    }

    public sealed partial class Assert
    {
        public static void AreEqual(bool expected, bool actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(byte expected, byte actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(char expected, char actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(DateTime expected, DateTime actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(double expected, double actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(float expected, float actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(int expected, int actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(long expected, long actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(object expected, object actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(sbyte expected, sbyte actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(short expected, short actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(string expected, string actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(uint expected, uint actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(ulong expected, ulong actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(ushort expected, ushort actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(bool notExpected, bool actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(byte notExpected, byte actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(char notExpected, char actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(DateTime notExpected, DateTime actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(double notExpected, double actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(float notExpected, float actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(int notExpected, int actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(long notExpected, long actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(object notExpected, object actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(sbyte notExpected, sbyte actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(short notExpected, short actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(string notExpected, string actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(uint notExpected, uint actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(ulong notExpected, ulong actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(ushort notExpected, ushort actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreNotSame(object notExpected, object actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void AreSame(object expected, object actual, [CallerArgumentExpression("actual")] string message = "") { throw new NotImplementedException(); }
        public static void Contains(string expected, string value, [CallerArgumentExpression("value")] string message = "") { throw new NotImplementedException(); }
        public static void DoesNotContains(string notExpected, string value, [CallerArgumentExpression("value")] string message = "") { throw new NotImplementedException(); }
        public static void EndsWith(string expected, string value, [CallerArgumentExpression("value")] string message = "") { throw new NotImplementedException(); }
        public static void IsFalse(bool condition, [CallerArgumentExpression("condition")] string message = "") { throw new NotImplementedException(); }
        public static void IsInstanceOfType(object value, Type expected, [CallerArgumentExpression("value")] string message = "") { throw new NotImplementedException(); }
        public static void IsNotInstanceOfType(object value, Type notExpected, [CallerArgumentExpression("value")] string message = "") { throw new NotImplementedException(); }
        public static void IsNotNull(object value, [CallerArgumentExpression("value")] string message = "") { throw new NotImplementedException(); }
        public static void IsNull(object value, [CallerArgumentExpression("value")] string message = "") { throw new NotImplementedException(); }
        public static void IsTrue(bool condition, [CallerArgumentExpression("condition")] string message = "") { throw new NotImplementedException(); }
        public static void SkipTest(string message = null) { throw new NotImplementedException(); }
        public static void StartsWith(string expected, string value, [CallerArgumentExpression("value")] string message = "") { throw new NotImplementedException(); }
        public static void ThrowsException(Type exception, Action action, [CallerArgumentExpression("action")] string message = "") { throw new NotImplementedException(); }
    }

    public sealed class CollectionAssert
    {
        public static void Empty(ICollection collection, string message = "") { throw new NotImplementedException(); }
        public static void NotEmpty(ICollection collection, string message = "") { throw new NotImplementedException(); }
        public static void AreEqual(ICollection expected, ICollection actual, string message = "") { throw new NotImplementedException(); }
        public static void AreNotEqual(ICollection notExpected, ICollection actual, string message = "") { throw new NotImplementedException(); }
    }

    public static class OutputHelper
    {
        public static void Write(string message) { throw new NotImplementedException(); }
        public static void WriteLine(string message) { throw new NotImplementedException(); }
    }
}
