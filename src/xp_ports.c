/* xp_ports.c - the built-in well-known port table (sorted by port). */
#include "xp_ports.h"

#include <ctype.h>
#include <string.h>

enum { T = 1, U = 2, B = 3, I4 = 4, I6 = 8 };

typedef struct xp__port {
    int32_t port;
    uint8_t mask; /* T tcp, U udp, B both, I4 icmp type, I6 icmp6 type */
    const char *name;
} xp__port;

/* Sorted by (port, mask); a test checks the order. ICMP types live in the
 * same table with their own masks, so one search serves every protocol. */
static const xp__port xp__ports[] = {
    {0, I4, "echo-reply"}, {3, I4, "unreach"}, {5, I4, "redirect"},
    {7, B, "echo"}, {8, I4, "echo"}, {9, B, "discard"}, {11, I4, "time-exceeded"},
    {13, B, "daytime"}, {13, I4, "timestamp"}, {14, I4, "timestamp-reply"},
    {19, B, "chargen"}, {20, T, "ftp-data"}, {21, T, "ftp"}, {22, T, "ssh"},
    {23, T, "telnet"}, {25, T, "smtp"}, {37, B, "time"}, {43, T, "whois"},
    {49, B, "tacacs"}, {53, B, "dns"}, {67, U, "dhcp"}, {68, U, "dhcp-client"},
    {69, U, "tftp"}, {70, T, "gopher"}, {79, T, "finger"}, {80, T, "http"},
    {88, B, "kerberos"}, {102, T, "iso-tsap"}, {110, T, "pop3"},
    {111, B, "sunrpc"}, {113, T, "ident"}, {119, T, "nntp"}, {123, U, "ntp"},
    {128, I6, "echo"}, {129, I6, "echo-reply"}, {133, I6, "router-solicit"},
    {134, I6, "router-advert"}, {135, B, "epmap"}, {135, I6, "neighbor-solicit"},
    {136, I6, "neighbor-advert"}, {137, B, "netbios-ns"}, {137, I6, "redirect"},
    {138, U, "netbios-dgm"}, {139, T, "netbios-ssn"}, {143, T, "imap"},
    {161, U, "snmp"}, {162, U, "snmp-trap"}, {179, T, "bgp"}, {194, T, "irc"},
    {389, B, "ldap"}, {427, B, "svrloc"}, {443, T, "https"}, {443, U, "quic"},
    {444, T, "snpp"}, {445, T, "microsoft-ds"}, {464, B, "kpasswd"},
    {465, T, "smtps"}, {500, U, "isakmp"}, {512, T, "exec"}, {513, T, "login"},
    {514, T, "shell"}, {514, U, "syslog"}, {515, T, "printer"}, {520, U, "rip"},
    {543, T, "klogin"}, {544, T, "kshell"}, {546, U, "dhcpv6-client"},
    {547, U, "dhcpv6"}, {548, T, "afp"}, {554, B, "rtsp"}, {563, T, "nntps"},
    {587, T, "submission"}, {593, T, "http-rpc-epmap"}, {623, U, "ipmi"},
    {626, U, "asia"}, {631, B, "ipp"}, {636, T, "ldaps"}, {646, B, "ldp"},
    {749, B, "kerberos-adm"}, {853, T, "dns-over-tls"}, {873, T, "rsync"},
    {989, T, "ftps-data"}, {990, T, "ftps"}, {993, T, "imaps"}, {995, T, "pop3s"},
    {1080, T, "socks"}, {1194, B, "openvpn"}, {1433, T, "ms-sql"},
    {1434, U, "ms-sql-m"}, {1521, T, "oracle"}, {1701, U, "l2tp"},
    {1723, T, "pptp"}, {1812, U, "radius"}, {1813, U, "radius-acct"},
    {1883, T, "mqtt"}, {1900, U, "ssdp"}, {2049, B, "nfs"}, {2181, T, "zookeeper"},
    {2375, T, "docker"}, {2376, T, "docker-tls"}, {3128, T, "squid"},
    {3268, T, "globalcat-ldap"}, {3269, T, "globalcat-ldaps"},
    {3306, T, "mysql"}, {3389, B, "ms-rdp"}, {3478, B, "stun"},
    {3702, U, "ws-discovery"}, {4500, U, "ipsec-nat-t"}, {4789, U, "vxlan"},
    {5060, B, "sip"}, {5061, T, "sips"}, {5353, U, "mdns"}, {5355, U, "llmnr"},
    {5432, T, "postgres"}, {5671, T, "amqps"}, {5672, T, "amqp"},
    {5900, T, "vnc"}, {5985, T, "wsman"}, {5986, T, "wsmans"},
    {6379, T, "redis"}, {6443, T, "kube-api"}, {6667, T, "irc-alt"},
    {7000, U, "afs3-fileserver"}, {7001, U, "afs3-callback"},
    {7002, U, "afs3-prserver"}, {7003, U, "afs3-vlserver"},
    {7004, U, "afs3-kaserver"}, {7005, U, "afs3-volser"},
    {7006, U, "afs3-errors"}, {7007, U, "afs3-bos"}, {7008, U, "afs3-update"},
    {7009, U, "afs3-rmtsys"}, {8000, T, "http-alt2"}, {8080, T, "http-alt"},
    {8443, T, "https-alt"}, {8888, T, "http-alt3"}, {9090, T, "websm"},
    {9092, T, "kafka"}, {9100, T, "jetdirect"}, {9200, T, "elasticsearch"},
    {11211, B, "memcache"}, {27017, T, "mongodb"},
};

