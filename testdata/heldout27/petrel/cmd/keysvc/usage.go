package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"example.com/petrel/internal/ident"
	"example.com/petrel/internal/metering"
)

// usageClient talks to the usage database gateway over HTTP.
type usageClient struct {
	base string
	hc   *http.Client
}

func newUsageClient(base string) *usageClient {
	return &usageClient{base: base, hc: &http.Client{Timeout: 10 * time.Second}}
}

func (c *usageClient) Query(ctx context.Context, sql string, args ...any) ([]byte, error) {
	payload, _ := json.Marshal(map[string]any{"sql": sql, "args": args})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/query", bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("usage db: %s", res.Status)
	}
	return body, err
}

func (c *usageClient) Totals(ctx context.Context, id ident.KeyID) (metering.Totals, error) {
	var t metering.Totals
	body, err := c.Query(ctx, "SELECT * FROM usage_totals WHERE key_id = $1", string(id))
	if err != nil {
		return t, err
	}
	return t, json.Unmarshal(body, &t)
}
