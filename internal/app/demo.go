package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/havenrescue/haven/internal/demo"
)

// demo runs the server on a fresh demo data set. Without --data (or
// HAVEN_DATA) it uses a new temporary folder, so every run starts fresh,
// and removes it when it stops.
func cmdDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	temporary := ""
	if getenv("HAVEN_DATA") == "" && !slices.ContainsFunc(args, func(a string) bool {
		return a == "--data" || a == "-data" || strings.HasPrefix(a, "--data=") || strings.HasPrefix(a, "-data=")
	}) {
		dir, err := os.MkdirTemp("", "haven-demo-")
		if err != nil {
			return fmt.Errorf("cannot create a folder for the demo data: %v", err)
		}
		// Runs after the database is closed (defers run last in, first out).
		defer func() {
			if err := os.RemoveAll(dir); err != nil {
				fmt.Fprintf(stderr, "haven: the demo data folder %s was not removed: %v\n", dir, err)
			}
		}()
		temporary = dir
		args = append([]string{"--data", dir}, args...)
	}
	cfg, rest, err := loadConfig("demo", args, getenv, stdout)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("demo takes no arguments, got %q", rest)}
	}
	if cfg.PrintConfig {
		cfg.Print(stdout)
		return nil
	}
	password := getenv("HAVEN_DEMO_PASSWORD")
	if f := getenv("HAVEN_DEMO_PASSWORD_FILE"); f != "" && password == "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("HAVEN_DEMO_PASSWORD_FILE: %v", err)
		}
		password = strings.TrimSpace(string(b))
	}
	e, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	accounts, keys, err := seedDemo(ctx, e, password, getenv("HAVEN_DEMO_API_KEY"))
	if err != nil {
		return err
	}
	return e.run(ctx, stdout, func(url string) {
		fmt.Fprintf(stdout, "\n避风港 Haven demo — 新乡 Xinxiang\nData folder: %s", cfg.DataDir)
		if temporary != "" {
			fmt.Fprint(stdout, " (temporary: removed when the demo stops)")
		}
		fmt.Fprintf(stdout, "\nOpen %s and sign in with one of these accounts:\n\n", url)
		fmt.Fprintf(stdout, "  %-11s %-16s %s\n", "username", "password", "role · department")
		for _, a := range accounts {
			fmt.Fprintf(stdout, "  %-11s %-16s %s · %s %s\n", a.Username, a.Password, a.Role, a.Name, a.Department)
		}
		fmt.Fprintf(stdout, "\nAPI keys of the demo partners (12345, 110, 数字城管), Open311 client, police and weather service:\n\n")
		for _, k := range keys {
			fmt.Fprintf(stdout, "  %-10s %s\n             scopes: %s; %s\n", k.Name, k.Key, k.Scopes, k.Use)
		}
		if k, ok := open311Key(keys); ok {
			fmt.Fprintf(stdout, "\nTry the Open311 API (ready to paste):\n\n  curl -s %s/open311/v2/services.json\n", url)
			fmt.Fprintf(stdout, "  curl -s -d \"api_key=%s&service_code=rough_sleeping&lat=35.3056&long=113.8624&description=桥洞下有人\" \\\n       %s/open311/v2/requests.json\n", k, url)
		}
		fmt.Fprintf(stdout, "\nReport help as the public: %s/report   Open311: %s/open311/v2/services.json\n", url, url)
		fmt.Fprintf(stdout, "Report a missing person: %s/family/report   Public notices: %s/notices\n", url, url)
		fmt.Fprintf(stdout, "Nearest help point: %s/help-points\n", url)
		fmt.Fprintln(stdout, "\nPress Ctrl+C to stop.")
	})
}

// open311Key finds the demo key that may file Open311 requests.
func open311Key(keys []demo.Key) (string, bool) {
	for _, k := range keys {
		if slices.Contains(strings.Fields(k.Scopes), "open311") {
			return k.Key, true
		}
	}
	return "", false
}

