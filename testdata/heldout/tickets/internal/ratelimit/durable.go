package ratelimit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/syumai/workers/cloudflare"
)

// DOLimiter delegates counting to a Durable Object, one instance per key, so
// increments are serialised and never lost. Used for checkout, where a lost
// increment means oversold seats.
type DOLimiter struct {
	binding string
	limit   int
}

func NewDOLimiter(binding string, limit int) *DOLimiter {
	return &DOLimiter{binding: binding, limit: limit}
}

func (d *DOLimiter) Allow(ctx context.Context, key string) (bool, error) {
	ns, err := cloudflare.NewDurableObjectNamespace(d.binding)
	if err != nil {
		return false, err
	}
	stub, err := ns.Get(ns.IdFromName(key))
	if err != nil {
		return false, err
	}
	u := "https://limiter/hit?limit=" + url.QueryEscape(fmt.Sprint(d.limit))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return false, err
	}
	res, err := stub.Fetch(req)
	if err != nil {
		return false, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return false, fmt.Errorf("%w: %s", errLimiterStatus, res.Status)
	}
	var out struct {
		Allowed bool `json:"allowed"`
		Count   int  `json:"count"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return false, err
	}
	return out.Allowed, nil
}
