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
	"net/http"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// Auditorium layout for the seat map.
const (
	seatRows    = 120
	seatsPerRow = 100
)

// purgePage keeps each list call small so a purge can be interrupted
// without losing much work.
const purgePage = 5

func backfill(ctx context.Context, api *cloudflare.Client, args []string) error {
	fs := flag.NewFlagSet("backfill", flag.ExitOnError)
	t := targetFlags(fs)
	venue := fs.String("venue", "auditorium", "venue of the seat map")
	promo := fs.String("promo", "", "CSV of promo codes (code,description)")
	validFor := fs.Duration("valid-for", 90*24*time.Hour, "how long promo codes stay valid")
	if err := t.parse(fs, args); err != nil {
		return err
	}

	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, seatRows*seatsPerRow)
	for row := range seatRows {
		for seat := range seatsPerRow {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(fmt.Sprintf("seat:%s:%03d:%03d", *venue, row+1, seat+1)),
				Value: cloudflare.F(`{"state":"free"}`),
			})
		}
	}
	_, err := api.KV.Namespaces.BulkUpdate(ctx, *t.ns, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(*t.account),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("seat map: %w", err)
	}
	fmt.Printf("seat map: %d seats\n", len(body))

	if *promo == "" {
		return nil
	}
	f, err := os.Open(*promo)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	validUntil := time.Now().Add(*validFor)
	for i := 0; ; i++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("promo line %d: %w", i+1, err)
		}
		_, err = api.KV.Namespaces.Values.Update(ctx, *t.ns, "promo:"+rec[0], kv.NamespaceValueUpdateParams{
			AccountID:  cloudflare.F(*t.account),
			Value:      cloudflare.F(rec[1]),
			Expiration: cloudflare.F(float64(validUntil.UnixMilli())), // EXPECT kvttl
		})
		if err != nil {
			return fmt.Errorf("promo %s: %w", rec[0], err)
		}
		// Record progress so an interrupted run can be resumed by hand.
		_, err = api.KV.Namespaces.Values.Update(ctx, *t.ns, "backfill:checkpoint", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(*t.account),
			Value:     cloudflare.F(rec[0]),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

type exported struct {
	Name       string  `json:"name"`
	Expiration float64 `json:"expiration,omitempty"`
	Metadata   any     `json:"metadata,omitempty"`
}

func export(ctx context.Context, api *cloudflare.Client, args []string) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	t := targetFlags(fs)
	prefix := fs.String("prefix", "", "only keys with this prefix")
	if err := t.parse(fs, args); err != nil {
		return err
	}
	bw := bufio.NewWriter(os.Stdout)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	iter := api.KV.Namespaces.Keys.ListAutoPaging(ctx, *t.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(*t.account),
		Prefix:    cloudflare.F(*prefix),
	})
	n := 0
	for iter.Next() {
		k := iter.Current()
		if err := enc.Encode(exported{Name: k.Name, Expiration: k.Expiration, Metadata: k.Metadata}); err != nil {
			return err
		}
		n++
	}
	fmt.Fprintf(os.Stderr, "exported %d keys\n", n)
	return iter.Err()
}

func purge(ctx context.Context, api *cloudflare.Client, args []string) error {
	fs := flag.NewFlagSet("purge", flag.ExitOnError)
	t := targetFlags(fs)
	prefix := fs.String("prefix", "hold:", "delete keys with this prefix")
	maxPages := fs.Int("max-pages", 200, "stop after this many list pages")
	if err := t.parse(fs, args); err != nil {
		return err
	}
	if *prefix == "" {
		return errors.New("refusing to purge the whole namespace; pass -prefix")
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(*t.account),
		Prefix:    cloudflare.F(*prefix),
		Limit:     cloudflare.F(float64(purgePage)), // EXPECT kvlimits
	}
	deleted := 0
	for range *maxPages {
		res, err := api.KV.Namespaces.Keys.List(ctx, *t.ns, params)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(res.Result))
		for _, k := range res.Result {
			names = append(names, k.Name)
		}
		if len(names) > 0 {
			_, err := api.KV.Namespaces.BulkDelete(ctx, *t.ns, kv.NamespaceBulkDeleteParams{
				AccountID: cloudflare.F(*t.account),
				Body:      names,
			})
			if err != nil {
				return err
			}
		}
		deleted += len(names)
		if res.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	fmt.Printf("deleted %d keys under %q\n", deleted, *prefix)
	return nil
}

func rekey(ctx context.Context, api *cloudflare.Client, args []string) error {
	fs := flag.NewFlagSet("rekey", flag.ExitOnError)
	t := targetFlags(fs)
	from := fs.String("from", "", "existing key")
	to := fs.String("to", "", "new key")
	if err := t.parse(fs, args); err != nil {
		return err
	}
	get := kv.NamespaceValueGetParams{AccountID: cloudflare.F(*t.account)}
	res, err := api.KV.Namespaces.Values.Get(ctx, *t.ns, *from, get)
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%s does not exist", *from)
	}
	if err != nil {
		return err
	}
	value, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	// Only copy when the new key is not there yet, so reruns are harmless.
	if _, err := api.KV.Namespaces.Values.Get(ctx, *t.ns, *to, get); err != nil { // EXPECT kvnull
		_, err := api.KV.Namespaces.Values.Update(ctx, *t.ns, *to, kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(*t.account),
			Value:     cloudflare.F(string(value)),
		})
		if err != nil {
			return err
		}
	}
	_, err = api.KV.Namespaces.Values.Delete(ctx, *t.ns, *from, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(*t.account)})
	return err
}

func ttlFix(ctx context.Context, api *cloudflare.Client, args []string) error {
	fs := flag.NewFlagSet("ttl-fix", flag.ExitOnError)
	t := targetFlags(fs)
	prefix := fs.String("prefix", "hold:", "keys to fix")
	ttl := fs.Duration("ttl", 30*time.Second, "lifetime to give orphaned keys") // DEBATABLE kvttl
	maxPages := fs.Int("max-pages", 20, "stop after this many list pages")
	if err := t.parse(fs, args); err != nil {
		return err
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(*t.account),
		Prefix:    cloudflare.F(*prefix),
		Limit:     cloudflare.F(1000.0),
	}
	fixed := 0
	for range *maxPages {
		res, err := api.KV.Namespaces.Keys.List(ctx, *t.ns, params)
		if err != nil {
			return err
		}
		var body []kv.NamespaceBulkUpdateParamsBody
		for _, k := range res.Result {
			if k.Expiration != 0 {
				continue
			}
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F(k.Name),
				Value:         cloudflare.F("orphaned"),
				ExpirationTTL: cloudflare.F(ttl.Seconds()),
			})
		}
		if len(body) > 0 {
			if _, err := api.KV.Namespaces.BulkUpdate(ctx, *t.ns, kv.NamespaceBulkUpdateParams{
				AccountID: cloudflare.F(*t.account),
				Body:      body,
			}); err != nil {
				return err
			}
		}
		fixed += len(body)
		if res.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	fmt.Printf("gave %d keys a %s lifetime\n", fixed, *ttl)
	return nil
}
