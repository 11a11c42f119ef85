package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/volunteers"
)

// TestMaskedIDCannotBeRebuilt is the attack on masked ID numbers: every
// role that may not see ID numbers (all without cases.personal, and
// anonymous visitors) signs in, fetches every page, printed form and JSON
// it can reach that may mention one person with a known number (and one
// volunteer with another), and tries to put the number together from
// what it read: the region (code or name), the birth date in any usual
// format, and the visible digits of the masked number. At least four of
// the seventeen leading digits must stay unknown beyond what the check
// character gives, that is at least 10^4 candidates.
func TestMaskedIDCannotBeRebuilt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		staff := auth.Actor{UserID: "mask-staff", Name: "mask", Role: auth.RoleStaff}
		const personID, volunteerID = "410726197503020290", "532924198807150133" // 河南省新乡市延津县 1975-03-02; 云南省大理白族自治州宾川县 1988-07-15
		region := idcard.RegionOf(personID[:6]).String()
		ad, err := h.cases.Admit(ctx, staff, cases.AdmitInput{Source: "walk_in",
			Form: cases.Form{Reason: "务工返乡途中钱物被盗", Security: "passed", Residence: region + "城关镇东街 12 号"},
			Person: cases.PersonInput{Name: "司马延生", IDNumber: personID, BirthDate: "1975-03-02", Hukou: region, NativePlace: region,
				Dialect: "河南话", Mental: cases.MentalNormal},
			Contact: cases.ContactInput{Relation: "妻子", Name: "王秀英", Phone: "13903731234", Address: region + "城关镇东街 12 号"}})
		if err != nil {
			t.Fatal(err)
		}
		// An earlier stay ended with a ticket home; the person came back.
		first := ad.Stay
		if _, err := h.cases.Exit(ctx, staff, first.ID, cases.ExitInput{Kind: cases.ExitReturnHome, At: time.Now(), Destination: region + "城关镇",
			Voucher: cases.Voucher{Mode: "ticket", Route: "新乡—延津", TicketNo: "E12345678", CostFen: 1800}, Services: "住宿、饮食"}, first.Version); err != nil {
			t.Fatal(err)
		}
		if ad, err = h.cases.Admit(ctx, staff, cases.AdmitInput{PersonID: ad.Person.ID, Source: "walk_in",
			Form: cases.Form{Reason: "再次滞留", Security: "passed", Residence: region}}); err != nil {
			t.Fatal(err)
		}
		var hospitalID string
		depts, _ := db.ListDepartments(ctx)
		for _, d := range depts {
			if d.Name == "新乡市第二人民医院" {
				hospitalID = d.ID
			}
		}
		doctor := auth.Actor{UserID: "mask-doctor", Name: "mask", Role: auth.RoleMedical}
		ref, err := h.health.Refer(ctx, doctor, ad.Person.ID, ad.Stay.ID, hospitalID, "高血压复查", false)
		if err != nil {
			t.Fatal(err)
		}
		// The family's report: the same number, the birth date and the
		// native place, as a family would write them.
		rep, err := h.family.File(ctx, auth.Actor{}, family.ReportInput{Name: "司马延生", IDNumber: personID, BirthDate: "1975-03-02",
			NativePlace: "河南省延津县", LostOn: "2026-01-02", ContactPhone: "13900001111"})
		if err != nil {
			t.Fatal(err)
		}
		h.matched()
		cands, err := db.Candidates(ctx, nil, ad.Person.ID, "")
		if err != nil || len(cands) == 0 {
			t.Fatalf("no family-search candidate for the person: %v", err)
		}
		org, err := h.vols.AddOrganisation(ctx, staff, volunteers.Organisation{Name: "新乡市慈善总会", Kind: "charity", Contact: "刘会长", Phone: "0373-2021234"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.vols.AddVolunteer(ctx, staff, volunteers.VolunteerInput{Name: "段明远", OrgID: org.ID, Phone: "13903730001", IDNumber: volunteerID,
			Skills: []string{"driving"}}); err != nil {
			t.Fatal(err)
		}

		// Every GET route with this person's records filled in, every
		// statutory form, and every candidate's explanation.
		f := &matrixFixture{personID: ad.Person.ID, stayID: ad.Stay.ID, referralID: ref.ID, reportID: rep.ID, candidateID: cands[0].ID}
		var paths []string
		for _, p := range h.web.Routes() {
			if !strings.HasPrefix(p, "GET ") || p == "GET /dispatch/events" || p == "GET /static/" {
				continue
			}
			_, path, _ := f.request(p)
			paths = append(paths, path)
		}
		for _, form := range []string{"registration", "refusal", "self_exit", "service_exit", "termination"} {
			paths = append(paths, "/stays/"+ad.Stay.ID+"/forms/"+form, "/stays/"+first.ID+"/forms/"+form)
		}
		for _, c := range cands {
			paths = append(paths, "/family/candidates/"+c.ID)
		}
		paths = append(paths, "/people?q=司马", "/people?in=1", "/family/review?state=all", "/referrals?all=1")
		slices.Sort(paths)
		paths = slices.Compact(paths)

		read := func(c *client) string {
			var all strings.Builder
			for _, p := range paths {
				res, body := c.do("GET", p, nil, false)
				if res.StatusCode == http.StatusOK {
					fmt.Fprintf(&all, "\n[%s]\n%s", p, html.UnescapeString(body))
				}
			}
			return all.String()
		}

		// The attack must work where it should: staff see the number.
		staffText := read(h.login(string(auth.RoleStaff)))
		if left, why := unknownDigits(staffText, personID); left >= 4 {
			t.Fatalf("the attack finds nothing even for staff (%d digits left: %s): the test is broken", left, why)
		}

		for _, role := range append([]auth.Role{""}, auth.Roles...) {
			if auth.RoleCan(role, auth.PermCasesPersonal) {
				continue
			}
			who := string(role)
			c := h.anon()
			if role == "" {
				who = "anonymous"
			} else {
				c = h.login(who)
			}
			text := read(c)
			// The roles that see the person (and the coordinator the
			// volunteer) must have reached them, or the check is empty.
			if auth.RoleCan(role, auth.PermCasesView) || role == auth.RoleHospital {
				if !strings.Contains(text, "司马延生") {
					t.Errorf("%s: the person's pages were not reached", who)
				}
			}
			var must []string
			if auth.RoleCan(role, auth.PermCasesView) {
				must = append(must, "/people/"+ad.Person.ID, "/stays/"+ad.Stay.ID+"/forms/registration", "/stays/"+first.ID+"/forms/service_exit",
					"/station", "/people?q=司马")
			}
			if auth.RoleCan(role, auth.PermFamilyView) {
				must = append(must, "/family/candidates/"+cands[0].ID, "/family/reports/"+rep.ID)
			}
			if auth.RoleCan(role, auth.PermReferralsHospital) || auth.RoleCan(role, auth.PermHealthView) {
				must = append(must, "/referrals/"+ref.ID)
			}
			for _, p := range must {
				if !strings.Contains(text, "\n["+p+"]\n") {
					t.Errorf("%s: %s was not read", who, p)
				}
			}
			if role == auth.RoleVolunteer && !strings.Contains(text, "段明远") {
				t.Errorf("%s: the volunteer list was not reached", who)
			}
			for _, id := range []string{personID, volunteerID} {
				if left, why := unknownDigits(text, id); left < 4 {
					t.Errorf("%s can narrow ID number %s…%s down to 10^%d candidates: %s", who, id[:2], id[16:], left, why)
				}
			}
		}
	})
}

