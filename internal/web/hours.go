package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/points"
)

// hoursText shows a point's opening hours ("mon-fri 08:30-17:30;
// daily 20:00-07:00+1") as a reader of lang expects them:
// "周一至周五 08:30–17:30；每天 20:00–次日07:00". Text that does not parse
// is shown as it is.
func hoursText(lang, text string) string {
	h, err := points.ParseHours(text)
	if err != nil {
		return text
	}
	zh := lang == "zh-CN"
	if h.Always {
		if zh {
			return "全天24小时"
		}
		return "24 hours"
	}
	var parts []string
	for _, sp := range h.Spans {
		end := clockText(sp.End)
		if sp.End <= sp.Start {
			if zh {
				end = "次日" + end
			} else {
				end += " (next day)"
			}
		}
		parts = append(parts, daysText(sp.Days, zh)+" "+clockText(sp.Start)+"–"+end)
	}
	if zh {
		return strings.Join(parts, "；")
	}
	return strings.Join(parts, "; ")
}

func clockText(min int) string { return fmt.Sprintf("%02d:%02d", min/60%24, min%60) }

// daysText names the days of a span, Monday first: runs of three or more
// as a range (周一至周五), shorter ones one by one.
func daysText(days [7]bool, zh bool) string {
	zhNames := [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
	order := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	name := func(d time.Weekday) string {
		if zh {
			return zhNames[d]
		}
		return d.String()[:3]
	}
	all := true
	for _, on := range days {
		all = all && on
	}
	if all {
		if zh {
			return "每天"
		}
		return "daily"
	}
	var out []string
	for i := 0; i < len(order); {
		if !days[order[i]] {
			i++
			continue
		}
		j := i
		for j+1 < len(order) && days[order[j+1]] {
			j++
		}
		switch {
		case j-i >= 2:
			sep := "–"
			if zh {
				sep = "至"
			}
			out = append(out, name(order[i])+sep+name(order[j]))
		default:
			for k := i; k <= j; k++ {
				out = append(out, name(order[k]))
			}
		}
		i = j + 1
	}
	if zh {
		return strings.Join(out, "、")
	}
	return strings.Join(out, ", ")
}
