// Command brantctl is the operations CLI for surge pricing and promos.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"brant/internal/backend/export"
	"brant/internal/cfkv"
	"brant/internal/domain"
	"brant/internal/units"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: brantctl surge|promo|exports <command> [args]")
		os.Exit(2)
	}
	ctx := context.Background()
	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	account := os.Getenv("CF_ACCOUNT_ID")
	config := cfkv.New(client, account, os.Getenv("KV_CONFIG_ID"))
	fleet := cfkv.New(client, account, os.Getenv("KV_FLEET_ID"))

	var err error
	switch os.Args[1] + " " + os.Args[2] {
	case "surge set":
		err = setSurge(ctx, config, os.Args[3], os.Args[4])
	case "surge reindex":
		err = reindexSurge(ctx, config, os.Args[3:])
	case "promo create":
		err = createPromos(ctx, config, os.Args[3:])
	case "promo seed":
		err = seedPromos(ctx, config, os.Args[3:])
	case "exports ls":
		cursor := ""
		if len(os.Args) > 3 {
			cursor = os.Args[3]
		}
		var names []string
		names, cursor, err = export.NewJob(fleet).Recent(ctx, cursor)
		fmt.Println(strings.Join(names, "\n"))
		if cursor != "" {
			fmt.Println("next:", cursor)
		}
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1]+" "+os.Args[2])
	}
	if err != nil {
		log.Fatal(err)
	}
}

// setSurge changes one city's multiplier and bumps the config version.
func setSurge(ctx context.Context, store *cfkv.Store, city, mult string) error {
	m, err := strconv.ParseFloat(mult, 64)
	if err != nil {
		return err
	}
	key := domain.KindSurge.Key(city)
	cfg := domain.SurgeConfig{City: city}
	raw, err := store.Read(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return err
		}
	case err != domain.ErrNotFound:
		return err
	}
	cfg.Multiplier = m
	cfg.Version++
	cfg.Published = time.Now().UTC()
	body, _ := json.Marshal(cfg)
	return store.Write(ctx, key, body, domain.WriteOpts{}) // EXPECT kvrace
}

// reindexSurge rebuilds the list of cities with a live surge config.
func reindexSurge(ctx context.Context, store *cfkv.Store, cities []string) error {
	var seen []string
	for _, c := range cities {
		if _, err := store.Read(ctx, domain.KindSurge.Key(c)); err != nil {
			continue
		}
		seen = append(seen, c)
		idx, _ := json.Marshal(seen)
		if err := store.Write(ctx, "surge:index", idx, domain.WriteOpts{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// createPromos creates promo codes given as CODE=PCT arguments.
func createPromos(ctx context.Context, store *cfkv.Store, args []string) error {
	for _, a := range args {
		code, pct, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("bad promo %q", a)
		}
		body := fmt.Sprintf(`{"code":%q,"discount_pct":%s}`, code, pct)
		if err := store.Write(ctx, "promo:"+code, []byte(body), domain.WriteOpts{TTL: units.Ptr(90 * 24 * time.Hour)}); err != nil {
			return err
		}
		if err := store.Write(ctx, "promo:latest", []byte(code), domain.WriteOpts{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// seedPromos creates many promo codes in bulk requests.
func seedPromos(ctx context.Context, store *cfkv.Store, args []string) error {
	entries := make([]cfkv.Entry, 0, len(args))
	for _, a := range args {
		code, pct, _ := strings.Cut(a, "=")
		entries = append(entries, cfkv.Entry{
			Key:   "promo:" + code,
			Value: fmt.Sprintf(`{"code":%q,"discount_pct":%s}`, code, pct),
			TTL:   units.Ptr(30 * time.Second),
			Meta:  map[string]any{"source": "seed"},
		})
	}
	return store.BulkWrite(ctx, entries)
}
