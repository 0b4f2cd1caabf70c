//go:build !js

package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"junco/internal/keys"
)

// purge deletes every key under a prefix.
func (a app) purge(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("purge", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix to delete (required)")
	dry := fs.Bool("dry-run", false, "print keys instead of deleting")
	fs.Parse(args)
	if *prefix == "" {
		return errors.New("-prefix is required")
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.kv.AccountID),
		Prefix:    cloudflare.F(*prefix),
		Limit:     cloudflare.F(1000.0),
	}
	var doomed []string
	for {
		page, err := a.kv.API.KV.Namespaces.Keys.List(ctx, a.kv.NamespaceID, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			doomed = append(doomed, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	if *dry {
		for _, k := range doomed {
			fmt.Println(k)
		}
		return nil
	}
	log.Printf("purging %d keys under %q", len(doomed), *prefix)
	return a.kv.BulkDelete(ctx, doomed)
}

// export writes every key under a prefix with its value as JSON lines.
func (a app) export(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix to export")
	out := fs.String("out", "-", "output file")
	fs.Parse(args)
	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	it := a.kv.API.KV.Namespaces.Keys.ListAutoPaging(ctx, a.kv.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(a.kv.AccountID),
		Prefix:    cloudflare.F(*prefix),
	})
	var names []string
	for it.Next() {
		names = append(names, it.Current().Name)
	}
	if err := it.Err(); err != nil {
		return err
	}
	values, err := a.kv.BulkGetText(ctx, names)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	for _, name := range names {
		v, ok := values[name]
		if !ok {
			continue
		}
		if err := enc.Encode(struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		}{name, v}); err != nil {
			return err
		}
	}
	return nil
}

// reindex rebuilds the guest initial index used by the host-stand search.
func (a app) reindex(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ExitOnError)
	maxPages := fs.Int("max-pages", a.cfg.MaxListPages, "stop after this many list pages")
	fs.Parse(args)
	byInitial := map[string][]string{}
	cursor := ""
	for page := 0; page < *maxPages; page++ {
		ks, next, err := a.kv.Page(ctx, keys.PrefixGuest, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range ks {
			id := strings.TrimPrefix(k.Name, keys.PrefixGuest)
			if id == "" {
				continue
			}
			initial := strings.ToLower(id[:1])
			byInitial[initial] = append(byInitial[initial], id)
		}
		if err := a.kv.Put(ctx, "index:guests:progress", strconv.Itoa(page), 0); err != nil { // EXPECT kvhotkey
			return err
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for initial, ids := range byInitial {
		slices.Sort(ids)
		b, _ := json.Marshal(ids)
		if err := a.kv.Put(ctx, "index:guests:"+initial, string(b), 0); err != nil {
			return err
		}
	}
	return nil
}

// backfill loads historical deposits from a CSV export of the old system:
// restaurant_id,deposit_id,guest_id,amount_cents,status,slot
func (a app) backfill(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backfill", flag.ExitOnError)
	in := fs.String("in", "", "CSV file")
	retain := fs.Duration("retain", 90*24*time.Hour, "how long to keep backfilled records")
	mark := fs.Bool("mark", false, "also write a marker per imported deposit")
	fs.Parse(args)
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := csv.NewReader(bufio.NewReader(f)).ReadAll()
	if err != nil {
		return err
	}
	base := kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(a.kv.AccountID),
		ExpirationTTL: cloudflare.F(retain.Seconds()),
	}
	markerParams := base
	markerParams.ExpirationTTL = cloudflare.F(float64(45)) // EXPECT kvttl
	var body []kv.NamespaceBulkUpdateParamsBody
	for i, row := range rows[1:] {
		if len(row) < 6 {
			continue
		}
		amount, _ := strconv.ParseInt(row[3], 10, 64)
		rec := map[string]any{
			"id": row[1], "restaurant_id": row[0], "guest_id": row[2],
			"amount_cents": amount, "status": row[4], "slot": row[5], "backfilled": true,
		}
		b, _ := json.Marshal(rec)
		if len(b) > 64<<10 {
			p := base
			p.Value = cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b))
			if _, err := a.kv.API.KV.Namespaces.Values.Update(ctx, a.kv.NamespaceID, keys.Deposit(row[0], row[1]), p); err != nil {
				return err
			}
		} else {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F(keys.Deposit(row[0], row[1])),
				Value:         cloudflare.F(string(b)),
				ExpirationTTL: cloudflare.F(retain.Seconds()),
			})
		}
		if *mark {
			m := markerParams
			m.Value = cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("1"))
			if _, err := a.kv.API.KV.Namespaces.Values.Update(ctx, a.kv.NamespaceID, "backfilled:"+row[1], m); err != nil {
				return err
			}
		}
		if err := a.kv.Put(ctx, keys.BackfillProgress, strconv.Itoa(i+1), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	for chunk := range slices.Chunk(body, 20_000) { // DEBATABLE kvlimits
		res, err := a.kv.API.KV.Namespaces.BulkUpdate(ctx, a.kv.NamespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(a.kv.AccountID),
			Body:      chunk,
		})
		if err != nil {
			return err
		}
		if n := len(res.UnsuccessfulKeys); n > 0 {
			log.Printf("backfill: %d keys to retry", n)
		}
	}
	return nil
}

// stats prints the no-show distribution, a few pages at a time.
func (a app) stats(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("stats", flag.ExitOnError)
	prefix := fs.String("prefix", keys.PrefixNoShow, "counter prefix")
	maxPages := fs.Int("max-pages", 5, "list pages to sample")
	fs.Parse(args)
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.kv.AccountID),
		Prefix:    cloudflare.F(*prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	}
	hist := map[int]int{}
	for page := 0; page < *maxPages; page++ {
		res, err := a.kv.API.KV.Namespaces.Keys.List(ctx, a.kv.NamespaceID, params)
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			resp, err := a.kv.API.KV.Namespaces.Values.Get(ctx, a.kv.NamespaceID, k.Name, kv.NamespaceValueGetParams{ // EXPECT kvlist
				AccountID: cloudflare.F(a.kv.AccountID),
			})
			if err != nil {
				continue
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			n, _ := strconv.Atoi(string(b))
			hist[n]++
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	for _, n := range slices.Sorted(maps.Keys(hist)) {
		fmt.Printf("%3d no-shows: %d guests\n", n, hist[n])
	}
	return nil
}
