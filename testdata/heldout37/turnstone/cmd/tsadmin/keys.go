package main

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"github.com/quillhaus/turnstone/internal/auth"
	"github.com/quillhaus/turnstone/internal/kvrest"
)

// record is one line of an export or import file. Value is base64.
type record struct {
	Key      string `json:"key"`
	Value    string `json:"value"`
	Metadata any    `json:"metadata,omitempty"`
}

// export writes every key under prefix with its value.
func export(ctx context.Context, c *kvrest.Client, prefix string, w io.Writer) error {
	enc := json.NewEncoder(w)
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(c.AccountID), Prefix: cloudflare.F(prefix), Limit: cloudflare.F(1000.0)}
	for {
		page, err := c.API.KV.Namespaces.Keys.List(ctx, c.NamespaceID, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		rows := make(chan record, len(page.Result))
		errs := make(chan error, len(page.Result))
		sem := make(chan struct{}, 8)
		var wg sync.WaitGroup
		for _, k := range page.Result {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				res, err := c.API.KV.Namespaces.Values.Get(ctx, c.NamespaceID, url.PathEscape(k.Name), kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.AccountID)}) // EXPECT kvlist
				if err != nil {
					errs <- fmt.Errorf("%s: %w", k.Name, err)
					return
				}
				defer res.Body.Close()
				b, err := io.ReadAll(res.Body)
				if err != nil {
					errs <- err
					return
				}
				rows <- record{Key: k.Name, Value: base64.StdEncoding.EncodeToString(b), Metadata: k.Metadata}
			}()
		}
		wg.Wait()
		close(rows)
		close(errs)
		if err := <-errs; err != nil {
			return err
		}
		for r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		if page.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
}

// exportMeta writes keys and their metadata, up to maxPages pages.
func exportMeta(ctx context.Context, c *kvrest.Client, prefix, cursor string, maxPages int, w io.Writer) error {
	enc := json.NewEncoder(w)
	for range maxPages {
		keys, next, err := c.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := enc.Encode(map[string]any{"key": k.Name, "expiration": k.Expiration, "metadata": k.Metadata}); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return fmt.Errorf("stopped after %d pages; resume with -cursor %s", maxPages, cursor)
}

// importFile loads records written by export, skipping keys that already have a value.
func importFile(ctx context.Context, c *kvrest.Client, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	var body []kv.NamespaceBulkUpdateParamsBody
	for {
		var r record
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return err
		}
		if cur, err := existing(ctx, c, r.Key); err != nil {
			return err
		} else if cur != "" {
			continue // never clobber live data
		}
		b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(r.Key), Value: cloudflare.F(r.Value), Base64: cloudflare.F(true)}
		if r.Metadata != nil {
			b.Metadata = cloudflare.F[any](r.Metadata)
		}
		body = append(body, b)
	}
	for chunk := range slices.Chunk(body, 25_000) { // EXPECT kvlimits
		res, err := c.API.KV.Namespaces.BulkUpdate(ctx, c.NamespaceID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.AccountID), Body: chunk})
		if err != nil {
			return err
		}
		if n := len(res.UnsuccessfulKeys); n > 0 {
			return fmt.Errorf("%d keys failed, first %q", n, res.UnsuccessfulKeys[0])
		}
	}
	return nil
}

// existing returns the current value of key, or "" when there is none.
func existing(ctx context.Context, c *kvrest.Client, key string) (string, error) {
	res, err := c.API.KV.Namespaces.Values.Get(ctx, c.NamespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.AccountID)})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return string(raw), nil
	}
	return "", nil
}

// peek prints the first few keys under prefix.
func peek(ctx context.Context, c *kvrest.Client, prefix string) error {
	page, err := c.API.KV.Namespaces.Keys.List(ctx, c.NamespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.AccountID),
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
		fmt.Println("... more; use export-meta")
	}
	return nil
}

// purge deletes every key under prefix.
func purge(ctx context.Context, c *kvrest.Client, prefix string) error {
	if prefix == "" {
		return errors.New("refusing to purge without -prefix")
	}
	var keys []string
	iter := c.API.KV.Namespaces.Keys.ListAutoPaging(ctx, c.NamespaceID, kv.NamespaceKeyListParams{AccountID: cloudflare.F(c.AccountID), Prefix: cloudflare.F(prefix)}) // EXPECT kvlist
	for iter.Next() {
		keys = append(keys, iter.Current().Name)
	}
	if err := iter.Err(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "deleting %d keys under %q\n", len(keys), prefix)
	return c.DeleteKeys(ctx, keys)
}

// revoke deletes all of a reader's sessions.
func revoke(ctx context.Context, c *kvrest.Client, email string) error {
	prefix := "sess:" + auth.UserHash(email) + ":"
	var keys []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages == 10 {
			return fmt.Errorf("more than %d pages of sessions for %s", pages, email)
		}
		page, next, err := c.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range page {
			keys = append(keys, k.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return c.DeleteKeys(ctx, keys) // EXPECT kvsession
}

// archive moves key to archive:<key>, kept for keep.
func archive(ctx context.Context, c *kvrest.Client, key string, keep time.Duration) error {
	val, err := c.Get(ctx, key)
	if err != nil {
		return err
	}
	_, err = c.API.KV.Namespaces.Values.Update(ctx, c.NamespaceID, url.PathEscape("archive:"+key), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(c.AccountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(val)),
		Expiration: cloudflare.F(float64(time.Now().Add(keep).UnixMilli())), // EXPECT kvttl
	})
	if err != nil {
		return err
	}
	return c.DeleteKeys(ctx, []string{key})
}

type pubSettings struct {
	FromName string `json:"from_name"`
	ReplyTo  string `json:"reply_to,omitempty"`
	Digest   string `json:"digest"`
}

// setSender updates the sender fields of a publication's settings.
func setSender(ctx context.Context, c *kvrest.Client, pubID, fromName, replyTo string) error {
	key := "pub:" + pubID + ":settings"
	settings := pubSettings{FromName: "Turnstone", Digest: "weekly"}
	if raw, err := c.Get(ctx, key); err == nil { // EXPECT kvnull
		if err := json.Unmarshal(raw, &settings); err != nil {
			return err
		}
	}
	settings.FromName = cmp.Or(fromName, settings.FromName)
	settings.ReplyTo = cmp.Or(replyTo, settings.ReplyTo)
	b, err := json.Marshal(settings)
	if err != nil {
		return err
	}
	return c.Put(ctx, key, b, kvrest.PutOptions{}) // EXPECT kvrace
}
