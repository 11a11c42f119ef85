package events

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestReaderFollowsTheSpec(t *testing.T) {
	stream := "retry: 2000\n: connected\n\n" +
		"id: 7\nevent: incident\ndata: {\"id\":\"a\"}\n\n" +
		"data: first\r\ndata:second\r\n\r\n" + // CRLF, no space after the colon, no event name
		"id: 9\rdata: cr only\r\r" +
		"event: empty\n\n" + // no data: not dispatched
		"id: 10\nevent: team\ndata: tail" // no final blank line: not dispatched
	r := NewReader(strings.NewReader(stream))
	var got []string
	for {
		ev, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s|%s|%s", ev.ID, ev.Event, ev.Data))
	}
	want := []string{`7|incident|{"id":"a"}`, "7|message|first\nsecond", "9|message|cr only"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func FuzzReader(f *testing.F) {
	f.Add("id: 1\nevent: incident\ndata: {}\n\n")
	f.Add("data: a\r\ndata: b\r\r\n: x\n\n")
	f.Add("id\x00: 3\ndata\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		r := NewReader(strings.NewReader(s))
		for range len(s) + 1 {
			ev, err := r.Next()
			if err != nil {
				return
			}
			if ev.Event == "" {
				t.Fatal("dispatched event without a name")
			}
		}
		t.Fatal("more events than bytes")
	})
}
