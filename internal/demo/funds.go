package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/funds"
)

// budgetLines are the station's yearly lines in yuan (a 新乡-sized
// station: about five million, four fifths basic expenditure).
var budgetLines = []struct {
	code  string
	yuan  int64
	hard  bool
	month int64 // a regular monthly payment, in yuan (0: none)
}{
	{funds.LinePersonnel, 3_100_000, false, 218_000},
	{funds.LineRunning, 1_050_000, false, 69_000},
	{funds.LineFood, 420_000, false, 27_500},
	{funds.LineMedical, 300_000, true, 0},
	{funds.LineTravel, 24_000, true, 0},
	{funds.LineClothing, 60_000, true, 0},
	{funds.LineBurial, 40_000, true, 0},
	{funds.LineCampaigns, 80_000, false, 0},
	{funds.LineFamilySearch, 30_000, false, 0},
}

// SeedBudgets adds the cashier (出纳: a second finance account, who pays
// what the accountant approved) and the station's budgets for last year
// and this year. It runs before SeedCases, so that the history's travel
// vouchers are filed with funds on the year's travel line (Vouchers).
func SeedBudgets(ctx context.Context, fs *funds.Service, s *auth.Service, password string, now time.Time) (Account, error) {
	depts, err := s.Store.ListDepartments(ctx)
	if err != nil {
		return Account{}, err
	}
	var station *auth.Department
	for _, d := range depts {
		if d.Kind == "station" {
			station = d
		}
	}
	if station == nil {
		return Account{}, nil
	}
	if password == "" {
		password = RandomPassword()
	}
	u, err := s.CreateUser(ctx, auth.CLIActor(), auth.NewUser{Username: "cashier", DisplayName: "吴倩", Role: auth.RoleFinance, DepartmentID: station.ID,
		Phone: "13837300111", Password: password})
	if err != nil {
		return Account{}, err
	}
	fin, err := demoActor(ctx, s, "finance")
	if err != nil {
		return Account{}, err
	}
	this := now.In(funds.CST).Year()
	for _, year := range []int{this - 1, this} {
		in := funds.BudgetInput{DepartmentID: station.ID, Year: year, ApprovedBy: fmt.Sprintf("新财预〔%d〕12号", year)}
		for _, l := range budgetLines {
			amount := l.yuan * 100
			if year < this {
				amount = amount * 96 / 100 // last year's was a little smaller
			}
			in.Lines = append(in.Lines, funds.LineInput{Code: l.code, AmountFen: amount, HardCap: l.hard})
		}
		at := time.Date(year, 1, 6, 9, 30, 0, 0, funds.CST)
		if at.After(now) { // the first days of a year: approved the evening before
			at = now.Add(-time.Hour)
		}
		if _, err := at1(fs, at).CreateBudget(ctx, fin, in); err != nil {
			return Account{}, fmt.Errorf("budget %d: %v", year, err)
		}
	}
	return Account{Username: u.Username, Password: password, Role: u.Role, Name: u.DisplayName, Department: station.Name}, nil
}

// Vouchers gathers the travel vouchers of the history's exits while
// SeedCases enters them (Hook), to be filed with funds in one go, each as
// of its exit's time (File).
type Vouchers struct {
	actor auth.Actor
	ins   []funds.TravelInput
}

// Hook is a cases.Service.Vouchered that gathers.
func (v *Vouchers) Hook(ctx context.Context, a auth.Actor, st *cases.Stay, vc cases.Voucher) {
	v.actor = a
	v.ins = append(v.ins, funds.TravelInput{DepartmentID: a.DepartmentID, At: st.ExitedAt, PersonID: st.PersonID, StayID: st.ID,
		Mode: vc.Mode, Route: vc.Route, TicketNo: vc.TicketNo, CostFen: int64(vc.CostFen)})
}

// File files what was gathered (years without a budget are left out).
func (v *Vouchers) File(ctx context.Context, fs *funds.Service) error {
	if len(v.ins) == 0 {
		return nil
	}
	_, err := fs.FileVouchers(ctx, v.actor, v.ins)
	return err
}

