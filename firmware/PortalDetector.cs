using Warp.Hal;
using Warp.Protocol;

namespace Warp.Firmware
{
    /// <summary>What the router knows about a captive portal on its uplink.</summary>
    public enum PortalState
    {
        /// <summary>Not probed yet on this network (or with this MAC), or the last probe could not tell.</summary>
        Unknown = 0,
        /// <summary>The probe got its 204, or the tunnel came up: nothing stands in the way.</summary>
        Clear,
        /// <summary>The probe was redirected or got a page: a captive portal wants a login.</summary>
        Detected,
    }

    /// <summary>What the captive-portal detector counts (<see cref="CounterSet"/>).</summary>
    public enum PortalCounter
    {
        None = 0,
        /// <summary>An answer that is not HTTP/1.x (<see cref="PortalVerdict.Malformed"/>).</summary>
        DropMalformedAnswer,
        ProbesStarted,
        /// <summary>The adapter would not start a probe (one still running, no socket).</summary>
        ProbesNotStarted,
        AnswersClear,
        AnswersPortal,
        AnswersOtherStatus,
        /// <summary>No answer at all (no name, refused, closed before a byte).</summary>
        ProbesFailed,
        /// <summary>Still running after <see cref="PortalDetector.ProbeTimeoutMs"/>: cancelled.</summary>
        ProbesTimedOut,
        MacClones,
        MacRestores,
        /// <summary>The platform refused a MAC change, or the MAC given was not a unicast address.</summary>
        MacChangesRefused,
        Count,
    }

    /// <summary>The detector's counters, printed as "portal.xxx".</summary>
    public sealed class PortalCounters : CounterSet
    {
        static readonly string[] names =
        {
            "none", "drop.malformed_answer", "probes_started", "probes_not_started", "answers_clear", "answers_portal",
            "answers_other_status", "probes_failed", "probes_timed_out", "mac_clones", "mac_restores", "mac_changes_refused",
        };

        public PortalCounters() : base("portal", names, (int)PortalCounter.DropMalformedAnswer + 1) { }
        public long this[PortalCounter c] { get { return Get((int)c); } }
        public void Increment(PortalCounter c) { Add((int)c); }
    }

    /// <summary>
    /// Captive-portal detection, the decision half (the probe itself is the platform's
    /// <see cref="IPortalProbe"/>). It probes only when there is a reason to: the uplink is up and
    /// the tunnel has not answered for <see cref="QuietBeforeProbeMs"/>. It then waits out a
    /// backoff that starts at <see cref="FirstBackoffMs"/> and doubles up to <see cref="MaxBackoffMs"/>
    /// (<see cref="MaxPortalBackoffMs"/> while a portal is shown, so its going away is noticed).
    /// An uplink change (a new network, a MAC clone) starts over. 204 means clear; a redirect,
    /// 511 or a 200 with a body means a portal (the Location is kept); anything else tells
    /// nothing. When the tunnel comes up the way is clear, and no probe runs while it stays up
    /// unless asked (<see cref="ProbeNow"/>, the console's <c>portal probe</c>).
    /// <para>The probe is the router's own traffic on the uplink, like its DHCP client: it never
    /// carries a LAN device's packet, so the kill switch is untouched. Time is a parameter; the
    /// tests drive it with a fake clock. Nothing here runs on the packet path.</para>
    /// </summary>
    public sealed class PortalDetector
    {
        public const long QuietBeforeProbeMs = 10000;
        public const long ProbeTimeoutMs = 10000;
        public const long FirstBackoffMs = 30000;
        public const long MaxBackoffMs = 10 * 60 * 1000L;
        public const long MaxPortalBackoffMs = 2 * 60 * 1000L;
        /// <summary>How much of an answer is read: the status line and the head fields that matter.</summary>
        public const int AnswerCapacity = 1024;
        /// <summary>The probe URL when none is configured (Android's connectivity check).</summary>
        public const string DefaultUrl = "http://connectivitycheck.gstatic.com/generate_204";
        const long PollWhileRunningMs = 200;

        readonly IPortalProbe probe;
        readonly byte[] answer;
        readonly bool ownAnswer;
        readonly PortalResponse response = new PortalResponse();
        string location;
        readonly PortalCounters counters;
        string url, host, path;
        int port;
        bool running, forced, answering;
        long runningSince = -1;
        long nextProbeAt;
        long backoff = FirstBackoffMs;
        long quietSince;
        bool uplinkUp = true;

