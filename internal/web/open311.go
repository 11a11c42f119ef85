package web

import (
	"net/http"
	"strings"
)

// open311Access is the access wrapper of the Open311 routes. A call with
// an API key that has the open311 scope counts against that key's
// partner limit, never the anonymous address limit; any other call
// counts against its address. The key is looked for where clients send
// it: the query (GET), the X-API-Key header, or the form of a POST (a
// multipart form is read up to the key, never into a photo, before the
// limit is taken). A key that is not valid is counted by address and
// refused by the handler.
func (s *Server) open311Access(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := info(r)
		ri.pattern = r.Pattern
		key, err := s.open311Key(w, r)
		if err != nil {
			s.failBody(w, r, err)
			return
		}
		limited := false
		if key != "" {
			if a, err := s.Auth.AuthenticateAPIKey(r.Context(), key, ri.ip); err == nil && contains(a.Scopes, "open311") {
				ri.actor = a
				if !s.allow(w, r, s.partnerLimit, a.UserID) {
					return
				}
				limited = true
			}
		}
		if !limited && !s.allow(w, r, s.open311Limit, ri.ip) {
			return
		}
		if ri.form != nil {
			if err := ri.form.read(false); err != nil {
				s.failBody(w, r, err)
				return
			}
			setForm(r, ri.form.values)
		}
		h(w, r)
	})
}

// open311Key finds the api_key of an Open311 call, reading a POST's form
// as far as the key (bounded: maxAPIBytes for a urlencoded body; text
// fields up to the first file for a multipart one).
func (s *Server) open311Key(w http.ResponseWriter, r *http.Request) (string, error) {
	if k := r.URL.Query().Get("api_key"); k != "" {
		return k, nil
	}
	if k := strings.TrimSpace(r.Header.Get("X-API-Key")); k != "" {
		return k, nil
	}
	if r.Method != http.MethodPost {
		return "", nil
	}
	ri := info(r)
	if !isMultipart(r) {
		r.Body = http.MaxBytesReader(w, r.Body, maxAPIBytes) // only multipart bodies carry files
		if err := r.ParseForm(); err != nil {
			return "", bodyErr(err)
		}
		return r.PostForm.Get("api_key"), nil
	}
	f, err := newFormBody(r, true)
	if err != nil {
		return "", err
	}
	ri.form = f
	if err := f.readUntil("api_key"); err != nil {
		return "", err
	}
	return f.values.Get("api_key"), nil
}
