package firesafety_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/duties"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/firesafety"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

var (
	safety = auth.Actor{UserID: "u-safety", Name: "王安全", Role: auth.RoleSafety, IP: "127.0.0.1"}
	leader = auth.Actor{UserID: "u-leader", Name: "领导", Role: auth.RoleLeader, IP: "127.0.0.1"}
	staff  = auth.Actor{UserID: "u-staff", Name: "站员", Role: auth.RoleStaff, IP: "127.0.0.1"}
)

// now: 2026-12-01 23:00 CST, a night.
var now = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

type fixture struct {
	db    *store.DB
	svc   *firesafety.Service
	clock *time.Time
	cps   []*firesafety.Checkpoint
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	c := now
	f := &fixture{db: db, clock: &c}
	f.svc = &firesafety.Service{Store: db, Duties: db, Files: db.Files(), Now: func() time.Time { return *f.clock }}
	ctx := context.Background()
	for i, cp := range [][2]string{{"XC-01", "一楼大厅"}, {"XC-02", "二楼宿舍走廊"}, {"XC-03", "厨房"}} {
		c, err := f.svc.AddCheckpoint(ctx, safety, cp[0], cp[1], string(rune('1'+i)))
		if err != nil {
			t.Fatal(err)
		}
		f.cps = append(f.cps, c)
	}
	if err := f.svc.EnsureDuties(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

func fieldErr(t *testing.T, err error, field, key string) {
	t.Helper()
	if !errs.Is(errs.Invalid, err) {
		t.Fatalf("want Invalid on %s, got %v", field, err)
	}
	if got := errs.FieldsOf(err)[field]; got != key {
		t.Fatalf("field %s: %q, want %q (all: %v)", field, got, key, errs.FieldsOf(err))
	}
}

func (f *fixture) scan(t *testing.T, code, client string) (*firesafety.Scan, bool) {
	t.Helper()
	sc, replay, err := f.svc.RecordScan(context.Background(), safety, firesafety.ScanInput{Code: code, ClientID: client})
	if err != nil {
		t.Fatalf("scan %s: %v", code, err)
	}
	return sc, replay
}

func TestScanReplayAndOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		a, _ := f.scan(t, "https://h/fire/cp/XC-01", "c1")
		*f.clock = f.clock.Add(5 * time.Minute)
		again, replay := f.scan(t, "XC-01", "c1") // the phone sends it again
		if !replay || again.ID != a.ID {
			t.Fatalf("replay stored a second scan: %v %s %s", replay, again.ID, a.ID)
		}
		c, _ := f.scan(t, "xc-03", "c2") // skips XC-02
		*f.clock = f.clock.Add(5 * time.Minute)
		b, _ := f.scan(t, "XC-02", "c3") // then goes back: out of sequence
		if a.OutOfSeq || c.OutOfSeq || !b.OutOfSeq || b.RoundID != a.RoundID || c.RoundID != a.RoundID {
			t.Fatalf("order flags: %v %v %v, rounds %s %s %s", a.OutOfSeq, c.OutOfSeq, b.OutOfSeq, a.RoundID, c.RoundID, b.RoundID)
		}
		scans, err := db.Scans(ctx, now.Add(-time.Hour), now.Add(time.Hour))
		if err != nil || len(scans) != 3 {
			t.Fatalf("scans %d %v", len(scans), err)
		}
		// An hour later a new round starts and misses XC-02 and XC-03.
		*f.clock = f.clock.Add(time.Hour)
		d, _ := f.scan(t, "XC-01", "c4")
		if d.RoundID == a.RoundID || d.OutOfSeq || !d.Night {
			t.Fatalf("new round: %+v", d)
		}
		*f.clock = f.clock.Add(time.Hour)
		o, err := f.svc.Overview(ctx, safety)
		if err != nil {
			t.Fatal(err)
		}
		missed, oos := 0, 0
		for _, al := range o.Alerts {
			switch al.Kind {
			case firesafety.AlertMissed:
				missed++
			case firesafety.AlertOutOfSeq:
				oos++
			}
		}
		if missed != 2 || oos != 1 {
			t.Errorf("missed %d out of sequence %d: %+v", missed, oos, o.Alerts)
		}
		// A code that names no checkpoint: nothing stored.
		_, _, err = f.svc.RecordScan(ctx, safety, firesafety.ScanInput{Code: "XC-99", ClientID: "c5"})
		fieldErr(t, err, "code", "fire.err_no_checkpoint")
		_, _, err = f.svc.RecordScan(ctx, safety, firesafety.ScanInput{Code: "巡查点", ClientID: "c6"})
		fieldErr(t, err, "code", "fire.err_no_checkpoint")
		if _, err := db.ScanByClientID(ctx, "c5"); !errs.Is(errs.NotFound, err) {
			t.Errorf("a refused scan was stored: %v", err)
		}
		// A problem needs a note and makes a hazard.
		_, _, err = f.svc.RecordScan(ctx, safety, firesafety.ScanInput{Code: "XC-02", ClientID: "c7", Problems: []string{firesafety.ItemExits}})
		fieldErr(t, err, "note", "fire.err_problem_note")
		if _, _, err = f.svc.RecordScan(ctx, safety, firesafety.ScanInput{Code: "XC-02", ClientID: "c7", Problems: []string{firesafety.ItemExits},
			Note: "安全出口堆放杂物"}); err != nil {
			t.Fatal(err)
		}
		hs, _ := db.Hazards(ctx, "2026-01-01")
		if len(hs) != 1 || hs[0].Source != firesafety.SourcePatrol || hs[0].Location != "二楼宿舍走廊" {
			t.Errorf("hazards: %+v", hs)
		}
		// Only the safety officer patrols.
		if _, _, err := f.svc.RecordScan(ctx, leader, firesafety.ScanInput{Code: "XC-01", ClientID: "c8"}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("leader scanned: %v", err)
		}
	})
}

