// The nanoFramework.TestFramework API (3.0.77) with working bodies, for running tests/Device on .NET.
// Written here from the upstream signatures (build/device/Contracts/nanoFramework.TestFramework
// holds the same surface for the device build; SurfaceCheck compares the two on every run). A
// failed assertion throws AssertFailedException, a skip throws SkipTestException, as upstream.
using System;
using System.Collections;
using System.Runtime.CompilerServices;

namespace TestFrameworkShared
{
    public class AssertFailedException : Exception
    {
        public AssertFailedException(string msg, Exception ex) : base(msg, ex) { }
        public AssertFailedException(string msg) : base(msg) { }
        public AssertFailedException() { }
    }
}

namespace nanoFramework.TestFramework
{
    using TestFrameworkShared;

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
    public class TestClassAttribute : Attribute
    {
        public virtual TestMethodAttribute GetTestMethodAttribute(TestMethodAttribute testMethodAttribute) { return testMethodAttribute; }
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
        public object[] MethodParameters { get; }
        public DataRowAttribute(params object[] methodParameters)
        {
            if (methodParameters == null) throw new ArgumentNullException(nameof(methodParameters));
            if (methodParameters.Length == 0) throw new ArgumentException("methodParameters can not be empty");
            MethodParameters = methodParameters;
        }
    }

    public class SkipTestException : Exception
    {
        public SkipTestException(string message = null, Exception innerException = null) : base(message, innerException) { }
    }

    public sealed partial class Assert
    {
        static string Show(object o) { return o == null ? "(null)" : o.ToString(); }

        static void Fail(string assertion, string message) { throw new AssertFailedException(assertion + " failed. " + message); }