        /// <param name="probe">The platform's probe; null: detection is off (the state stays Unknown).</param>
        /// <param name="scratch">
        /// Where an answer is read and parsed, at least <see cref="AnswerCapacity"/> bytes: the router
        /// lends its output buffer (used and released within one call, as the tunnel's timers use it),
        /// so detection costs the heap no buffer of its own. Null: the detector allocates one.
        /// </param>
        /// <param name="counters">Where it counts (the router lists them); null: its own.</param>
        public PortalDetector(IPortalProbe probe, byte[] scratch, PortalCounters counters)
        {
            this.probe = probe;
            this.counters = counters ?? new PortalCounters();
            ownAnswer = scratch == null || scratch.Length < AnswerCapacity;
            answer = ownAnswer ? new byte[AnswerCapacity] : scratch;
            State = PortalState.Unknown;
            LastProbeAt = -1;
            LastAnswerAt = -1;
            LastStatus = -1;
            SetUrl(DefaultUrl);
        }

        public PortalState State { get; private set; }
        /// <summary>When the last probe started (monotonic ms), -1: never.</summary>
        public long LastProbeAt { get; private set; }
        /// <summary>When the last answer came (monotonic ms), -1: never.</summary>
        public long LastAnswerAt { get; private set; }
        /// <summary>The HTTP status of the last answer, -1: none.</summary>
        public int LastStatus { get; private set; }
        public bool Running { get { return running; } }
        public bool Enabled { get { return probe != null; } }
        public string Url { get { return url; } }
        public PortalCounters Counters { get { return counters; } }
        /// <summary>
        /// Bytes the detector holds: its counters, an answer buffer when none was lent, and the
        /// Location's characters while a portal is shown (a string made at the verdict, at most
        /// <see cref="PortalResponse.LocationCapacity"/> characters).
        /// </summary>
        public int MemoryBytes { get { return counters.MemoryBytes + (ownAnswer ? AnswerCapacity : 0); } }

        /// <summary>The portal's Location when <see cref="State"/> is Detected and a redirect gave one, else "".</summary>
        public string Location { get { return State == PortalState.Detected && location != null ? location : ""; } }

        /// <summary>
        /// Sets the probe URL: "http://host[:port][/path]" (plain HTTP: a portal cannot intercept
        /// TLS without a certificate error, which is why every OS probes over HTTP). False, and the
        /// URL unchanged, when it is not of that form.
        /// </summary>
        public bool SetUrl(string value)
        {
            if (value == null || !value.StartsWith("http://"))
                return false;
            string rest = value.Substring(7);
            int slash = rest.IndexOf('/');
            string hostPort = slash < 0 ? rest : rest.Substring(0, slash);
            string p = slash < 0 ? "/" : rest.Substring(slash);
            int n = 80;
            string h = hostPort;
            int colon = hostPort.LastIndexOf(':');
            if (colon >= 0 && hostPort.IndexOf(']') < colon && (hostPort[0] == '[' || hostPort.IndexOf(':') == colon))
            {
                h = hostPort.Substring(0, colon);
                n = 0;
                string digits = hostPort.Substring(colon + 1);
                if (digits.Length == 0 || digits.Length > 5)
                    return false;
                for (int i = 0; i < digits.Length; i++)
                {
                    if (digits[i] < '0' || digits[i] > '9')
                        return false;
                    n = n * 10 + (digits[i] - '0');
                }
                if (n < 1 || n > 65535)
                    return false;
            }
            if (h.Length > 1 && h[0] == '[' && h[h.Length - 1] == ']')
                h = h.Substring(1, h.Length - 2);
            if (h.Length == 0 || h.Length > 253)
                return false;
            for (int i = 0; i < h.Length; i++)
                if (h[i] <= ' ' || h[i] > '~' || h[i] == '/' || h[i] == '@')
                    return false;
            for (int i = 0; i < p.Length; i++)
                if (p[i] <= ' ' || p[i] > '~')
                    return false;
            url = value;
            host = h;
            port = n;
            path = p;
            return true;
        }

        /// <summary>The console's <c>portal probe</c>: probe at the next tick, whatever the tunnel does.</summary>
        public void ProbeNow()
        {
            forced = true;
        }

        /// <summary>
        /// The uplink changed (another network, a link back up, a MAC clone or restore): what was
        /// known belongs to the old one. Forgets the verdict, cancels a probe in flight (its answer
        /// would speak of the old network or MAC), resets the backoff, and counts the tunnel's silence
        /// from now.
        /// </summary>
        public void OnUplinkChanged(long now)
        {
            if (running)
            {
                probe.Cancel();
                running = false;
            }
            State = PortalState.Unknown;
            location = null;
            backoff = FirstBackoffMs;
            nextProbeAt = now;
            if (now > quietSince)
                quietSince = now;
        }

