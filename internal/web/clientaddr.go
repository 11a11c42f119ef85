package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientIP is the address a request is known by: for rate limits, the
// audit log, API-key use and login records.
//
// It is the peer's address unless the peer is a trusted proxy. Then it is
// the right-most address in X-Forwarded-For (or, when that header is
// absent, in RFC 7239 Forwarded's for= parameters) that is not itself a
// trusted proxy: everything left of it was written by the client and may
// be forged. An entry that is not an address ("unknown", an obfuscated
// node) ends the walk at the last trusted hop. Headers from an untrusted
// peer are never read.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap().WithZone("")
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	var hops []string
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, v := range xff {
			hops = append(hops, strings.Split(v, ",")...)
		}
	} else {
		for _, v := range r.Header.Values("Forwarded") {
			hops = append(hops, forwardedFor(v)...)
		}
	}
	last := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := nodeAddr(hops[i])
		if !ok {
			break
		}
		if !isTrusted(a, trusted) {
			return a.String()
		}
		last = a
	}
	return last.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// nodeAddr reads one hop: an IPv4 or IPv6 address, optionally with a port
// ("192.0.2.1:4711", "[2001:db8::1]:4711") or in brackets.
func nodeAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err2 := netip.ParseAddrPort(s)
		switch {
		case err2 == nil:
			a = ap.Addr()
		case len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']':
			if a, err = netip.ParseAddr(s[1 : len(s)-1]); err != nil {
				return netip.Addr{}, false
			}
		default:
			return netip.Addr{}, false
		}
	}
	return a.Unmap().WithZone(""), true
}

// forwardedFor returns the for= values of one Forwarded header value, in
// order: elements are separated by commas, pairs by semicolons, and a
// value may be a quoted string with backslash escapes.
func forwardedFor(v string) []string {
	var out []string
	var key, val strings.Builder
	inVal, quoted, escaped, sawFor := false, false, false, false
	end := func() {
		if inVal && strings.EqualFold(strings.TrimSpace(key.String()), "for") {
			out = append(out, strings.TrimSpace(val.String()))
			sawFor = true
		}
		key.Reset()
		val.Reset()
		inVal = false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case escaped:
			val.WriteByte(c)
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"' && inVal:
			quoted = !quoted
		case quoted:
			val.WriteByte(c)
		case c == ';':
			end()
		case c == ',':
			end()
			if !sawFor {
				// An element without for= still is a hop: one we
				// cannot read.
				out = append(out, "")
			}
			sawFor = false
		case c == '=' && !inVal:
			inVal = true
		case inVal:
			val.WriteByte(c)
		default:
			key.WriteByte(c)
		}
	}
	end()
	if !sawFor && strings.TrimSpace(v) != "" {
		out = append(out, "")
	}
	return out
}

// baseURL is the root of links that leave the server (feeds, links sent
// to volunteers): the configured --base-url. Without one it falls back to
// the request's Host, which a client can set to anything; operators who
// publish Haven set --base-url.
func (s *Server) baseURL(r *http.Request) string {
	if s.BaseURL != "" {
		return s.BaseURL
	}
	scheme := "http"
	if r.TLS != nil || s.Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