var maskedRun = regexp.MustCompile(`[0-9*]{17}[0-9Xx*]`)

// unknownDigits works out which of the 17 leading digits of id text
// gives away and returns how many stay unknown beyond what the check
// character gives, with the reasons.
func unknownDigits(text, id string) (int, string) {
	var known [17]bool
	var why []string
	set := func(from, to int, reason string) {
		for i := from; i < to; i++ {
			known[i] = true
		}
		why = append(why, reason)
	}
	checkShown := false
	if strings.Contains(text, id) {
		set(0, 17, "the full number")
		checkShown = true
	}
	for _, m := range maskedRun.FindAllString(text, -1) {
		if !strings.Contains(m, "*") {
			continue
		}
		agrees := true
		for i := 0; i < 18; i++ {
			if m[i] != '*' && !strings.EqualFold(m[i:i+1], id[i:i+1]) {
				agrees = false
			}
		}
		if !agrees {
			continue
		}
		for i := 0; i < 17; i++ {
			if m[i] != '*' {
				set(i, i+1, "")
			}
		}
		why = append(why, "masked "+m)
		checkShown = checkShown || m[17] != '*'
	}
	r := idcard.RegionOf(id[:6])
	names := func(n string) []string {
		out := []string{n}
		for _, suf := range []string{"白族自治州", "自治州", "省", "市", "县", "区", "州"} {
			if s := strings.TrimSuffix(n, suf); s != n && len([]rune(s)) >= 2 {
				out = append(out, s)
				break
			}
		}
		return out
	}
	for _, lv := range []struct {
		name string
		n    int
	}{{r.Province, 2}, {r.City, 4}, {r.County, 6}} {
		if lv.name == "" {
			continue
		}
		for _, n := range names(lv.name) {
			if strings.Contains(text, n) {
				set(0, lv.n, "region "+n)
				break
			}
		}
	}
	if strings.Contains(text, id[:6]) {
		set(0, 6, "region code "+id[:6])
	}
	b, _ := time.Parse("20060102", id[6:14])
	for _, layout := range []string{"2006-01-02", "2006年1月2日", "2006年01月02日", "20060102", "2006/01/02", "2006/1/2", "2006.01.02", "2006.1.2", "2006-1-2"} {
		if s := b.Format(layout); strings.Contains(text, s) {
			set(6, 14, "birth date "+s)
		}
	}
	if y := id[6:10]; strings.Contains(text, y) {
		set(6, 10, "birth year "+y) // an age gives it within one year anyway
	}
	left := 0
	for _, k := range known {
		if !k {
			left++
		}
	}
	if checkShown && left > 0 {
		left-- // the check character gives one more digit
	}
	slices.Sort(why)
	return left, strings.Join(slices.DeleteFunc(slices.Compact(why), func(s string) bool { return s == "" }), "; ")
}
