package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"
	"github.com/samber/lo"
)

// Remote is a Store backed by the Cloudflare REST API.
type Remote struct {
	api         *cloudflare.Client
	accountID   string
	namespaceID string
}

// NewRemote builds a Remote for one namespace.
func NewRemote(token, accountID, namespaceID string) *Remote {
	return &Remote{
		api:         cloudflare.NewClient(option.WithAPIToken(token)),
		accountID:   accountID,
		namespaceID: namespaceID,
	}
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (r *Remote) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := r.api.KV.Namespaces.Values.Get(ctx, r.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.accountID),
	})
	if err != nil {
		if isNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func (r *Remote) Put(ctx context.Context, e Entry) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(r.accountID),
		Value:     cloudflare.F(e.Value),
	}
	if e.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(e.TTL))
	}
	_, err := r.api.KV.Namespaces.Values.Update(ctx, r.namespaceID, e.Key, params)
	return err
}

func (r *Remote) Delete(ctx context.Context, key string) error {
	_, err := r.api.KV.Namespaces.Values.Delete(ctx, r.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(r.accountID),
	})
	if isNotFound(err) {
		return nil
	}
	return err
}

func (r *Remote) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := r.api.KV.Namespaces.Keys.List(ctx, r.namespaceID, params)
	if err != nil {
		return Page{}, err
	}
	names := lo.Map(page.Result, func(k kv.Key, _ int) string { return k.Name })
	return Page{Keys: names, Cursor: page.ResultInfo.Cursor, Done: page.ResultInfo.Cursor == ""}, nil
}

// PutMany writes entries with the bulk endpoint; the caller sizes the batch.
func (r *Remote) PutMany(ctx context.Context, entries []Entry) error {
	body := lo.Map(entries, func(e Entry, _ int) kv.NamespaceBulkUpdateParamsBody {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(e.Value),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(float64(e.TTL))
		}
		return b
	})
	res, err := r.api.KV.Namespaces.BulkUpdate(ctx, r.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(r.accountID),
		Body:      body,
	})
	if err != nil {
		return err
	}
	if n := len(res.UnsuccessfulKeys); n > 0 {
		return fmt.Errorf("kv bulk put: %d keys failed, first %q", n, res.UnsuccessfulKeys[0])
	}
	return nil
}
