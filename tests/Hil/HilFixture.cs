using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace Warp.Hil.Tests
{
    /// <summary>One router under test for the whole suite (the lab is built once); results written at the end.</summary>
    public sealed class HilFixture : IDisposable
    {
        public readonly StringWriter Log = new StringWriter();
        public readonly IRouterUnderTest Router;
        public readonly string Target;
        bool startFailed;
        string startError;

        public HilFixture()
        {
            Router = RouterUnderTest.Create(TextWriter.Synchronized(Log));
            Target = Router is BoardRouter ? "board" : "linux";
        }

        /// <summary>Skips (with the reason) where the router cannot be driven; starts it on first use.</summary>
        public void Require()
        {
            string reason = Router.SkipReason;
            if (reason == null && Router is LinuxRouter)
                Warp.Lab.Tests.LabRequirements.RequireLab(); // the machine-wide lab lock (fails in CI when not root)
            if (reason != null) throw new SkipException(reason);
            if (startFailed) throw new InvalidOperationException("the router did not start: " + startError);
            try { Router.Start(); }
            catch (Exception e) { startFailed = true; startError = e.Message; throw; }
            if (Router.SkipReason != null) throw new SkipException(Router.SkipReason);
        }

        public void Dispose()
        {
            try { Router.Dispose(); }
            finally { HilResults.Write(Target); }
        }
    }

    [CollectionDefinition("hil")]
    public sealed class HilCollection : ICollectionFixture<HilFixture> { }
}
