package tracing

import "testing"

// Two descriptions of one mark in other words agree; of other marks, or
// the same mark on another part or side, they do not (or less).
func TestTraitsCompareByWhatTheyAre(t *testing.T) {
	lv := func(a, b string) int { return compareGrams(traitGrams(a), traitGrams(b)) }
	for _, tc := range []struct {
		a, b string
		min  int // at least this level
	}{
		{"驼背", "背有点驼", 4}, {"右脸有疤", "右脸颊疤痕", 4}, {"缺左手食指", "左手食指缺失", 4}, {"秃头", "秃顶", 4},
		{"右眼失明", "右眼看不见", 4}, {"说话口吃", "结巴", 4}, {"耳聋", "听力差耳聋", 4}, {"脖子有黑痣", "颈部黑痣", 4},
		{"额头有胎记", "额头胎记", 4}, {"左腿跛", "走路一瘸一拐", 3}, {"左臂有纹身", "左胳膊刺青", 4},
	} {
		if got := lv(tc.a, tc.b); got < tc.min {
			t.Errorf("%s ~ %s: level %d, want at least %d", tc.a, tc.b, got, tc.min)
		}
	}
	for _, tc := range [][2]string{{"驼背", "右脸有疤"}, {"秃头", "耳聋"}, {"左眼失明", "右手缺小指"}} {
		if got := lv(tc[0], tc[1]); got != 0 {
			t.Errorf("%s ~ %s: level %d, want 0 (nothing in common)", tc[0], tc[1], got)
		}
	}
	// The same kind elsewhere agrees less than the same mark.
	if a, b := lv("右脸有疤", "左臂有疤"), lv("右脸有疤", "右脸颊疤痕"); a >= b {
		t.Errorf("a scar elsewhere (level %d) agrees as well as the same scar (%d)", a, b)
	}
	// A phrase of no known kind is still compared by its words; "no
	// marks" says nothing.
	if lv("耳朵很大", "耳朵大") == 0 {
		t.Error("phrases of no known kind are not compared")
	}
	if g := traitGrams("无明显特征"); len(g) != 0 {
		t.Errorf("无明显特征 gives %d tokens", len(g))
	}
}

// Any text of traits gives sorted, distinct tokens, the same each time,
// and a text agrees with itself.
func FuzzTraitGrams(f *testing.F) {
	f.Add("右脸有疤 驼背")
	f.Add("缺左手食指，走路一瘸一拐")
	f.Add("无明显特征")
	f.Fuzz(func(t *testing.T, s string) {
		g := traitGrams(s)
		for i := 1; i < len(g); i++ {
			if g[i] <= g[i-1] {
				t.Fatalf("%q: tokens not sorted and distinct: %v", s, g)
			}
		}
		if h := traitGrams(s); len(h) != len(g) {
			t.Fatalf("%q: %d tokens, then %d", s, len(g), len(h))
		}
		if len(g) > 0 && compareGrams(g, g) != 4 {
			t.Fatalf("%q does not agree with itself", s)
		}
	})
}
