package ratelimit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Remote asks the rate-limiter Durable Object, which serialises all
// decisions for a key in one place. Used for webhook ingress where a wrong
// count would drop provider retries.
type Remote struct {
	URL    string
	Client *http.Client
}

// Allow implements the same contract as Limiter.Allow.
func (r Remote) Allow(ctx context.Context, key string) (bool, error) {
	body, _ := json.Marshal(map[string]string{"key": key})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(body))
	if err != nil {
		return true, err
	}
	req.Header.Set("Content-Type", "application/json")
	hc := r.Client
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return true, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return true, fmt.Errorf("limiter: %s", res.Status)
	}
	var out struct {
		Allowed bool `json:"allowed"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return true, err
	}
	return out.Allowed, nil
}
