package cfsdk

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	"github.com/cloudflare/cloudflare-go/v5"
	cfkv "github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/curlew/internal/kv"
)

func isMiss(err error) bool { return errors.Is(err, kv.ErrNotFound) }

// Reports builds operator reports by scanning the main namespace.
type Reports struct{ ns Namespace }

// NewReports returns Reports on ns.
func NewReports(ns Namespace) Reports { return Reports{ns: ns} }

// AllParcelKeys returns every parcel key for the nightly export.
func (r Reports) AllParcelKeys(ctx context.Context) ([]string, error) {
	iter := r.ns.client.KV.Namespaces.Keys.ListAutoPaging(ctx, r.ns.id, cfkv.NamespaceKeyListParams{AccountID: cloudflare.F(r.ns.accountID), Prefix: cloudflare.F("parcel:")}) // EXPECT kvlist
	var names []string
	for iter.Next() {
		names = append(names, iter.Current().Name)
	}
	return names, iter.Err()
}

// Exception is a failed delivery attempt awaiting review.
type Exception struct {
	ParcelID string `json:"parcel_id"`
	Reason   string `json:"reason"`
	Courier  string `json:"courier"`
}

// ExceptionDigest returns one page of exceptions with their bodies and the
// cursor of the next page.
func (r Reports) ExceptionDigest(ctx context.Context, cursor string) ([]Exception, string, error) {
	params := cfkv.NamespaceKeyListParams{AccountID: cloudflare.F(r.ns.accountID), Prefix: cloudflare.F("exception:"), Limit: cloudflare.F(100.0)}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := r.ns.client.KV.Namespaces.Keys.List(ctx, r.ns.id, params)
	if err != nil {
		return nil, "", err
	}
	out := make([]Exception, 0, len(res.Result))
	for _, k := range res.Result {
		resp, err := r.ns.values().Get(ctx, r.ns.id, k.Name, r.ns.account()) // EXPECT kvlist
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, "", err
		}
		var e Exception
		if json.Unmarshal(body, &e) == nil {
			out = append(out, e)
		}
	}
	return out, res.ResultInfo.Cursor, nil
}

// DepotPage returns one page of depot keys for the capacity dashboard.
func (r Reports) DepotPage(ctx context.Context, cursor string) ([]string, string, error) {
	params := cfkv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.ns.accountID),
		Prefix:    cloudflare.F("depot:"),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := r.ns.client.KV.Namespaces.Keys.List(ctx, r.ns.id, params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, res.ResultInfo.Cursor, nil
}
