// Command libadmin runs back-office maintenance against the library's KV
// namespaces through the Cloudflare REST API.
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

	"example.com/wicket/internal/admin/cfkv"
)

func usage() {
	fmt.Fprintln(os.Stderr, "usage: libadmin <dump|sample|import|verify|closure|maintenance|welcome> [flags]")
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	ns := fs.String("namespace", os.Getenv("KV_NAMESPACE_ID"), "namespace id")
	prefix := fs.String("prefix", "", "key prefix")
	branch := fs.String("branch", "", "branch code")
	file := fs.String("file", "", "JSON file of key/value pairs")
	text := fs.String("text", "", "banner text")
	until := fs.Duration("for", 24*time.Hour, "how long the closure lasts")
	_ = fs.Parse(args)

	ops := cfkv.Ops{KV: &cfkv.Client{
		HTTP:      &http.Client{Timeout: 60 * time.Second},
		Account:   os.Getenv("CF_ACCOUNT_ID"),
		Namespace: *ns,
		Token:     os.Getenv("CF_API_TOKEN"),
	}}
	ctx := context.Background()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()

	var err error
	switch cmd {
	case "dump":
		var n int
		n, err = ops.Dump(ctx, *prefix, out)
		fmt.Fprintf(os.Stderr, "%d keys\n", n)
	case "sample":
		err = ops.Sample(ctx, *prefix, out)
	case "import", "verify":
		var pairs []cfkv.Pair
		if pairs, err = readPairs(*file); err != nil {
			break
		}
		if cmd == "import" {
			err = ops.ImportTitles(ctx, pairs)
			break
		}
		keys := make([]string, len(pairs))
		for i, p := range pairs {
			keys[i] = p.Key
		}
		var missing []string
		missing, err = ops.Prefetch(ctx, keys)
		for _, k := range missing {
			fmt.Fprintln(out, "missing", k)
		}
	case "closure":
		err = ops.SetClosureNotice(ctx, *branch, *text, time.Now().Add(*until))
	case "maintenance":
		err = ops.StartKioskMaintenance(ctx, *branch)
	case "welcome":
		err = ops.EnsureWelcome(ctx, *branch)
	default:
		usage()
	}
	if err != nil {
		out.Flush()
		fmt.Fprintln(os.Stderr, "libadmin:", err)
		os.Exit(1)
	}
}

func readPairs(path string) ([]cfkv.Pair, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var pairs []cfkv.Pair
	return pairs, json.NewDecoder(f).Decode(&pairs)
}