// SeedSpending approves and pays the history's travel vouchers (a day or
// two after each exit; the last few days' still wait), and adds the
// station's other spending of last year and this: salaries and running
// costs each month, the canteen's food, medical bills of green-channel
// referrals, clothing before winter, burials, campaigns and family
// search; some requests in each state, and clothing near its limit.
func SeedSpending(ctx context.Context, fs *funds.Service, s *auth.Service, now time.Time) error {
	r := rand.New(rand.NewPCG(18, 9))
	var staff, fin, cashier, leader auth.Actor
	for name, p := range map[string]*auth.Actor{"staff": &staff, "finance": &fin, "cashier": &cashier, "leader": &leader} {
		a, err := demoActor(ctx, s, name)
		if err != nil {
			return err
		}
		*p = a
	}
	// The history is approved and paid in monthly batches, as a station's
	// finance office settles: the leader approves what is above the
	// threshold, the accountant the rest, the cashier pays.
	batches := map[string][]*funds.Expense{}
	var months []string
	queue := func(x *funds.Expense) {
		k := x.RequestedAt.In(funds.CST).Format("2006-01")
		if batches[k] == nil {
			months = append(months, k)
		}
		batches[k] = append(batches[k], x)
	}
	settle := func() error {
		slices.Sort(months)
		for _, k := range months {
			xs := batches[k]
			m, _ := time.ParseInLocation("2006-01", k, funds.CST)
			at := m.AddDate(0, 1, 0).Add(-7 * time.Hour) // the month's last day, 17:00
			if at.After(now.Add(-2 * time.Hour)) {
				at = now.Add(-2 * time.Hour) // this month's batch: settled today
			}
			for _, x := range xs {
				at = maxTime(at, x.RequestedAt.Add(time.Hour))
			}
			var small, large, all []string
			for _, x := range xs {
				if x.AmountFen > fs.Threshold() {
					large = append(large, x.ID)
				} else {
					small = append(small, x.ID)
				}
				all = append(all, x.ID)
			}
			if len(small) > 0 {
				if _, err := at1(fs, at).ApproveMany(ctx, fin, small); err != nil {
					return fmt.Errorf("demo approvals %s: %v", k, err)
				}
			}
			if len(large) > 0 {
				if _, err := at1(fs, at).ApproveMany(ctx, leader, large); err != nil {
					return fmt.Errorf("demo approvals %s: %v", k, err)
				}
			}
			if _, err := at1(fs, at.Add(time.Hour)).PayMany(ctx, cashier, all); err != nil {
				return fmt.Errorf("demo payments %s: %v", k, err)
			}
		}
		return nil
	}
	// The vouchers filed at exit.
	open, err := fs.Store.Expenses(ctx, funds.ExpenseFilter{States: []string{funds.StateRequested}})
	if err != nil {
		return err
	}
	for _, x := range open {
		if x.RequestedAt.After(now.Add(-12 * 24 * time.Hour)) {
			continue // waiting for finance
		}
		queue(x)
	}
	this := now.In(funds.CST).Year()
	for _, year := range []int{this - 1, this} {
		bs, err := fs.Store.Budgets(ctx, year)
		if err != nil || len(bs) == 0 {
			return err
		}
		line := map[string]*funds.Line{}
		for _, l := range bs[0].Lines {
			line[l.Code] = l
		}
		last := 12
		if year == this {
			last = int(now.In(funds.CST).Month()) - 1 // this month's are still to come
		}
		spend := func(code string, fen int64, purpose, payee string, at time.Time) error {
			x, err := at1(fs, at).Request(ctx, staff, funds.ExpenseInput{LineID: line[code].ID, AmountFen: fen, Purpose: purpose, Payee: payee})
			if err != nil {
				return fmt.Errorf("demo expense %s %d: %v", code, year, err)
			}
			queue(x)
			return nil
		}
		for m := 1; m <= last; m++ {
			day := time.Date(year, time.Month(m), 8, 10, 0, 0, 0, funds.CST)
			for _, l := range budgetLines {
				if l.month == 0 {
					continue
				}
				fen := (l.month - int64(r.IntN(int(l.month/20)))) * 100 // up to 5 % less
				if err := spend(l.code, fen, fmt.Sprintf("%d 月%s", m, monthPurpose[l.code]), monthPayee[l.code], day.Add(time.Duration(r.IntN(5))*24*time.Hour)); err != nil {
					return err
				}
			}
			if m%2 == 0 {
				if err := spend(funds.LineMedical, int64(3_000+r.IntN(12_000))*100, "绿色通道住院费用结算", "新乡市第二人民医院", day.Add(12*24*time.Hour)); err != nil {
					return err
				}
			}
			if m%3 == 0 {
				if err := spend(funds.LineFamilySearch, int64(800+r.IntN(1_500))*100, "寻亲公告刊登及 DNA 采样", "新乡日报社", day.Add(15*24*time.Hour)); err != nil {
					return err
				}
			}
		}
		// Clothing bought before winter, up to about nine tenths of the
		// line this year: the line near its limit.
		target := line[funds.LineClothing].AmountFen * 9 / 10
		if year < this {
			target = line[funds.LineClothing].AmountFen * 7 / 10
		}
		for i, share := range []int64{40, 35, 25} {
			at := time.Date(year, time.Month(9+i), 20, 10, 0, 0, 0, funds.CST)
			if at.After(now) {
				at = now.Add(-time.Duration(3-i) * 24 * time.Hour)
			}
			if err := spend(funds.LineClothing, target*share/100, "冬季棉衣棉被采购", "新乡市百货大楼", at); err != nil {
				return err
			}
		}
		for _, x := range []struct {
			code, purpose, payee string
			fen                  int64
			at                   time.Time
		}{
			{funds.LineBurial, "无名遗体火化及安葬", "新乡市殡仪馆", 6_800_00, time.Date(year, 5, 19, 10, 0, 0, 0, funds.CST)},
			{funds.LineCampaigns, "寒冬送温暖专项行动物资及车辆", "新乡市百货大楼", 18_500_00, time.Date(year, 1, 15, 10, 0, 0, 0, funds.CST)},
		} {
			if x.at.After(now.Add(-13 * 24 * time.Hour)) {
				continue // not yet this year (or too recent to be settled in a month's batch)
			}
			if err := spend(x.code, x.fen, x.purpose, x.payee, x.at); err != nil {
				return err
			}
		}
	}
	if err := settle(); err != nil {
		return err
	}
	// This year's requests in every state: waiting (one above the
	// threshold, for the leader), approved and waiting for the cashier,
	// refused, and paid then partly refunded.
	bs, err := fs.Store.Budgets(ctx, this)
	if err != nil || len(bs) == 0 {
		return err
	}
	line := map[string]*funds.Line{}
	for _, l := range bs[0].Lines {
		line[l.Code] = l
	}
	ago := func(days int) *funds.Service { return at1(fs, now.Add(-time.Duration(days)*24*time.Hour)) }
	req := func(days int, code string, fen int64, purpose, payee string) (*funds.Expense, error) {
		return ago(days).Request(ctx, staff, funds.ExpenseInput{LineID: line[code].ID, AmountFen: fen, Purpose: purpose, Payee: payee})
	}
	if _, err := req(1, funds.LineFood, 2_860_00, "食堂蔬菜肉蛋采购", "新乡市农贸批发市场"); err != nil {
		return err
	}
	if _, err := req(2, funds.LineMedical, 12_400_00, "绿色通道住院费用结算（骨折手术）", "新乡市第二人民医院"); err != nil {
		return err
	}
	x, err := req(4, funds.LineRunning, 3_150_00, "救助车辆保养", "新乡市公交集团修理厂")
	if err != nil {
		return err
	}
	if _, err := ago(3).Approve(ctx, fin, x.ID); err != nil {
		return err
	}
	if x, err = req(6, funds.LineCampaigns, 900_00, "宣传横幅重复申请", "新乡市印刷厂"); err != nil {
		return err
	}
	if _, err := ago(5).Refuse(ctx, fin, x.ID, "与上周申请重复"); err != nil {
		return err
	}
	if x, err = req(20, funds.LineFood, 1_200_00, "节日加餐", "新乡市农贸批发市场"); err != nil {
		return err
	}
	if _, err := ago(19).Approve(ctx, fin, x.ID); err != nil {
		return err
	}
	if _, err := ago(18).Pay(ctx, cashier, x.ID); err != nil {
		return err
	}
	_, err = ago(10).Refund(ctx, cashier, x.ID, 150_00, "部分食材退货")
	return err
}

var monthPurpose = map[string]string{funds.LinePersonnel: "工资及社保", funds.LineRunning: "水电、取暖及办公费", funds.LineFood: "食堂伙食采购"}
var monthPayee = map[string]string{funds.LinePersonnel: "在编及聘用人员", funds.LineRunning: "新乡市供电公司等", funds.LineFood: "新乡市农贸批发市场"}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// at1 is fs as of a moment: the demo's history is entered after the fact.
func at1(fs *funds.Service, t time.Time) *funds.Service {
	c := *fs
	c.Now = func() time.Time { return t }
	return &c
}

// demoActor is a demo account acting, with its user id: separation of
// duties compares ids.
func demoActor(ctx context.Context, s *auth.Service, username string) (auth.Actor, error) {
	u, err := s.Store.UserByUsername(ctx, username)
	if err != nil {
		return auth.Actor{}, fmt.Errorf("demo account %s: %v", username, err)
	}
	return auth.ActorFor(u, ""), nil
}
