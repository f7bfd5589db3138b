using Warp.Hal;
using Warp.Protocol;
using Warp.Protocol.Config;
using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Warp.Protocol.Web;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>
    /// The setup page's HTML: plain forms, no script, one small inline style sheet
    /// (<see cref="Style"/>), written straight into the connection's send buffer. Everything
    /// that comes from outside (network names, config lines, error texts) is HTML-escaped.
    /// No key is ever written: not the private key, not the preshared key, not the peer's key.
    /// </summary>
    public sealed class WebPages
    {
        /// <summary>The style sheet, served as /s.css (cached a day, so each page stays small); a constant of the assembly (flash on the device, not heap).</summary>
        public const string Style =
            "body{font:16px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}" +
            "header{background:#1f3b73;color:#fff;padding:.6em 1em}header b{font-size:1.1em}" +
            "nav{display:flex;flex-wrap:wrap;gap:.2em;padding:.4em .6em;background:#fff;border-bottom:1px solid #dde}" +
            "nav a{padding:.35em .7em;border-radius:6px;text-decoration:none;color:#1f3b73}nav a.on{background:#1f3b73;color:#fff}" +
            "nav form{margin-left:auto}main{padding:.6em 1em;max-width:40em}" +
            "section{background:#fff;border:1px solid #dde;border-radius:8px;padding:.6em .9em;margin:.7em 0}" +
            "h1{font-size:1.25em;margin:.3em 0}h2{font-size:1.05em;margin:.2em 0 .5em}" +
            "table{border-collapse:collapse;width:100%;font-size:.92em}td,th{text-align:left;padding:.25em .3em;border-bottom:1px solid #eef}" +
            "input,textarea,button{font:inherit;box-sizing:border-box}input[type=password],input[type=text],textarea{width:100%;padding:.45em;margin:.2em 0 .6em;border:1px solid #bbc;border-radius:6px}" +
            "textarea{height:12em;font-family:monospace;font-size:.85em}" +
            "button{padding:.45em 1em;border:0;border-radius:6px;background:#1f3b73;color:#fff}button.alt{background:#e4e7ef;color:#1f3b73}" +
            ".up{color:#17803d;font-weight:bold}.hs{color:#a15c00;font-weight:bold}.down{color:#b3261e;font-weight:bold}" +
            ".msg{padding:.5em .8em;border-radius:6px;background:#e8f0fe}.err{background:#fde8e8}.k{color:#667}" +
            "form.row{display:inline}ul{padding-left:1.2em}";

        readonly WebAdmin web;
        readonly byte[] address = new byte[16];

        public WebPages(WebAdmin web) { this.web = web; }

        HttpResponse R { get { return web.Response; } }

        void Head(string title)
        {
            R.Write("<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content=\"width=device-width,initial-scale=1\"><title>")
                .Text(title).Write(" \u2013 Warp router</title><link rel=stylesheet href=/s.css><header><b>Warp router</b></header>").Part();
        }

        void Nav(int session, int on)
        {
            R.Write("<nav>");
            Tab("/", "Status", on == 0);
            Tab("/wifi", "Uplink Wi-Fi", on == 1);
            Tab("/warp", "WARP", on == 2);
            Tab("/portal", "Hotel login", on == 3);
            R.Write("<form method=post action=/logout><input type=hidden name=csrf value=");
            web.WriteCsrf(session);
            R.Write("><button class=alt id=logout>Log out</button></form></nav><main>").Part();
        }

        void Tab(string href, string label, bool on)
        {
            R.Write("<a href=").Write(href).Write(on ? " class=on>" : ">").Write(label).Write("</a>");
        }

        void Csrf(int session)
        {
            R.Write("<input type=hidden name=csrf value=");
            web.WriteCsrf(session);
            R.Write(">");
        }

        void Message(string message, bool error)
        {
            if (message != null)
                R.Write(error ? "<p class=\"msg err\" id=msg>" : "<p class=msg id=msg>").Text(message).Write("</p>");
            R.Part();
        }

        void Tail() { R.Write("</main></html>"); }

        public void Error(int status, string reason)
        {
            Head(reason);
            R.Write("<main><h1>").Number(status).Write(" ").Text(reason).Write("</h1><p><a href=/>Back to the router</a></p></main></html>");
        }

        public void Setup(byte[] preToken, int tokenOffset, string error)
        {
            Head("Set the admin password");
            R.Write("<main><h1>Welcome</h1><section><h2>Set the admin password</h2><p>Anyone on this router's network can open this page: choose a password first.</p>");
            Message(error, true);
            R.Write("<form method=post action=/setup><input type=hidden name=csrf value=").Hex(preToken, tokenOffset, WebAdmin.TokenLength)
                .Write("><label>Password<input type=password name=password minlength=8 maxlength=128 autocomplete=new-password required></label>")
                .Write("<label>Again<input type=password name=confirm minlength=8 maxlength=128 autocomplete=new-password required></label>")
                .Write("<button id=set>Set password</button></form></section></main></html>");
        }

        public void Login(byte[] preToken, int tokenOffset, string error)
        {
            Head("Log in");
            R.Write("<main><h1>Log in</h1><section>");
            Message(error, true);
            R.Write("<form method=post action=/login><input type=hidden name=csrf value=").Hex(preToken, tokenOffset, WebAdmin.TokenLength)
                .Write("><label>Admin password<input type=password name=password autocomplete=current-password required autofocus></label>")
                .Write("<button id=login>Log in</button></form></section></main></html>");
        }

        // ------------------------------------------------------------------ status

        public void Status(int session, long now)
        {
            Router r = web.Router;
            Head("Status");
            Nav(session, 0);
            R.Write("<h1>Status</h1>");
            if (r == null)
            {
                R.Write("<p>Starting.</p>");
                Tail();
                return;
            }
            Peer p = r.Tunnel.GetPeer(0);
            int state = p.State(now);
            R.Write("<section><h2>Tunnel</h2><p id=tunnel class=").Write(state == Peer.StateUp ? "up>Up" : state == Peer.StateHandshaking ? "hs>Handshaking" : "down>Down")
                .Write("</p><p class=k id=reason>").Text(r.TunnelReason(now)).Write("</p><table>");
            R.Part();
            Row("Last handshake", p.LastHandshakeCompleted < 0 ? "never" : Ago(now - p.LastHandshakeCompleted));
            Endpoint e = r.Paths.Current;
            Row("Path", e.IsSet ? (e.Family == Endpoint.FamilyIpv6 ? "IPv6 " : "IPv4 ") + e.ToString() : "none");
            Row("Round trip", r.Paths.Rtt < 0 ? "unknown" : r.Paths.Rtt.ToString() + " ms");
            Row("Uplink", r.UplinkName(r.Paths.CurrentUplink) + (r.UplinkUp ? "" : " (no link)"));
            Row("Sent / received", Bytes(p.BytesSent) + " / " + Bytes(p.BytesReceived));
            R.Write("</table></section>").Part();

            LanServices lan = r.Lan;
            int leases = lan.LeaseCount;
            R.Write("<section><h2>Devices</h2><table id=devices><tr><th>Address<th>Device<th>Lease</tr>");
            DhcpLeaseTable t = lan.Leases;
            byte[] mac = address;
            // One part per lease slot of the table (a fixed number, whatever the count now): a lease
            // that comes or goes while the page streams shifts rows, never cuts one.
            for (int i = 0; i < t.Capacity; i++)
            {
                R.Part();
                int slot = i < leases ? lan.LeaseSlot(i) : -1;
                if (slot < 0)
                    continue;
                t.CopyMacAt(slot, mac, 0);
                byte st = t.EffectiveState(slot, now);
                long left = t.ExpiresAt(slot) - now;
                R.Write("<tr><td>").Write(LanServices.FormatIpv4(t.AddressAt(slot))).Write("<td>").Write(MacAddress.Format(mac, 0))
                    .Write("<td>").Write(DhcpLeaseTable.StateName(st));
                if (left > 0 && st == DhcpLeaseTable.StateBound)
                    R.Write(", ").Write(Ago(left)).Write(" left");
                R.Write("</tr>");
            }
            R.Part();
            R.Write("</table><p class=k>").Number(leases).Write(" lease(s), ").Number(lan.Devices.Count).Write(" device(s) seen, ")
                .Number(lan.Ipv6BindingCount).Write(" IPv6 address(es)</p></section>").Part();

            R.Write("<section><h2>Counters</h2><table>");
            RouterCounters rc = r.Counters;
            Row("Packets into the tunnel", rc[RouterCounter.PacketsToTunnel].ToString());
            Row("NAT sessions", r.Nat.Table.Count.ToString() + " of " + r.Nat.Table.Capacity.ToString());
            Row("Handshakes completed", r.Tunnel.Counters[TunnelCounter.HandshakesCompleted].ToString());
            long drops = 0;
            CounterSet[] sets = r.CounterSets;
            for (int i = 0; i < sets.Length; i++)
                drops += sets[i].TotalDrops;
            Row("Packets dropped (all reasons)", drops.ToString());
            Row("Uptime", Ago(now - r.StartedAt));
            R.Part();
            R.Write("</table><p><a href=/>Refresh</a></p></section>");
            Tail();
        }

        void Row(string name, string value)
        {
            R.Write("<tr><th>").Write(name).Write("<td>").Text(value).Write("</tr>").Part();
        }

        static string Ago(long ms)
        {
            long s = ms / 1000;
            if (s < 120) return s.ToString() + " s";
            if (s < 7200) return (s / 60).ToString() + " min";
            return (s / 3600).ToString() + " h";
        }

        static string Bytes(long n)
        {
            if (n < 10000) return n.ToString() + " B";
            if (n < 10000000) return (n / 1000).ToString() + " kB";
            return (n / 1000000).ToString() + " MB";
        }

        // ------------------------------------------------------------------ uplink Wi-Fi

        public void Wifi(int session, string message)
        {
            Head("Uplink Wi-Fi");
            Nav(session, 1);
            R.Write("<h1>Uplink Wi-Fi</h1>");
            Message(message, message != null && message.IndexOf("Could not") >= 0);
            IUplinkSetup u = web.UplinkSetup;
            if (u == null)
            {
                R.Write("<section><p>This host has no Wi-Fi uplink to set up here.</p></section>");
                Tail();
                return;
            }
            R.Write("<section><h2>Now</h2><p id=uplink>").Text(u.Current).Write("</p></section>");
            if (u.CanScan)
            {
                string[] names = new string[12];
                int[] signal = new int[12];
                int n = u.Scan(names, signal);
                R.Write("<section><h2>Networks around</h2>");
                if (n == 0)
                    R.Write("<p>None found yet: <a href=/wifi>look again</a>.</p>");
                for (int i = 0; i < names.Length; i++)
                {
                    R.Part(); // one part per result the scan can return (a fixed number)
                    if (i >= n)
                        continue;
                    R.Write("<form method=post action=/wifi/join>");
                    Csrf(session);
                    R.Write("<input type=hidden name=name value=\"").Text(names[i]).Write("\"><b>").Text(names[i]).Write("</b> <span class=k>")
                        .Number(signal[i]).Write(" dBm</span><input type=password name=password placeholder=\"password (empty: open network)\"><button>Join</button></form>");
                }
                R.Write("</section>").Part();
            }
            else
                R.Write("<section><p>This host does not scan for Wi-Fi: its uplink is the interface above.</p></section>");
            R.Write("<section><h2>Saved networks (tried in this order)</h2><ul>");
            for (int i = 0; i < u.SavedCount; i++)
            {
                string name = u.SavedName(i);
                R.Part().Write("<li>").Text(name).Write(" <form class=row method=post action=/wifi/up>");
                Csrf(session);
                R.Write("<input type=hidden name=name value=\"").Text(name).Write("\"><button class=alt>Up</button></form> <form class=row method=post action=/wifi/forget>");
                Csrf(session);
                R.Write("<input type=hidden name=name value=\"").Text(name).Write("\"><button class=alt>Forget</button></form>");
            }
            if (u.SavedCount == 0)
                R.Write("<li>none");
            R.Part().Write("</ul><form method=post action=/wifi/join>");
            Csrf(session);
            R.Write("<label>Network name<input type=text name=name required></label><label>Password<input type=password name=password></label><button>Join</button></form></section>");
            Tail();
        }

        // ------------------------------------------------------------------ WARP

        public void Warp(int session, string message, int errors)
        {
            Router r = web.Router;
            Head("WARP");
            Nav(session, 2);
            R.Write("<h1>WARP account</h1>");
            if (message != null)
                R.Write(errors > 0 ? "<div class=\"msg err\" id=msg>" : "<div class=msg id=msg>").Write(message).Write("</div>");
            R.Part();
            if (r != null)
            {
                PeerSettings peer = r.Settings.Peer;
                R.Write("<section><h2>Now</h2><table>");
                Row("Client id", peer.ClientId == 0 ? "none (a standard WireGuard peer)" : ClientIdText(peer.ClientId));
                string endpoints = "";
                for (int i = 0; i < peer.Endpoints.Length; i++)
                    endpoints += (i > 0 ? ", " : "") + peer.Endpoints[i].ToString();
                Row("Endpoints", endpoints);
                IpPrefix[] a = r.Settings.Interface.Addresses;
                string addresses = "";
                for (int i = 0; i < a.Length; i++)
                    addresses += (i > 0 ? ", " : "") + a[i].ToString();
                Row("Tunnel addresses", addresses);
                R.Write("</table><p class=k>Keys are never shown.</p></section>");
            }
            R.Part();
            R.Write("<section><h2>Import a wg-quick or wgcf file</h2><form method=post action=/warp/import>");
            Csrf(session);
            R.Write("<textarea name=config placeholder=\"[Interface]&#10;PrivateKey = ...\" required></textarea><button id=import>Import and restart</button></form>" +
                "<p class=k>The file's [Interface] and [Peer] replace the current ones; this router's own settings stay.</p></section>");
            Tail();
        }

        static string ClientIdText(int id)
        {
            byte[] b = new byte[] { (byte)(id >> 16), (byte)(id >> 8), (byte)id };
            return System.Convert.ToBase64String(b) + " (" + b[0].ToString() + "," + b[1].ToString() + "," + b[2].ToString() + ")";
        }

        /// <summary>
        /// Parses an uploaded file (the current [Router] section is added when it has none) and,
        /// when it has no errors, has the router store it and restart with it. Returns the page's
        /// message (HTML, escaped here), and the number of errors.
        /// </summary>
        public string Import(byte[] data, int offset, int length, long now, out int errors)
        {
            Router r = web.Router;
            errors = 0;
            string text = Utf8Text.Decode(data, offset, length);
            if (r != null && text.IndexOf("[Router]") < 0)
            {
                string masked = r.MaskedConfig;
                int at = masked.IndexOf("[Router]");
                if (at >= 0)
                    text = text + (text.Length > 0 && text[text.Length - 1] != '\n' ? "\n" : "") + masked.Substring(at);
            }
            var d = new ConfigDiagnostics();
            RouterSettings s = RouterConfig.Load(text, r != null ? r.Sizes : RouterSizes.LinuxHost(), d);
            string html = "";
            if (s == null)
            {
                errors = d.ErrorCount < 1 ? 1 : d.ErrorCount;
                html = "<p>The file was not imported:</p><ul id=errors>";
                for (int i = 0; i < d.StoredErrorCount; i++)
                    html += "<li>" + Escape(d.Error(i).ToString()) + "</li>";
                html += "</ul>";
                return html;
            }
            s.ClearSecrets();
            for (int i = 0; i < d.StoredWarningCount; i++)
                html += "<p>warning: " + Escape(d.Warning(i).ToString()) + "</p>";
            byte[] bytes = Utf8Text.Encode(text);
            bool stored = r != null && r.ImportConfig(bytes, now);
            CryptoClear(bytes);
            if (!stored)
            {
                errors = 1;
                return html + "<p>The configuration is valid but could not be stored.</p>";
            }
            return "<p id=imported>Imported. The router restarts with it now; the tunnel comes up in a few seconds.</p>" + html;
        }

        static void CryptoClear(byte[] b) { System.Array.Clear(b, 0, b.Length); }

        static string Escape(string s)
        {
            string o = "";
            int from = 0;
            for (int i = 0; i < s.Length; i++)
            {
                string rep = null;
                switch (s[i])
                {
                    case '&': rep = "&amp;"; break;
                    case '<': rep = "&lt;"; break;
                    case '>': rep = "&gt;"; break;
                    case '"': rep = "&quot;"; break;
                    case '\'': rep = "&#39;"; break;
                }
                if (rep == null)
                    continue;
                o += s.Substring(from, i - from) + rep;
                from = i + 1;
            }
            return o + s.Substring(from);
        }

        // ------------------------------------------------------------------ captive portal

        public void Portal(int session, string message, long now)
        {
            Head("Hotel login");
            Nav(session, 3);
            R.Write("<h1>Hotel login (captive portal)</h1>");
            Message(message, false);
            R.Write("<section><p id=portal>").Text(web.Router != null ? web.Router.PortalText(now) : "unknown").Write("</p>" +
                "<p>If the hotel network wants a login page, open any http:// site on this phone while it is joined to the hotel Wi-Fi directly, " +
                "log in there, then come back to this router's Wi-Fi and press the button: the router's uplink takes this device's address, " +
                "the way the hotel now knows it.</p><form method=post action=/portal/clone>");
            Csrf(session);
            R.Write("<button id=clone>Use this device's hotel login</button></form></section>").Part().Write("<section><form method=post action=/portal/restore>");
            Csrf(session);
            R.Write("<button class=alt id=restore>Restore my MAC</button></form></section>");
            Tail();
        }

        /// <summary>Clones the requesting device's MAC onto the uplink, or restores the router's own; the page's message.</summary>
        public string PortalAction(int connection, bool clone, long now)
        {
            Router r = web.Router;
            if (r == null)
                return "The router is starting.";
            int v = web.ClientAddress(connection, address);
            return clone ? r.PortalClone(v, address, now) : r.PortalRestore(now);
        }
    }
}
