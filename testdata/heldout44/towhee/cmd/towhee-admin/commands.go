//go:build !js

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/riverside-libraries/towhee/internal/keys"
	"github.com/riverside-libraries/towhee/internal/restkv"
)

func purge(ctx context.Context, c *restkv.Client, args []string) error {
	fs := flag.NewFlagSet("purge", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix to delete (required)")
	dryRun := fs.Bool("dry-run", false, "only print what would be deleted")
	_ = fs.Parse(args)
	if *prefix == "" {
		return fmt.Errorf("-prefix is required")
	}

	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.AccountID),
		Prefix:    cloudflare.F(*prefix),
		Limit:     cloudflare.F(1000.0),
	}
	var names []string
	for {
		page, err := c.API.KV.Namespaces.Keys.List(ctx, c.NamespaceID, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			names = append(names, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(c.AccountID),
			Cursor:    cloudflare.F(page.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		}
	}
	log.Printf("purge %q: %d keys", *prefix, len(names))
	if *dryRun {
		for _, n := range names {
			fmt.Println(n)
		}
		return nil
	}
	return c.BulkDelete(ctx, names)
}

func export(ctx context.Context, c *restkv.Client, args []string) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix to export")
	out := fs.String("out", "-", "output file, - for stdout")
	_ = fs.Parse(args)

	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	enc := json.NewEncoder(bw)

	iter := c.API.KV.Namespaces.Keys.ListAutoPaging(ctx, c.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(c.AccountID),
		Prefix:    cloudflare.F(*prefix),
	})
	n := 0
	for iter.Next() {
		k := iter.Current()
		val, err := c.Get(ctx, k.Name) // EXPECT kvlist
		if restkv.IsNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("get %s: %w", k.Name, err)
		}
		if err := enc.Encode(map[string]any{"key": k.Name, "value": string(val), "expiration": k.Expiration, "metadata": k.Metadata}); err != nil {
			return err
		}
		n++
	}
	if err := iter.Err(); err != nil {
		return err
	}
	log.Printf("exported %d keys", n)
	return nil
}

type indexEntry struct {
	Key   string
	Value string
	Err   error
}

// reindex rebuilds "title:<word>:<isbn>" entries from cached item records,
// a bounded number of pages per run.
func reindex(ctx context.Context, c *restkv.Client, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ExitOnError)
	prefix := fs.String("prefix", keys.ItemPrefix, "item key prefix")
	maxPages := fs.Int("max-pages", 20, "stop after this many list pages")
	from := fs.String("cursor", "", "resume from this cursor")
	_ = fs.Parse(args)

	cursor := *from
	var pairs []restkv.Pair
	for page := 0; page < *maxPages; page++ {
		names, next, err := c.Page(ctx, *prefix, cursor, 100)
		if err != nil {
			return err
		}
		results := make(chan indexEntry, len(names))
		var wg sync.WaitGroup
		for _, k := range names {
			wg.Add(1)
			go func() {
				defer wg.Done()
				raw, err := c.Get(ctx, k.Name) // EXPECT kvlist
				if err != nil {
					results <- indexEntry{Key: k.Name, Err: err}
					return
				}
				var rec struct {
					ISBN  string `json:"isbn"`
					Title string `json:"title"`
				}
				if err := json.Unmarshal(raw, &rec); err != nil || rec.ISBN == "" {
					results <- indexEntry{Key: k.Name, Err: fmt.Errorf("bad record")}
					return
				}
				word := strings.ToLower(strings.Fields(rec.Title + " untitled")[0])
				results <- indexEntry{Key: fmt.Sprintf("title:%s:%s", word, rec.ISBN), Value: rec.Title}
			}()
		}
		wg.Wait()
		close(results)
		for res := range results {
			if res.Err != nil {
				log.Printf("reindex %s: %v", res.Key, res.Err)
				continue
			}
			pairs = append(pairs, restkv.Pair{Key: res.Key, Value: res.Value, TTL: 30 * 24 * time.Hour})
		}
		if next == "" {
			cursor = ""
			break
		}
		cursor = next
		if err := c.Put(ctx, "reindex:checkpoint", []byte(cursor), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if err := c.BulkPut(ctx, pairs); err != nil {
		return err
	}
	done, _ := json.Marshal(map[string]any{"at": time.Now().UTC(), "entries": len(pairs), "resume": cursor})
	log.Printf("reindex wrote %d entries; resume cursor %q", len(pairs), cursor)
	return c.Put(ctx, "reindex:last-run", done, 0)
}

// backfill pre-creates empty lending slots for a newly licensed title.
func backfill(ctx context.Context, c *restkv.Client, args []string) error {
	fs := flag.NewFlagSet("backfill", flag.ExitOnError)
	isbn := fs.String("slots", "", "ISBN to create lending slots for")
	_ = fs.Parse(args)

	if *isbn != "" {
		const slots = 50000
		slotTTL := 365 * 24 * time.Hour
		body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, slots)
		for i := 0; i < slots; i++ {
			body = append(body, kv.NamespaceKeyBulkUpdateParamsBody{
				Key:           cloudflare.F(fmt.Sprintf("ebook:slot:%s:%05d", *isbn, i)),
				Value:         cloudflare.F("free"),
				ExpirationTTL: cloudflare.F(float64(slotTTL)), // EXPECT kvttl
			})
		}
		res, err := c.API.KV.Namespaces.Keys.BulkUpdate(ctx, c.NamespaceID, kv.NamespaceKeyBulkUpdateParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(c.AccountID),
			Body:      body,
		})
		if err != nil {
			return err
		}
		log.Printf("slots: %d written", int(res.SuccessfulKeyCount))
	}

	return nil
}

func stats(ctx context.Context, c *restkv.Client, args []string) error {
	fs := flag.NewFlagSet("stats", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix to count")
	_ = fs.Parse(args)

	page, err := c.API.KV.Namespaces.Keys.List(ctx, c.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(c.AccountID),
		Prefix:    cloudflare.F(*prefix),
		Limit:     cloudflare.F(1000.0),
	})
	if err != nil {
		return err
	}
	total := len(page.Result)
	expiring := 0
	soon := float64(time.Now().Add(24 * time.Hour).Unix())
	for _, k := range page.Result {
		if k.Expiration != 0 && k.Expiration < soon {
			expiring++
		}
	}
	fmt.Printf("%s\t%d keys\t%d expiring within 24h\n", *prefix, total, expiring)
	return c.Put(ctx, "stats:key-count:"+*prefix, []byte(strconv.Itoa(total)), 7*24*time.Hour) // DEBATABLE kvcounter
}
