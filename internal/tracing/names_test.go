package tracing

import (
	"strings"
	"testing"
)

func TestSurnameReadings(t *testing.T) {
	for name, want := range map[string]string{
		"曾国藩": "zeng guo fan", "单田芳": "shan tian fang", "区志强": "ou zhi qiang", "仇英": "qiu ying", "朴树": "piao shu",
		"查良镛": "zha liang yong", "解缙": "xie jin", "覃小红": "qin xiao hong", "种师道": "chong shi dao", "乐嘉": "yue jia",
		"盖聂": "ge nie", "缪斯": "miao si", "长孙无忌": "zhang sun wu ji", "尉迟恭": "yu chi gong", "欧阳修": "ou yang xiu",
		"诸葛亮": "zhu ge liang", "王芳": "wang fang", "张三": "zhang san",
	} {
		if got := strings.Join(NamePinyin(name), " "); got != want {
			t.Errorf("%s reads %q, want %q", name, got, want)
		}
	}
	// The override only applies to the surname: 曾经 in a given name is ceng.
	if got := strings.Join(NamePinyin("王曾"), " "); got != "wang ceng" {
		t.Errorf("王曾 reads %q", got)
	}
	if p := SplitName("司马光"); p.Surname != "司马" || p.Given != "光" {
		t.Errorf("司马光 split %+v", p)
	}
}

func TestCompareNames(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want NameLevel
	}{
		{"王建国", "王建国", NameExact},
		{"張曉華", "张晓华", NameExact},  // traditional
		{"王 建国", "王建国", NameExact}, // spacing
		{"王建国", "汪建国", NameHomophone},
		{"曾小凡", "增小凡", NameHomophone}, // surname read zeng
		{"张三", "章三", NameHomophone},
		{"刘德华", "牛德华", NameAccent}, // n/l
		{"陈志强", "岑子强", NameAccent}, // c/ch, z/zh
		{"陈志强", "程志强", NameAccent}, // en/eng
		{"黄飞", "方飞", NameAccent},   // h/f, ang/an
		{"王玉", "王明", NameOneDiff},
		{"王建国", "王建华", NameOneDiff},
		{"王玉", "李明", NameMismatch},
		{"李辉", "李飞", NameAccent}, // hui/fei
		{"李己", "李已", NameLookalike},
		{"王明", "小明", NamePartial},
		{"李小明", "小明", NamePartial},
		{"王建国", "老王", NamePartial},
		{"王建国", "老李", NameMismatch},
		{"王建", "王建国", NamePartial},
		{"王建国", "李建国", NamePartial},
		{"胡琳卫", "琳卫", NamePartial}, // the given name alone
		{"欧阳嘉洋", "嘉洋", NamePartial},
		{"胡琳卫", "琳", NameMismatch},
		{"王明", "明明", NamePartial}, // the given name's character twice
		{"李晓明", "明明", NamePartial},
		{"王明", "丽丽", NameMismatch},
		{"王建国", "", NameUnknown},
		{"王建国", "李四", NameMismatch},
		{"Li Ming", "li ming", NameExact},
	} {
		if got := CompareNames(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareNames(%q, %q) = %s, want %s", tc.a, tc.b, got, tc.want)
		}
		if got := CompareNames(tc.b, tc.a); got != tc.want {
			t.Errorf("not symmetric: CompareNames(%q, %q) = %s", tc.b, tc.a, got)
		}
	}
}

func TestFold(t *testing.T) {
	for a, b := range map[string]string{"zhang": "zan", "chen": "cen", "shi": "si", "liu": "niu", "hu": "fu", "ming": "min", "feng": "fen"} {
		if Fold(a) != b {
			t.Errorf("Fold(%s) = %s, want %s", a, Fold(a), b)
		}
	}
}

func FuzzCompareNames(f *testing.F) {
	f.Add("王建国", "汪建国")
	f.Add("小明", "李小明")
	f.Add("長孫無忌", "长孙无忌")
	f.Fuzz(func(t *testing.T, a, b string) {
		x, y := CompareNames(a, b), CompareNames(b, a)
		if x != y {
			t.Fatalf("CompareNames(%q, %q) = %s but reversed %s", a, b, x, y)
		}
		if x < NameUnknown || x > NameExact {
			t.Fatalf("level %d", x)
		}
		if CleanName(a) != "" && CompareNames(a, a) != NameExact {
			t.Fatalf("%q is not exactly itself", a)
		}
	})
}
