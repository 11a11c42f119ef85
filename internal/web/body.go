package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"

	"github.com/havenrescue/haven/internal/errs"
)

// Request body limits. A browser route takes maxFormBytes unless the route
// table gives it more (handleBody, handleUpload); API routes take
// maxAPIBytes. The limit is applied before any byte is read, so a stranger
// cannot make the server hold more than the route needs.
const (
	maxFormBytes   = 64 << 10 // a form without files; also all text fields of a multipart form together
	maxAPIBytes    = 1 << 20
	maxSyncBytes   = 1 << 20  // the patrol app's offline batch (JSON)
	maxUploadBytes = 12 << 20 // forms with a photo or a file
	maxFormParts   = 200      // fields and files of one multipart form
	maxFormFiles   = 2        // files of one multipart form
	maxPartHeader  = 8 << 10  // the header of one multipart part
)

// bodyRule is what a route accepts in a request body.
type bodyRule struct {
	limit int64
	files bool // multipart file parts are accepted
}

// bodyRule finds the route's rule before the mux runs the handler.
func (s *Server) bodyRule(r *http.Request) bodyRule {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		if b, ok := s.bodies[pattern]; ok {
			return b
		}
	}
	return bodyRule{limit: maxFormBytes}
}

// formBody is a multipart form read part by part: the middleware reads it
// up to the CSRF token (which forms send first), the route's access
// wrapper reads the rest once the rate limits passed.
type formBody struct {
	mr     *multipart.Reader
	in     *budgetReader // the body under mr
	files  bool          // file parts accepted
	values url.Values
	data   map[string][]byte // the first file of each field
	parts  int
	text   int // bytes of text fields so far
	nfiles int
	done   bool
	// pending is a file part met by readUntil, read by the next read.
	pending *multipart.Part
}

// Body errors, each with the message the sender sees.
var (
	errBodyTooLarge = errs.E(errs.Invalid, "web.body", "err.body_too_large")
	errTextTooLarge = errs.E(errs.Invalid, "web.body", "err.body_too_large") // the text fields together
	errTooManyParts = errs.E(errs.Invalid, "web.body", "err.too_many_parts")
	errNoFiles      = errs.E(errs.Invalid, "web.body", "err.no_files")
	errBadForm      = errs.E(errs.Invalid, "web.body", "err.bad_form")
	errCSRFLate     = errs.E(errs.Forbidden, "web.csrf", "err.csrf")
)

func isMultipart(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "multipart/form-data"
}

func newFormBody(r *http.Request, files bool) (*formBody, error) {
	in := &budgetReader{r: r.Body}
	r.Body = in
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errBadForm
	}
	return &formBody{mr: mr, in: in, files: files, values: url.Values{}, data: map[string][]byte{}}, nil
}

// budgetReader lets through only the bytes the form reader expects next:
// a part header of maxPartHeader, a text field within what is left of
// maxFormBytes, a file within the route's limit. The multipart reader
// buffers ahead, hence the slack.
type budgetReader struct {
	r io.ReadCloser
	n int64
}

const budgetSlack = 8 << 10

var errBudget = errors.New("web: multipart part over its budget")

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errBudget
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	return n, err
}

func (b *budgetReader) Close() error { return b.r.Close() }

// read reads parts until the end of the form, or with untilCSRF until the
// csrf_token field has been read; a file before the token is refused.
func (f *formBody) read(untilCSRF bool) error {
	field := ""
	if untilCSRF {
		field = "csrf_token"
	}
	return f.readParts(field, false)
}

// readUntil reads text fields until field has been read, stopping before
// the first file: an API key is looked at before any photo is read.
func (f *formBody) readUntil(field string) error { return f.readParts(field, true) }

