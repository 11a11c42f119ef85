package portal_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/portal"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

var (
	writer = auth.Actor{UserID: "u-staff", Username: "staff", Name: "赵敏", Role: auth.RoleStaff}
	leader = auth.Actor{UserID: "u-leader", Name: "leader", Role: auth.RoleLeader}
	public = auth.Actor{IP: "1.2.3.4"}
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newService(t *testing.T, db *store.DB) (*portal.Service, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2027, 6, 1, 2, 0, 0, 0, time.UTC)}
	keys, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), clk.now())
	if err != nil {
		t.Fatal(err)
	}
	return &portal.Service{Store: db, Now: clk.now, Keys: keys, Photos: db.Files()}, clk
}

func slugs(as []*portal.Article) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Slug)
	}
	return out
}

// An article is public only once a leader approved it and its time came;
// withdrawn, it leaves the site. Every saved text is kept as a version.
func TestApprovalFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		in := portal.ArticleInput{Category: portal.CatNews, Title: "寒冬送温暖", Body: "救助站**开放**避寒点。",
			PublishAt: clk.now().Add(2 * time.Hour)}
		if _, err := s.Save(ctx, leader, "", 0, in); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a leader writes an article: %v", err)
		}
		ar, err := s.Save(ctx, writer, "", 0, in)
		if err != nil {
			t.Fatal(err)
		}
		public := func() []string {
			t.Helper()
			all, err := s.Published(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			return slugs(all)
		}
		if got := public(); len(got) != 0 {
			t.Fatalf("a draft is public: %v", got)
		}
		if _, err := s.Approve(ctx, leader, ar.ID, ar.Version); !errs.Is(errs.Conflict, err) {
			t.Fatalf("a draft approved before it was submitted: %v", err)
		}
		in.Body = "救助站**开放**全部避寒点。"
		if ar, err = s.Save(ctx, writer, ar.ID, ar.Version, in); err != nil {
			t.Fatal(err)
		}
		if ar, err = s.Submit(ctx, writer, ar.ID, ar.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Approve(ctx, writer, ar.ID, ar.Version); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("the writer approves their own article: %v", err)
		}
		if got := public(); len(got) != 0 {
			t.Fatalf("a pending article is public: %v", got)
		}
		if ar, err = s.Approve(ctx, leader, ar.ID, ar.Version); err != nil {
			t.Fatal(err)
		}
		if ar.ApprovedBy != "leader" || ar.ApprovedAt.IsZero() {
			t.Errorf("approval not kept: %+v", ar)
		}
		if got := public(); len(got) != 0 {
			t.Fatalf("a scheduled article is public before its time: %v", got)
		}
		if _, err := s.PublicArticle(ctx, ar.Slug); !errs.Is(errs.NotFound, err) {
			t.Fatalf("a scheduled article opens: %v", err)
		}
		clk.add(2 * time.Hour)
		if got := public(); len(got) != 1 || got[0] != ar.Slug {
			t.Fatalf("public after its time: %v", got)
		}
		if _, err := s.Save(ctx, writer, ar.ID, ar.Version, in); !errs.Is(errs.Conflict, err) {
			t.Fatalf("a published article edited in place: %v", err)
		}
		if _, err := s.Withdraw(ctx, writer, ar.ID, ar.Version, ""); !errs.Is(errs.Invalid, err) {
			t.Fatalf("withdrawn without a reason: %v", err)
		}
		if ar, err = s.Withdraw(ctx, leader, ar.ID, ar.Version, "信息有误"); err != nil {
			t.Fatal(err)
		}
		if got := public(); len(got) != 0 {
			t.Fatalf("a withdrawn article is public: %v", got)
		}
		if _, err := s.PublicArticle(ctx, ar.Slug); !errs.Is(errs.NotFound, err) {
			t.Fatalf("a withdrawn article opens: %v", err)
		}
		full, err := s.Article(ctx, leader, ar.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Versions) != 2 || full.Versions[0].Body != "救助站**开放**全部避寒点。" || full.Versions[0].EditedBy != "赵敏" || full.Versions[1].EditedBy != "赵敏" {
			t.Errorf("versions %+v", full.Versions)
		}
		if full.WithdrawnBy != "leader" || full.WithdrawReason != "信息有误" {
			t.Errorf("withdrawal not kept: %+v", full)
		}
	})
}

func TestArticleBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		for name, tc := range map[string]struct {
			in    portal.ArticleInput
			field string
		}{
			"empty":      {portal.ArticleInput{Category: portal.CatNews, Title: "标题"}, "body"},
			"oversized":  {portal.ArticleInput{Category: portal.CatNews, Title: "标题", Body: string(bytes.Repeat([]byte("字"), portal.MaxBody))}, "body"},
			"no consent": {portal.ArticleInput{Category: portal.CatReunion, Title: "团圆", Body: "回家了"}, "consent"},
			"gif":        {portal.ArticleInput{Category: portal.CatNews, Title: "标题", Body: "正文", Image: []byte("GIF89a\x01\x00\x01\x00")}, "image"},
			"text image": {portal.ArticleInput{Category: portal.CatNews, Title: "标题", Body: "正文", Image: []byte("not a picture at all")}, "image"},
		} {
			_, err := s.Save(ctx, writer, "", 0, tc.in)
			if f := errs.FieldsOf(err); f[tc.field] == "" {
				t.Errorf("%s: %v (fields %v), want an error on %s", name, err, f, tc.field)
			}
		}
		all, err := s.All(ctx, writer)
		if err != nil || len(all) != 0 {
			t.Errorf("bad input stored: %d articles, %v", len(all), err)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
			t.Fatal(err)
		}
		ar, err := s.Save(ctx, writer, "", 0, portal.ArticleInput{Category: portal.CatNews, Title: "有图", Body: "正文", Image: buf.Bytes()})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains([]byte(ar.Body), []byte("](/news/images/")) {
			t.Errorf("the picture is not in the body: %s", ar.Body)
		}
	})
}

// Registrations never take more places than the event has, however many
// arrive at once; none are taken once the event is over.
func TestRegistrationCapacity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clk := newService(t, db)
		start := clk.now().Add(24 * time.Hour)
		ev, err := s.AddEvent(ctx, writer, portal.EventInput{Title: "6·19开放日", Place: "救助站", StartsAt: start, EndsAt: start.Add(4 * time.Hour), Capacity: 5})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, full := 0, 0
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Register(ctx, public, ev.ID, "访客", fmt.Sprintf("138000010%02d", i))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errs.MessageOf(err) == "portal.err_full":
					full++
				case errs.Is(errs.Unavailable, err):
					// SQLite busy beyond its timeout: not a place taken
				default:
					t.Errorf("register: %v", err)
				}
			}()
		}
		wg.Wait()
		got, err := s.Event(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		regs, err := s.Registrations(ctx, writer, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ok != 5 || got.Registered != 5 || len(regs) != 5 {
			t.Fatalf("%d registered (count %d, rows %d, %d refused as full), capacity 5", ok, got.Registered, len(regs), full)
		}
		if regs[0].PhoneShown == "" || regs[0].PhoneShown == "13800001000" || regs[0].PhoneSealed == "" {
			t.Errorf("phone shown %q", regs[0].PhoneShown)
		}
		if _, err := s.CheckIn(ctx, writer, ev.ID, regs[0].Ref); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckIn(ctx, writer, ev.ID, regs[0].Ref); !errs.Is(errs.Conflict, err) {
			t.Errorf("checked in twice: %v", err)
		}
		if got, _ := s.Event(ctx, ev.ID); got.CheckedIn != 1 {
			t.Errorf("visitors %d, want 1", got.CheckedIn)
		}
		big, err := s.AddEvent(ctx, writer, portal.EventInput{Title: "讲座", Place: "社区", StartsAt: start, EndsAt: start.Add(time.Hour), Capacity: 100})
		if err != nil {
			t.Fatal(err)
		}
		clk.add(26 * time.Hour)
		if _, err := s.Register(ctx, public, big.ID, "迟到", "13800001111"); errs.MessageOf(err) != "portal.err_event_over" {
			t.Errorf("registered after the event: %v", err)
		}
		if _, err := s.Register(ctx, public, big.ID, "", "123"); !errs.Is(errs.Invalid, err) {
			t.Errorf("registered without a name: %v", err)
		}
	})
}