#define XP__NPORTS (sizeof xp__ports / sizeof xp__ports[0])

static uint8_t xp__mask_of(uint8_t proto)
{
    switch (proto) {
    case 6: return T;
    case 17: return U;
    case 1: return I4;
    case 58: return I6;
    default: return 0;
    }
}

/* Index of the first entry with this port, or XP__NPORTS. */
static size_t xp__lower_bound(int32_t port)
{
    size_t lo = 0, hi = XP__NPORTS;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (xp__ports[mid].port < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const char *xp_port_service(uint8_t proto, int32_t port)
{
    uint8_t m = xp__mask_of(proto);
    if (m == 0 || port < 0 || port > 65535)
        return NULL;
    for (size_t i = xp__lower_bound(port); i < XP__NPORTS && xp__ports[i].port == port; i++)
        if (xp__ports[i].mask & m)
            return xp__ports[i].name;
    return NULL;
}

int xp_port_builtin(uint8_t proto, int32_t port) { return xp_port_service(proto, port) != NULL; }

void xp_port_builtin_mark(uint8_t proto, uint8_t *mark)
{
    uint8_t m = xp__mask_of(proto);
    for (size_t i = 0; m != 0 && i < XP__NPORTS; i++)
        if (xp__ports[i].mask & m)
            mark[xp__ports[i].port] = 1;
}

const char *xp_proto_name(uint8_t proto)
{
    switch (proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1: return "icmp";
    case 58: return "icmp6";
    default: return NULL;
    }
}

static int xp__ieq(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (n != len)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != word[i])
            return 0;
    return 1;
}

int xp_proto_parse(const char *s, size_t len)
{
    static const struct { const char *w; int p; } names[] = {
        {"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"icmp6", 58}, {"icmpv6", 58},
        {"ipv6-icmp", 58}, {"unknown_transport", 0},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (xp__ieq(s, len, names[i].w))
            return names[i].p;
    if (len == 0 || len > 3)
        return -1;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= 255 ? v : -1;
}

size_t xp_port_table_size(void) { return XP__NPORTS; }

void xp_port_table_entry(size_t i, uint8_t *proto_mask, int32_t *port, const char **name)
{
    *proto_mask = xp__ports[i].mask;
    *port = xp__ports[i].port;
    *name = xp__ports[i].name;
}
