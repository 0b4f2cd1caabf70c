package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// syncStatus is what the admin dashboard shows about the last run. Its
// times are JavaScript timestamps (milliseconds), which is what the
// dashboard's Date expects.
type syncStatus struct {
	FinishedAt int64  `json:"finished_at"`
	DurationMS int64  `json:"duration_ms"`
	Products   int    `json:"products"`
	Error      string `json:"error,omitempty"`
}

// recordStatus stores the outcome of this run for a week.
func recordStatus(ctx context.Context, cfg config, products int, took time.Duration, runErr error) error {
	now := time.Now()
	status := syncStatus{
		FinishedAt: now.UnixMilli(),
		DurationMS: took.Milliseconds(),
		Products:   products,
	}
	if runErr != nil {
		status.Error = runErr.Error()
	}
	value, err := json.Marshal(status)
	if err != nil {
		return err
	}
	_, err = cfg.client.KV.Namespaces.Values.Update(ctx, cfg.namespaceID, "jobs:catalog-sync:status", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(cfg.accountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(now.Add(7 * 24 * time.Hour).UnixMilli())),
	})
	return err
}
