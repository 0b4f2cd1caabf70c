package kvstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudflare/cloudflare-go"
)

// KeyInfo is one listed key. Values are not returned by a list.
type KeyInfo struct {
	Name       string
	Expiration int
	Metadata   any
}

// Page is one page of a key listing. Cursor is empty on the last page.
type Page struct {
	Keys   []KeyInfo
	Cursor string
}

// driver is the transport underneath a Store, chosen by name at start-up.
type driver interface {
	get(ctx context.Context, ns, key string) ([]byte, error)
	put(ctx context.Context, ns, key string, val []byte) error
	bulk(ctx context.Context, ns string, pairs []*cloudflare.WorkersKVPair) error
	del(ctx context.Context, ns, key string) error
	delMany(ctx context.Context, ns string, keys []string) error
	list(ctx context.Context, ns string, p cloudflare.ListWorkersKVsParams) (Page, error)
}

// restDriver talks to the Cloudflare REST API through cloudflare-go v0.
type restDriver struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
}

func (d restDriver) get(ctx context.Context, ns, key string) ([]byte, error) {
	return d.api.GetWorkersKV(ctx, d.rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key})
}

func (d restDriver) put(ctx context.Context, ns, key string, val []byte) error {
	_, err := d.api.WriteWorkersKVEntry(ctx, d.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: ns,
		Key:         key,
		Value:       val,
	})
	return err
}

// bulk is also how single values with an expiry are written: the v0 single
// value endpoint takes no expiration parameters.
func (d restDriver) bulk(ctx context.Context, ns string, pairs []*cloudflare.WorkersKVPair) error {
	resp, err := d.api.WriteWorkersKVEntries(ctx, d.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ns,
		KVs:         pairs,
	})
	if err != nil {
		return err
	}
	if !resp.Success {
		return fmt.Errorf("kv bulk write: %v", resp.Errors)
	}
	return nil
}

func (d restDriver) del(ctx context.Context, ns, key string) error {
	_, err := d.api.DeleteWorkersKVEntry(ctx, d.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: ns, Key: key})
	return err
}

func (d restDriver) delMany(ctx context.Context, ns string, keys []string) error {
	_, err := d.api.DeleteWorkersKVEntries(ctx, d.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: ns, Keys: keys})
	return err
}

func (d restDriver) list(ctx context.Context, ns string, p cloudflare.ListWorkersKVsParams) (Page, error) {
	p.NamespaceID = ns
	resp, err := d.api.ListWorkersKVKeys(ctx, d.rc, p)
	if err != nil {
		return Page{}, err
	}
	page := Page{Cursor: resp.Cursor, Keys: make([]KeyInfo, 0, len(resp.Result))}
	for _, k := range resp.Result {
		page.Keys = append(page.Keys, KeyInfo{Name: k.Name, Expiration: k.Expiration, Metadata: k.Metadata})
	}
	return page, nil
}

// isNotFound reports whether err is the API's 404 for a missing key.
func isNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return true
	}
	var mm missing
	return errors.As(err, &mm)
}
