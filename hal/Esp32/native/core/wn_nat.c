/* NAT translation for offloaded flows (wn_nat.h). */
#include "wn_nat.h"
#include "wn_checksum.h"

#include <string.h>

#define TCP 6
#define UDP 17
#define ICMP 1
#define ICMPV6 58

/* The transport header of a packet, parsed as NatTransport.Parse does; false when the fast path does not take it. */
typedef struct {
    uint8_t *l4;
    size_t l4_length;
    uint16_t src_port, dst_port; /* ICMP: both the identifier */
    int checksum_at;            /* offset of the checksum in l4 */
} transport;

static bool parse_transport(uint8_t *l4, size_t length, uint8_t protocol, bool v6, bool outbound, transport *t)
{
    t->l4 = l4;
    t->l4_length = length;
    switch (protocol) {
    case TCP: {
        if (length < 20)
            return false;
        size_t header = (size_t)(l4[12] >> 4) * 4;
        if (header < 20 || header > length)
            return false;
        if (l4[13] & 0x07) /* FIN, SYN, RST: state changes, and the MSS clamp, are the managed core's */
            return false;
        t->checksum_at = 16;
        break;
    }
    case UDP: {
        if (length < 8)
            return false;
        uint16_t field = wn_rd16(l4 + 4);
        if (field < 8 || field > length)
            return false;
        if (v6 && wn_rd16(l4 + 6) == 0)
            return false; /* RFC 8200 8.1: the managed NAT drops it */
        t->checksum_at = 6;
        break;
    }
    case ICMP:
    case ICMPV6:
        if ((protocol == ICMPV6) != v6 || length < 8)
            return false;
        /* Echo only: request out, reply in (errors are translated through their quote by the managed core). */
        if (l4[0] != (v6 ? (outbound ? 128 : 129) : (outbound ? 8 : 0)))
            return false;
        t->checksum_at = 2;
        t->src_port = t->dst_port = wn_rd16(l4 + 4);
        return true;
    default:
        return false;
    }
    t->src_port = wn_rd16(l4);
    t->dst_port = wn_rd16(l4 + 2);
    return true;
}

/* A port (or echo identifier) rewrite with the checksum kept right, as the managed views' setters do. */
static void set_port(transport *t, uint8_t protocol, int at, uint16_t value)
{
    uint8_t *c = t->l4 + t->checksum_at;
    uint16_t old = wn_rd16(t->l4 + at);
    wn_wr16(t->l4 + at, value);
    uint16_t sum = wn_rd16(c);
    if (protocol == UDP) {
        if (sum == 0)
            return; /* an absent IPv4 UDP checksum stays absent */
        sum = wn_csum_update(sum, old, value);
        wn_wr16(c, sum == 0 ? 0xFFFF : sum);
        return;
    }
    wn_wr16(c, wn_csum_update(sum, old, value));
}

/* The pseudo-header part of a checksum after an address change (ICMPv4 has no pseudo-header). */
static void adjust_address(transport *t, uint8_t protocol, bool v6, const uint8_t *old_address, const uint8_t *new_address)
{
    if (protocol == ICMP)
        return;
    uint8_t *c = t->l4 + t->checksum_at;
    uint16_t sum = wn_rd16(c);
    if (protocol == UDP && sum == 0)
        return;
    sum = v6 ? wn_csum_update_bytes(sum, old_address, new_address, 16)
             : wn_csum_update32(sum, wn_rd32(old_address), wn_rd32(new_address));
    if (protocol == UDP && sum == 0)
        sum = 0xFFFF;
    wn_wr16(c, sum);
}

static void set_v4_address(uint8_t *ip, int at, const uint8_t *value)
{
    uint32_t old = wn_rd32(ip + at);
    uint32_t now = wn_rd32(value);
    wn_wr32(ip + at, now);
    wn_wr16(ip + 10, wn_csum_update32(wn_rd16(ip + 10), old, now));
}