func TestNightPatrolDutyOnTheEngine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		d, err := db.DutyByKey(ctx, firesafety.Area, firesafety.DutyNightPatrol, "")
		if err != nil {
			t.Fatal(err)
		}
		// Tonight starts 22:00 CST: first due at 00:00.
		if want := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC); !d.NextDue.Equal(want) {
			t.Fatalf("first due %v, want %v", d.NextDue, want)
		}
		*f.clock = time.Date(2026, 12, 1, 15, 50, 0, 0, time.UTC) // 23:50
		f.scan(t, "XC-01", "n1")
		d, _ = db.DutyByKey(ctx, firesafety.Area, firesafety.DutyNightPatrol, "")
		if want := time.Date(2026, 12, 1, 17, 50, 0, 0, time.UTC); !d.NextDue.Equal(want) { // 01:50
			t.Fatalf("after 23:50 due %v, want %v", d.NextDue, want)
		}
		// 05:00: the next would be 07:00, after the night: the next night's 00:00.
		*f.clock = time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
		f.scan(t, "XC-01", "n2")
		d, _ = db.DutyByKey(ctx, firesafety.Area, firesafety.DutyNightPatrol, "")
		if want := time.Date(2026, 12, 2, 16, 0, 0, 0, time.UTC); !d.NextDue.Equal(want) {
			t.Fatalf("after 05:00 due %v, want %v", d.NextDue, want)
		}
		runs, _ := db.DutyRuns(ctx, d.ID, now.Add(-24*time.Hour))
		if len(runs) != 2 || runs[0].State != duties.Done || runs[1].State != duties.DoneLate {
			t.Errorf("runs %+v", runs)
		}
		// The night of 1 December: 22:00–23:50 fine, 23:50–05:00 a gap.
		o, err := f.svc.Overview(ctx, safety)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Tonight.Gaps) != 1 || o.Tonight.Day != "2026-12-01" || o.Tonight.Scans != 2 {
			t.Errorf("coverage %+v", o.Tonight)
		}
	})
}

