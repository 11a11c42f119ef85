package tracing

import (
	"strings"
	"testing"
)

// The look-alike table comes from the character decomposition data
// (lookalike.txt): characters sharing the part that makes their shape
// look alike; characters sharing only a common radical do not.
func TestLookAlikeFromDecomposition(t *testing.T) {
	for _, p := range []string{"峰锋", "清请", "晴情", "梅海", "娟绢", "琳淋", "婷停", "王玉", "未末", "土士", "大太", "陈阵", "侯候", "辩辨",
		"田由", "明朋"} { // the last two from the hand list, which the table misses
		a, b := []rune(p)[0], []rune(p)[1]
		if !LookAlike(a, b) || !LookAlike(b, a) {
			t.Errorf("%c and %c do not look alike", a, b)
		}
	}
	for _, p := range []string{"清海", "张引", "明月亮", "王李"} {
		a, b := []rune(p)[0], []rune(p)[1]
		if LookAlike(a, b) {
			t.Errorf("%c and %c look alike", a, b)
		}
	}
	if CompareNames("王梅", "王海") != NameLookalike || CompareNames("张未", "张末") != NameLookalike {
		t.Error("names differing by a look-alike character are not look-alike names")
	}
	// The table is sizeable (thousands of characters), and each line's
	// characters are ordered (each pair once).
	n := 0
	for _, line := range strings.Split(lookalikeData, "\n") {
		r := []rune(line)
		if len(r) < 2 || r[0] == '#' {
			continue
		}
		for _, b := range r[1:] {
			if b <= r[0] {
				t.Fatalf("line %q: %c is not after %c", line, b, r[0])
			}
			n++
		}
	}
	if n < 10000 {
		t.Errorf("%d look-alike pairs, want the table's thousands", n)
	}
}
