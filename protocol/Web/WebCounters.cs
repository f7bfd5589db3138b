namespace Warp.Protocol.Web
{
    /// <summary>
    /// What the router's own web server counts: every segment it drops by reason, then the TCP
    /// events (SYN cookies, connections, retransmissions) and the HTTP answers and refusals.
    /// </summary>
    public enum WebCounter
    {
        /// <summary>No reason (the shared sentinel, never counted).</summary>
        None = 0,
        /// <summary>A TCP header that does not parse (data offset outside the segment).</summary>
        DropMalformedSegment,
        DropBadChecksum,
        /// <summary>A fragment to the web port: the server takes whole segments only.</summary>
        DropFragment,
        /// <summary>An ACK for no connection whose SYN cookie does not verify (forged, or older than two minutes): answered with RST.</summary>
        DropBadCookie,
        /// <summary>A segment for no connection that is neither a SYN nor a cookie ACK: answered with RST.</summary>
        DropNoConnection,
        /// <summary>A handshake completed while every connection slot held a request in progress: answered with RST.</summary>
        DropTableFull,
        /// <summary>Data beyond what the receive buffer holds (the sender ignored the window).</summary>
        DropBeyondWindow,
        /// <summary>Data after a gap (the server delivers in order only; the sender retransmits the gap).</summary>
        DropOutOfOrder,
        /// <summary>An ACK of data never sent.</summary>
        DropBadAck,
        /// <summary>A RST whose sequence number is not the expected one (RFC 5961: a challenge ACK instead).</summary>
        DropRstOutOfWindow,
        /// <summary>A segment without ACK on a connection.</summary>
        DropNoAck,
        /// <summary>A SYN beyond the SYN-ACK rate (per source address, and for all sources together): not answered (a SYN flood).</summary>
        DropSynRateLimited,
        SegmentsReceived,
        SegmentsSent,
        SynCookiesSent,
        ConnectionsOpened,
        ConnectionsClosed,
        /// <summary>The client reset the connection.</summary>
        ConnectionsReset,
        /// <summary>Given up after the retransmission limit or the connection's lifetime: RST sent.</summary>
        ConnectionsAborted,
        /// <summary>A slot taken from a connection that had sent no complete request (slowloris) for a new one.</summary>
        ConnectionsEvicted,
        Retransmissions,
        ResetsSent,
        ChallengeAcks,
        HttpRequests,
        HttpOk,
        HttpRedirects,
        HttpBadRequest,
        HttpForbidden,
        HttpNotFound,
        HttpMethodNotAllowed,
        HttpRequestTimeout,
        HttpLengthRequired,
        HttpPayloadTooLarge,
        HttpUriTooLong,
        HttpTooManyRequests,
        HttpHeadersTooLarge,
        LoginsSucceeded,
        LoginsFailed,
        LoginsRateLimited,
        /// <summary>A POST whose CSRF token or Origin did not match: refused with 403.</summary>
        CsrfRefused,
        /// <summary>A page asked for without a valid session cookie: sent to the login form.</summary>
        SessionsRefused,
        /// <summary>A page larger than the free send buffer: sent in chunks as the client acknowledged (no Content-Length).</summary>
        HttpStreamed,
        Count,
    }

    /// <summary>The web server's counters (module "web"), typed by <see cref="WebCounter"/>.</summary>
    public sealed class WebCounters : CounterSet
    {
        static readonly string[] names =
        {
            "none",
            "drop.malformed_segment", "drop.bad_checksum", "drop.fragment", "drop.bad_cookie", "drop.no_connection",
            "drop.table_full", "drop.beyond_window", "drop.out_of_order", "drop.bad_ack", "drop.rst_out_of_window", "drop.no_ack",
            "drop.syn_rate_limited",
            "segments_received", "segments_sent", "syn_cookies_sent", "connections_opened", "connections_closed",
            "connections_reset", "connections_aborted", "connections_evicted", "retransmissions", "resets_sent", "challenge_acks",
            "http_requests", "http_ok", "http_redirects", "http_bad_request", "http_forbidden", "http_not_found",
            "http_method_not_allowed", "http_request_timeout", "http_length_required", "http_payload_too_large", "http_uri_too_long",
            "http_too_many_requests", "http_headers_too_large",
            "logins_succeeded", "logins_failed", "logins_rate_limited", "csrf_refused", "sessions_refused",
            "http_streamed",
        };

        public WebCounters() : base("web", names, (int)WebCounter.DropSynRateLimited + 1) { }
        public long this[WebCounter c] { get { return Get((int)c); } }
        public void Increment(WebCounter c) { Add((int)c); }
    }
}