        public static void AreEqual(bool expected, bool actual, [CallerArgumentExpression("actual")] string message = "") { if (!expected.Equals(actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreEqual(byte expected, byte actual, [CallerArgumentExpression("actual")] string message = "") { if (!expected.Equals(actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreEqual(char expected, char actual, [CallerArgumentExpression("actual")] string message = "") { if (!expected.Equals(actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreEqual(DateTime expected, DateTime actual, [CallerArgumentExpression("actual")] string message = "") { if (!expected.Equals(actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreEqual(double expected, double actual, [CallerArgumentExpression("actual")] string message = "") { if (!expected.Equals(actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreEqual(float expected, float actual, [CallerArgumentExpression("actual")] string message = "") { if (!expected.Equals(actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreEqual(int expected, int actual, [CallerArgumentExpression("actual")] string message = "") { if (!expected.Equals(actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreEqual(long expected, long actual, [CallerArgumentExpression("actual")] string message = "") { if (!expected.Equals(actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreEqual(object expected, object actual, [CallerArgumentExpression("actual")] string message = "") { if (!object.Equals(expected, actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreEqual(sbyte expected, sbyte actual, [CallerArgumentExpression("actual")] string message = "") { if (!expected.Equals(actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreEqual(short expected, short actual, [CallerArgumentExpression("actual")] string message = "") { if (!expected.Equals(actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreEqual(string expected, string actual, [CallerArgumentExpression("actual")] string message = "") { if (!object.Equals(expected, actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreEqual(uint expected, uint actual, [CallerArgumentExpression("actual")] string message = "") { if (!expected.Equals(actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreEqual(ulong expected, ulong actual, [CallerArgumentExpression("actual")] string message = "") { if (!expected.Equals(actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreEqual(ushort expected, ushort actual, [CallerArgumentExpression("actual")] string message = "") { if (!expected.Equals(actual)) Fail("Assert.AreEqual", "Expected:<" + Show(expected) + ">. Actual:<" + Show(actual) + ">. " + message); }
        public static void AreNotEqual(bool notExpected, bool actual, [CallerArgumentExpression("actual")] string message = "") { if (notExpected.Equals(actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotEqual(byte notExpected, byte actual, [CallerArgumentExpression("actual")] string message = "") { if (notExpected.Equals(actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotEqual(char notExpected, char actual, [CallerArgumentExpression("actual")] string message = "") { if (notExpected.Equals(actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotEqual(DateTime notExpected, DateTime actual, [CallerArgumentExpression("actual")] string message = "") { if (notExpected.Equals(actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotEqual(double notExpected, double actual, [CallerArgumentExpression("actual")] string message = "") { if (notExpected.Equals(actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotEqual(float notExpected, float actual, [CallerArgumentExpression("actual")] string message = "") { if (notExpected.Equals(actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotEqual(int notExpected, int actual, [CallerArgumentExpression("actual")] string message = "") { if (notExpected.Equals(actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotEqual(long notExpected, long actual, [CallerArgumentExpression("actual")] string message = "") { if (notExpected.Equals(actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotEqual(object notExpected, object actual, [CallerArgumentExpression("actual")] string message = "") { if (object.Equals(notExpected, actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotEqual(sbyte notExpected, sbyte actual, [CallerArgumentExpression("actual")] string message = "") { if (notExpected.Equals(actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotEqual(short notExpected, short actual, [CallerArgumentExpression("actual")] string message = "") { if (notExpected.Equals(actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotEqual(string notExpected, string actual, [CallerArgumentExpression("actual")] string message = "") { if (object.Equals(notExpected, actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotEqual(uint notExpected, uint actual, [CallerArgumentExpression("actual")] string message = "") { if (notExpected.Equals(actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotEqual(ulong notExpected, ulong actual, [CallerArgumentExpression("actual")] string message = "") { if (notExpected.Equals(actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotEqual(ushort notExpected, ushort actual, [CallerArgumentExpression("actual")] string message = "") { if (notExpected.Equals(actual)) Fail("Assert.AreNotEqual", "Not expected:<" + Show(notExpected) + ">. " + message); }
        public static void AreNotSame(object notExpected, object actual, [CallerArgumentExpression("actual")] string message = "") { if (ReferenceEquals(notExpected, actual)) Fail("Assert.AreNotSame", message); }
        public static void AreSame(object expected, object actual, [CallerArgumentExpression("actual")] string message = "") { if (!ReferenceEquals(expected, actual)) Fail("Assert.AreSame", message); }
        public static void Contains(string expected, string value, [CallerArgumentExpression("value")] string message = "") { NotNull(expected, value, "Assert.Contains"); if (value.IndexOf(expected, StringComparison.Ordinal) < 0) Fail("Assert.Contains", "'" + value + "' does not contain '" + expected + "'. " + message); }
        public static void DoesNotContains(string notExpected, string value, [CallerArgumentExpression("value")] string message = "") { NotNull(notExpected, value, "Assert.DoesNotContains"); if (value.IndexOf(notExpected, StringComparison.Ordinal) >= 0) Fail("Assert.DoesNotContains", "'" + value + "' should not contain '" + notExpected + "'. " + message); }
        public static void EndsWith(string expected, string value, [CallerArgumentExpression("value")] string message = "") { NotNull(expected, value, "Assert.EndsWith"); if (!value.EndsWith(expected, StringComparison.Ordinal)) Fail("Assert.EndsWith", "'" + value + "' does not end with '" + expected + "'. " + message); }
        public static void IsFalse(bool condition, [CallerArgumentExpression("condition")] string message = "") { if (condition) Fail("Assert.IsFalse", message); }
        public static void IsInstanceOfType(object value, Type expected, [CallerArgumentExpression("value")] string message = "") { if (expected == null || value == null || !expected.IsInstanceOfType(value)) Fail("Assert.IsInstanceOfType", message); }
        public static void IsNotInstanceOfType(object value, Type notExpected, [CallerArgumentExpression("value")] string message = "") { if (notExpected == null) Fail("Assert.IsNotInstanceOfType", message); if (value != null && notExpected.IsInstanceOfType(value)) Fail("Assert.IsNotInstanceOfType", message); }
        public static void IsNotNull(object value, [CallerArgumentExpression("value")] string message = "") { if (value == null) Fail("Assert.IsNotNull", message); }
        public static void IsNull(object value, [CallerArgumentExpression("value")] string message = "") { if (value != null) Fail("Assert.IsNull", message); }
        public static void IsTrue(bool condition, [CallerArgumentExpression("condition")] string message = "") { if (!condition) Fail("Assert.IsTrue", message); }
        public static void SkipTest(string message = null) { throw new SkipTestException(message); }
        public static void StartsWith(string expected, string value, [CallerArgumentExpression("value")] string message = "") { NotNull(expected, value, "Assert.StartsWith"); if (!value.StartsWith(expected, StringComparison.Ordinal)) Fail("Assert.StartsWith", "'" + value + "' does not start with '" + expected + "'. " + message); }

        public static void ThrowsException(Type exception, Action action, [CallerArgumentExpression("action")] string message = "")
        {
            if (action == null || exception == null) Fail("Assert.ThrowsException", "The parameter is invalid. The value cannot be null.");
            try
            {
                action();
            }
            catch (Exception ex)
            {
                if (exception == ex.GetType()) return;
                Fail("Assert.ThrowsException", "Threw exception " + ex.GetType().Name + ", but exception " + exception.Name + " was expected. " + message);
            }
            Fail("Assert.ThrowsException", "No exception thrown. " + exception.Name + " exception was expected. " + message);
        }

        static void NotNull(string a, string b, string assertion) { if (a == null || b == null) Fail(assertion, "The parameter is invalid. The value cannot be null."); }
    }

    public sealed class CollectionAssert
    {
        public static void Empty(ICollection collection, string message = "") { if (collection == null || collection.Count != 0) throw new AssertFailedException("CollectionAssert.Empty failed. " + message); }
        public static void NotEmpty(ICollection collection, string message = "") { if (collection == null || collection.Count == 0) throw new AssertFailedException("CollectionAssert.NotEmpty failed. " + message); }
        public static void AreEqual(ICollection expected, ICollection actual, string message = "") { if (!Same(expected, actual, out string why)) throw new AssertFailedException("CollectionAssert.AreEqual failed. " + why + " " + message); }
        public static void AreNotEqual(ICollection notExpected, ICollection actual, string message = "") { if (Same(notExpected, actual, out _)) throw new AssertFailedException("CollectionAssert.AreNotEqual failed. " + message); }

        static bool Same(ICollection a, ICollection b, out string why)
        {
            why = "";
            if (ReferenceEquals(a, b)) return true;
            if (a == null || b == null) { why = "One collection is null."; return false; }
            if (a.Count != b.Count) { why = "Different number of elements: " + a.Count + " and " + b.Count + "."; return false; }
            IEnumerator x = a.GetEnumerator(), y = b.GetEnumerator();
            for (int i = 0; x.MoveNext() && y.MoveNext(); i++)
                if (!Equals(x.Current, y.Current)) { why = "Element at index " + i + " do not match: <" + x.Current + "> and <" + y.Current + ">."; return false; }
            return true;
        }
    }

    public static class OutputHelper
    {
        public static void Write(string message) { Console.Write(message); }
        public static void WriteLine(string message) { Console.WriteLine(message); }
    }
}
