package web

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

var testProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}

func reqFrom(peer string, hdr ...string) *http.Request {
	r, _ := http.NewRequest("GET", "/", nil)
	r.RemoteAddr = peer
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	return r
}

func TestClientIP(t *testing.T) {
	for _, c := range []struct {
		name string
		r    *http.Request
		want string
	}{
		{"no proxy", reqFrom("198.51.100.1:5555"), "198.51.100.1"},
		{"untrusted peer's header ignored", reqFrom("198.51.100.1:5555", "X-Forwarded-For", "203.0.113.9"), "198.51.100.1"},
		{"untrusted peer's Forwarded ignored", reqFrom("198.51.100.1:5555", "Forwarded", "for=203.0.113.9"), "198.51.100.1"},
		{"trusted proxy", reqFrom("10.0.0.2:80", "X-Forwarded-For", "203.0.113.9"), "203.0.113.9"},
		{"right-most untrusted", reqFrom("10.0.0.2:80", "X-Forwarded-For", "1.1.1.1, 203.0.113.9, 10.9.9.9"), "203.0.113.9"},
		{"several header lines", reqFrom("10.0.0.2:80", "X-Forwarded-For", "1.1.1.1", "X-Forwarded-For", "203.0.113.9,10.1.1.1"), "203.0.113.9"},
		{"only proxies", reqFrom("10.0.0.2:80", "X-Forwarded-For", "10.0.0.7, 10.0.0.8"), "10.0.0.7"},
		{"no header from proxy", reqFrom("10.0.0.2:80"), "10.0.0.2"},
		{"garbage ends the walk", reqFrom("10.0.0.2:80", "X-Forwarded-For", "203.0.113.9, unknown, 10.0.0.8"), "10.0.0.8"},
		{"port and IPv6 in XFF", reqFrom("10.0.0.2:80", "X-Forwarded-For", "[2001:db8::1]:4711"), "2001:db8::1"},
		{"bare IPv6 in XFF", reqFrom("10.0.0.2:80", "X-Forwarded-For", "2001:db8::1"), "2001:db8::1"},
		{"mapped IPv4", reqFrom("[::ffff:10.0.0.2]:80", "X-Forwarded-For", "::ffff:203.0.113.9"), "203.0.113.9"},
		{"IPv6 proxy", reqFrom("[2001:db8:ffff::5]:80", "X-Forwarded-For", "203.0.113.9"), "203.0.113.9"},
		{"Forwarded quoted IPv6", reqFrom("10.0.0.2:80", "Forwarded", `for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8::1]:4711"`), "2001:db8::1"},
		{"Forwarded right-most untrusted", reqFrom("10.0.0.2:80", "Forwarded", `for=203.0.113.9, for=10.0.0.3`), "203.0.113.9"},
		{"Forwarded obfuscated", reqFrom("10.0.0.2:80", "Forwarded", `for=203.0.113.9, for=_hidden, for=10.0.0.3`), "10.0.0.3"},
		{"Forwarded element without for", reqFrom("10.0.0.2:80", "Forwarded", `for=203.0.113.9, proto=https`), "10.0.0.2"},
		{"Forwarded comma in quotes", reqFrom("10.0.0.2:80", "Forwarded", `for=203.0.113.9;x="a,b"`), "203.0.113.9"},
		{"XFF wins over Forwarded", reqFrom("10.0.0.2:80", "Forwarded", "for=203.0.113.1", "X-Forwarded-For", "203.0.113.2"), "203.0.113.2"},
		{"peer without port", reqFrom("198.51.100.1"), "198.51.100.1"},
		{"peer not an address", reqFrom("@"), "@"},
	} {
		if got := clientIP(c.r, testProxies); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// FuzzClientIP: whatever the headers say, a request from an untrusted peer
// is known by the peer's address, and one from a trusted proxy by an
// address that is either not trusted or the last trusted hop.
func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.2:80", "203.0.113.9, 10.0.0.3", "")
	f.Add("10.0.0.2:80", "", `for=192.0.2.60;proto=http, for="[2001:db8::1]:4711"`)
	f.Add("198.51.100.1:5555", "1.2.3.4", `for="\"[::1]"`)
	f.Add("[2001:db8:ffff::5]:80", "unknown,,", `for=;for="`)
	f.Add("[::ffff:10.0.0.2]:80", "[fe80::1%eth0]:1", `FOR="[::ffff:1.2.3.4]"`)
	f.Fuzz(func(t *testing.T, peer, xff, fwd string) {
		r := reqFrom(peer)
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		if fwd != "" {
			r.Header.Set("Forwarded", fwd)
		}
		got := clientIP(r, testProxies)
		plain := clientIP(reqFrom(peer), testProxies)
		p, err := netip.ParseAddr(plain)
		if err != nil || !isTrusted(p, testProxies) {
			if got != plain {
				t.Fatalf("untrusted peer %q: headers changed the address to %q", peer, got)
			}
			return
		}
		a, err := netip.ParseAddr(got)
		if err != nil || a.Zone() != "" || a.Is4In6() {
			t.Fatalf("trusted peer: %q is not a plain address", got)
		}
		// Any other address came from a header (IPv6 may be written
		// differently there, so only IPv4 is compared as text).
		if got != plain && a.Is4() && !strings.Contains(strings.ReplaceAll(xff+fwd, `\`, ""), got) {
			t.Fatalf("trusted peer: %q appears in no header (%q, %q)", got, xff, fwd)
		}
	})
}
