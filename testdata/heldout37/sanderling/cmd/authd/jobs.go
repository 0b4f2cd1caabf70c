package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"sanderling/internal/audit"
	"sanderling/internal/expiry"
	"sanderling/internal/kvstore"
	"sanderling/internal/usage"
)

// runJanitor is the nightly cron job (03:00 UTC).
func runJanitor(ctx context.Context, d deps, exportPath string) error {
	j := &expiry.Janitor{
		Client: d.client, API: d.api, RC: d.rc, AccountID: d.cfg.AccountID, AuthNS: d.cfg.AuthNamespace,
		Auth:     kvstore.Stack(d.auth, kvstore.WithPrefix("auth:"), kvstore.WithLogging(d.log)),
		Sessions: kvstore.Stack(d.auth, kvstore.WithPrefix("sess:"), kvstore.ReadOnly()),
		State:    kvstore.Stack(d.state, kvstore.WithPrefix("janitor:")),
		Log:      d.log,
	}
	rep, err := j.Run(ctx, time.Now())
	if err != nil {
		return err
	}
	d.log.Info("janitor done", "expired", rep.Expired, "pruned", rep.Pruned, "users", len(rep.Sessions))
	if exportPath == "" {
		return nil
	}
	f, err := os.Create(exportPath)
	if err != nil {
		return err
	}
	defer f.Close()
	host, _ := os.Hostname()
	return audit.NewExporter(d.api, d.rc, d.cfg.AuthNamespace, d.cfg.StateNamespace, d.log).Run(ctx, f, "nightly", cmp.Or(host, "authd"), "auth:")
}

func queueCall(ctx context.Context, url, token string, in, out any) error {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// consumeUsage pulls the usage-events queue over the Queues HTTP pull API and
// hands each batch to the usage consumer.
func consumeUsage(ctx context.Context, d deps) error {
	state := kvstore.Stack(d.state, kvstore.WithPrefix("usage:"), kvstore.WithLogging(d.log))
	consumer := usage.NewConsumer(state, d.log)
	base := fmt.Sprintf("https://api.cloudflare.com/client/v4/accounts/%s/queues/%s/messages", d.cfg.AccountID, os.Getenv("USAGE_QUEUE_ID"))
	type lease struct {
		LeaseID string `json:"lease_id"`
	}
	for ctx.Err() == nil {
		var pulled struct {
			Result struct{ Messages []usage.Message } `json:"result"`
		}
		err := queueCall(ctx, base+"/pull", d.cfg.APIToken, map[string]int{"batch_size": 100, "visibility_timeout_ms": 60_000}, &pulled)
		if err != nil || len(pulled.Result.Messages) == 0 {
			time.Sleep(2 * time.Second)
			continue
		}
		b := usage.Batch{ID: pulled.Result.Messages[0].ID, ReceivedAt: time.Now(), Messages: pulled.Result.Messages}
		leases := make([]lease, 0, len(b.Messages))
		for _, m := range b.Messages {
			leases = append(leases, lease{m.LeaseID})
		}
		ack := map[string][]lease{"acks": leases}
		if err := consumer.HandleBatch(ctx, b); err != nil {
			d.log.Error("batch failed, retrying", "batch", b.ID, "err", err)
			ack = map[string][]lease{"retries": leases}
		}
		var out json.RawMessage
		if err := queueCall(ctx, base+"/ack", d.cfg.APIToken, ack, &out); err != nil {
			d.log.Warn("ack", "batch", b.ID, "err", err)
		}
	}
	return nil
}
