package datarights

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
)

// sealedContexts names the context each sealed column was sealed for, so
// that the export can open it (the "_enc" suffix is dropped in the file).
var sealedContexts = map[string]string{
	"persons.id_enc":                    "persons.id_number",
	"person_contacts.phone_enc":         "persons.contact_phone",
	"missing_reports.id_enc":            "reports.id_number",
	"missing_reports.contact_phone_enc": "reports.contact_phone",
	"encounters.name_enc":               "encounters.name",
	"signals.phone_enc":                 "signals.phone",
}

// cst is China Standard Time, for the summary page.
var cst = time.FixedZone("CST", 8*3600)

// Export writes the approved export of request requestID as a ZIP to w:
// one JSON file per table, the photos and summary.html. Only the requester
// may download it, and only until it expires. It is a read of the person's
// personal data with every identifier opened, and is audited as one.
func (s *Service) Export(ctx context.Context, a auth.Actor, requestID string, w io.Writer) (filename string, err error) {
	const op = "datarights.Export"
	if err := a.Require(op, auth.PermDataRequest); err != nil {
		return "", err
	}
	r, err := s.Store.DataRequestByID(ctx, requestID)
	if err != nil {
		return "", err
	}
	now := s.now()
	deny := func(why string) (string, error) {
		e := a.Entry("data_request.download_denied", "data_request", r.ID)
		e.Detail = why
		_ = s.Audit.AppendAudit(ctx, e)
		return "", errs.E(errs.Forbidden, op, "err."+why)
	}
	switch {
	case r.Kind != KindExport:
		return "", errs.E(errs.Invalid, op, "err.not_export")
	case r.RequestedBy != a.UserID:
		return deny("not_requester")
	case r.Decision != Approved:
		return deny("not_approved")
	case !now.Before(r.ExpiresAt):
		return deny("export_expired")
	}
	var buf bytes.Buffer
	if err := s.writeExport(ctx, r, now, &buf); err != nil {
		return "", err
	}
	view := a.Entry("person.view", "person", r.PersonID)
	view.Detail = "export " + r.ID
	if err := s.Audit.AppendAudit(ctx, view); err != nil {
		return "", errs.Wrap(errs.Internal, op, err)
	}
	e := a.Entry("data_request.download", "data_request", r.ID)
	e.Detail = "person " + r.PersonID
	if err := s.Store.MarkDataRequestDone(ctx, r.ID, now, e); err != nil {
		return "", err
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return "", err
	}
	return "haven-export-" + r.PersonRef + ".zip", nil
}

type summaryTable struct {
	Name string
	File string
	Rows int
}

type summaryData struct {
	Request   *Request
	Generated string
	Name      string
	Tables    []summaryTable
	Photos    []string
	Missing   []string
}

func (s *Service) writeExport(ctx context.Context, r *Request, now time.Time, out io.Writer) error {
	tables, err := s.Store.PersonRecords(ctx, r.PersonID)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(out)
	sum := summaryData{Request: r, Generated: now.In(cst).Format("2006-01-02 15:04")}
	photos := map[string]bool{}
	for _, t := range tables {
		for _, row := range t.Rows {
			s.openRow(t.Name, row)
			collectPhotos(row, photos)
			if t.Name == "persons" && row["id"] == r.PersonID {
				sum.Name, _ = row["name"].(string)
			}
		}
		file := "data/" + t.Name + ".json"
		f, err := zw.Create(file)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		rows := t.Rows
		if rows == nil {
			rows = []map[string]any{}
		}
		if err := enc.Encode(rows); err != nil {
			return err
		}
		sum.Tables = append(sum.Tables, summaryTable{Name: t.Name, File: file, Rows: len(t.Rows)})
	}
	names := make([]string, 0, len(photos))
	for n := range photos {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := s.Photos.Get(ctx, n)
		if err != nil {
			sum.Missing = append(sum.Missing, n)
			continue
		}
		f, err := zw.Create("photos/" + path.Clean(n))
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			return err
		}
		sum.Photos = append(sum.Photos, "photos/"+n)
	}
	f, err := zw.Create("summary.html")
	if err != nil {
		return err
	}
	if err := summaryPage.Execute(f, sum); err != nil {
		return err
	}
	return zw.Close()
}

// openedName is where an opened sealed column goes in the exported row:
// its name without "_enc", except that id_enc becomes id_number so it
// never replaces the record's own id.
func openedName(col string) string {
	name := strings.TrimSuffix(col, "_enc")
	if name == "id" {
		return "id_number"
	}
	return name
}