func (f *formBody) readParts(until string, stopAtFile bool) error {
	untilCSRF := until == "csrf_token"
	for !f.done {
		p := f.pending
		f.pending = nil
		if p == nil {
			f.in.n = maxPartHeader + budgetSlack
			var err error
			p, err = f.mr.NextPart()
			if err == io.EOF {
				f.done = true
				break
			}
			if err != nil {
				return bodyErr(err)
			}
			f.parts++
			if f.parts > maxFormParts {
				return errTooManyParts
			}
		}
		name := p.FormName()
		if name == "" {
			p.Close()
			continue
		}
		if p.FileName() != "" && stopAtFile {
			f.pending = p
			return nil
		}
		if p.FileName() != "" {
			switch {
			case untilCSRF:
				return errCSRFLate
			case !f.files:
				return errNoFiles
			}
			f.nfiles++
			if f.nfiles > maxFormFiles {
				return errTooManyParts
			}
			// The route's body limit (at most maxUploadBytes) bounds the file.
			f.in.n = maxUploadBytes + budgetSlack
			b, err := io.ReadAll(p)
			if err != nil {
				return bodyErr(err)
			}
			if _, seen := f.data[name]; !seen {
				f.data[name] = b
			}
			continue
		}
		f.in.n = int64(maxFormBytes-f.text) + budgetSlack
		b, err := io.ReadAll(io.LimitReader(p, int64(maxFormBytes-f.text+1)))
		if err != nil {
			return bodyErr(err)
		}
		f.text += len(b)
		if f.text > maxFormBytes {
			return errTextTooLarge
		}
		f.values.Add(name, string(b))
		if until != "" && name == until {
			return nil
		}
	}
	return nil
}

func bodyErr(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) || errors.Is(err, errBudget) || errors.Is(err, multipart.ErrMessageTooLarge) {
		return errBodyTooLarge
	}
	return errBadForm
}

// readBody finishes reading a browser form after the route's rate limits
// and access checks: the multipart parts the middleware left, into
// r.Form, r.PostForm and the uploaded files. False means it answered.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) bool {
	ri := info(r)
	if ri.api || safeMethod(r.Method) || !isMultipart(r) {
		return true
	}
	if ri.form == nil {
		f, err := newFormBody(r, ri.body.files)
		if err != nil {
			s.failBody(w, r, err)
			return false
		}
		ri.form = f
	}
	if err := ri.form.read(false); err != nil {
		s.failBody(w, r, err)
		return false
	}
	setForm(r, ri.form.values)
	return true
}

// setForm gives a multipart form's text fields to r.Form and r.PostForm,
// as ParseMultipartForm would.
func setForm(r *http.Request, vals url.Values) {
	r.MultipartForm = &multipart.Form{Value: vals, File: map[string][]*multipart.FileHeader{}}
	r.PostForm = vals
	r.Form = url.Values{}
	for k, v := range vals {
		r.Form[k] = append(r.Form[k], v...)
	}
	for k, v := range r.URL.Query() {
		r.Form[k] = append(r.Form[k], v...)
	}
}

// failBody answers a body the route does not take: 413 when it is too
// large or has too many parts, else as the error's kind says.
func (s *Server) failBody(w http.ResponseWriter, r *http.Request, err error) {
	switch err {
	case errBodyTooLarge:
		if info(r).body.files {
			err = errs.E(errs.Invalid, "web.body", "err.upload_too_large")
		}
		s.failStatus(w, r, http.StatusRequestEntityTooLarge, err)
	case errTextTooLarge, errTooManyParts:
		s.failStatus(w, r, http.StatusRequestEntityTooLarge, err)
	default:
		s.fail(w, r, err)
	}
}

// uploaded is the file sent in a multipart form's field, if any. The
// form reader has read it whole already (a body it cannot read was
// refused), so there is no read error left to report here.
func uploaded(r *http.Request, field string) []byte {
	if f := info(r).form; f != nil {
		return f.data[field]
	}
	return nil
}

// hasUpload tells whether a non-empty file came in the field.
func hasUpload(r *http.Request, field string) bool { return len(uploaded(r, field)) > 0 }

// decodeStrict reads one JSON value into v, strictly: an unknown field is
// an error, not silently dropped, and nothing may follow the value. The
// partner APIs' parsers name the field of the error themselves.
func decodeStrict(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF { // one JSON value and nothing after it
		return errors.New("data after the JSON value")
	}
	return nil
}