func TestRegisterBadInputAndSpares(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		_, err := f.svc.AddEquipment(ctx, safety, firesafety.EquipmentInput{Kind: firesafety.KindExtinguisher, Name: "4kg 干粉", Location: "一楼",
			ExtType: firesafety.Powder, ManufacturedOn: "2024-05-01", InstalledOn: "2024-04-01"})
		fieldErr(t, err, "manufactured_on", "fire.err_made_after_installed")
		_, err = f.svc.AddEquipment(ctx, safety, firesafety.EquipmentInput{Kind: firesafety.KindExtinguisher, Name: "4kg 干粉", Location: "一楼",
			ExtType: firesafety.Powder, ManufacturedOn: "2026-12-02"})
		fieldErr(t, err, "manufactured_on", "err.date_future")
		if items, _ := db.Equipment(ctx); len(items) != 0 {
			t.Fatalf("refused items stored: %d", len(items))
		}
		ext, err := f.svc.AddEquipment(ctx, safety, firesafety.EquipmentInput{Kind: firesafety.KindExtinguisher, Name: "4kg 干粉", Location: "一楼",
			ExtType: firesafety.Powder, ManufacturedOn: "2021-12-01", InstalledOn: "2022-01-01"})
		if err != nil || ext.Code != "F001" {
			t.Fatalf("%v %+v", err, ext)
		}
		if _, err := f.svc.RecordEvent(ctx, safety, ext.ID, firesafety.EventInput{Kind: firesafety.EventService, On: "2026-11-30"}); err != nil {
			t.Fatal(err)
		}
		it, _ := f.svc.EquipmentItem(ctx, leader, ext.ID)
		if it.NextService != "2028-11-30" || it.ScrapOn != "2031-12-01" || it.Standing != firesafety.StandOK {
			t.Errorf("after service: %+v", it.Item)
		}
		sp, err := f.svc.AddEquipment(ctx, safety, firesafety.EquipmentInput{Kind: firesafety.KindSprinkler, Name: "ZSTX15-68℃", Location: "宿舍楼",
			Installed: "1200", Spares: "12"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordEvent(ctx, safety, sp.ID, firesafety.EventInput{Kind: firesafety.EventReplacement, On: "2026-11-30", Count: "13",
			Note: "二楼喷头渗漏"}); err == nil {
			t.Fatal("replaced more heads than spares")
		}
		if _, err := f.svc.RecordEvent(ctx, safety, sp.ID, firesafety.EventInput{Kind: firesafety.EventReplacement, On: "2026-11-30", Count: "2",
			Note: "二楼喷头渗漏"}); err != nil {
			t.Fatal(err)
		}
		it, _ = f.svc.EquipmentItem(ctx, safety, sp.ID)
		if it.Spares != 10 || it.Standing != firesafety.StandShort || len(it.Events) != 1 {
			t.Errorf("after replacement: spares %d %s %d", it.Spares, it.Standing, len(it.Events))
		}
		if _, err := f.svc.AddEquipment(ctx, staff, firesafety.EquipmentInput{}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("staff added equipment: %v", err)
		}
		if _, err := f.svc.Overview(ctx, staff); !errs.Is(errs.Forbidden, err) {
			t.Errorf("staff read the register: %v", err)
		}
	})
}

func TestInspectionHazardsAndPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		in := firesafety.InspectionInput{On: "2026-12-01", Inspector: "王安全", Responsible: "刘站长",
			Findings: []firesafety.FindingInput{{Location: "配电室", Description: "灭火器压力不足"}, {Location: "厨房", Description: "油烟管道积油", FixedOnSpot: true}}}
		_, err := f.svc.RecordInspection(ctx, safety, in)
		fieldErr(t, err, "signed", "fire.err_unsigned")
		in.Signed = true
		ins, err := f.svc.RecordInspection(ctx, safety, in)
		if err != nil || ins.Findings != 2 {
			t.Fatalf("%v %+v", err, ins)
		}
		d, _ := db.DutyByKey(ctx, firesafety.Area, firesafety.DutyInspection, "")
		if d.NextDue.In(firesafety.CST).Format("2006-01-02") != "2027-01-01" {
			t.Errorf("next inspection %v", d.NextDue)
		}
		hs, _ := db.Hazards(ctx, "2026-01-01")
		var open *firesafety.Hazard
		for _, h := range hs {
			if !h.FixedOnSpot {
				open = h
			}
		}
		_, err = f.svc.PlanHazard(ctx, safety, open.ID, firesafety.PlanInput{Measure: "更换灭火器", Deadline: "2026-11-30", Owner: "张师傅", Funds: "300"})
		fieldErr(t, err, "deadline", "fire.err_deadline_before")
		if _, err := f.svc.PlanHazard(ctx, safety, open.ID, firesafety.PlanInput{Measure: "更换灭火器", Deadline: "2026-12-05", Owner: "张师傅", Funds: "1,300.50"}); err != nil {
			t.Fatal(err)
		}
		*f.clock = now.AddDate(0, 0, 4) // 5 December, CST
		if l, _ := f.svc.OverdueHazards(ctx, leader); len(l) != 0 {
			t.Errorf("overdue on the deadline: %d", len(l))
		}
		*f.clock = now.AddDate(0, 0, 5)
		l, err := f.svc.OverdueHazards(ctx, leader)
		if err != nil || len(l) != 1 || l[0].FundsFen != 130050 {
			t.Fatalf("overdue for the leader: %v %+v", err, l)
		}
		if _, err := f.svc.RecheckHazard(ctx, safety, open.ID, firesafety.RecheckInput{On: "2026-12-06", OK: true}); err != nil {
			t.Fatal(err)
		}
		if l, _ := f.svc.OverdueHazards(ctx, leader); len(l) != 0 {
			t.Errorf("closed hazard still overdue")
		}
		// A closed hazard is neither planned nor rechecked again; staff do neither.
		if _, err := f.svc.PlanHazard(ctx, safety, open.ID, firesafety.PlanInput{Measure: "再换", Deadline: "2026-12-09", Owner: "张师傅"}); !errs.Is(errs.Conflict, err) {
			t.Errorf("a closed hazard planned again: %v", err)
		}
		if _, err := f.svc.RecheckHazard(ctx, safety, open.ID, firesafety.RecheckInput{On: "2026-12-06", OK: true}); !errs.Is(errs.Conflict, err) {
			t.Errorf("a closed hazard rechecked again: %v", err)
		}
		if _, err := f.svc.RecheckHazard(ctx, staff, open.ID, firesafety.RecheckInput{On: "2026-12-06", OK: true}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("staff rechecked a hazard: %v", err)
		}
		// People: 5 micro members is short; an operator certificate is needed.
		_, err = f.svc.AddPerson(ctx, safety, firesafety.PersonInput{Name: "赵值班", Operator: true})
		fieldErr(t, err, "cert_no", "err.required")
		var ops []string
		for i, n := range []string{"赵一", "钱二", "孙三", "李四", "周五"} {
			p, err := f.svc.AddPerson(ctx, safety, firesafety.PersonInput{Name: n, Micro: true, Operator: i < 2, CertNo: "消控证" + n, CertExpires: "2027-06-01"})
			if err != nil {
				t.Fatal(err)
			}
			if i < 2 {
				ops = append(ops, p.ID)
			}
		}
		if _, err := f.svc.SaveShift(ctx, safety, firesafety.ShiftInput{On: "2026-12-08", Slot: firesafety.SlotDay, People: ops}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SaveShift(ctx, safety, firesafety.ShiftInput{On: "2026-12-08", Slot: firesafety.SlotDay, People: []string{"nobody"}}); err == nil {
			t.Error("a shift of an unknown person")
		}
		o, err := f.svc.Overview(ctx, safety)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, a := range o.Alerts {
			kinds[a.Kind]++
		}
		if kinds[firesafety.AlertMicroShort] != 1 || kinds[firesafety.AlertShiftShort] != 13 || kinds[firesafety.AlertTrainingOld] != 1 {
			t.Errorf("alerts %v", kinds)
		}
		if _, err := f.svc.RecordTraining(ctx, safety, firesafety.TrainingInput{On: "2026-12-06", Topic: "灭火器使用", Trainer: "消防大队", Attendees: ops}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordDrill(ctx, safety, firesafety.DrillInput{On: "2026-12-09", Scenario: "夜间宿舍疏散", Attendees: ops}); err == nil {
			t.Error("a drill in the future or without evaluation")
		}
	})
}

func TestYearlyTestNeedsItsReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		in := firesafety.TestInput{On: "2026-11-20", Company: "河南安泰消防技术服务有限公司", CertNo: "豫消技服0117", Passed: true}
		_, err := f.svc.AddTest(ctx, safety, in)
		fieldErr(t, err, "report", "err.required")
		in.Report = []byte("not a photo")
		_, err = f.svc.AddTest(ctx, safety, in)
		fieldErr(t, err, "report", "err.photo_not_image")
		img := image.NewRGBA(image.Rect(0, 0, 40, 60))
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, nil); err != nil {
			t.Fatal(err)
		}
		in.Report = b.Bytes()
		ts, err := f.svc.AddTest(ctx, safety, in)
		if err != nil {
			t.Fatal(err)
		}
		if data, err := f.svc.TestReport(ctx, leader, ts.ID); err != nil || len(data) == 0 {
			t.Fatalf("report: %d %v", len(data), err)
		}
		if _, err := f.svc.TestReport(ctx, staff, ts.ID); !errs.Is(errs.Forbidden, err) {
			t.Errorf("staff read the report: %v", err)
		}
		d, _ := db.DutyByKey(ctx, firesafety.Area, firesafety.DutyTest, "")
		if d.NextDue.In(firesafety.CST).Format("2006-01-02") != "2027-11-20" {
			t.Errorf("next full test %v", d.NextDue)
		}
	})
}
