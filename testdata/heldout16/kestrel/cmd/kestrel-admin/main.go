// Command kestrel-admin manages kestrel's KV data from CI and operator
// laptops through the Cloudflare REST API:
//
//	kestrel-admin import  -file seed.jsonl
//	kestrel-admin publish -file snapshot.json -source ci
//	kestrel-admin keys    -prefix flag/ -pages 5
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"example.com/kestrel/internal/config"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kestrel-admin import|publish|keys [flags]")
		os.Exit(2)
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		fatal(err)
	}
	c := &client{hc: &http.Client{Timeout: 60 * time.Second}, account: cfg.Admin.AccountID, ns: cfg.Admin.NamespaceID, token: cfg.Admin.Token}
	ctx := context.Background()

	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	file := fs.String("file", "", "input file")
	source := fs.String("source", "manual", "who is publishing (recorded in metadata)")
	prefix := fs.String("prefix", "", "key prefix to list")
	pages := fs.Int("pages", 10, "maximum pages to list")
	_ = fs.Parse(os.Args[2:])

	switch os.Args[1] {
	case "import":
		pairs, err := readPairs(*file)
		if err == nil {
			err = c.importPairs(ctx, pairs)
		}
		fatal(err)
	case "publish":
		body, err := os.ReadFile(*file)
		if err == nil {
			err = c.publishSnapshot(ctx, body, *source)
		}
		fatal(err)
	case "keys":
		more, err := c.listKeys(ctx, *prefix, *pages, func(name string) { fmt.Println(name) })
		if more {
			fmt.Fprintf(os.Stderr, "stopped after %d pages; narrow -prefix or raise -pages\n", *pages)
		}
		fatal(err)
	default:
		fatal(fmt.Errorf("unknown command %q", os.Args[1]))
	}
}

// pair is one line of an import file, in the bulk API's shape.
type pair struct {
	Key           string `json:"key"`
	Value         string `json:"value"`
	ExpirationTTL int    `json:"expiration_ttl,omitempty"`
}

func readPairs(path string) ([]pair, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var pairs []pair
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 32<<20)
	for line := 1; sc.Scan(); line++ {
		var p pair
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if p.ExpirationTTL != 0 && p.ExpirationTTL < 60 {
			p.ExpirationTTL = 60
		}
		pairs = append(pairs, p)
	}
	return pairs, sc.Err()
}

func fatal(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "kestrel-admin:", err)
		os.Exit(1)
	}
}
