package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/volunteers"
)

// The coordinator makes a volunteer's link; the volunteer, not signed in,
// opens it, signs up and withdraws; a made-up link is a clear 404 in
// Chinese.
func TestVolunteerSignsUpThroughTheirLink(t *testing.T) {
	db := openSQLite(t)
	h := newHarness(t, db)
	ctx := context.Background()
	vs := h.vols
	coord := auth.Actor{UserID: "c", Name: "周洋", Role: auth.RoleVolunteer}
	vol, err := vs.AddVolunteer(ctx, coord, volunteers.VolunteerInput{Name: "张一", Phone: "13903730001"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(48 * time.Hour)
	sh, err := vs.AddShift(ctx, coord, volunteers.Shift{Title: "火车站避寒点值守", Kind: "event", StartsAt: start, EndsAt: start.Add(4 * time.Hour), Places: 3})
	if err != nil {
		t.Fatal(err)
	}
	c := h.login("volunteer")
	res, body := c.post("/volunteers", url.Values{"form": {"link"}, "volunteer_id": {vol.ID}, "name": {"张一"}})
	link := regexp.MustCompile(`/v/([A-Za-z0-9_-]{32})"`).FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || link == nil {
		t.Fatalf("issuing the link: %d %s", res.StatusCode, body)
	}
	anon := h.anon()
	res, body = anon.do("GET", "/v/"+link[1], nil, false)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "火车站避寒点值守") || !strings.Contains(body, "张一") {
		t.Fatalf("the volunteer's page: %d", res.StatusCode)
	}
	res, _ = anon.post("/v/"+link[1], url.Values{"shift_id": {sh.ID}, "action": {"signup"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing up: %d", res.StatusCode)
	}
	if _, body = anon.do("GET", "/v/"+link[1], nil, false); !strings.Contains(body, "已报名") {
		t.Fatal("the page does not say signed up")
	}
	shifts, _ := vs.Shifts(ctx, coord, time.Now())
	if len(shifts) != 1 || len(shifts[0].Signups) != 1 || shifts[0].Signups[0].VolunteerID != vol.ID {
		t.Fatalf("the coordinator's roster: %+v", shifts)
	}
	if res, _ = anon.post("/v/"+link[1], url.Values{"shift_id": {sh.ID}, "action": {"withdraw"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdrawing: %d", res.StatusCode)
	}
	res, body = anon.do("GET", "/v/"+strings.Repeat("A", 32), nil, false)
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "报名链接无效") {
		t.Fatalf("a made-up link: %d", res.StatusCode)
	}
	if strings.Contains(h.logs.String(), link[1]) {
		t.Fatal("the link reached the log")
	}
}
