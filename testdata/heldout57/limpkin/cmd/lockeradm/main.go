// Command lockeradm is the operator CLI for the locker namespaces.
//
//	lockeradm [-ns id] <command> [args]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/limpkin-lockers/limpkin/internal/audit"
	"github.com/limpkin-lockers/limpkin/internal/carrier"
	"github.com/limpkin-lockers/limpkin/internal/kvx"
	"github.com/limpkin-lockers/limpkin/internal/restkv"
)

var (
	nsID    = flag.String("ns", os.Getenv("KV_LOCKERS_ID"), "KV namespace id")
	authID  = flag.String("auth-ns", os.Getenv("KV_AUTH_ID"), "auth KV namespace id")
	account = flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account id")
	refresh = flag.Float64("refresh-factor", 1.0, "multiplier on the default carrier refresh period")
)

func main() {
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	token := os.Getenv("CF_API_TOKEN")
	lockers := restkv.New(token, *account, *nsID)
	auth := restkv.New(token, *account, *authID)

	var err error
	switch cmd, args := flag.Arg(0), flag.Args()[min(1, flag.NArg()):]; cmd {
	case "rotate-device":
		err = rotateDevice(ctx, auth, args)
	case "deactivate":
		err = deactivate(ctx, auth, args)
	case "keys":
		err = keys(ctx, lockers, args)
	case "purge":
		err = purge(ctx, lockers, args)
	case "dump":
		err = dump(ctx, lockers, args)
	case "note":
		err = note(ctx, lockers, args)
	case "weekly":
		err = audit.Weekly(ctx, lockers, os.Stdout)
	case "publish":
		err = publish(ctx, lockers, args)
	case "seed-region":
		err = need(args, 1, func() error { return carrier.SeedRegion(ctx, lockers, args[0]) })
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lockeradm:", err)
		os.Exit(1)
	}
}

func need(args []string, n int, f func() error) error {
	if len(args) < n {
		return fmt.Errorf("need %d argument(s)", n)
	}
	return f()
}

// rotateDevice binds a courier to a new handheld.
func rotateDevice(ctx context.Context, auth restkv.Namespace, args []string) error {
	return need(args, 2, func() error {
		return auth.Put(ctx, "courier-token:"+args[0], []byte(args[1]), 0) // EXPECT kvsession
	})
}

// deactivate removes a courier's device binding and revokes their sessions.
func deactivate(ctx context.Context, auth restkv.Namespace, args []string) error {
	return need(args, 1, func() error {
		courier := args[0]
		if err := auth.Delete(ctx, "courier-token:"+courier); err != nil { // EXPECT kvsession
			return err
		}
		until := kvx.EndOfDay(time.Now(), time.UTC).Add(10 * time.Hour)
		return auth.PutAt(ctx, "revoked:"+strings.ToLower(courier), []byte(time.Now().UTC().Format(time.RFC3339)), until.Unix()) // EXPECT kvsession
	})
}

// keys prints a quick sample of the keys under a prefix.
func keys(ctx context.Context, ns restkv.Namespace, args []string) error {
	prefix := kvx.FirstNonZero(append(args, "")...)
	page, err := ns.Client.KV.Namespaces.Keys.List(ctx, ns.ID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.Account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Println(k.Name)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Println("… more")
	}
	return nil
}

// dump prints one page of keys and the cursor to continue from.
func dump(ctx context.Context, ns restkv.Namespace, args []string) error {
	return need(args, 1, func() error {
		cursor := ""
		if len(args) > 1 {
			cursor = args[1]
		}
		names, next, err := ns.Page(ctx, args[0], cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range names {
			fmt.Printf("%s\t%.0f\n", k.Name, k.Expiration)
		}
		fmt.Fprintln(os.Stderr, "cursor:", next)
		return nil
	})
}

// purge deletes every key under a prefix.
func purge(ctx context.Context, ns restkv.Namespace, args []string) error {
	return need(args, 1, func() error {
		prefix, cursor := args[0], ""
		total := 0
		for {
			page, next, err := ns.Page(ctx, prefix, cursor, 1000) // EXPECT kvlist
			if err != nil {
				return err
			}
			names := make([]string, 0, len(page))
			for _, k := range page {
				names = append(names, k.Name)
			}
			if len(names) > 0 {
				if err := ns.BulkDelete(ctx, names); err != nil {
					return err
				}
			}
			total += len(names)
			if next == "" {
				break
			}
			cursor = next
		}
		fmt.Fprintf(os.Stderr, "purged %d keys under %q\n", total, prefix)
		return nil
	})
}

// note appends an operator note to a site's log.
func note(ctx context.Context, ns restkv.Namespace, args []string) error {
	return need(args, 2, func() error {
		key := kvx.SiteKey("notes", args[0])
		line := time.Now().UTC().Format("2006-01-02 15:04") + " " + strings.Join(args[1:], " ")
		old, err := ns.Get(ctx, key)
		if err != nil && !errors.Is(err, restkv.ErrNotFound) {
			return err
		}
		text := string(old) + line + "\n"
		return ns.Put(ctx, key, []byte(text), 0) // EXPECT kvrace
	})
}

// publish reads carrier configs from a JSON file and publishes them, then
// the locker notices.
func publish(ctx context.Context, ns restkv.Namespace, args []string) error {
	return need(args, 1, func() error {
		raw, err := os.ReadFile(args[0])
		if err != nil {
			return err
		}
		var cfgs []carrier.Config
		if err := json.Unmarshal(raw, &cfgs); err != nil {
			return err
		}
		var ids []string
		for i := range cfgs {
			c := &cfgs[i]
			c.Refresh = kvx.If(c.Suspended, 15*time.Minute, kvx.Scale(6*time.Hour, *refresh))
			ids = append(ids, c.ID)
		}
		return errors.Join(
			carrier.Publish(ctx, ns, cfgs),
			carrier.PublishNotices(ctx, ns, cfgs),
			carrier.EnsureDefaults(ctx, ns, ids),
		)
	})
}
