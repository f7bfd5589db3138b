using System.Collections.Generic;
using Xunit;

namespace Warp.Protocol.Tests
{
    public class EventLogTests
    {
        sealed class Recorder : IEventSink
        {
            public readonly List<EventKind> Kinds = new List<EventKind>();
            public void OnEvent(EventLog log, int index) { Kinds.Add(log.KindAt(index)); }
        }

        [Fact]
        public void ASinkAttachedAfterStartUpIsToldWhatStartUpRecorded()
        {
            // Issue 18 in the lab: the lease-store damage found while the router was built went into
            // the ring before the Linux host set its stderr sink, so stderr never said it.
            var log = new EventLog(4);
            log.Add(EventKind.LeaseStoreDamaged, 0, 3, 1);
            log.Add(EventKind.ConfigWarning, 1, 0, 0);
            var r = new Recorder();
            log.Attach(r);
            Assert.Equal(new[] { EventKind.LeaseStoreDamaged, EventKind.ConfigWarning }, r.Kinds);
            log.Add(EventKind.LeaseGranted, 2, 0, 0);
            Assert.Equal(3, r.Kinds.Count);
            Assert.Equal(EventKind.LeaseGranted, r.Kinds[2]);
            // A full ring gives the entries it still holds, oldest first.
            var full = new EventLog(2);
            for (int i = 0; i < 3; i++)
                full.Add(EventKind.LeaseGranted, i * 20000, i, 0);
            var f = new Recorder();
            full.Attach(f);
            Assert.Equal(2, f.Kinds.Count);
            full.Attach(null);
            full.Add(EventKind.LeaseGranted, 90000, 9, 0);
            Assert.Equal(2, f.Kinds.Count);
        }
    }
}
