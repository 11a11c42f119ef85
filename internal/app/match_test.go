package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/tracing"
)

// haven match links two small CSVs, reports bad rows with their line and
// column, and refuses a GBK file with a clear message.
func TestMatchCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	left := write("care.csv", "id,name,sex,age_min,age_max,seen_date,height_cm,features\n"+
		"c1,汪建国,男,45,55,2026-11-20,170,左臂烫伤疤痕 灰色棉衣\n"+
		"c2,,女,70,80,2026-11-21,150,说四川话\n"+
		"c3,李四,?,,,,,\n")
	right := write("reports.csv", "id,name,sex,birth_date,height_cm,native_place,features\n"+
		"r1,王建国,男,1975-03-02,172,410702,左臂有烫伤疤\n"+
		"r2,张秀英,女,1950,152,510104,四川口音\n"+
		"r3,赵六,男,2099-01-01,,,\n")
	out := filepath.Join(dir, "matches.csv")
	var stdout, stderr syncBuf
	err := Run(t.Context(), []string{"match", "--left", left, "--right", right, "--top", "3", "--out", out}, envFrom(nil), &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	log := stderr.String()
	if !strings.Contains(log, "care.csv: line 4, column sex") || !strings.Contains(log, "reports.csv: line 4, column birth_date") {
		t.Fatalf("bad rows not reported:\n%s", log)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("--out file mode: %v %v", st.Mode(), err)
	}
	b, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if lines[0] != "left_id,right_id,rank,score,label,model" || !strings.HasPrefix(lines[1], "c1,r1,1,") ||
		!strings.HasSuffix(lines[1], ","+tracing.ModelVersion) || !strings.Contains(log, "model "+tracing.DefaultModel().Provenance.String()) {
		t.Fatalf("matches:\n%s", b)
	}
	// --strict stops instead.
	if err := Run(t.Context(), []string{"match", "--strict", "--left", left, "--right", right}, envFrom(nil), &stdout, &stderr); err == nil {
		t.Fatal("--strict went on past bad rows")
	}
	gbk := write("gbk.csv", "id,name\np1,\xcd\xf5\xbd\xa8\xb9\xfa\n")
	stderr = syncBuf{}
	err = Run(t.Context(), []string{"match", "--dedupe", gbk}, envFrom(nil), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "not UTF-8") {
		t.Fatalf("GBK file: %v", err)
	}
	if err := Run(t.Context(), []string{"match", "--left", left}, envFrom(nil), &stdout, &stderr); ExitCode(err) != 2 {
		t.Fatalf("missing --right: %v", err)
	}
}
