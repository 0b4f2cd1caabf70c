package kvhotkey

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// item is what a memcache-style client stores: its key travels inside
// the struct.
type item struct {
	Key        string
	Value      []byte
	Expiration int32
}

type itemClient struct {
	s      *syncer
	prefix string
}

func (c *itemClient) Set(it *item) error {
	if it.Key == "" {
		return errEmptyKey
	}
	return c.store(context.Background(), it)
}

func (c *itemClient) store(ctx context.Context, it *item) error {
	if it.Expiration < 0 {
		_, err := c.s.client.KV.Namespaces.Values.Delete(ctx, c.s.ns, c.prefix+it.Key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(c.s.account)})
		return err
	}
	return c.s.put(ctx, c.prefix+it.Key, string(it.Value))
}

var errEmptyKey = errors.New("empty key")

func (c *itemClient) Get(key string) (string, error) {
	res, err := c.s.client.KV.Namespaces.Values.Get(context.Background(), c.s.ns, c.prefix+key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.s.account)})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	return res.Status, nil
}

// A progress item rewritten after each product, in a struct made anew on
// each run.
func (c *itemClient) importProducts(products map[string][]byte) error { // want importProducts:"kvhotkey"
	done := 0
	for id, body := range products {
		if err := c.Set(&item{Key: "product:" + id, Value: body}); err != nil {
			return err
		}
		done++
		progress := fmt.Sprintf(`{"done":%d}`, done)
		if err := c.Set(&item{Key: "import:progress", Value: []byte(progress)}); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// subspace builds tuple-encoded keys under a prefix, FoundationDB style.
type subspace struct{ raw []byte }

func (s subspace) Pack(elems ...any) []byte {
	out := append([]byte(nil), s.raw...)
	for _, e := range elems {
		out = append(out, 0x02)
		out = append(out, fmt.Sprint(e)...)
		out = append(out, 0x00)
	}
	return out
}

type indexer struct {
	s     *syncer
	stats subspace
	terms subspace
}

// A "last indexed" key under the stats subspace, packed again on each run.
func (ix *indexer) add(ctx context.Context, docID uint64, terms []string) error { // want add:"kvhotkey"
	for _, t := range terms {
		if err := ix.s.put(ctx, string(ix.terms.Pack(t, docID)), "1"); err != nil {
			return err
		}
		if err := ix.s.put(ctx, string(ix.stats.Pack("last-indexed")), strconv.FormatUint(docID, 10)); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// Quiet: a checkpoint every 500 records of a loop that reads each from
// KV, seconds apart.
func (c *itemClient) reindex(ids []string) error {
	for n, id := range ids {
		if _, err := c.Get("doc:" + id); err != nil {
			return err
		}
		if n%500 == 0 {
			if err := c.Set(&item{Key: "reindex:checkpoint", Value: []byte(id)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Every 16th of a loop that reads each: still many writes a second.
func (c *itemClient) reindexOften(ids []string) error { // want reindexOften:"kvhotkey"
	for n, id := range ids {
		if _, err := c.Get("doc:" + id); err != nil {
			return err
		}
		if n%16 == 0 {
			if err := c.Set(&item{Key: "reindex:checkpoint", Value: []byte(id)}); err != nil { // want `this loop writes the same KV key on every iteration`
				return err
			}
		}
	}
	return nil
}
