// Command quarryctl is the operator's offline helper: it prints the effective
// configuration and renders the storage keys used for given IDs. It never
// talks to Cloudflare.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"example.com/quarry/internal/config"
	"example.com/quarry/internal/ids"
)

func main() {
	fs := flag.NewFlagSet("quarryctl", flag.ExitOnError)
	cfgPath := fs.String("config", "", "override document applied on top of the embedded defaults")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: quarryctl [-config file] config | keys <account> [query] [order]")
		os.Exit(2)
	}
	_ = fs.Parse(os.Args[1:])
	if fs.NArg() == 0 {
		fs.Usage()
	}
	var override []byte
	if *cfgPath != "" {
		b, err := os.ReadFile(*cfgPath)
		if err != nil {
			fatal(err)
		}
		override = b
	}
	cfg, err := config.Load(override)
	if err != nil {
		fatal(err)
	}
	switch fs.Arg(0) {
	case "config":
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(cfg)
	case "keys":
		err = printKeys(os.Stdout, cfg.Keys, fs.Args()[1:])
	default:
		fs.Usage()
	}
	if err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "quarryctl:", err)
	os.Exit(1)
}

func printKeys(w io.Writer, k config.Keys, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("keys: account required")
	}
	acct, err := ids.ParseAccountID(args[0])
	if err != nil {
		return err
	}
	rows := [][2]string{
		{"limits", fmt.Sprintf(k.AccountLimits, acct)},
		{"usage", fmt.Sprintf(k.AccountUsage, acct, "YYYY-MM")},
		{"api keys", fmt.Sprintf(k.APIKeys, acct)},
		{"quota bucket", fmt.Sprintf(k.Bucket, acct)},
		{"cart", fmt.Sprintf(k.Cart, acct)},
	}
	if len(args) > 1 {
		q := ids.QueryID(args[1])
		rows = append(rows, [2]string{"report", fmt.Sprintf(k.Report, acct, q)}, [2]string{"views/0", fmt.Sprintf(k.Views, q, 0)})
	}
	if len(args) > 2 {
		o, err := ids.ParseOrderID(args[2])
		if err != nil {
			return err
		}
		rows = append(rows, [2]string{"order", fmt.Sprintf(k.Order, acct, o)})
	}
	for _, r := range rows {
		if len(r[1]) > 512 {
			return fmt.Errorf("%s key is %d bytes", r[0], len(r[1]))
		}
		fmt.Fprintf(w, "%-14s %s\n", r[0], r[1])
	}
	return nil
}