// seedDemo fills an empty database with the demo data set for 新乡: its
// departments, accounts (every password is password, or each random),
// help signals, dispatch, station, family search, rescue points,
// campaigns, supplies, the 2024–25 winter campaign's history and
// volunteers. apiKey, when not empty, is every demo partner's API key.
func seedDemo(ctx context.Context, e *env, password, apiKey string) ([]demo.Account, []demo.Key, error) {
	accounts, err := demo.Seed(ctx, e.auth, password)
	if err != nil {
		return nil, nil, fmt.Errorf("demo data: %v (run 'haven demo' without --data for a fresh folder)", err)
	}
	keys, err := demo.SeedIntake(ctx, demo.Deps{Auth: e.auth, Intake: e.intake, Partners: e.partners, Now: e.now}, apiKey)
	if err != nil {
		return nil, nil, fmt.Errorf("demo help signals: %v", err)
	}
	// The history's encounters predate the supply catalogue: they are not
	// booked against stock.
	handedOut := e.dispatch.HandedOut
	e.dispatch.HandedOut = nil
	if err := demo.SeedDispatch(ctx, e.dispatch, e.auth, e.now()); err != nil {
		return nil, nil, fmt.Errorf("demo dispatch: %v", err)
	}
	e.dispatch.HandedOut = handedOut
	// The budgets first: the history's travel vouchers are gathered as
	// its exits are entered and filed with funds in one go, each as of
	// its exit's time.
	cashier, err := demo.SeedBudgets(ctx, e.funds, e.auth, password, e.now())
	if err != nil {
		return nil, nil, fmt.Errorf("demo budgets: %v", err)
	}
	accounts = append(accounts, cashier)
	vouchered := e.cases.Vouchered
	vouchers := &demo.Vouchers{}
	e.cases.Vouchered = vouchers.Hook
	// Two years of history are entered in one go; family search matches
	// once, at the end of SeedFamily (and again when the server starts).
	if err := demo.SeedCases(ctx, e.cases, e.health, e.auth, e.now()); err != nil {
		return nil, nil, fmt.Errorf("demo station: %v", err)
	}
	e.cases.Vouchered = vouchered
	if err := vouchers.File(ctx, e.funds); err != nil {
		return nil, nil, fmt.Errorf("demo vouchers: %v", err)
	}
	if err := demo.SeedSpending(ctx, e.funds, e.auth, e.now()); err != nil {
		return nil, nil, fmt.Errorf("demo spending: %v", err)
	}
	policeKeys, err := demo.SeedFamily(ctx, e.family, e.cases, e.auth, e.now())
	if err != nil {
		return nil, nil, fmt.Errorf("demo family search: %v", err)
	}
	keys = append(keys, policeKeys...)
	if err := demo.SeedPoints(ctx, e.points); err != nil {
		return nil, nil, fmt.Errorf("demo rescue points: %v", err)
	}
	if err := demo.SeedCampaigns(ctx, e.campaigns, e.now()); err != nil {
		return nil, nil, fmt.Errorf("demo campaigns: %v", err)
	}
	weatherKeys, err := demo.SeedWeather(ctx, e.auth, e.dispatch, e.plan, e.now())
	if err != nil {
		return nil, nil, fmt.Errorf("demo weather: %v", err)
	}
	keys = append(keys, weatherKeys...)
	liaison, err := demo.SeedLiaison(ctx, e.auth, e.points, password)
	if err != nil {
		return nil, nil, fmt.Errorf("demo liaison: %v", err)
	}
	accounts = append(accounts, liaison)
	if err := demo.SeedSupplies(ctx, e.supplies, e.points, e.dispatch); err != nil {
		return nil, nil, fmt.Errorf("demo supplies: %v", err)
	}
	if err := demo.SeedWinter2024(ctx, demo.WinterDeps{Dispatch: e.dispatch, Supplies: e.supplies, Campaigns: e.campaigns}); err != nil {
		return nil, nil, fmt.Errorf("demo winter campaign: %v", err)
	}
	if err := demo.SeedVolunteers(ctx, e.vols, e.now()); err != nil {
		return nil, nil, fmt.Errorf("demo volunteers: %v", err)
	}
	if err := demo.SeedCanteen(ctx, e.canteen, e.now()); err != nil {
		return nil, nil, fmt.Errorf("demo canteen: %v", err)
	}
	if err := demo.SeedFire(ctx, e.fire, e.now()); err != nil {
		return nil, nil, fmt.Errorf("demo fire safety: %v", err)
	}
	if err := demo.SeedPortal(ctx, e.portal, e.vols, e.now()); err != nil {
		return nil, nil, fmt.Errorf("demo portal: %v", err)
	}
	if err := demo.SeedAssistance(ctx, demo.AssistanceDeps{Auth: e.auth, Assistance: e.assistance, Funds: e.funds, Cases: e.cases, Health: e.health,
		Volunteers: e.vols}, e.now()); err != nil {
		return nil, nil, fmt.Errorf("demo social assistance: %v", err)
	}
	return accounts, keys, nil
}
