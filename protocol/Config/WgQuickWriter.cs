using System;

namespace Warp.Protocol.Config
{
    /// <summary>
    /// Writes <see cref="RouterSettings"/> back as a configuration file that
    /// <see cref="WgQuickParser"/> reads to equal settings (parse(export(parse(x))) equals
    /// parse(x)), and renders the masked view for the console's <c>config</c> command.
    /// <list type="bullet">
    /// <item><see cref="Export"/>: the full file, secrets included; for the settings store only, never for a log.</item>
    /// <item><see cref="ExportForLinux"/>: a plain wg-quick file for a Linux or desktop client
    /// with the same account: no [Router] section, and ClientId as a comment (wg(8) refuses
    /// unknown keys).</item>
    /// <item><see cref="RenderMasked"/>: private and preshared keys shown as "(hidden)"; safe to print.</item>
    /// </list>
    /// Every value is written in the canonical form the parser reads back: addresses in RFC 5952
    /// form, durations in their shortest exact unit, the client id as base64 of its three bytes.
    /// Linux-only keys the parser ignored (PostUp, Table, ...) are not written.
    /// </summary>
    public static class WgQuickWriter
    {
        public const string Hidden = "(hidden)";

        const int ModeFull = 0;
        const int ModeLinux = 1;
        const int ModeMasked = 2;

        public static string Export(RouterSettings s) { return Render(s, ModeFull); }

        public static string ExportForLinux(RouterSettings s) { return Render(s, ModeLinux); }

        public static string RenderMasked(RouterSettings s) { return Render(s, ModeMasked); }

        /// <summary>The full file as UTF-8 bytes for the settings store. Clear the array after writing it (it holds the keys).</summary>
        public static byte[] ExportBytes(RouterSettings s) { return Utf8Text.Encode(Export(s)); }

        static string Render(RouterSettings s, int mode)
        {
            TextBuilder o = new TextBuilder(1024);
            o.Append("[Interface]\n");
            InterfaceSettings i = s.Interface;
            Line(o, "PrivateKey", Key(i.PrivateKey, mode));
            if (i.Addresses.Length > 0)
                Line(o, "Address", List(i.Addresses, true));
            if (i.Dns.Length > 0)
                Line(o, "DNS", List(i.Dns, false));
            Line(o, "MTU", i.Mtu.ToString());
            if (i.ListenPort != 0)
                Line(o, "ListenPort", i.ListenPort.ToString());

            for (int p = 0; p < s.Peers.Length; p++)
            {
                o.Append('\n');
                RenderPeer(o, s.Peers[p], mode);
            }
            if (mode != ModeLinux)
            {
                o.Append('\n');
                RenderRouter(o, s);
            }
            string text = o.ToString();
            o.Clear();
            return text;
        }

        static void RenderPeer(TextBuilder o, PeerSettings peer, int mode)
        {
            o.Append("[Peer]\n");
            Line(o, "PublicKey", peer.PublicKey == null ? "" : Convert.ToBase64String(peer.PublicKey));
            if (peer.PresharedKey != null)
                Line(o, "PresharedKey", Key(peer.PresharedKey, mode));
            if (peer.ClientId != 0)
            {
                byte[] id = new byte[] { (byte)(peer.ClientId >> 16), (byte)(peer.ClientId >> 8), (byte)peer.ClientId };
                string text = Convert.ToBase64String(id) + "  # " + id[0].ToString() + "," + id[1].ToString() + "," + id[2].ToString();
                if (mode == ModeLinux)
                    o.Append("# WARP reserved bytes (not a wg(8) key): ");
                Line(o, "ClientId", text);
            }
            if (peer.AllowedIps.Length > 0)
                Line(o, "AllowedIPs", List(peer.AllowedIps, true));
            if (peer.Endpoints.Length > 0)
            {
                if (mode == ModeLinux)
                {
                    // wg(8) takes one endpoint: the first; the rest stay as comments.
                    Line(o, "Endpoint", peer.Endpoints[0].ToString());
                    for (int e = 1; e < peer.Endpoints.Length; e++)
                        o.Append("# ").Append("Endpoint = ").Append(peer.Endpoints[e].ToString()).Append('\n');
                }
                else
                {
                    string list = "";
                    for (int e = 0; e < peer.Endpoints.Length; e++)
                        list += (e > 0 ? ", " : "") + peer.Endpoints[e].ToString();
                    Line(o, "Endpoint", list);
                }
            }
            if (peer.PersistentKeepalive != 0)
                Line(o, "PersistentKeepalive", peer.PersistentKeepalive.ToString());
        }

        static void RenderRouter(TextBuilder o, RouterSettings s)
        {
            LanSettings lan = s.Lan;
            NatSettings nat = s.Nat;
            o.Append("[Router]\n");
            Line(o, "LanAddress", lan.Address.ToString());
            if (lan.UlaPrefix != null)
                Line(o, "UlaPrefix", lan.UlaPrefix.ToString());
            if (lan.DhcpPoolStart != null && lan.DhcpPoolEnd != null)
            {
                Line(o, "DhcpPoolStart", lan.DhcpPoolStart.AddressToString());
                Line(o, "DhcpPoolEnd", lan.DhcpPoolEnd.AddressToString());
            }
            Line(o, "DhcpLeaseTime", ConfigValues.FormatDuration(lan.DhcpLeaseSeconds));
            for (int k = 0; k < lan.StaticLeases.Length; k++)
                Line(o, "StaticLease", lan.StaticLeases[k].ToString());
            if (lan.Resolvers.Length > 0)
                Line(o, "Resolver", List(lan.Resolvers, false));
            Line(o, "DnsRedirect", lan.DnsRedirect ? "on" : "off");
            Line(o, "LanInterface", lan.LanInterface);
            Line(o, "NatEntries", nat.Entries.ToString());
            Line(o, "NatUdpTimeout", ConfigValues.FormatDuration(nat.UdpTimeout));
            Line(o, "NatTcpEstablishedTimeout", ConfigValues.FormatDuration(nat.TcpEstablishedTimeout));
            Line(o, "NatTcpTransitoryTimeout", ConfigValues.FormatDuration(nat.TcpTransitoryTimeout));
            Line(o, "NatIcmpTimeout", ConfigValues.FormatDuration(nat.IcmpTimeout));
            Line(o, "NatDnsTimeout", ConfigValues.FormatDuration(nat.DnsTimeout));
            Line(o, "NatHostShare", nat.HostShare.ToString());
            if (!s.Uplink.Race)
                Line(o, "Race", "off");
            if (s.Uplink.ConnectionAttemptDelay != UplinkSettings.DefaultConnectionAttemptDelay)
                Line(o, "ConnectionAttemptDelay", s.Uplink.ConnectionAttemptDelay.ToString() + "ms");
        }

        /// <summary>A secret key: base64 for export, "(hidden)" in the masked view, "" when absent.</summary>
        static string Key(byte[] key, int mode)
        {
            if (key == null)
                return "";
            return mode == ModeMasked ? Hidden : Convert.ToBase64String(key);
        }

        static string List(IpPrefix[] items, bool withPrefix)
        {
            string s = "";
            for (int k = 0; k < items.Length; k++)
                s += (k > 0 ? ", " : "") + (withPrefix ? items[k].ToString() : items[k].AddressToString());
            return s;
        }

        static void Line(TextBuilder o, string key, string value)
        {
            o.Append(key).Append(" = ").Append(value).Append('\n');
        }
    }
}