// openRow opens sealed columns and expands JSON text columns in place.
func (s *Service) openRow(table string, row map[string]any) {
	for col, v := range row {
		str, ok := v.(string)
		if !ok {
			continue
		}
		if ctxName, sealed := sealedContexts[table+"."+col]; sealed {
			delete(row, col)
			plain := ""
			if str != "" {
				var err error
				if plain, err = s.Keys.Open(ctxName, str); err != nil {
					plain = "（无法解密 / cannot be opened）"
				}
			}
			row[openedName(col)] = plain
			continue
		}
		if (strings.HasPrefix(str, "{") || strings.HasPrefix(str, "[")) && json.Valid([]byte(str)) {
			var x any
			_ = json.Unmarshal([]byte(str), &x)
			if table == "stays" && col == "exit" {
				s.openCollector(x)
			}
			row[col] = x
		}
	}
}

// openCollector opens the collector's ID number in a stay's exit record.
func (s *Service) openCollector(exit any) {
	m, _ := exit.(map[string]any)
	c, _ := m["collector"].(map[string]any)
	if c == nil {
		return
	}
	if v, _ := c["id_sealed"].(string); v != "" {
		if plain, err := s.Keys.Open("persons.collector_id", v); err == nil {
			c["id_number"] = plain
		}
	}
	delete(c, "id_sealed")
}

// collectPhotos adds the photo files a row names (a "photo" column, or
// the "photo" of an expanded JSON column).
func collectPhotos(row map[string]any, into map[string]bool) {
	for col, v := range row {
		switch x := v.(type) {
		case string:
			if col == "photo" && x != "" {
				into[x] = true
			}
		case map[string]any:
			if p, _ := x["photo"].(string); p != "" {
				into[p] = true
			}
		}
	}
}

var tableNames = map[string]string{
	"persons": "人员记录 / Person record", "person_contacts": "联系人 / Contacts", "person_merges": "身份合并 / Identity merges",
	"person_distinct": "非同一人 / Not the same person", "stays": "救助记录 / Stays", "belongings": "随身物品 / Belongings",
	"care_notes": "在站记录 / Care notes", "case_tasks": "法定事项 / Statutory tasks", "health_checks": "健康检查 / Health checks",
	"medications": "用药 / Medications", "referrals": "医疗转诊 / Referrals", "referral_notes": "转诊记录 / Referral notes",
	"missing_reports": "寻亲登记 / Missing-person reports", "report_updates": "寻亲进展 / Report updates",
	"match_candidates": "比对候选 / Match candidates", "match_consent": "比对同意 / Matching consent", "notices": "寻亲公告 / Public notices",
	"encounters": "街面救助 / Street encounters", "data_requests": "个人信息请求 / Data requests", "audit_log": "访问与操作记录 / Audit of reads and changes",
}

var summaryPage = template.Must(template.New("summary").Funcs(template.FuncMap{
	"label": func(t string) string {
		if l, ok := tableNames[t]; ok {
			return l
		}
		return t
	},
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>个人信息导出 / Personal data export</title>
<style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto;line-height:1.5}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.25rem .5rem;text-align:left}</style>
</head><body>
<h1>个人信息导出</h1>
<p lang="en">Personal data export</p>
<table>
<tr><th>人员 / Person</th><td>{{.Name}}（{{.Request.PersonRef}}）</td></tr>
<tr><th>请求依据 / Legal basis</th><td>{{.Request.Reason}}</td></tr>
<tr><th>申请人 / Requested by</th><td>{{.Request.RequestedByName}}</td></tr>
<tr><th>批准人 / Approved by</th><td>{{.Request.DecidedByName}}</td></tr>
<tr><th>生成时间 / Generated</th><td>{{.Generated}}（北京时间 / China Standard Time）</td></tr>
</table>
<h2>本导出包含的内容 / What this export holds</h2>
<p>每类记录一个 JSON 文件，加密保存的证件号码和电话已解密。<br><span lang="en">One JSON file per kind of record; sealed ID numbers and phone numbers are opened.</span></p>
<table>
<tr><th>记录 / Record</th><th>文件 / File</th><th>条数 / Rows</th></tr>
{{range .Tables}}<tr><td>{{label .Name}}</td><td>{{.File}}</td><td>{{.Rows}}</td></tr>
{{end}}</table>
<h2>照片 / Photos（{{len .Photos}}）</h2>
<ul>{{range .Photos}}<li>{{.}}</li>{{end}}</ul>
{{if .Missing}}<p>以下照片文件已不存在 / These photo files no longer exist:</p><ul>{{range .Missing}}<li>{{.}}</li>{{end}}</ul>{{end}}
</body></html>
`))