        /// <summary>
        /// Runs the decision. <paramref name="uplinkUp"/>: the uplink has an address;
        /// <paramref name="tunnelAnswering"/>: the tunnel is up; <paramref name="lastHeard"/>: when
        /// the peer last answered (-1: never), the silence is counted from the later of it and the
        /// last uplink change.
        /// </summary>
        public void Tick(long now, bool uplinkUp, bool tunnelAnswering, long lastHeard)
        {
            this.uplinkUp = uplinkUp;
            if (lastHeard > quietSince)
                quietSince = lastHeard;
            if (tunnelAnswering && !answering)
            {
                State = PortalState.Clear; // the tunnel answers: nothing stands in the way now
                backoff = FirstBackoffMs;
            }
            answering = tunnelAnswering;
            if (running)
            {
                Collect(now);
                if (running)
                    return;
            }
            if (probe == null || host == null)
                return;
            if (!forced && (!uplinkUp || tunnelAnswering || now - quietSince < QuietBeforeProbeMs || now < nextProbeAt))
                return;
            forced = false;
            StartProbe(now);
        }

        void StartProbe(long now)
        {
            if (!probe.Start(host, port, path, now))
            {
                counters.Increment(PortalCounter.ProbesNotStarted);
                Schedule(now, false);
                return;
            }
            counters.Increment(PortalCounter.ProbesStarted);
            running = true;
            runningSince = now;
            LastProbeAt = now;
        }

        void Collect(long now)
        {
            int n;
            ProbeState s = probe.Poll(answer, 0, answer.Length, out n);
            if (s == ProbeState.Running)
            {
                if (now - runningSince < ProbeTimeoutMs)
                    return;
                probe.Cancel();
                running = false;
                counters.Increment(PortalCounter.ProbesTimedOut);
                Schedule(now, false);
                return;
            }
            running = false;
            if (s != ProbeState.Answered)
            {
                counters.Increment(PortalCounter.ProbesFailed);
                Schedule(now, false);
                return;
            }
            if (n < 0 || n > answer.Length)
                n = 0; // an adapter that misreports reads as an empty (malformed) answer
            PortalVerdict v = response.Parse(answer, 0, n);
            location = v == PortalVerdict.Portal ? LocationText() : null;
            System.Array.Clear(answer, 0, n);
            LastAnswerAt = now;
            LastStatus = response.Status;
            switch (v)
            {
                case PortalVerdict.Clear:
                    counters.Increment(PortalCounter.AnswersClear);
                    State = PortalState.Clear;
                    break;
                case PortalVerdict.Portal:
                    counters.Increment(PortalCounter.AnswersPortal);
                    State = PortalState.Detected;
                    break;
                case PortalVerdict.OtherStatus:
                    counters.Increment(PortalCounter.AnswersOtherStatus);
                    State = PortalState.Unknown;
                    break;
                default:
                    counters.Increment(PortalCounter.DropMalformedAnswer);
                    State = PortalState.Unknown;
                    break;
            }
            Schedule(now, State == PortalState.Detected);
        }

        /// <summary>The Location of the answer just parsed, as a string (null: none); once per verdict, off the packet path.</summary>
        string LocationText()
        {
            int n = response.LocationLength;
            if (n == 0)
                return null;
            char[] c = new char[n];
            for (int i = 0; i < n; i++)
                c[i] = (char)answer[response.LocationOffset + i];
            return new string(c);
        }

        void Schedule(long now, bool portal)
        {
            long cap = portal ? MaxPortalBackoffMs : MaxBackoffMs;
            if (backoff > cap)
                backoff = cap;
            nextProbeAt = now + backoff;
            backoff *= 2;
            if (backoff > cap)
                backoff = cap;
        }

        /// <summary>When <see cref="Tick"/> has work next, if nothing else changes.</summary>
        public long NextDeadline(long now)
        {
            if (running || forced)
                return now + (forced ? 0 : PollWhileRunningMs);
            if (probe == null || host == null || answering || !uplinkUp)
                return long.MaxValue;
            long at = quietSince + QuietBeforeProbeMs;
            return at > nextProbeAt ? at : nextProbeAt;
        }

        /// <summary>Name of a state for the console: "unknown", "clear", "detected".</summary>
        public static string StateName(PortalState s)
        {
            return s == PortalState.Clear ? "clear" : s == PortalState.Detected ? "detected" : "unknown";
        }
    }
}
