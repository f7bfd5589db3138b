using Warp.Protocol.Uplink;
using Warp.Protocol.WireGuard;
using Xunit;

namespace Warp.Protocol.Tests.Uplink
{
    public class PathSelectorTests
    {
        static Endpoint V4(uint a, int port) { var e = new Endpoint(); e.SetIpv4(a, port); return e; }
        static Endpoint V6(byte last, int port)
        {
            var b = new byte[16]; b[0] = 0x26; b[1] = 0x06; b[15] = last;
            var e = new Endpoint(); e.Set(Endpoint.FamilyIpv6, b, 0, port); return e;
        }

        [Fact]
        public void TheFirstCandidateIsCurrentAndDuplicatesAreRefused()
        {
            var p = new PathSelector(3);
            Assert.False(p.Current.IsSet);
            Assert.True(p.Add(V4(0xA29FC001, 2408)));
            Assert.False(p.Add(V4(0xA29FC001, 2408)));   // same address and port
            Assert.True(p.Add(V4(0xA29FC001, 500)));     // another port is another path
            Assert.True(p.Add(V6(1, 2408)));
            Assert.False(p.Add(V6(2, 2408)));            // full
            Assert.False(p.Add(new Endpoint()));          // unset
            Assert.False(p.Add(null));
            Assert.Equal(3, p.Count);
            Assert.Equal("162.159.192.1:2408", p.Current.ToString());
            Assert.Equal(0, p.Changes);
        }

        [Fact]
        public void AuthenticatedSourcesMoveTheCurrentPath()
        {
            var p = new PathSelector(2);
            p.Add(V4(0x0A000001, 51820));
            p.OnAuthenticated(V4(0x0A000001, 51820));
            Assert.Equal(0, p.Changes);
            p.OnAuthenticated(V4(0x0A000002, 4500));
            Assert.Equal("10.0.0.2:4500", p.Current.ToString());
            Assert.Equal(1, p.Changes);
            p.OnAuthenticated(new Endpoint());
            Assert.Equal("10.0.0.2:4500", p.Current.ToString());
        }

        [Fact]
        public void AFamilyDownMovesToAnotherFamilyOnlyWhenItHasOne()
        {
            var p = new PathSelector(4);
            p.Add(V6(1, 2408));
            p.Add(V4(0xA29FC001, 2408));
            Assert.False(p.OnFamilyDown(Endpoint.FamilyIpv4)); // not the current family
            Assert.True(p.OnFamilyDown(Endpoint.FamilyIpv6));
            Assert.Equal("162.159.192.1:2408", p.Current.ToString());
            var only = new PathSelector(2);
            only.Add(V4(0xA29FC001, 2408));
            Assert.False(only.OnFamilyDown(Endpoint.FamilyIpv4));
            Assert.Equal("162.159.192.1:2408", only.Current.ToString());
        }

        [Fact]
        public void ClearForgetsEverything()
        {
            var p = new PathSelector(2);
            p.Add(V4(1, 1));
            p.Clear();
            Assert.Equal(0, p.Count);
            Assert.False(p.Current.IsSet);
            Assert.True(p.Add(V4(1, 1)));
        }
    }
}