wn_flow *wn_nat_outbound(wn_flow_table *t, uint8_t *ip, size_t available, size_t *ip_length, int64_t now)
{
    transport tr;
    wn_flow *f;
    *ip_length = 0;
    if (available < 1)
        return NULL;
    if ((ip[0] >> 4) == 4) {
        if (available < 20)
            return NULL;
        size_t header = (size_t)(ip[0] & 0x0F) * 4;
        size_t total = wn_rd16(ip + 2);
        if (header < 20 || total < header || total > available)
            return NULL;
        if (ip[8] <= 1)
            return NULL; /* the router answers TTL expiry */
        uint16_t old_word = wn_rd16(ip + 8);
        ip[8]--;
        wn_wr16(ip + 10, wn_csum_update(wn_rd16(ip + 10), old_word, wn_rd16(ip + 8)));
        if (!wn_csum_verify(ip, (int)header) || (wn_rd16(ip + 6) & 0x3FFF) != 0)
            return NULL;
        uint8_t protocol = ip[9];
        if (!parse_transport(ip + header, total - header, protocol, false, true, &tr))
            return NULL;
        f = wn_flow_find_out(t, false, protocol, ip + 12, tr.src_port, ip + 16, protocol == ICMP ? 0 : tr.dst_port);
        if (f == NULL || total > f->mtu || memcmp(ip + 16, f->ext, 4) == 0 || now >= f->bound_until)
            return NULL;
        uint8_t old_source[4];
        memcpy(old_source, ip + 12, 4);
        set_v4_address(ip, 12, f->ext);
        adjust_address(&tr, protocol, false, old_source, f->ext);
        set_port(&tr, protocol, protocol == ICMP ? 4 : 0, f->ext_port);
        *ip_length = total;
    } else if ((ip[0] >> 4) == 6) {
        if (available < 40)
            return NULL;
        size_t total = 40 + (size_t)wn_rd16(ip + 4);
        if (total > available)
            return NULL;
        if (ip[7] <= 1)
            return NULL;
        ip[7]--;
        uint8_t protocol = ip[6];
        if (!parse_transport(ip + 40, total - 40, protocol, true, true, &tr))
            return NULL;
        f = wn_flow_find_out(t, true, protocol, ip + 8, tr.src_port, ip + 24, protocol == ICMPV6 ? 0 : tr.dst_port);
        if (f == NULL || total > f->mtu || memcmp(ip + 24, f->ext, 16) == 0 || now >= f->bound_until)
            return NULL;
        adjust_address(&tr, protocol, true, ip + 8, f->ext);
        set_port(&tr, protocol, protocol == ICMPV6 ? 4 : 0, f->ext_port);
        memcpy(ip + 8, f->ext, 16);
        *ip_length = total;
    } else {
        return NULL;
    }
    return f;
}

wn_flow *wn_nat_inbound(wn_flow_table *t, uint8_t *ip, size_t length, int64_t now)
{
    transport tr;
    wn_flow *f;
    if (length < 1)
        return NULL;
    if ((ip[0] >> 4) == 4) {
        if (length < 20)
            return NULL;
        size_t header = (size_t)(ip[0] & 0x0F) * 4;
        size_t total = wn_rd16(ip + 2);
        if (header < 20 || total < header || total > length)
            return NULL;
        if (!wn_csum_verify(ip, (int)header) || (wn_rd16(ip + 6) & 0x3FFF) != 0)
            return NULL;
        uint8_t protocol = ip[9];
        if (!parse_transport(ip + header, total - header, protocol, false, false, &tr))
            return NULL;
        f = wn_flow_find_in(t, false, protocol, ip + 16, tr.dst_port, ip + 12, protocol == ICMP ? 0 : tr.src_port);
        if (f == NULL || total > f->mtu || now >= f->bound_until)
            return NULL;
        uint8_t old_destination[4];
        memcpy(old_destination, ip + 16, 4);
        set_v4_address(ip, 16, f->lan);
        adjust_address(&tr, protocol, false, old_destination, f->lan);
        set_port(&tr, protocol, protocol == ICMP ? 4 : 2, f->lan_port);
    } else if ((ip[0] >> 4) == 6) {
        if (length < 40)
            return NULL;
        size_t total = 40 + (size_t)wn_rd16(ip + 4);
        if (total > length)
            return NULL;
        uint8_t protocol = ip[6];
        if (!parse_transport(ip + 40, total - 40, protocol, true, false, &tr))
            return NULL;
        f = wn_flow_find_in(t, true, protocol, ip + 24, tr.dst_port, ip + 8, protocol == ICMPV6 ? 0 : tr.src_port);
        if (f == NULL || total > f->mtu || now >= f->bound_until)
            return NULL;
        adjust_address(&tr, protocol, true, ip + 24, f->lan);
        set_port(&tr, protocol, protocol == ICMPV6 ? 4 : 2, f->lan_port);
        memcpy(ip + 24, f->lan, 16);
    } else {
        return NULL;
    }
    return f;
}
