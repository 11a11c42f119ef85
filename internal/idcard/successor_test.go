package idcard

import "testing"

// Retired codes are carried to the region that holds the place today.
func TestSuccessorOfRetiredCodes(t *testing.T) {
	for code, want := range map[string]string{
		"412701": "411602", // 周口地区周口市 → 周口市川汇区
		"412721": "411621", // 扶沟县: the prefix renumbered
		"412901": "411302", // 南阳地区南阳市 → 宛城区
		"512201": "500101", // 万县市 → 重庆市万州区
		"512202": "500100", // an unknown county of 万县: the city
		"131181": "131103", // 冀州市 → 冀州区, from the table's own revisions
		"410727": "410727", // in use: itself
	} {
		got, _ := Successor(code)
		if got != want {
			t.Errorf("Successor(%s) = %s, want %s", code, got, want)
		}
		if r := RegionOf(got); !r.Known {
			t.Errorf("Successor(%s) = %s, a code of no known province", code, got)
		}
	}
	for code, s := range retiredCodes {
		if !RegionOf(s).Current {
			t.Errorf("retiredCodes[%s] = %s, not in use", code, s)
		}
	}
	for old, p := range retiredPrefixes {
		if r := RegionOf(p + "00"); !r.Current || old[:2] != p[:2] && p[:2] != "50" {
			t.Errorf("retiredPrefixes[%s] = %s: not a city in use of the same province", old, p)
		}
	}
}
