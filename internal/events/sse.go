package events

import (
	"bufio"
	"io"
	"strings"
)

// Received is one server-sent event as a client reads it.
type Received struct {
	ID    string // the last id field seen (it carries over, per the spec)
	Event string // "message" when the event named none
	Data  string
}

// MaxSSELine bounds one line of a stream a Reader accepts.
const MaxSSELine = 1 << 20

// Reader reads a text/event-stream as the WHATWG HTML specification
// describes (§9.2.6): fields id, event and data, comment lines, and a
// blank line that dispatches the event. Haven's tests and load tools read
// the board's stream with it, as a browser's EventSource would.
type Reader struct {
	sc     *bufio.Scanner
	lastID string
}

// NewReader reads events from r.
func NewReader(r io.Reader) *Reader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxSSELine)
	sc.Split(scanSSELines)
	return &Reader{sc: sc}
}

// Next returns the next event; io.EOF when the stream ended. Events with
// no data are skipped, as EventSource skips them.
func (r *Reader) Next() (Received, error) {
	var ev Received
	var data strings.Builder
	hasData := false
	for r.sc.Scan() {
		line := r.sc.Text()
		if line == "" {
			if !hasData {
				ev = Received{}
				continue
			}
			ev.ID = r.lastID
			if ev.Event == "" {
				ev.Event = "message"
			}
			ev.Data = strings.TrimSuffix(data.String(), "\n")
			return ev, nil
		}
		if line[0] == ':' {
			continue // comment
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			ev.Event = value
		case "data":
			data.WriteString(value)
			data.WriteByte('\n')
			hasData = true
		case "id":
			if !strings.ContainsRune(value, 0) {
				r.lastID = value
			}
		}
	}
	if err := r.sc.Err(); err != nil {
		return Received{}, err
	}
	return Received{}, io.EOF
}

// scanSSELines splits on CRLF, LF or a lone CR.
func scanSSELines(data []byte, atEOF bool) (int, []byte, error) {
	for i, b := range data {
		switch b {
		case '\n':
			return i + 1, data[:i], nil
		case '\r':
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if atEOF {
				return i + 1, data[:i], nil
			}
			return 0, nil, nil // need one more byte to tell CR from CRLF
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
