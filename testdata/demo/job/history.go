package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

const historyKey = "jobs:catalog-sync:history"

// run is one entry of the sync history shown on the dashboard.
type run struct {
	At       time.Time `json:"at"`
	Products int       `json:"products"`
}

// appendHistory adds this run to the last runs kept under historyKey,
// newest last, keeping at most 50.
func appendHistory(ctx context.Context, cfg config, n int) error {
	var history []run
	res, err := cfg.client.KV.Namespaces.Values.Get(ctx, cfg.namespaceID, historyKey, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(cfg.accountID),
	})
	var apiErr *cloudflare.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
		// First run: no history yet.
	case err != nil:
		return err
	default:
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(raw, &history); err != nil {
			return err
		}
	}

	history = append(history, run{At: time.Now().UTC(), Products: n})
	if len(history) > 50 {
		history = history[len(history)-50:]
	}
	data, err := json.Marshal(history)
	if err != nil {
		return err
	}
	_, err = cfg.client.KV.Namespaces.Values.Update(ctx, cfg.namespaceID, historyKey, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(cfg.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(data)),
	})
	return err
}
