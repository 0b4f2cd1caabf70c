// Command teal-admin is the operators' tool for inspecting and adjusting
// the registry mirror's KV data (cloudflare-go v2).
//
//	teal-admin [-ns VAR] get KEY
//	teal-admin [-ns VAR] ls PREFIX [CURSOR]
//	teal-admin [-ns VAR] set KEY VALUE [TTL]
//	teal-admin seed-settings
//	teal-admin revoke-token ID
//	teal-admin import FILE.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/tealpkg/teal/internal/cfv2"
	"github.com/tealpkg/teal/internal/mirror"
)

var defaultSettings = map[string]string{
	"settings:max-upload-mb": "64",
	"settings:max-versions":  "5000",
	"settings:banner":        "",
}

func main() {
	nsVar := flag.String("ns", "TEAL_KV_INDEX", "environment variable holding the namespace ID")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if args[0] == "revoke-token" {
		*nsVar = "TEAL_KV_AUTH"
	}
	t, err := cfv2.FromEnv(*nsVar)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, t, args); err != nil {
		fmt.Fprintln(os.Stderr, "teal-admin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, t cfv2.Target, args []string) error {
	switch cmd, rest := args[0], args[1:]; cmd {
	case "get":
		v, err := t.Get(ctx, rest[0])
		if cfv2.IsNotFound(err) {
			return fmt.Errorf("%s: not set", rest[0])
		}
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(v)
		return err
	case "ls":
		cursor := ""
		if len(rest) > 1 {
			cursor = rest[1]
		}
		page, err := t.Client.KV.Namespaces.Keys.List(ctx, t.Namespace, kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(t.AccountID),
			Prefix:    cloudflare.F(rest[0]),
			Cursor:    cloudflare.F(cursor),
			Limit:     cloudflare.F(100.0),
		})
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			fmt.Println(k.Name)
		}
		if page.ResultInfo.Cursor != "" {
			fmt.Fprintln(os.Stderr, "next cursor:", page.ResultInfo.Cursor)
		}
		return nil
	case "set":
		ttl := 0
		if len(rest) > 2 {
			n, err := strconv.Atoi(rest[2])
			if err != nil {
				return fmt.Errorf("ttl: %w", err)
			}
			ttl = max(n, 60)
		}
		return t.Put(ctx, rest[0], []byte(rest[1]), "{}", ttl)
	case "seed-settings":
		for key, def := range defaultSettings {
			if _, err := t.Get(ctx, key); err != nil { // EXPECT kvnull
				if err := t.Put(ctx, key, []byte(def), "{}", 0); err != nil {
					return err
				}
				fmt.Println("seeded", key)
			}
		}
		return nil
	case "revoke-token":
		return t.Delete(ctx, "tok:"+rest[0]) // EXPECT kvsession
	case "import":
		raw, err := os.ReadFile(rest[0])
		if err != nil {
			return err
		}
		var entries []mirror.Entry
		if err := json.Unmarshal(raw, &entries); err != nil {
			return err
		}
		for start := 0; start < len(entries); start += 10_000 {
			chunk := entries[start:min(start+10_000, len(entries))]
			body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
			for _, e := range chunk {
				v, _ := json.Marshal(e)
				body = append(body, cfv2.Pair("pkg:"+e.Name, string(v), 0))
			}
			if err := t.PutBulk(ctx, body); err != nil {
				return fmt.Errorf("import [%d:]: %w", start, err)
			}
		}
		return nil
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
}
