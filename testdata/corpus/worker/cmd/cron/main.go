// Command cron rebuilds the daily digest from the origin.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

type digest struct {
	Date  string   `json:"date"`
	Items []string `json:"items"`
}

func fetchDigest(ctx context.Context) (digest, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://origin.example.com/digest", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return digest{}, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var d digest
	return d, json.Unmarshal(b, &d)
}

func task(ctx context.Context) error {
	ns, err := kv.NewNamespace("DIGEST")
	if err != nil {
		return err
	}
	fresh, err := fetchDigest(ctx)
	if err != nil {
		return err
	}
	newJSON, _ := json.Marshal(fresh)

	// Only write when something changed: writes cost more than reads.
	current, err := ns.GetString("digest:latest", nil)
	if err != nil {
		return err
	}
	if current == string(newJSON) {
		return nil
	}
	if err := ns.PutString("digest:latest", string(newJSON), nil); err != nil {
		return err
	}
	// Keep each day's digest for a month, under its own key.
	archiveKey := fmt.Sprintf("digest:%s", time.Now().UTC().Format("2006-01-02"))
	return ns.PutString(archiveKey, string(newJSON), &kv.PutOptions{
		Expiration: int(time.Now().Add(31 * 24 * time.Hour).Unix()),
	})
}

// pruneMarker records when the last prune happened: a deadline 30 s later.
func pruneMarker(ns *kv.Namespace) error {
	deadline := time.Now().Unix() + 30
	return ns.PutString("digest:prune-lock", "held", &kv.PutOptions{Expiration: int(deadline)}) // EXPECT kvttl
}

func main() {
	cron.ScheduleTask(func(ctx context.Context) error {
		if err := task(ctx); err != nil {
			return err
		}
		ns, err := kv.NewNamespace("DIGEST")
		if err != nil {
			return err
		}
		return pruneMarker(ns)
	})
}
