package kvlist

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// listMaybe sets the prefix and the cursor only when it is given them.
func (a *admin) listMaybe(ctx context.Context, prefix, cursor string, limit int) (keyPage, error) {
	q := url.Values{}
	if prefix != "" {
		q.Set("prefix", prefix)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	q.Set("limit", strconv.Itoa(limit))
	var keys []listedKey
	next, err := a.call(ctx, http.MethodGet, a.endpoint("keys")+"?"+q.Encode(), nil, &keys)
	if err != nil {
		return keyPage{}, err
	}
	return keyPage{Keys: keys, Cursor: next}, nil
}

// A count over a few pages, whose later pages are asked for with no prefix.
func (a *admin) countRevoked(ctx context.Context, maxPages int) (int, error) { // want countRevoked:"kvlist"
	page, err := a.listMaybe(ctx, "revoked:", "", 1000)
	if err != nil {
		return 0, err
	}
	n := len(page.Keys)
	for i := 1; i < maxPages && page.Cursor != ""; i++ {
		page, err = a.listMaybe(ctx, "", page.Cursor, 1000) // want `this list passes a cursor but leaves out the Prefix`
		if err != nil {
			return n, err
		}
		n += len(page.Keys)
	}
	return n, nil
}

// Quiet: the same prefix on every page.
func (a *admin) countBanned(ctx context.Context, maxPages int) (int, error) {
	page, err := a.listMaybe(ctx, "banned:", "", 1000)
	if err != nil {
		return 0, err
	}
	n := len(page.Keys)
	for i := 1; i < maxPages && page.Cursor != ""; i++ {
		page, err = a.listMaybe(ctx, "banned:", page.Cursor, 1000)
		if err != nil {
			return n, err
		}
		n += len(page.Keys)
	}
	return n, nil
}
