// Command kotuku-reindex rebuilds the search index and the live-listing
// bitmap from the primary listing records. It runs as a nightly batch job.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/kotuku-market/kotuku/internal/kvstore"
	"github.com/kotuku-market/kotuku/internal/listing"
	"github.com/kotuku-market/kotuku/internal/search"
	"github.com/kotuku-market/kotuku/internal/tuple"
)

const (
	// liveBitmapBytes covers listing IDs up to 2^28.
	liveBitmapBytes = 1 << 25
	bloomShards     = 16384
)

type job struct {
	ns    *kvstore.Namespace
	cf    *cloudflare.Client
	docs  tuple.Subspace
	terms tuple.Subspace
	ops   tuple.Subspace
}

func main() {
	dry := flag.Bool("dry-run", false, "compute but do not write")
	orphansOf := flag.String("orphans", "", "print SKU entries of this seller and exit")
	touch := flag.String("touch", "", "comma-separated terms to mark as touched and exit")
	flag.Parse()
	cfg := kvstore.Config{
		APIToken:    os.Getenv("CLOUDFLARE_API_TOKEN"),
		AccountID:   os.Getenv("CLOUDFLARE_ACCOUNT_ID"),
		NamespaceID: os.Getenv("KOTUKU_KV_NAMESPACE"),
	}
	client := kvstore.NewClient(cfg)
	j := &job{
		ns:    kvstore.Open(client, cfg),
		cf:    client,
		docs:  tuple.Root("listing").Sub("doc"),
		terms: tuple.Root("search").Sub("term"),
		ops:   tuple.Root("ops"),
	}
	ctx := context.Background()
	switch {
	case *orphansOf != "":
		keys, err := j.orphans(ctx, *orphansOf)
		if err != nil {
			log.Fatal(err)
		}
		for _, k := range keys {
			fmt.Println(k)
		}
		return
	case *touch != "":
		if err := j.touchTerms(ctx, strings.Split(*touch, ",")); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := j.run(ctx, *dry); err != nil {
		log.Fatal(err)
	}
}

func (j *job) run(ctx context.Context, dry bool) error {
	if prev, err := j.lastRun(ctx); err == nil && time.Since(prev) < 6*time.Hour {
		log.Printf("last run at %s, skipping", prev)
		return nil
	}
	postings := make(map[string]search.Postings)
	live := make([]byte, liveBitmapBytes)

	iter := j.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, j.ns.ID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(j.ns.AccountID()),
		Prefix:    cloudflare.F(j.docs.Prefix()),
	})
	n := 0
	for iter.Next() {
		k := iter.Current()
		var l listing.Listing
		if err := j.ns.GetJSON(ctx, k.Name, &l); err != nil { // EXPECT kvlist
			log.Printf("skip %s: %v", k.Name, err)
			continue
		}
		if l.Status != listing.StatusLive {
			continue
		}
		live[l.ID/8] |= 1 << (l.ID % 8)
		for _, t := range search.Terms(l.Title + " " + l.Desc + " " + l.Brand) {
			postings[t] = append(postings[t], l.ID)
		}
		n++
		if n%500 == 0 {
			log.Printf("read %d listings", n)
			if err := j.checkpoint(ctx, k.Name, n); err != nil {
				return err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if dry {
		log.Printf("%d listings, %d terms", n, len(postings))
		return nil
	}

	entries := make([]kvstore.Entry, 0, len(postings))
	for t, ids := range postings {
		entries = append(entries, kvstore.Entry{Key: string(j.terms.Pack(t)), Value: ids.Encode()})
	}
	if err := j.ns.BulkPut(ctx, entries); err != nil {
		return err
	}
	if err := j.ns.Put(ctx, string(j.ops.Pack("live-bitmap")), live, 0); err != nil { // EXPECT kvlimits
		return err
	}
	if err := j.resetBloom(ctx); err != nil {
		return err
	}
	return j.ns.Put(ctx, string(j.ops.Pack("reindex", "finished")), []byte(time.Now().Format(time.RFC3339)), 0)
}

func (j *job) checkpoint(ctx context.Context, lastKey string, n int) error {
	raw, _ := json.Marshal(map[string]any{"last_key": lastKey, "count": n})
	return j.ns.Put(ctx, string(j.ops.Pack("reindex", "progress")), raw, 0)
}

// lastRun returns when the previous reindex finished.
func (j *job) lastRun(ctx context.Context) (time.Time, error) {
	res, err := j.cf.KV.Namespaces.Values.Get(ctx, j.ns.ID(), string(j.ops.Pack("reindex", "finished")), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(j.ns.AccountID()),
	})
	if err != nil {
		return time.Time{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return time.Time{}, err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return time.Parse(time.RFC3339, string(raw))
	}
	return time.Time{}, fmt.Errorf("no previous run")
}

// resetBloom clears the duplicate-listing Bloom filter shards that the edge
// worker consults before accepting a photo hash.
func (j *job) resetBloom(ctx context.Context) error {
	shards := tuple.Root("dedup").Sub("bloom")
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, bloomShards)
	for i := range bloomShards {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(string(shards.Pack(i))),
			Value: cloudflare.F(""),
		})
	}
	_, err := j.cf.KV.Namespaces.BulkUpdate(ctx, j.ns.ID(), kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(j.ns.AccountID()),
		Body:      body,
	})
	return err
}

// orphans lists SKU index entries for a report; the report shows the first
// screenful and is regenerated on demand.
func (j *job) orphans(ctx context.Context, sellerID string) ([]string, error) {
	page, err := j.cf.KV.Namespaces.Keys.List(ctx, j.ns.ID(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.ns.AccountID()),
		Prefix:    cloudflare.F(tuple.Root("listing").Sub("sku", sellerID).Prefix()),
		Limit:     cloudflare.F(2000.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(page.Result)+1)
	for _, k := range page.Result {
		out = append(out, k.Name)
	}
	if page.ResultInfo.Cursor != "" {
		out = append(out, "(more)")
	}
	return out, nil
}

// touchTerms rewrites the update stamp of each popular term's posting list
// after a manual fix.
func (j *job) touchTerms(ctx context.Context, terms []string) error {
	for _, t := range terms {
		stamp := strconv.FormatInt(time.Now().Unix(), 10)
		if err := j.ns.Put(ctx, string(j.ops.Pack("terms-touched")), []byte(t+"@"+stamp), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
